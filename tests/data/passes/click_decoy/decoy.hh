#include <click/element.hh>
class Decoy : public Element {
  public:
    const char *class_name() const { return "Decoy"; }
    Packet *simple_action(Packet *p);
  private:
    uint64_t _count;
    Vector<int> _port_of_proto;   // configuration table read per packet
    per_thread<uint64_t> _bytes;
};
