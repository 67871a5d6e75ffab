// Flow tables: map each packet's 5-tuple (IPFlow5ID) to a per-flow state block.
#ifndef CLICK_FLOW_FLOWTABLE_HH
#define CLICK_FLOW_FLOWTABLE_HH
#include <click/ipflowid.hh>
#include <click/hashtable.hh>
#include <click/hashtablemp.hh>
#include <click/multithread.hh>

// One private table per worker thread: no locking, flows must stay on one core.
template <typename State> class PerCoreFlowTable {
  public:
    State *lookup_or_create(const IPFlow5ID &fid, bool &created) {
        HashTable<IPFlow5ID, State> &table = *_tables;
        State *s = table.get_pointer(fid);
        created = (s == 0);
        if (created) s = &table.find_insert(fid, State())->second;
        return s;
    }
    void remove(const IPFlow5ID &fid) { _tables->erase(fid); }
  private:
    per_thread<HashTable<IPFlow5ID, State>> _tables;
};

// One table shared by every thread, serialised by HashTableMP's lock.
template <typename State> class SharedFlowTable {
  public:
    typedef typename HashTableMP<IPFlow5ID, State>::write_ptr handle;
    handle acquire(const IPFlow5ID &fid) { return _table.find_insert(fid, State()); }
  private:
    HashTableMP<IPFlow5ID, State> _table;
};
#endif
