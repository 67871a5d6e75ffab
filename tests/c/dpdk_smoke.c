/* DPDK smoke test for the generated set-up code.  Runs EAL with the arguments
 * given on the command line (e.g. --no-huge --no-pci --vdev=net_null0 ...),
 * configures port 0 with 2 RX queues through flowmage_dpdk_configure(), starts
 * it, applies the RETA with flowmage_dpdk_set_reta() and reads it back.
 * Prints "configure=RC reta_size=N" and "reta ok" and exits 0 when the device
 * RETA equals the plan's (repeated to the device size). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dispatch.h"

#define NB_RXQ 2
#define MAX_RETA 2048

static int check_reta(uint16_t port, uint16_t size)
{
    struct rte_eth_rss_reta_entry64 reta[MAX_RETA / RTE_ETH_RETA_GROUP_SIZE];
    unsigned i;

    memset(reta, 0, sizeof reta);
    for (i = 0; i < size; i++)
        reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= UINT64_C(1) << (i % RTE_ETH_RETA_GROUP_SIZE);
    if (rte_eth_dev_rss_reta_query(port, reta, size) != 0)
        return -1;
    for (i = 0; i < size; i++)
        if (reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] !=
            flowmage_reta[i % FLOWMAGE_RETA_SIZE])
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct rte_eth_conf conf;
    struct rte_eth_dev_info info;
    struct rte_eth_rss_conf rss;
    struct rte_mempool *pool;
    uint8_t key[255];
    uint16_t port = 0, q;
    int rc, cfg, status = 1;

    if (rte_eal_init(argc, argv) < 0) {
        fprintf(stderr, "EAL init failed\n");
        return 77;
    }
    if (!rte_eth_dev_is_valid_port(port)) {
        fprintf(stderr, "no port 0\n");
        goto out;
    }
    pool = rte_pktmbuf_pool_create("flowmage_smoke", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   (int)rte_socket_id());
    if (pool == NULL) {
        fprintf(stderr, "mempool failed\n");
        goto out;
    }
    memset(&conf, 0, sizeof conf);
    cfg = flowmage_dpdk_configure(port, &conf);
    printf("configure=%d rss_hf=0x%llx key_len=%u\n", cfg,
           (unsigned long long)conf.rx_adv_conf.rss_conf.rss_hf,
           (unsigned)conf.rx_adv_conf.rss_conf.rss_key_len);
    if (cfg < 0)
        goto out;
    rc = rte_eth_dev_configure(port, NB_RXQ, 1, &conf);
    if (rc != 0) {
        fprintf(stderr, "rte_eth_dev_configure: %d\n", rc);
        goto out;
    }
    for (q = 0; q < NB_RXQ; q++)
        if (rte_eth_rx_queue_setup(port, q, 64, (unsigned)rte_socket_id(), NULL, pool) != 0)
            goto out;
    if (rte_eth_tx_queue_setup(port, 0, 64, (unsigned)rte_socket_id(), NULL) != 0)
        goto out;
    if (rte_eth_dev_start(port) != 0)
        goto out;
    rc = flowmage_dpdk_set_reta(port);
    if (rte_eth_dev_info_get(port, &info) != 0)
        goto stop;
    printf("set_reta=%d reta_size=%u\n", rc, (unsigned)info.reta_size);
    if (rc != 0)
        goto stop;
    if (check_reta(port, info.reta_size) != 0) {
        fprintf(stderr, "device RETA differs from the plan's\n");
        goto stop;
    }
    printf("reta ok\n");
    memset(&rss, 0, sizeof rss);
    rss.rss_key = key;
    rss.rss_key_len = sizeof key;
    if (rte_eth_dev_rss_hash_conf_get(port, &rss) == 0)
        printf("device rss_hf=0x%llx\n", (unsigned long long)rss.rss_hf);
    status = 0;
stop:
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
out:
    rte_eal_cleanup();
    return status;
}
