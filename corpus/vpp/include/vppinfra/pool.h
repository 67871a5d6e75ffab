/* Pools: vectors whose elements are allocated by index (pool_get) and freed (pool_put). */
#ifndef included_pool_h
#define included_pool_h
#include <vppinfra/vec.h>

#define pool_get(P, E)                                                    \
  do {                                                                    \
    (P) = _vec_resize ((P), 1, sizeof ((P)[0]));                          \
    (E) = (P) + vec_len (P) - 1;                                          \
  } while (0)
#define pool_get_zero(P, E)                                               \
  do {                                                                    \
    pool_get (P, E);                                                      \
    clib_memset ((E), 0, sizeof ((E)[0]));                                \
  } while (0)
#define pool_elt_at_index(p, i) ((p) + (i))
#define pool_put(P, E) do { (void) (E); } while (0)
#define pool_put_index(P, I) do { (void) (I); } while (0)
#define pool_elts(p) vec_len (p)
#define pool_len(p) vec_len (p)
#endif
