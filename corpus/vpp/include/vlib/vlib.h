/* vlib: main, node runtime, frames, node registration. */
#ifndef included_vlib_h
#define included_vlib_h
#include <vppinfra/clib.h>
#include <vppinfra/vec.h>
#include <vppinfra/pool.h>
#include <vlib/buffer.h>

#define VLIB_FRAME_SIZE 256

typedef struct vlib_main_t {
  u32 thread_index;
  f64 time_now;
  u32 node_counter_base;
} vlib_main_t;

typedef struct {
  u32 node_index;
  u32 cached_next_index;
  u32 thread_index;
  u8 *runtime_data;
} vlib_node_runtime_t;

typedef struct {
  u16 n_vectors;
  u16 flags;
  u32 buffers[VLIB_FRAME_SIZE];
} vlib_frame_t;

typedef enum {
  VLIB_NODE_TYPE_INTERNAL,
  VLIB_NODE_TYPE_INPUT,
  VLIB_NODE_TYPE_PRE_INPUT,
} vlib_node_type_t;

typedef struct _vlib_node_registration {
  const char *name;
  u32 vector_size;
  vlib_node_type_t type;
  u8 *(*format_trace) (u8 *, ...);
  u16 n_errors;
  const char **error_strings;
  u16 n_next_nodes;
  const char *next_nodes[16];
} vlib_node_registration_t;

/* A node function: VLIB_NODE_FN (x) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame) */
#define VLIB_NODE_FN(node) uword node##_fn
#define VLIB_REGISTER_NODE(x) vlib_node_registration_t x
#define VLIB_INIT_FUNCTION(x) void *x##_init_function_registration = (void *) (x)

extern __thread u32 vlib_thread_index;
always_inline u32 vlib_get_thread_index (void) { return vlib_thread_index; }
always_inline f64 vlib_time_now (vlib_main_t *vm) { return vm->time_now; }
always_inline u32 *vlib_frame_vector_args (vlib_frame_t *f) { return f->buffers; }

vlib_buffer_t *vlib_get_buffer (vlib_main_t *vm, u32 buffer_index);
always_inline void
vlib_get_buffers (vlib_main_t *vm, u32 *bi, vlib_buffer_t **b, int count)
{
  for (int i = 0; i < count; i++)
    b[i] = vlib_get_buffer (vm, bi[i]);
}
void vlib_buffer_enqueue_to_next (vlib_main_t *vm, vlib_node_runtime_t *node, u32 *buffers,
				  u16 *nexts, uword count);
void vlib_node_increment_counter (vlib_main_t *vm, u32 node_index, u32 counter_index, u64 increment);
#endif
