// Configuration argument parsing: Args(conf, this, errh).read("KEY", v).complete().
#ifndef CLICK_ARGS_HH
#define CLICK_ARGS_HH
#include <click/element.hh>
#include <stdlib.h>

class Args {
  public:
    Args(Vector<String> &conf, Element *e, ErrorHandler *errh) : _conf(&conf), _e(e), _errh(errh) {}
    template <typename T> Args &read(const char *key, T &v) { (void)key; (void)v; return *this; }
    template <typename T> Args &read_mp(const char *key, T &v) { return read(key, v); }
    template <typename T> Args &read_or_set(const char *key, T &v, const T &dflt) { v = dflt; return read(key, v); }
    template <typename T> Args &read_all(const char *key, Vector<T> &v) { (void)key; (void)v; return *this; }
    int complete() { return (_conf && _e && _errh) ? 0 : -1; }
  private:
    Vector<String> *_conf;
    Element *_e;
    ErrorHandler *_errh;
};
#endif
