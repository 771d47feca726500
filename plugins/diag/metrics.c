/* metrics.c - Prometheus text for /metrics. */
#include "metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "value.h"

struct gw_diag_metrics {
    GHashTable *modbus_requests;   /* "transport\tfunction" -> guint64* */
    GHashTable *modbus_exceptions; /* "transport\tfunction\tcode" -> guint64* */
    GHashTable *ocpp_frames;       /* "direction\taction" -> guint64* */
    gw_timer_id_t lag_timer;
    uint32_t lag_period_ms;
    gint64 lag_last_tick_us;
    double lag_last_s;
    double lag_max_s;
};

gw_diag_metrics_t *gw_diag_metrics_new(void)
{
    gw_diag_metrics_t *m = g_new0(gw_diag_metrics_t, 1);
    m->modbus_requests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->modbus_exceptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->ocpp_frames = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return m;
}

void gw_diag_metrics_free(gw_diag_metrics_t *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->modbus_requests);
    g_hash_table_destroy(m->modbus_exceptions);
    g_hash_table_destroy(m->ocpp_frames);
    g_free(m);
}

static void gw_diag_metrics_bump(GHashTable *t, char *key)
{
    guint64 *n = g_hash_table_lookup(t, key);
    if (n) {
        (*n)++;
        g_free(key);
        return;
    }
    /* Labels come from fixed sets (transports, byte-sized codes, OCPP
     * actions): the cap only guards against a bug. */
    if (g_hash_table_size(t) >= 1024) {
        g_free(key);
        return;
    }
    n = g_new(guint64, 1);
    *n = 1;
    g_hash_table_insert(t, key, n);
}

static const char *gw_diag_json_str(json_object *o, const char *key, const char *dflt)
{
    json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return dflt;
}

static int64_t gw_diag_json_int(json_object *o, const char *key, int64_t dflt)
{
    json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) &&
        (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
        return json_object_get_int64(v);
    return dflt;
}

/* Action names OCPP 1.6 defines (both directions), with those the
 * Security Whitepaper (edition 2) adds: the only values the action label
 * takes. A charger may send anything as an action; a label taken from it
 * would let a TAB forge series and junk names crowd the table out. */
static const char *const gw_diag_ocpp_actions[] = {
    "Authorize", "BootNotification", "CancelReservation", "CertificateSigned",
    "ChangeAvailability", "ChangeConfiguration", "ClearCache", "ClearChargingProfile",
    "DataTransfer", "DeleteCertificate", "DiagnosticsStatusNotification",
    "ExtendedTriggerMessage", "FirmwareStatusNotification", "GetCompositeSchedule",
    "GetConfiguration", "GetDiagnostics", "GetInstalledCertificateIds", "GetLocalListVersion",
    "GetLog", "Heartbeat", "InstallCertificate", "LogStatusNotification", "MeterValues",
    "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset",
    "SecurityEventNotification", "SendLocalList", "SetChargingProfile", "SignCertificate",
    "SignedFirmwareStatusNotification", "SignedUpdateFirmware", "StartTransaction",
    "StatusNotification", "StopTransaction", "TriggerMessage", "UnlockConnector",
    "UpdateFirmware",
};

static int gw_diag_metrics_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

const char *gw_diag_metrics_action_label(const char *action)
{
    const char *const *hit =
        action ? bsearch(action, gw_diag_ocpp_actions, G_N_ELEMENTS(gw_diag_ocpp_actions),
                         sizeof gw_diag_ocpp_actions[0], gw_diag_metrics_cmp)
               : NULL;
    return hit ? *hit : "other";
}

/* One of the given names, or "other". */
static const char *gw_diag_metrics_pick(const char *v, const char *a, const char *b)
{
    return v && (strcmp(v, a) == 0 || strcmp(v, b) == 0) ? v : "other";
}

/* A byte-sized code as its number, anything else as "other". */
static void gw_diag_metrics_code(GString *key, int64_t code)
{
    if (code >= 0 && code <= 255)
        g_string_append_printf(key, "%lld", (long long)code);
    else
        g_string_append(key, "other");
}

void gw_diag_metrics_count_event(gw_diag_metrics_t *m, const char *name, json_object *payload)
{
    if (strcmp(name, "modbus.request") == 0) {
        const char *transport =
            gw_diag_metrics_pick(gw_diag_json_str(payload, "transport", NULL), "tcp", "rtu");
        int64_t fn = gw_diag_json_int(payload, "function", 0);
        int64_t exc = gw_diag_json_int(payload, "exception", 0);
        GString *key = g_string_new(transport);
        g_string_append_c(key, '\t');
        gw_diag_metrics_code(key, fn);
        if (exc) {
            GString *xkey = g_string_new(key->str);
            g_string_append_c(xkey, '\t');
            gw_diag_metrics_code(xkey, exc);
            gw_diag_metrics_bump(m->modbus_exceptions, g_string_free(xkey, FALSE));
        }
        gw_diag_metrics_bump(m->modbus_requests, g_string_free(key, FALSE));
    } else if (strcmp(name, "ocpp.frame") == 0) {
        const char *dir = gw_diag_metrics_pick(gw_diag_json_str(payload, "direction", NULL),
                                               "in", "out");
        const char *action = gw_diag_metrics_action_label(gw_diag_json_str(payload, "action", NULL));
        gw_diag_metrics_bump(m->ocpp_frames, g_strdup_printf("%s\t%s", dir, action));
    }
}

