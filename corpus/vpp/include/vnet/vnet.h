#ifndef included_vnet_vnet_h
#define included_vnet_vnet_h
#include <vlib/vlib.h>
#include <vnet/buffer.h>
#endif
