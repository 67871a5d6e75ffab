#ifndef CLICK_ATOMIC_HH
#define CLICK_ATOMIC_HH
#include <click/glue.hh>

class atomic_uint32_t {
  public:
    atomic_uint32_t() : _v(0) {}
    uint32_t value() const { return __atomic_load_n(&_v, __ATOMIC_RELAXED); }
    operator uint32_t() const { return value(); }
    atomic_uint32_t &operator=(uint32_t v) { __atomic_store_n(&_v, v, __ATOMIC_RELAXED); return *this; }
    atomic_uint32_t &operator++() { __atomic_add_fetch(&_v, 1, __ATOMIC_RELAXED); return *this; }
    void operator++(int) { __atomic_add_fetch(&_v, 1, __ATOMIC_RELAXED); }
    atomic_uint32_t &operator+=(uint32_t d) { __atomic_add_fetch(&_v, d, __ATOMIC_RELAXED); return *this; }
    uint32_t fetch_and_add(uint32_t d) { return __atomic_fetch_add(&_v, d, __ATOMIC_RELAXED); }
    bool compare_swap(uint32_t expected, uint32_t desired) {
        return __atomic_compare_exchange_n(&_v, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
  private:
    uint32_t _v;
};

class atomic_uint64_t {
  public:
    atomic_uint64_t() : _v(0) {}
    uint64_t value() const { return __atomic_load_n(&_v, __ATOMIC_RELAXED); }
    atomic_uint64_t &operator+=(uint64_t d) { __atomic_add_fetch(&_v, d, __ATOMIC_RELAXED); return *this; }
    void operator++(int) { __atomic_add_fetch(&_v, 1, __ATOMIC_RELAXED); }
  private:
    uint64_t _v;
};
#endif
