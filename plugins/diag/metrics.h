/*
 * metrics.h - Prometheus counters derived from events (modbus.request,
 * ocpp.frame) and the event-loop lag measured with a timer. Loop thread.
 */
#ifndef GW_DIAG_METRICS_H
#define GW_DIAG_METRICS_H

#include <glib.h>
#include <json-c/json.h>
#include <gw/gw.h>

typedef struct gw_diag_metrics gw_diag_metrics_t;

gw_diag_metrics_t *gw_diag_metrics_new(void);
void gw_diag_metrics_free(gw_diag_metrics_t *m);

/** Count what an event says (modbus.request, ocpp.frame; others ignored). */
void gw_diag_metrics_count_event(gw_diag_metrics_t *m, const char *name, json_object *payload);

/** The action label for an OCPP action name: itself when OCPP 1.6 (or its
 *  security extension) defines it, "other" for anything else or NULL. */
const char *gw_diag_metrics_action_label(const char *action);

/** Start measuring the loop's lag with a timer of period_ms. */
int gw_diag_metrics_lag_start(gw_diag_metrics_t *m, gw_ctx_t *ctx, uint32_t period_ms);

/** Append the point gauges, the counters and the lag to out. */
void gw_diag_metrics_render(gw_diag_metrics_t *m, gw_ctx_t *ctx, GString *out);

/** Append a label value, escaped as the exposition format requires. */
void gw_diag_metrics_label(GString *out, const char *value);

#endif
