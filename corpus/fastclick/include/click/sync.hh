// Locks: Spinlock (acquire/release) and RWLock (read_begin/.../write_end).
#ifndef CLICK_SYNC_HH
#define CLICK_SYNC_HH
#include <click/atomic.hh>

class Spinlock {
  public:
    Spinlock() : _lock(0) {}
    void acquire() { while (__atomic_exchange_n(&_lock, 1, __ATOMIC_ACQUIRE)) __builtin_ia32_pause(); }
    bool attempt() { return __atomic_exchange_n(&_lock, 1, __ATOMIC_ACQUIRE) == 0; }
    void release() { __atomic_store_n(&_lock, 0, __ATOMIC_RELEASE); }
  private:
    uint32_t _lock;
};

class SimpleSpinlock : public Spinlock {};

class RWLock {
  public:
    RWLock() : _readers(0), _writer() {}
    void read_begin() { _writer.acquire(); __atomic_add_fetch(&_readers, 1, __ATOMIC_ACQUIRE); _writer.release(); }
    void read_end() { __atomic_sub_fetch(&_readers, 1, __ATOMIC_RELEASE); }
    void write_begin() { _writer.acquire(); while (__atomic_load_n(&_readers, __ATOMIC_ACQUIRE)) __builtin_ia32_pause(); }
    void write_end() { _writer.release(); }
  private:
    uint32_t _readers;
    Spinlock _writer;
};
#endif
