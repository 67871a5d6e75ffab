#ifndef included_clib_lock_h
#define included_clib_lock_h
#include <vppinfra/clib.h>

typedef struct {
  u32 lock;
  u32 pad[15];
} clib_spinlock_s;
typedef clib_spinlock_s *clib_spinlock_t;

static inline void clib_spinlock_init (clib_spinlock_t *p) { *p = (clib_spinlock_t) calloc (1, sizeof (clib_spinlock_s)); }
static inline void
clib_spinlock_lock (clib_spinlock_t *p)
{
  while (__atomic_exchange_n (&(*p)->lock, 1, __ATOMIC_ACQUIRE))
    __builtin_ia32_pause ();
}
static inline void clib_spinlock_unlock (clib_spinlock_t *p) { __atomic_store_n (&(*p)->lock, 0, __ATOMIC_RELEASE); }
static inline void clib_spinlock_lock_if_init (clib_spinlock_t *p) { if (*p) clib_spinlock_lock (p); }
static inline void clib_spinlock_unlock_if_init (clib_spinlock_t *p) { if (*p) clib_spinlock_unlock (p); }
#endif
