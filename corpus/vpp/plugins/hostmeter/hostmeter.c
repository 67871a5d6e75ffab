/* Configuration and init: nothing here runs per packet. */
#include "hostmeter.h"

hostmeter_main_t hostmeter_main;

void *
hostmeter_init (vlib_main_t *vm)
{
  hostmeter_main_t *hm = &hostmeter_main;
  (void) vm;
  hm->rate_bytes_per_sec = 125000000;
  hm->burst_bytes = 64000;
  clib_bihash_init_8_8 (&hm->bucket_by_host, "hostmeter", 4096, 64 << 20);
  return 0;
}

VLIB_INIT_FUNCTION (hostmeter_init);
