#ifndef CLICK_FLOWCLASSIFIER_HH
#define CLICK_FLOWCLASSIFIER_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/multithread.hh>
#include <click/flow/flowspace.hh>
CLICK_DECLS

/*
 * FlowClassifier
 * A flow manager: finds (or creates) the flow control block of each packet's
 * connection and makes it the current block for the elements after it.
 */
class FlowClassifier : public BatchElement {
  public:
    FlowClassifier() CLICK_COLD {}
    const char *class_name() const override { return "FlowClassifier"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    per_thread<HashTable<IPFlow5ID, FlowControlBlock>> _blocks;
};

CLICK_ENDDECLS
#endif
