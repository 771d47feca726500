/* On SIGUSR1: every point to stdout, one line each, and a "core.dump"
 * event so that plugins can print their own state (e.g. a scan list). */
#ifndef GW_CORE_DUMP_H
#define GW_CORE_DUMP_H

#include <stdio.h>
#include "host.h"

/** Format a point's value as text (strings quoted) into buf. */
void gw_dump_value(const gw_value_t *v, char *buf, size_t size);
/** Write "name<TAB>type<TAB>quality<TAB>value" for every point. */
void gw_dump_points(gw_host_t *host, FILE *out);

#endif
