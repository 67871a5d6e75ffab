/* Minimal stand-in for the configure-generated click/config.h (corpus only). */
#ifndef CLICK_CONFIG_H
#define CLICK_CONFIG_H
#define CLICK_USERLEVEL 1
#define HAVE_MULTITHREAD 1
#define HAVE_BATCH 1
#define CLICK_CPU_MAX 64
#endif
