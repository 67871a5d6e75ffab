// Per-thread storage: one T per worker thread, selected by the current cpu id.
#ifndef CLICK_MULTITHREAD_HH
#define CLICK_MULTITHREAD_HH
#include <click/glue.hh>

template <typename T> class per_thread {
  public:
    per_thread() : _n(click_max_cpu_ids()) { _storage = new T[_n]; }
    ~per_thread() { delete[] _storage; }
    T *operator->() const { return &_storage[click_current_cpu_id()]; }
    T &operator*() const { return _storage[click_current_cpu_id()]; }
    T &get() const { return _storage[click_current_cpu_id()]; }
    T &get_value_for_thread(int thread_id) const { return _storage[thread_id]; }
    T &get_value(int i) const { return _storage[i]; }
    unsigned weight() const { return _n; }
  protected:
    T *_storage;
    unsigned _n;
};

// Per-thread, optimised for reads from other threads (same interface).
template <typename T> class per_thread_oread : public per_thread<T> {};

// Same interface as per_thread, but one shared instance (no per-thread copies).
template <typename T> class not_per_thread {
  public:
    T *operator->() const { return const_cast<T *>(&_v); }
    T &operator*() const { return const_cast<T &>(_v); }
    T &get() const { return const_cast<T &>(_v); }
    T &get_value_for_thread(int) const { return const_cast<T &>(_v); }
    unsigned weight() const { return 1; }
  private:
    T _v;
};
#endif
