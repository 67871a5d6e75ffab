#ifndef included_aclcheck_h
#define included_aclcheck_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef enum
{
  ACLCHECK_PERMIT = 0,
  ACLCHECK_DENY = 1,
} aclcheck_action_t;

typedef struct
{
  clib_bihash_8_8_t rules;	/* destination address -> action; written from the CLI only */
  u32 default_action;
} aclcheck_main_t;

extern aclcheck_main_t aclcheck_main;
int aclcheck_rule_add_del (ip4_address_t dst, aclcheck_action_t action, int is_add);
#endif
