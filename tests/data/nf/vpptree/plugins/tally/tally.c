#include <tally/tally.h>
tally_main_t tally_main;
int tally_enable (void) { return 0; }
static uword tally_gc (vlib_main_t *vm, vlib_node_runtime_t *rt, vlib_frame_t *f) { return 0; }
VLIB_REGISTER_NODE (tally_gc_node) = { .function = tally_gc, .type = VLIB_NODE_TYPE_PROCESS, .name = "tally-gc" };
