// A made-up element family for the emitter tests (not FastClick code):
// one template base, instantiated with a plain and a per-thread state.
template <typename T> class TallyBase : public BatchElement {
  public:
    int configure(Vector<String> &conf, ErrorHandler *errh);
  private:
    T _state;
};

class Tally : public TallyBase<not_per_thread<TallyState> > { public:
    const char *class_name() const override { return "Tally"; }
};

class TallyIMP : public TallyBase<per_thread<TallyState> > { public:
    const char *class_name() const override { return "TallyIMP"; }
};
