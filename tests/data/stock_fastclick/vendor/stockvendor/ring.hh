// A vendored helper of the stock test tree, found through -I$(top_builddir)/vendor's tree twin.
#ifndef STOCK_VENDOR_RING_HH
#define STOCK_VENDOR_RING_HH
static inline unsigned stock_ring_slot(unsigned v) { return v & 255u; }
#endif
