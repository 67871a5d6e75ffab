"""What the FastClick emitter assumes about FastClick itself: reviewed data, one place.

Every entry cites the FastClick (or DPDK) source it comes from.  The emitter
and its analyses read these tables; nothing else in ``emitters/`` hard-codes
framework behaviour.  Names are matched exactly (a call is ``name(`` with the
whole identifier, a class is its Click class name), never by substring.
"""
from __future__ import annotations

# --------------------------------------------------------------------------
# The stock port RSS
# --------------------------------------------------------------------------

# lib/dpdkdevice.cc (DPDKDevice::initialize_device): ``rss_hf = ETH_RSS_IP |
# ETH_RSS_UDP | ETH_RSS_TCP`` masked by the device's offloads, ``rss_key = NULL``
# (the driver's key).  TCP/UDP over IPv4 and IPv6 are hashed on the 4-tuple,
# other IP traffic on the address pair.  No FromDPDKDevice keyword changes it.
STOCK_RSS_FIELDS = ("src_ip", "dst_ip", "src_port", "dst_port")
STOCK_RSS_TYPES = ("ipv4", "ipv4-tcp", "ipv4-udp")
STOCK_HASH_FUNCTION = "toeplitz"
STOCK_RSS_WHERE = "lib/dpdkdevice.cc: rss_hf = ETH_RSS_IP | ETH_RSS_UDP | ETH_RSS_TCP, NULL key"

# --------------------------------------------------------------------------
# Queue and thread keywords of FromDPDKDevice (elements/userlevel/queuedevice.cc)
# --------------------------------------------------------------------------

# QueueDevice's constructor: _maxthreads(-1), _minthreads(0), n_queues(-1).
# N_QUEUES -1: as many RX queues as the threads the element gets (fromdpdkdevice.cc,
# ``configure_rx(numa_node, minqueues, maxqueues)``); MAXTHREADS -1: every thread
# ``click -j N`` starts; MINTHREADS n: borrow threads until n are usable.
AUTO = -1
KEYWORD_DEFAULTS = {"N_QUEUES": AUTO, "MAXTHREADS": AUTO, "MINTHREADS": 0}

# --------------------------------------------------------------------------
# Code that reprograms a port's RSS at run time
# --------------------------------------------------------------------------

# DPDK calls that rewrite a port's redirection table, hash key / types, or
# install flow rules (rte_ethdev.h, rte_flow.h).
RSS_PROGRAMMING_CALLS = {
    "rte_eth_dev_rss_reta_update": "rewrites the RSS redirection table",
    "rte_eth_dev_rss_hash_update": "rewrites the RSS key and hash types",
    "rte_flow_create": "installs rte_flow rules",
}
# Member calls through FastClick's device hooks: vendor/nicscheduler/ethernetdevice.hh
# declares ``EthernetDevice::set_rss_reta``, which lib/dpdkdevice.cc binds to
# DPDKDevice::dpdk_set_rss_reta (rte_eth_dev_rss_reta_update) and
# elements/userlevel/fromdevice.cc to the kernel's ethtool RETA.
RSS_PROGRAMMING_MEMBER_CALLS = {
    "set_rss_reta": "rewrites the RSS redirection table (EthernetDevice hook)",
}
# The port set-up itself (FromDPDKDevice/DPDKDevice program RSS once at start,
# from the keywords the emitter edits): not a run-time reprogrammer.
DEVICE_CLASSES = ("FromDPDKDevice",)

# Used only when an element class is not in the --src trees (no code to read):
# FastClick elements known to reprogram RSS at run time, with where they do it.
DOCUMENTED_RSS_PROGRAMMERS = {
    "DeviceBalancer": "elements/userlevel/devicebalancer.cc (NICScheduler methods, "
                      "vendor/nicscheduler/methods/rss.cc: set_rss_reta, rte_flow_create)",
    "FlowRuleInstaller": "elements/research/flowruleinstaller.cc (rte_flow_create)",
    "CTXDPDKManager": "elements/ctx/ctxdpdkmanager.cc (rte_flow_create)",
}

# --------------------------------------------------------------------------
# FastClick's own parser
# --------------------------------------------------------------------------

# tools/click-flatten (``make -C tools click-flatten``) parses and flattens a
# configuration without initialising elements; exit status 0 when it is valid.
# The userlevel ``click`` driver would initialise elements (DPDK ports): it is
# only used to find click-flatten installed next to it.
VALIDATOR = "click-flatten"
VALIDATOR_SIBLINGS = ("click",)
