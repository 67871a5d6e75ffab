#ifndef TEST_FLOWSTAT_HH
#define TEST_FLOWSTAT_HH
#include <click/flow/flowbase.hh>
struct FlowStatState { uint64_t packets; uint64_t bytes; };
class FlowStat : public FlowTableBase<FlowStatState> {
  public:
    const char *class_name() const override { return "FlowStat"; }
    void process(FlowStatState *s, Packet *p) override;
};
#endif
