// A per-core flow table class used by the element: the lookup happens inside
// the wrapper's method, on its own per_thread member.
template <typename V> class CoreTable {
  public:
    V *get_or_make(const IPFlow5ID &id, bool &fresh) {
        HashTable<IPFlow5ID, V> &t = *_per_core;
        V *v = t.get_pointer(id);
        fresh = (v == 0);
        if (fresh) v = &t.find_insert(id, V())->second;
        return v;
    }
  private:
    per_thread<HashTable<IPFlow5ID, V>> _per_core;
};
