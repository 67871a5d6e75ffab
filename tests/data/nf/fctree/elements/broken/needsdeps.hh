#ifndef TEST_NEEDSDEPS_HH
#define TEST_NEEDSDEPS_HH
#include <click/element.hh>
#include <click/not_in_this_tree.hh>
class NeedsDeps : public Element {
  public:
    const char *class_name() const override { return "NeedsDeps"; }
    Packet *simple_action(Packet *p);
};
#endif
