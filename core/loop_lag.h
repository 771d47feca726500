/* Loop lag: how late the loop runs what is due, measured on the loop
 * itself and published as core points (docs/reliability.md). */
#ifndef GW_CORE_LOOP_LAG_H
#define GW_CORE_LOOP_LAG_H

#include "host.h"

typedef struct gw_loop_lag gw_loop_lag_t;

/**
 * Register core.loop.lag_ms, core.loop.lag_p99_ms,
 * core.loop.callback_max_ms and core.log.dropped (outside [core]
 * max_signals: they never take a plugin's place) and start the probe. Call after the plugins started.
 * @return the probe, or NULL when it cannot run (logged; not fatal)
 */
gw_loop_lag_t *gw_loop_lag_start(gw_host_t *host);
/** Free (after the loop stopped). NULL is a no-op. */
void gw_loop_lag_free(gw_loop_lag_t *lag);

#endif
