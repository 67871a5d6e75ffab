// HashMap<K, V>: the older Click map API (findp / insert / remove) over HashTable.
#ifndef CLICK_HASHMAP_HH
#define CLICK_HASHMAP_HH
#include <click/hashtable.hh>

template <typename K, typename V> class HashMap {
  public:
    V *findp(const K &k) const { return _t.get_pointer(k); }
    V find(const K &k) const { return _t.get(k); }
    V &operator[](const K &k) { return _t[k]; }
    bool insert(const K &k, const V &v) { return _t.set(k, v); }
    bool remove(const K &k) { return _t.erase(k); }
    int size() const { return _t.size(); }
    void clear() { _t.clear(); }
  private:
    HashTable<K, V> _t;
};
#endif
