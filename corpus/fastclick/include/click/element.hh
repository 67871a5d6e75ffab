// Element: the unit of packet processing.  Subclasses override push/pull/simple_action.
#ifndef CLICK_ELEMENT_HH
#define CLICK_ELEMENT_HH
#include <click/glue.hh>
#include <click/string.hh>
#include <click/vector.hh>
#include <click/packet.hh>
#include <click/error.hh>

// Markers read by Click's build tools; they expand to nothing in C++.
#define EXPORT_ELEMENT(name)
#define ELEMENT_REQUIRES(what)
#define ELEMENT_MT_SAFE(name)

class Element {
  public:
    static const char PUSH[];
    static const char PULL[];
    static const char AGNOSTIC[];

    class Port {
      public:
        void push(Packet *p) const;
        Packet *pull() const;
    };

    Element() {}
    virtual ~Element() {}

    virtual const char *class_name() const = 0;
    virtual const char *port_count() const { return "1/1"; }
    virtual const char *processing() const { return AGNOSTIC; }
    virtual int configure(Vector<String> &, ErrorHandler *) { return 0; }
    virtual int initialize(ErrorHandler *) { return 0; }
    virtual void cleanup() {}
    virtual void add_handlers() {}

    virtual void push(int port, Packet *p);
    virtual Packet *pull(int port);
    virtual Packet *simple_action(Packet *p) { return p; }

    const Port &output(int i) const { return _ports[i]; }
    const Port &input(int i) const { return _ports[i]; }
    int noutputs() const { return _noutputs; }
    void checked_output_push(int i, Packet *p) const {
        if ((unsigned)i < (unsigned)_noutputs) _ports[i].push(p);
        else p->kill();
    }
    String name() const { return String("element"); }

  protected:
    Port _ports[8];
    int _noutputs = 1;
};

#define PORTS_0_1 "0/1"
#define PORTS_1_0 "1/0"
#define PORTS_1_1 "1/1"
#define PORTS_1_1X2 "1/1-2"
#endif
