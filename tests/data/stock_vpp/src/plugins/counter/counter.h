#ifndef included_stock_counter_h
#define included_stock_counter_h
#include <vlib/vlib.h>
#include <counter/counter.api_types.h>
typedef struct { uint64_t per_src[1024]; } counter_main_t;
extern counter_main_t counter_main;
#endif
