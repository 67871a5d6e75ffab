/* Bounded-index extensible hash, 8-byte key, 8-byte value (declarations only). */
#ifndef included_bihash_8_8_h
#define included_bihash_8_8_h
#include <vppinfra/clib.h>

typedef struct {
  u64 key[1];
  u64 value;
} clib_bihash_kv_8_8_t;

typedef struct clib_bihash_8_8 {
  void *buckets;
  u32 nbuckets;
  u32 log2_nbuckets;
  const char *name;
} clib_bihash_8_8_t;

void clib_bihash_init_8_8 (clib_bihash_8_8_t *h, const char *name, u32 nbuckets, uword memory_size);
/* 0 and *valuep filled when found, -1 when not. */
int clib_bihash_search_8_8 (clib_bihash_8_8_t *h, clib_bihash_kv_8_8_t *search_key,
			       clib_bihash_kv_8_8_t *valuep);
/* is_add = 1 inserts or replaces, 0 deletes. */
int clib_bihash_add_del_8_8 (clib_bihash_8_8_t *h, clib_bihash_kv_8_8_t *add_v, int is_add);
u64 clib_bihash_hash_8_8 (clib_bihash_kv_8_8_t *v);
#endif
