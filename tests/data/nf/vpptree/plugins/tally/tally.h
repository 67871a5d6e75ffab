#ifndef TEST_TALLY_H
#define TEST_TALLY_H
#include <vlib/vlib.h>
typedef struct { uint64_t hits[1024]; } tally_main_t;
extern tally_main_t tally_main;
#endif
