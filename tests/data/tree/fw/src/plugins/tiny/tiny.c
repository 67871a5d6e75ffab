/* control plane of the tiny plugin: configuration only */
#include <tiny/tiny.h>
tiny_main_t tiny_main;
int tiny_enable_disable (u32 enable_the_feature) { tiny_main.configured_limit = enable_the_feature; return 0; }
