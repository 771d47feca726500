/*
 * metrics_state.h - Prometheus series for state-file writes per plugin
 * instance (a full or read-only disk). Loop thread.
 */
#ifndef GW_DIAG_METRICS_STATE_H
#define GW_DIAG_METRICS_STATE_H

#include <glib.h>
#include <gw/gw.h>

/** Append gatewayd_state_write_errors_total{instance} and
 *  gatewayd_state_write_failing{instance} for every instance that keeps
 *  the points state.write_errors and state.write_failed. */
void gw_diag_metrics_state_render(gw_ctx_t *ctx, GString *out);

#endif
