/* Basic types and helpers (our own minimal vppinfra). */
#ifndef included_clib_h
#define included_clib_h
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t i8;
typedef int16_t i16;
typedef int32_t i32;
typedef int64_t i64;
typedef double f64;
typedef float f32;
typedef uint64_t uword;
typedef int64_t word;

#define always_inline static inline __attribute__((__always_inline__))
#define static_always_inline static inline __attribute__((__always_inline__))
#define PREDICT_TRUE(x) __builtin_expect(!!(x), 1)
#define PREDICT_FALSE(x) __builtin_expect(!!(x), 0)
#define CLIB_CACHE_LINE_BYTES 64
#define CLIB_CACHE_LINE_ALIGN_MARK(mark) u8 mark[0] __attribute__((aligned(CLIB_CACHE_LINE_BYTES)))
#define CLIB_PACKED(x) x __attribute__((packed))
#define clib_min(a, b) ((a) < (b) ? (a) : (b))
#define clib_max(a, b) ((a) > (b) ? (a) : (b))
#define ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))

always_inline u16 clib_net_to_host_u16(u16 x) { return __builtin_bswap16(x); }
always_inline u32 clib_net_to_host_u32(u32 x) { return __builtin_bswap32(x); }
always_inline u16 clib_host_to_net_u16(u16 x) { return __builtin_bswap16(x); }
always_inline u32 clib_host_to_net_u32(u32 x) { return __builtin_bswap32(x); }
#define clib_memset(p, v, n) memset((p), (v), (n))
#define clib_memcpy_fast(d, s, n) memcpy((d), (s), (n))

always_inline u32 clib_crc32c_u32(u32 h, u32 x) { return __builtin_ia32_crc32si(h, x); }
#endif
