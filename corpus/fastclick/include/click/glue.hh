// Glue: declaration macros, chatter, cpu id.  Our own minimal FastClick-like API.
#ifndef CLICK_GLUE_HH
#define CLICK_GLUE_HH
#include <click/config.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>

#define CLICK_DECLS
#define CLICK_ENDDECLS
#define CLICK_COLD __attribute__((cold))
#define CLICK_CACHE_ALIGN __attribute__((aligned(64)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

inline void click_chatter(const char *fmt, ...) {
    va_list val;
    va_start(val, fmt);
    vfprintf(stderr, fmt, val);
    va_end(val);
    fputc('\n', stderr);
}

// The thread currently running the router (set by the driver for each worker).
extern __thread int click_current_thread_id;
inline int click_current_cpu_id() { return click_current_thread_id; }
inline unsigned click_max_cpu_ids() { return CLICK_CPU_MAX; }

inline uint32_t click_hash_u32(uint32_t x) {
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}

// FastClick's glue declares min/max templates for element code.
template <typename T> inline T min(T a, T b) { return a < b ? a : b; }
template <typename T> inline T max(T a, T b) { return a < b ? b : a; }
#endif
