/* Test plugin without a descriptor: a shared object that is not a plugin. */
#include <gw/gw.h>

GW_PLUGIN_EXPORT int tp_no_symbol_marker;
int tp_no_symbol_marker = 1;
