#ifndef CLICK_HASHCODE_HH
#define CLICK_HASHCODE_HH
#include <click/glue.hh>

// Hash of a key: class keys provide hashcode(), integers are mixed directly.
template <typename T> inline size_t hashcode(const T &x) { return x.hashcode(); }
inline size_t hashcode(uint8_t x) { return click_hash_u32(x); }
inline size_t hashcode(uint16_t x) { return click_hash_u32(x); }
inline size_t hashcode(uint32_t x) { return click_hash_u32(x); }
inline size_t hashcode(int x) { return click_hash_u32((uint32_t)x); }
inline size_t hashcode(uint64_t x) { return click_hash_u32((uint32_t)x ^ click_hash_u32((uint32_t)(x >> 32))); }
#endif
