#include <tiny/tiny.h>
static int tiny_walk_fn (vlib_main_t *vm) { return 0; }
VLIB_REGISTER_NODE (tiny_walk_node) = { .function = tiny_walk_fn, .type = VLIB_NODE_TYPE_PROCESS, .name = "tiny-walk", };