static void gw_diag_metrics_lag_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    gw_diag_metrics_t *m = user;
    gint64 now = g_get_monotonic_time();
    /* The timer should fire every period; whatever comes on top is the
     * time the loop was busy elsewhere. */
    double late = (double)(now - m->lag_last_tick_us) / 1e6 - m->lag_period_ms / 1000.0;
    m->lag_last_s = late > 0 ? late : 0;
    if (m->lag_last_s > m->lag_max_s)
        m->lag_max_s = m->lag_last_s;
    m->lag_last_tick_us = now;
}

int gw_diag_metrics_lag_start(gw_diag_metrics_t *m, gw_ctx_t *ctx, uint32_t period_ms)
{
    m->lag_period_ms = period_ms;
    m->lag_last_tick_us = g_get_monotonic_time();
    m->lag_timer = gw_timer_add(ctx, period_ms, GW_TIMER_REPEAT, gw_diag_metrics_lag_tick, m);
    return m->lag_timer < 0 ? (int)m->lag_timer : 0;
}

void gw_diag_metrics_label(GString *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            g_string_append_c(out, '\\');
        if (*p == '\n') {
            g_string_append(out, "\\n");
            continue;
        }
        g_string_append_c(out, *p);
    }
}

static gint gw_diag_strcmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One counter family; keys are tab-separated label values. */
static void gw_diag_metrics_family(GString *out, GHashTable *t, const char *name,
                                   const char *help, const char *const *labels)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    guint n;
    gpointer *keys = g_hash_table_get_keys_as_array(t, &n);
    qsort(keys, n, sizeof *keys, (int (*)(const void *, const void *))gw_diag_strcmp);
    for (guint i = 0; i < n; i++) {
        char **vals = g_strsplit(keys[i], "\t", -1);
        g_string_append_printf(out, "%s{", name);
        for (int l = 0; labels[l] && vals[l]; l++) {
            g_string_append_printf(out, "%s%s=\"", l ? "," : "", labels[l]);
            gw_diag_metrics_label(out, vals[l]);
            g_string_append_c(out, '"');
        }
        g_string_append_printf(out, "} %" G_GUINT64_FORMAT "\n",
                               *(guint64 *)g_hash_table_lookup(t, keys[i]));
        g_strfreev(vals);
    }
    g_free(keys);
}

void gw_diag_metrics_render(gw_diag_metrics_t *m, gw_ctx_t *ctx, GString *out)
{
    size_t n = gw_point_count(ctx), by_quality[3] = { 0, 0, 0 };
    for (size_t id = 0; id < n; id++) {
        gw_point_info_t info = { .size = sizeof info };
        if (gw_point_info(ctx, (gw_point_id_t)id, &info) == 0 && info.quality <= 2)
            by_quality[info.quality]++;
    }
    g_string_append(out, "# HELP gatewayd_points Points registered, by quality.\n"
                         "# TYPE gatewayd_points gauge\n");
    for (int q = 0; q < 3; q++)
        g_string_append_printf(out, "gatewayd_points{quality=\"%s\"} %zu\n",
                               gw_diag_quality_name((gw_quality_t)q), by_quality[q]);

    static const char *const mb[] = { "transport", "function", NULL };
    static const char *const mbx[] = { "transport", "function", "code", NULL };
    static const char *const oc[] = { "direction", "action", NULL };
    gw_diag_metrics_family(out, m->modbus_requests, "gatewayd_modbus_requests_total",
                           "Modbus requests served, by function.", mb);
    gw_diag_metrics_family(out, m->modbus_exceptions, "gatewayd_modbus_exceptions_total",
                           "Modbus exception replies, by function and exception code.", mbx);
    gw_diag_metrics_family(out, m->ocpp_frames, "gatewayd_ocpp_frames_total",
                           "OCPP frames, by direction and action.", oc);
    g_string_append_printf(out,
                           "# HELP gatewayd_loop_lag_seconds How late the last lag probe fired.\n"
                           "# TYPE gatewayd_loop_lag_seconds gauge\n"
                           "gatewayd_loop_lag_seconds %.6f\n"
                           "# HELP gatewayd_loop_lag_max_seconds Largest lag seen since start.\n"
                           "# TYPE gatewayd_loop_lag_max_seconds gauge\n"
                           "gatewayd_loop_lag_max_seconds %.6f\n",
                           m->lag_last_s, m->lag_max_s);
}
