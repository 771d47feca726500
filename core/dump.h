/* On SIGUSR1: every point to stdout, one line each, and a "core.dump"
 * event so that plugins can print their own state (e.g. a scan list).
 *
 * Tens of thousands of lines take longer than one loop pass may (5 ms):
 * the dump writes a slice per pass and continues on a zero-delay timer,
 * so Modbus, OCPP and diag are served between slices. */
#ifndef GW_CORE_DUMP_H
#define GW_CORE_DUMP_H

#include <stdio.h>
#include "host.h"

typedef struct gw_dump gw_dump_t;

/**
 * Format a point's value as text into buf. Strings are quoted and escaped
 * as plain text (text/gw_text.h): stray bytes, controls and DEL as \xHH, a
 * backslash as \\; a string too long for buf ends on a whole character.
 */
void gw_dump_value(const gw_value_t *v, char *buf, size_t size);

/** A dumper writing to out on host's loop. */
gw_dump_t *gw_dump_new(gw_host_t *host, FILE *out);
/** Stop a dump in progress and free. */
void gw_dump_free(gw_dump_t *d);
/**
 * Start a dump: "name<TAB>type<TAB>quality<TAB>value" for every point, then
 * "# N points" and the core.dump event. A request while one runs is
 * ignored (that dump is still going). Values are those of the moment each
 * slice is written.
 */
void gw_dump_start(gw_dump_t *d);

#endif
