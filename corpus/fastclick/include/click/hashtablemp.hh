// HashTableMP<K, V>: a HashTable shared by all threads behind a reader-writer lock.
#ifndef CLICK_HASHTABLEMP_HH
#define CLICK_HASHTABLEMP_HH
#include <click/hashtable.hh>
#include <click/sync.hh>

template <typename K, typename V> class HashTableMP {
  public:
    // Read access: holds the read lock while alive.
    class ptr {
      public:
        ptr(V *v, RWLock *l) : _v(v), _l(l) {}
        ptr(ptr &&o) : _v(o._v), _l(o._l) { o._l = 0; }
        ~ptr() { if (_l) _l->read_end(); }
        explicit operator bool() const { return _v != 0; }
        const V *operator->() const { return _v; }
        const V &operator*() const { return *_v; }
      private:
        V *_v;
        RWLock *_l;
    };
    // Write access: holds the write lock while alive.
    class write_ptr {
      public:
        write_ptr(V *v, RWLock *l) : _v(v), _l(l) {}
        write_ptr(write_ptr &&o) : _v(o._v), _l(o._l) { o._l = 0; }
        ~write_ptr() { if (_l) _l->write_end(); }
        explicit operator bool() const { return _v != 0; }
        V *operator->() const { return _v; }
        V &operator*() const { return *_v; }
      private:
        V *_v;
        RWLock *_l;
    };

    ptr find(const K &k) {
        _lock.read_begin();
        return ptr(_table.get_pointer(k), &_lock);
    }
    write_ptr find_write(const K &k) {
        _lock.write_begin();
        return write_ptr(_table.get_pointer(k), &_lock);
    }
    write_ptr find_insert(const K &k, const V &v) {
        _lock.write_begin();
        return write_ptr(&_table.find_insert(k, v)->second, &_lock);
    }
    void erase(const K &k) {
        _lock.write_begin();
        _table.erase(k);
        _lock.write_end();
    }
    int size() const { return _table.size(); }
  private:
    HashTable<K, V> _table;
    RWLock _lock;
};
#endif
