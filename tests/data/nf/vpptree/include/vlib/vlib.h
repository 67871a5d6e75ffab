#ifndef TEST_VLIB_H
#define TEST_VLIB_H
#include <stdint.h>
typedef uint64_t uword;
typedef struct { int dummy; } vlib_main_t;
typedef struct { int dummy; } vlib_node_runtime_t;
typedef struct { uint32_t n_vectors; uint32_t src[256]; } vlib_frame_t;
#define VLIB_NODE_FN(node) uword node##_fn
enum { VLIB_NODE_TYPE_INTERNAL, VLIB_NODE_TYPE_PROCESS };
#define VLIB_REGISTER_NODE(x) struct { void *function; int type; const char *name; } x
#endif
