/*
 * diag - the live signal viewer, communication console and diagnostics API
 * in the browser (DESIGN §7). This file: configuration and lifecycle.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "calls.h"
#include "conf_common/conf_check.h"
#include "diag.h"
#include "metrics.h"
#include "origin.h"
#include "site.h"
#include "snapshot.h"
#include "stream.h"

static const gw_config_key_t gw_diag_keys[] = {
    GW_CONFIG_STRING("bind", "127.0.0.1",
                     "address to serve on; anything but loopback exposes the API: set token"),
    GW_CONFIG_INT("port", "8080", 1, 65535, "TCP port of the page, the API and /metrics"),
    GW_CONFIG_STRING("token", "",
                     "when set, writes need 'Authorization: Bearer TOKEN'; when empty, "
                     "writes are accepted only from loopback"),
    GW_CONFIG_INT("max_request", "16384", 256, 1048576, "largest request body accepted, bytes"),
    GW_CONFIG_INT("stream_interval_ms", "50", 10, 5000,
                  "how often viewers get the points that changed (coalesced)"),
    GW_CONFIG_INT("stream_batch", "2000", 100, 100000, "most point values in one stream message"),
    GW_CONFIG_INT("console_depth", "1000", 10, 100000,
                  "console lines held per viewer; older ones are dropped and counted"),
    GW_CONFIG_INT("slow_client_timeout", "20", 1, 3600,
                  "seconds a viewer or HTTP client may leave what it was sent unread; "
                  "then it is closed"),
    GW_CONFIG_INT("max_clients", "32", 1, 1024,
                  "most HTTP and stream connections at once; beyond it: 503"),
    GW_CONFIG_STRING_LIST("allowed_hosts", "",
                          "names (besides localhost, 127.0.0.1, ::1, the bind address, the "
                          "host name and the machine's addresses) that Host and Origin headers "
                          "may use; * accepts any Host"),
    GW_CONFIG_STRING_LIST("allowed_origins", "",
                          "further origins allowed verbatim, e.g. https://proxy.example"),
    GW_CONFIG_END,
};

/* CALLs remembered to name their answers: a few per connected charger. */
#define GW_DIAG_CALLS_MAX 4096

static void gw_diag_on_event(gw_ctx_t *ctx, const char *name, json_object *payload, void *user)
{
    gw_diag_t *diag = user;
    /* Metrics and the chargers panel count an answer under its CALL's
     * action; the console shows the frame as published. */
    json_object *named = strcmp(name, "ocpp.frame") == 0 ? gw_diag_calls_name(diag->calls, payload)
                                                         : json_object_get(payload);
    gw_diag_metrics_count_event(diag->metrics, name, named);
    if (gw_diag_site_on_event(diag->site, name, named))
        gw_diag_stream_site_changed(diag->stream);
    json_object_put(named);
    gw_diag_stream_on_event(diag->stream, name, payload);
}

/* The names a browser may use for this daemon besides the defaults: the
 * machine's own addresses (a page opened at http://10.0.0.5:8080/ sends that
 * Origin on its stream and writes), then the configured allowed_hosts. */
static GPtrArray *gw_diag_allowed_names(gw_ctx_t *ctx)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) == 0) {
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            char buf[INET6_ADDRSTRLEN];
            const void *addr = NULL;
            if (!i->ifa_addr)
                continue;
            if (i->ifa_addr->sa_family == AF_INET)
                addr = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
            else if (i->ifa_addr->sa_family == AF_INET6)
                addr = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
            if (addr && inet_ntop(i->ifa_addr->sa_family, addr, buf, sizeof buf))
                g_ptr_array_add(names, g_strdup(buf));
        }
        freeifaddrs(ifs);
    }
    const char *const *extra = gw_config_list(ctx, "allowed_hosts");
    for (size_t i = 0; extra && extra[i]; i++)
        g_ptr_array_add(names, g_strdup(extra[i]));
    g_ptr_array_add(names, NULL);
    return names;
}

static void gw_diag_free(gw_diag_t *diag)
{
    gw_diag_metrics_free(diag->metrics);
    gw_diag_site_free(diag->site);
    gw_diag_calls_free(diag->calls);
    gw_diag_stream_free(diag->stream);
    gw_diag_origin_free(diag->origin);
    if (diag->configured)
        g_array_free(diag->configured, TRUE);
    if (diag->configured_points)
        g_array_free(diag->configured_points, TRUE);
    pthread_mutex_destroy(&diag->lock);
    g_free(diag->boot_id);
    g_free(diag->bind);
    g_free(diag->token);
    g_free(diag);
}

