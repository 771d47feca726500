/* api.c - the /api/v1 endpoints and /metrics, answered on the loop thread. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "auth.h"
#include "diag.h"
#include "metrics.h"
#include "metrics_state.h"
#include "site.h"
#include "snapshot.h"
#include "stream.h"
#include "value.h"

#define GW_DIAG_POINTS_PATH "/api/v1/points"

static void gw_diag_api_attr(gw_ctx_t *ctx, json_object *o, gw_point_id_t id, const char *attr,
                             const char *as, bool numeric)
{
    const char *v = gw_point_attr_get(ctx, id, attr);
    if (!v)
        return;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (numeric && *v && !*end)
        json_object_object_add(o, as, json_object_new_int64(n));
    else
        json_object_object_add(o, as, json_object_new_string(v));
}

json_object *gw_diag_api_point(gw_ctx_t *ctx, gw_point_id_t id, const gw_point_info_t *info)
{
    gw_value_t val;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "name", json_object_new_string(info->name));
    json_object_object_add(o, "type", json_object_new_string(gw_diag_type_name(info->type)));
    json_object_object_add(o, "access", json_object_new_string(gw_diag_access_name(info->access)));
    json_object_object_add(o, "quality", json_object_new_string(gw_diag_quality_name(info->quality)));
    json_object_object_add(o, "value", gw_point_get(ctx, id, &val) == 0
                                           ? gw_diag_value_to_json(info->type, &val) : NULL);
    json_object_object_add(o, "changed", json_object_new_int64(info->changed_ms));
    json_object_object_add(o, "owner", json_object_new_string(info->owner ? info->owner : ""));
    if (info->unit)
        json_object_object_add(o, "unit", json_object_new_string(info->unit));
    if (info->description)
        json_object_object_add(o, "description", json_object_new_string(info->description));
    if (info->type == GW_TYPE_STRING)
        json_object_object_add(o, "max_len", json_object_new_int64(info->max_len));
    if (info->flags & GW_POINT_RANGE) {
        json_object_object_add(o, "min", json_object_new_int64(info->min));
        json_object_object_add(o, "max", json_object_new_int64(info->max));
    }
    gw_diag_api_attr(ctx, o, id, "modbus.address", "modbus_address", true);
    gw_diag_api_attr(ctx, o, id, "modbus.registers", "modbus_registers", true);
    gw_diag_api_attr(ctx, o, id, "enum", "enum", false);
    return o;
}

static int gw_diag_api_status_of(int rc, const char **code)
{
    switch (rc) {
    case -ENOENT: *code = "not_found"; return 404;
    case -EACCES: *code = "not_writable"; return 403;
    case -EPERM: *code = "not_writable"; return 403;
    case -EBUSY: *code = "busy"; return 409;
    case -ERANGE: *code = "out_of_range"; return 422;
    case -E2BIG: *code = "too_long"; return 422;
    case -EINVAL: *code = "invalid_value"; return 422;
    case -ELOOP: *code = "loop"; return 508;
    default: *code = "refused"; return 422;
    }
}

static void gw_diag_api_write(gw_diag_t *diag, gw_diag_request_t *req, gw_point_id_t id,
                              const gw_point_info_t *info)
{
    gw_ctx_t *ctx = diag->ctx;
    const char *why = NULL;
    int status = gw_diag_auth_check_write(diag->token, req->authorization, req->loopback, &why);
    if (status) {
        if (status == 401)
            req->www_authenticate = "Bearer realm=\"gatewayd\"";
        gw_diag_request_fail(req, status, status == 401 ? "unauthorized" : "forbidden", why);
        return;
    }
    json_tokener *tok = json_tokener_new();
    json_object *body = json_tokener_parse_ex(tok, (const char *)req->body->data, (int)req->body->len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                    json_tokener_get_parse_end(tok) == req->body->len;
    json_tokener_free(tok);
    json_object *jv;
    if (!body || !complete || !json_object_is_type(body, json_type_object) ||
        !json_object_object_get_ex(body, "value", &jv) || !jv) {
        json_object_put(body);
        gw_diag_request_fail(req, 400, "bad_request", "expected a JSON object {\"value\": ...}");
        return;
    }
    gw_value_t value;
    if (gw_diag_value_from_json(info->type, gw_point_attr_get(ctx, id, "enum"), jv, &value, &why)) {
        gw_diag_request_fail(req, 422, "invalid_value", why);
        json_object_put(body);
        return;
    }
    const char *reason = NULL;
    int rc = gw_point_write_one(ctx, id, &value, &reason);
    json_object_put(body);
    if (rc < 0) {
        const char *code;
        int st = gw_diag_api_status_of(rc, &code);
        gw_diag_request_fail(req, st, code, reason ? reason : g_strerror(-rc));
        return;
    }
    gw_point_info_t after = { .size = sizeof after };
    gw_point_info(ctx, id, &after);
    gw_diag_request_reply_json(req, 200, gw_diag_api_point(ctx, id, &after));
}

static void gw_diag_api_one_point(gw_diag_t *diag, gw_diag_request_t *req, const char *name)
{
    gw_ctx_t *ctx = diag->ctx;
    gw_point_id_t id = *name ? gw_point_lookup(ctx, name) : -ENOENT;
    gw_point_info_t info = { .size = sizeof info };
    if (id < 0 || gw_point_info(ctx, id, &info) != 0) {
        gw_diag_request_fail(req, 404, "not_found", "no such point");
        return;
    }
    if (req->method == GW_DIAG_PUT)
        gw_diag_api_write(diag, req, id, &info);
    else if (req->method == GW_DIAG_GET)
        gw_diag_request_reply_json(req, 200, gw_diag_api_point(ctx, id, &info));
    else
        gw_diag_request_fail(req, 405, "method_not_allowed", "use GET or PUT");
}

static void gw_diag_api_plugins(gw_diag_t *diag, gw_diag_request_t *req)
{
    static const char *const states[] = { "", "loaded", "initialised", "running", "stopped" };
    json_object *arr = json_object_new_array();
    for (size_t i = 0;; i++) {
        gw_plugin_info_t pi = { .size = sizeof pi };
        if (gw_plugin_info(diag->ctx, i, &pi) != 0)
            break;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "instance", json_object_new_string(pi.instance));
        json_object_object_add(o, "name", json_object_new_string(pi.name));
        json_object_object_add(o, "version", json_object_new_string(pi.version ? pi.version : ""));
        json_object_object_add(o, "description",
                               json_object_new_string(pi.description ? pi.description : ""));
        json_object_object_add(o, "state", json_object_new_string(
            pi.state >= GW_PLUGIN_LOADED && pi.state <= GW_PLUGIN_STOPPED ? states[pi.state] : "unknown"));
        json_object_array_add(arr, o);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "plugins", arr);
    gw_diag_request_reply_json(req, 200, o);
}

static void gw_diag_api_list(gw_diag_request_t *req, const char *key, json_object *arr)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, key, arr);
    gw_diag_request_reply_json(req, 200, o);
}

/* The chargers the OCPP plugin was configured with, as map indices: each
 * has a charger.{xx}.info.comm_status point from its first second on, while
 * events only tell about the ones that connected. Points are only ever
 * added, so only those registered since the last call are looked at: the
 * page asks on every site change, and a sscanf over 9,400 names each time
 * was a needless millisecond or two of loop time. */
