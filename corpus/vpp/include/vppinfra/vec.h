/* Vectors: a length header lives just before element 0 (as in vppinfra). */
#ifndef included_clib_vec_h
#define included_clib_vec_h
#include <vppinfra/clib.h>

typedef struct {
  u32 len;
  u32 capacity;
} vec_header_t;

#define _vec_find(v) ((vec_header_t *) (v) - 1)
#define vec_len(v) ((v) ? _vec_find (v)->len : 0)
#define vec_end(v) ((v) + vec_len (v))
#define vec_elt_at_index(v, i) ((v) + (i))
#define vec_elt(v, i) ((v)[i])
#define vec_is_empty(v) (vec_len (v) == 0)

/* Grow v by n_add elements of elt_bytes each; returns the (possibly moved) vector. */
static inline void *
_vec_resize (void *v, u32 n_add, u32 elt_bytes)
{
  u32 old = vec_len (v);
  vec_header_t *h = v ? _vec_find (v) : 0;
  if (!h || h->capacity < old + n_add)
    {
      u32 cap = (old + n_add) * 2;
      h = (vec_header_t *) realloc (h, sizeof (*h) + (size_t) cap * elt_bytes);
      h->capacity = cap;
      memset ((u8 *) (h + 1) + (size_t) old * elt_bytes, 0, (size_t) (cap - old) * elt_bytes);
    }
  h->len = old + n_add;
  return h + 1;
}

#define vec_add1(V, E)                                                    \
  do {                                                                    \
    (V) = _vec_resize ((V), 1, sizeof ((V)[0]));                          \
    (V)[vec_len (V) - 1] = (E);                                           \
  } while (0)
#define vec_add2(V, P, N)                                                 \
  do {                                                                    \
    (V) = _vec_resize ((V), (N), sizeof ((V)[0]));                        \
    (P) = (V) + vec_len (V) - (N);                                        \
  } while (0)
#define vec_validate(V, I)                                                \
  do {                                                                    \
    if ((I) >= vec_len (V))                                               \
      (V) = _vec_resize ((V), (I) + 1 - vec_len (V), sizeof ((V)[0]));    \
  } while (0)
#define vec_reset_length(v) do { if (v) _vec_find (v)->len = 0; } while (0)
#define vec_free(V) do { if (V) free (_vec_find (V)); (V) = 0; } while (0)
#define vec_foreach(var, vec) for (var = (vec); var < vec_end (vec); var++)
#define vec_foreach_index(var, v) for ((var) = 0; (var) < vec_len (v); (var)++)
#endif
