// HashTable<K, V>: chained hash table (Click's HashTable API subset).
#ifndef CLICK_HASHTABLE_HH
#define CLICK_HASHTABLE_HH
#include <click/hashcode.hh>
#include <click/pair.hh>

template <typename K, typename V> class HashTable {
    struct Node {
        Pair<K, V> kv;
        Node *next;
    };
  public:
    typedef Pair<K, V> value_type;

    class iterator {
      public:
        iterator(Node *n = 0) : _n(n) {}
        bool live() const { return _n != 0; }
        operator bool() const { return _n != 0; }
        Pair<K, V> *operator->() const { return &_n->kv; }
        Pair<K, V> &operator*() const { return _n->kv; }
        bool operator==(const iterator &o) const { return _n == o._n; }
        bool operator!=(const iterator &o) const { return _n != o._n; }
      private:
        Node *_n;
    };

    explicit HashTable(int nbuckets = 256) : _nb(nbuckets), _size(0) {
        _buckets = new Node *[_nb];
        for (int i = 0; i < _nb; ++i) _buckets[i] = 0;
    }
    HashTable(const HashTable &) = delete;
    HashTable &operator=(const HashTable &) = delete;
    ~HashTable() { clear(); delete[] _buckets; }

    int size() const { return _size; }
    bool empty() const { return _size == 0; }
    iterator end() const { return iterator(); }

    iterator find(const K &k) const { return iterator(lookup(k)); }
    V *get_pointer(const K &k) const {
        Node *n = lookup(k);
        return n ? &n->kv.second : 0;
    }
    V get(const K &k) const {
        Node *n = lookup(k);
        return n ? n->kv.second : V();
    }
    iterator find_insert(const K &k, const V &v = V()) {
        Node *n = lookup(k);
        if (!n) n = insert_node(k, v);
        return iterator(n);
    }
    V &operator[](const K &k) { return find_insert(k)->second; }
    bool set(const K &k, const V &v) {
        Node *n = lookup(k);
        if (n) { n->kv.second = v; return false; }
        insert_node(k, v);
        return true;
    }
    bool erase(const K &k) {
        Node **pp = &_buckets[bucket(k)];
        for (Node *n = *pp; n; pp = &n->next, n = n->next)
            if (n->kv.first == k) { *pp = n->next; delete n; --_size; return true; }
        return false;
    }
    void clear() {
        for (int i = 0; i < _nb; ++i)
            while (Node *n = _buckets[i]) { _buckets[i] = n->next; delete n; }
        _size = 0;
    }

  private:
    int bucket(const K &k) const { return (int)(hashcode(k) % (size_t)_nb); }
    Node *lookup(const K &k) const {
        for (Node *n = _buckets[bucket(k)]; n; n = n->next)
            if (n->kv.first == k) return n;
        return 0;
    }
    Node *insert_node(const K &k, const V &v) {
        Node *n = new Node{Pair<K, V>(k, v), _buckets[bucket(k)]};
        _buckets[bucket(k)] = n;
        ++_size;
        return n;
    }

    Node **_buckets;
    int _nb;
    int _size;
};
#endif