static const GArray *gw_diag_api_configured_chargers(gw_diag_t *diag)
{
    gw_ctx_t *ctx = diag->ctx;
    if (!diag->configured) {
        diag->configured = g_array_new(FALSE, FALSE, sizeof(int));
        diag->configured_points = g_array_new(FALSE, FALSE, sizeof(gw_point_id_t));
    }
    size_t n = gw_point_count(ctx);
    for (size_t id = diag->configured_scanned; id < n; id++) {
        gw_point_info_t info = { .size = sizeof info };
        unsigned xx;
        int end = 0;
        if (gw_point_info(ctx, (gw_point_id_t)id, &info) != 0 ||
            strncmp(info.name, "charger.", 8) != 0)
            continue;
        if (sscanf(info.name, "charger.%u.info.comm_status%n", &xx, &end) == 1 &&
            end > 0 && info.name[end] == '\0' && xx <= INT32_MAX) {
            int v = (int)xx;
            gw_point_id_t pid = (gw_point_id_t)id;
            g_array_append_val(diag->configured, v);
            g_array_append_val(diag->configured_points, pid);
        }
    }
    diag->configured_scanned = n;
    return diag->configured;
}

static void gw_diag_api_chargers(gw_diag_t *diag, gw_diag_request_t *req)
{
    const GArray *idx = gw_diag_api_configured_chargers(diag);
    /* The OCPP plugin names each configured charger on its comm_status
     * point (attribute ocpp.charger_id, docs/bms-guide.md); read it on
     * every call: attributes may be set after the point appeared. */
    const char **ids = g_new0(const char *, idx->len + 1);
    for (guint i = 0; i < idx->len; i++)
        ids[i] = gw_point_attr_get(diag->ctx, g_array_index(diag->configured_points, gw_point_id_t, i),
                                   "ocpp.charger_id");
    json_object *list = gw_diag_site_chargers_json(diag->site, (const int *)(void *)idx->data,
                                                   (const char *const *)ids, idx->len);
    g_free(ids);
    gw_diag_api_list(req, "chargers", list);
}

