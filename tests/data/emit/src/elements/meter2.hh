// Made-up test element: shared state guarded by a lock, declared MT-safe in meter2.cc;
// its sharing is also switchable with a keyword.
class Meter2 : public BatchElement { public:
    const char *class_name() const override { return "Meter2"; }
    Spinlock _lock;
};
