/* Minimal vlib API of the stock test tree (written for flowmagec's tests). */
#ifndef included_stock_vlib_h
#define included_stock_vlib_h
#include <stdint.h>
#include <vlib/config.h>
#if !STOCK_FAST_PATH || defined(STOCK_DEBUG)
# error "vlib/config.h not generated with the tree's defaults"
#endif
typedef uint64_t uword;
typedef struct { int dummy; } vlib_main_t;
typedef struct { int dummy; } vlib_node_runtime_t;
typedef struct { uint32_t n_vectors; uint32_t src[VLIB_STOCK_SLOTS]; } vlib_frame_t;
#define VLIB_NODE_FN(node) uword node##_fn
#endif
