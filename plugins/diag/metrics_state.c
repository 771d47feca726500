/*
 * metrics_state.c - whether each plugin instance can write its state file,
 * for Prometheus: a full or read-only disk makes ocpp_cs refuse every
 * transaction answer, and a site is often watched only through /metrics.
 * Read from the points the instance keeps (state.write_failed,
 * state.write_errors: plugins/ocpp_cs/cs_store_health.c) when /metrics is
 * asked, so nothing is counted twice or missed between scrapes.
 */
#include "metrics_state.h"

#include <string.h>
#include "metrics.h"

/* A point's integer when `owner` owns it and has set it; false otherwise. */
static bool gw_diag_state_point(gw_ctx_t *ctx, const char *name, const char *owner, int64_t *v)
{
    gw_point_id_t id = gw_point_lookup(ctx, name);
    gw_point_info_t info = { .size = sizeof info };
    gw_value_t val;
    if (id < 0 || gw_point_info(ctx, id, &info) < 0 || !info.owner ||
        strcmp(info.owner, owner) != 0 || info.quality != GW_QUALITY_GOOD ||
        gw_point_get(ctx, id, &val) < 0 || val.kind != GW_VALUE_INT)
        return false;
    *v = val.u.i;
    return true;
}

void gw_diag_metrics_state_render(gw_ctx_t *ctx, GString *out)
{
    GString *errors = g_string_new(NULL), *failing = g_string_new(NULL);
    /* The instance label comes from the configured instances (a fixed
     * set, named by the configuration), never from what a peer sent. */
    for (size_t i = 0;; i++) {
        gw_plugin_info_t pi = { .size = sizeof pi };
        if (gw_plugin_info(ctx, i, &pi) < 0)
            break;
        int64_t n, failed;
        if (!gw_diag_state_point(ctx, "state.write_errors", pi.instance, &n) ||
            !gw_diag_state_point(ctx, "state.write_failed", pi.instance, &failed))
            continue; /* keeps no state file (not ocpp_cs, or persistence off) */
        g_string_append(errors, "gatewayd_state_write_errors_total{instance=\"");
        gw_diag_metrics_label(errors, pi.instance);
        g_string_append_printf(errors, "\"} %lld\n", (long long)n);
        g_string_append(failing, "gatewayd_state_write_failing{instance=\"");
        gw_diag_metrics_label(failing, pi.instance);
        g_string_append_printf(failing, "\"} %d\n", failed ? 1 : 0);
    }
    g_string_append(out, "# HELP gatewayd_state_write_errors_total Failed writes of the state "
                         "file since start.\n"
                         "# TYPE gatewayd_state_write_errors_total counter\n");
    g_string_append_len(out, errors->str, (gssize)errors->len);
    g_string_append(out, "# HELP gatewayd_state_write_failing 1 while the state file cannot be "
                         "written (transaction answers are refused), 0 once it can.\n"
                         "# TYPE gatewayd_state_write_failing gauge\n");
    g_string_append_len(out, failing->str, (gssize)failing->len);
    g_string_free(errors, TRUE);
    g_string_free(failing, TRUE);
}