static void gw_diag_api_metrics(gw_diag_t *diag, gw_diag_request_t *req)
{
    GString *out = g_string_sized_new(4096);
    gw_diag_metrics_render(diag->metrics, diag->ctx, out);
    gw_diag_metrics_state_render(diag->ctx, out);
    gw_diag_site_render_metrics(diag->site, out);
    gw_diag_stream_render_metrics(diag->stream, out);
    gw_diag_server_render_metrics(diag, out);
    size_t len = out->len;
    gw_diag_request_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
                               g_string_free(out, FALSE), len);
}

bool gw_diag_api_handle(gw_diag_t *diag, gw_diag_request_t *req)
{
    const char *p = req->path;
    bool get = req->method == GW_DIAG_GET;
    if (strcmp(p, "/metrics") == 0 && get)
        gw_diag_api_metrics(diag, req);
    else if (strcmp(p, GW_DIAG_POINTS_PATH) == 0 && get) {
        gw_diag_snapshot_start(diag, req); /* over several loop passes */
        return false;
    }
    else if (g_str_has_prefix(p, GW_DIAG_POINTS_PATH "/"))
        gw_diag_api_one_point(diag, req, p + strlen(GW_DIAG_POINTS_PATH "/"));
    else if (strcmp(p, "/api/v1/chargers") == 0 && get)
        gw_diag_api_chargers(diag, req);
    else if (strcmp(p, "/api/v1/scan") == 0 && get)
        gw_diag_api_list(req, "scan", gw_diag_site_scan_json(diag->site));
    else if (strcmp(p, "/api/v1/plugins") == 0 && get)
        gw_diag_api_plugins(diag, req);
    else if (!strcmp(p, "/metrics") || !strcmp(p, GW_DIAG_POINTS_PATH) ||
             !strcmp(p, "/api/v1/chargers") || !strcmp(p, "/api/v1/scan") ||
             !strcmp(p, "/api/v1/plugins"))
        gw_diag_request_fail(req, 405, "method_not_allowed", "this resource is read-only");
    else
        gw_diag_request_fail(req, 404, "not_found", "no such resource");
    return true;
}