/* What both validate() and init() check beyond the key table. */
static int gw_diag_config_check(gw_ctx_t *ctx)
{
    const char *bind = gw_config_string(ctx, "bind");
    char *why = NULL;
    int rc = 0;
    if (!*bind) {
        gw_config_error(ctx, "bind", "must not be empty (127.0.0.1: this host only)");
        rc = -EINVAL;
    } else if (gw_conf_addr_check(bind, true, &why) < 0) {
        gw_config_error(ctx, "bind", "%s", why);
        g_free(why);
        rc = -EINVAL;
    } else {
        /* another listener (ocpp_cs, modbus_tcp, ...) may want the port */
        gw_config_claim_tcp(ctx, "port", bind, (int)gw_config_int(ctx, "port"));
    }
    /* sent in an HTTP header: no spaces or control characters */
    for (const unsigned char *c = (const unsigned char *)gw_config_string(ctx, "token"); *c; c++)
        if (*c <= ' ' || *c >= 0x7f) {
            gw_config_error(ctx, "token", "only printable ASCII without spaces");
            rc = -EINVAL;
            break;
        }
    return rc;
}

static int gw_diag_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    (void)api;
    return gw_diag_config_check(ctx);
}

static int gw_diag_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    if (gw_diag_config_check(ctx) < 0)
        return -EINVAL;
    gw_diag_t *diag = g_new0(gw_diag_t, 1);
    diag->ctx = ctx;
    diag->bind = g_strdup(gw_config_string(ctx, "bind"));
    diag->port = (int)gw_config_int(ctx, "port");
    diag->token = g_strdup(gw_config_string(ctx, "token"));
    diag->max_request = (size_t)gw_config_int(ctx, "max_request");
    diag->stream_interval_ms = (uint32_t)gw_config_int(ctx, "stream_interval_ms");
    diag->stream_batch = (uint32_t)gw_config_int(ctx, "stream_batch");
    diag->console_depth = (uint32_t)gw_config_int(ctx, "console_depth");
    diag->slow_timeout_us = gw_config_int(ctx, "slow_client_timeout") * G_USEC_PER_SEC;
    diag->max_clients = (unsigned)gw_config_int(ctx, "max_clients");
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    GPtrArray *names = gw_diag_allowed_names(ctx);
    diag->origin = gw_diag_origin_new(diag->bind, diag->port, host,
                                      (const char *const *)names->pdata,
                                      gw_config_list(ctx, "allowed_origins"));
    g_ptr_array_free(names, TRUE);
    /* The core has no boot id: one per process, made here. A page compares
     * it with the one its point list came with, so a restart (new ids,
     * maybe other points) makes it reload the list. */
    diag->boot_id = g_uuid_string_random();
    pthread_mutex_init(&diag->lock, NULL);
    g_queue_init(&diag->answers);
    g_queue_init(&diag->snapshot_waiting);
    diag->metrics = gw_diag_metrics_new();
    diag->site = gw_diag_site_new();
    diag->calls = gw_diag_calls_new(GW_DIAG_CALLS_MAX);
    diag->stream = gw_diag_stream_new(diag);
    diag->event_sub = -1;
    *state = diag;
    return 0;
}

static int gw_diag_start(gw_ctx_t *ctx, void *state)
{
    gw_diag_t *diag = state;
    char *why = NULL;
    /* libwebsockets runs on without a listener when the bind fails: prove
     * the bind first, and refuse start-up naming the key at fault */
    int rc = gw_conf_listen_probe(diag->bind, diag->port, &why);
    if (rc < 0) {
        gw_config_error(ctx, rc == -EADDRNOTAVAIL ? "bind" : "port", "%s", why);
        g_free(why);
        return rc;
    }
    /* Every event: metrics count them, the console shows them. */
    diag->event_sub = gw_event_subscribe(ctx, "", gw_diag_on_event, diag);
    if (diag->event_sub < 0)
        return (int)diag->event_sub;
    if ((rc = gw_diag_metrics_lag_start(diag->metrics, ctx, 100)) < 0 ||
        (rc = gw_diag_stream_start(diag->stream)) < 0 ||
        (rc = gw_diag_server_start(diag)) < 0) {
        /* stop() does not follow a failed start(): undo it here */
        gw_diag_stream_stop(diag->stream);
        gw_event_unsubscribe(ctx, diag->event_sub);
        diag->event_sub = -1;
        return rc;
    }
    char *names = gw_diag_origin_describe(diag->origin);
    gw_log(ctx, GW_LOG_NOTICE, "viewer on http://%s:%d/ (writes: %s; hosts: %s)", diag->bind,
           diag->port, *diag->token ? "bearer token" : "loopback only", names);
    g_free(names);
    return 0;
}

static void gw_diag_stop(gw_ctx_t *ctx, void *state)
{
    gw_diag_t *diag = state;
    gw_diag_server_stop(diag);
    gw_diag_snapshot_cancel_all(diag);
    gw_diag_stream_stop(diag->stream);
    if (diag->event_sub >= 0)
        gw_event_unsubscribe(ctx, diag->event_sub);
    diag->event_sub = -1;
}

static void gw_diag_fini(gw_ctx_t *ctx, void *state)
{
    gw_diag_free(state);
}

GW_PLUGIN_DEFINE("diag", "0.1.0",
                 "Live signal viewer, communication console and diagnostics API (HTTP/WebSocket)",
                 .config_keys = gw_diag_keys,
                 .validate = gw_diag_validate,
                 .init = gw_diag_init,
                 .start = gw_diag_start,
                 .stop = gw_diag_stop,
                 .fini = gw_diag_fini);
