/* Control plane: rules are installed here, never from the data path. */
#include "aclcheck.h"

aclcheck_main_t aclcheck_main;

int
aclcheck_rule_add_del (ip4_address_t dst, aclcheck_action_t action, int is_add)
{
  clib_bihash_kv_8_8_t kv = { .key = { dst.as_u32 }, .value = action };
  return clib_bihash_add_del_8_8 (&aclcheck_main.rules, &kv, is_add);
}
