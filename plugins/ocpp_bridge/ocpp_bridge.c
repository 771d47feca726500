/*
 * ocpp_bridge.c - the plugin: configuration, lifecycle and what the relay
 * thread reports. Chargers are relayed byte for byte to an external OCPP
 * Central System; the points are read-only (docs/bridge.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf_common/conf_check.h"
#include "bridge.h"

static const gw_config_key_t br_keys[] = {
    { "upstream_url", GW_CONFIG_TYPE_STRING, GW_CONFIG_REQUIRED, NULL,
      "the external Central System: ws[s]://host[:port][/path]; /<ChargerID> is appended",
      0, 0, NULL, { NULL, NULL } },
    GW_CONFIG_STRING_LIST("upstream_credentials", "",
                          "per charger ChargerID=user:password, sent upstream as HTTP Basic "
                          "instead of the charger's own Authorization"),
    GW_CONFIG_BOOL("pass_authorization", "true",
                   "pass the charger's Authorization header upstream unchanged"),
    GW_CONFIG_PATHNAME("ca_file", "/etc/ssl/certs/ca-certificates.crt",
                       "CA certificates (PEM) that a wss:// upstream must chain to"),
    GW_CONFIG_BOOL("tls_verify", "true",
                   "verify a wss:// upstream's certificate and host name (off only for tests)"),
    GW_CONFIG_STRING_LIST("subprotocols", "ocpp1.6",
                          "WebSocket subprotocols the bridge may agree to on behalf of upstream"),
    GW_CONFIG_STRING("bind_address", "0.0.0.0", "address the chargers connect to"),
    GW_CONFIG_INT("port", "9000", 0, 65535, "port the chargers connect to (ws://HOST:PORT/PREFIX/<ChargerID>)"),
    GW_CONFIG_STRING("path_prefix", "ocpp", "URL path before the ChargerID; empty for none"),
    GW_CONFIG_STRING_LIST("chargers", "",
                          "chargers as [INDEX=]ChargerID[:CONNECTORS]; INDEX is the map's xx"),
    GW_CONFIG_INT("connectors", "7", 1, 7, "connectors per charger unless given per charger"),
    GW_CONFIG_INT("max_message_size", "65536", 1024, 16777216,
                  "largest message relayed (bytes); a bigger one closes that side with 1009"),
    GW_CONFIG_INT("ping_interval", "60", 0, 3600,
                  "WebSocket ping on each hop after this idle time (s); 0 = off"),
    GW_CONFIG_INT("connect_timeout", "10", 1, 120,
                  "how long a charger's handshake waits for the upstream connection (s)"),
    GW_CONFIG_INT("busy_poll_us", "100", 0, 10000,
                  "after relaying, the relay thread keeps polling awake this long (us) before "
                  "it sleeps: the answer to a relayed CALL then costs no wake-up; 0 = off"),
    GW_CONFIG_INT("call_hold_timeout", "10", 0, 600,
                  "a charger's next frame is read once upstream answered its CALL, or after "
                  "this long (s): one CALL at a time per charger at the CS (OCPP 1.6 4.1.1), "
                  "so a flooding charger cannot crowd out the others; 0 = relay without waiting"),
    GW_CONFIG_INT("scan_list_size", "64", 0, 4096, "refused handshakes remembered in the scan list"),
    GW_CONFIG_PATHNAME("register_map", "register-map.csv",
                       "the register map: only the signals it enables for mode bridge get points"),
    GW_CONFIG_BOOL("check_upstream", "false",
                   "open one test connection upstream at start, report, and stop the daemon "
                   "(exit 0 when it worked)"),
    GW_CONFIG_STRING("check_charger_id", "",
                     "ChargerID used by check_upstream; default: the first configured charger"),
    GW_CONFIG_END,
};

/* ------------------------------------------------ what the relay reports */

static br_charger_t *br_charger(bridge_t *br, int index)
{
    return index >= 0 && index < br->n_index ? br->by_index[index] : NULL;
}

static void br_publish_charger(bridge_t *br, br_charger_t *ch, const char *event,
                               const char *address)
{
    if (!gw_event_wanted(br->ctx, "ocpp.charger"))
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
    json_object_object_add(o, "index", json_object_new_int(ch->index));
    json_object_object_add(o, "event", json_object_new_string(event));
    if (address)
        json_object_object_add(o, "address", json_object_new_string(address));
    json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
    gw_event_publish(br->ctx, "ocpp.charger", o);
}

static void br_on_opened(bridge_t *br, int index, uint32_t conn, const char *peer,
                         const char *protocol)
{
    br_charger_t *ch = br_charger(br, index);
    if (!ch)
        return;
    ch->conn = conn;
    br_points_comm(br, ch, true);
    gw_log(br->ctx, GW_LOG_INFO, "charger '%s' (%d) from %s relayed upstream (%s)", ch->cfg->id,
           index, peer, protocol && *protocol ? protocol : "no subprotocol");
    br_publish_charger(br, ch, "connected", peer);
}

static void br_on_frame(bridge_t *br, int index, uint32_t conn, br_dir_t dir, char *text,
                        size_t len)
{
    br_charger_t *ch = br_charger(br, index);
    (void)conn;
    if (ch && dir == BR_FROM_CHARGER)
        gw_ocpp_reported_heard(&ch->reported, br->ctx);
    if (ch)
        br_frames_observe(br, ch, dir, text, len);
    free(text);
}

static void br_on_closed(bridge_t *br, int index, uint32_t conn, const char *why, int code)
{
    br_charger_t *ch = br_charger(br, index);
    if (!ch || ch->conn != conn)
        return; /* an old connection that a new one replaced */
    ch->conn = 0;
    br_points_comm(br, ch, false);
    gw_log(br->ctx, GW_LOG_INFO, "charger '%s' (%d) disconnected: %s (close code %d)",
           ch->cfg->id, index, why, code);
    br_publish_charger(br, ch, "disconnected", NULL);
}

static void br_on_refused(bridge_t *br, int index, const char *charger_id, const char *peer,
                          int status, const char *why)
{
    br_charger_t *ch = br_charger(br, index);
    gw_log(br->ctx, GW_LOG_WARNING, "charger '%s' from %s refused with HTTP %d: %s", charger_id,
           peer, status, why);
    if (!ch)
        return;
    char text[160];
    snprintf(text, sizeof text, "%d %s", status, why);
    if (ch->upstream_error >= 0)
        gw_point_set_string(br->ctx, ch->upstream_error, text);
    if (gw_event_wanted(br->ctx, "ocpp.charger")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "charger", json_object_new_string(charger_id));
        json_object_object_add(o, "index", json_object_new_int(index));
        json_object_object_add(o, "event", json_object_new_string("refused"));
        json_object_object_add(o, "address", json_object_new_string(peer));
        json_object_object_add(o, "status", json_object_new_int(status));
        json_object_object_add(o, "reason", json_object_new_string(why));
        json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
        gw_event_publish(br->ctx, "ocpp.charger", o);
    }
}

static const br_relay_events_t br_events = {
    .opened = br_on_opened,
    .frame = br_on_frame,
    .closed = br_on_closed,
    .refused = br_on_refused,
};

/* ------------------------------------------------------------- lifecycle */

static void br_free(bridge_t *br)
{
    if (!br)
        return;
    br_relay_free(br->relay);
    for (int i = 0; br->by_index && i < br->n_index; i++) {
        if (br->by_index[i])
            gw_ocpp_reported_clear(&br->by_index[i]->reported);
        free(br->by_index[i]);
    }
    free(br->by_index);
    if (br->credentials)
        g_hash_table_destroy(br->credentials);
    g_strfreev(br->subprotocols);
    free(br->prefix);
    gw_ocpp_scan_view_clear(&br->scan);
    gw_ocpp_chargers_free(br->chargers_cfg);
    gw_regmap_free(br->map);
    free(br);
}

/* Everything init() would refuse, found without doing anything. The
 * keys br_config_parse() does not name need nothing beyond the key table
 * (type, range, choices), which the host has checked. */
static int br_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    br_config_t cfg;
    (void)api;
    int rc = br_config_parse(ctx, &cfg);
    br_config_clear(&cfg);
    return rc;
}

static int br_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    bridge_t *br = calloc(1, sizeof *br);
    int rc = -EINVAL;
    if (!br)
        return -ENOMEM;
    br->ctx = ctx;
    br->pass_authorization = gw_config_bool(ctx, "pass_authorization");
    const char *prefix = gw_config_string(ctx, "path_prefix");
    while (prefix && *prefix == '/')
        prefix++;
    br->prefix = g_strdup_printf("/%s%s", prefix ? prefix : "", prefix && *prefix ? "/" : "");
    br_config_t conf;
    if (br_config_parse(ctx, &conf) < 0)
        goto fail;
    /* br_free() frees them from here on */
    br->upstream = conf.upstream;
    br->credentials = conf.credentials;
    br->subprotocols = conf.subprotocols;
    br->chargers_cfg = conf.chargers;
    br->map = conf.map;
    br->n_index = BR_MAX_INDEX;
    rc = -ENOMEM;
    br->by_index = calloc((size_t)br->n_index, sizeof *br->by_index);
    if (!br->by_index)
        goto fail;
    if ((rc = gw_ocpp_scan_view_init(&br->scan, ctx, "ocpp_bridge",
                                     (size_t)gw_config_int(ctx, "scan_list_size"))) < 0)
        goto fail;
    rc = -ENOMEM;
    for (size_t i = 0; i < gw_ocpp_chargers_count(br->chargers_cfg); i++) {
        const gw_ocpp_charger_cfg_t *cfg = gw_ocpp_chargers_nth(br->chargers_cfg, i);
        br_charger_t *ch = calloc(1, sizeof *ch);
        if (!ch)
            goto fail;
        ch->index = cfg->index;
        ch->cfg = cfg;
        br->by_index[cfg->index] = ch;
        if ((rc = br_points_register(br, ch)) < 0)
            goto fail;
    }
    gw_log(ctx, GW_LOG_INFO, "%zu charger(s) relayed to %s://%s:%d%s",
           gw_ocpp_chargers_count(br->chargers_cfg), br->upstream.tls ? "wss" : "ws",
           br->upstream.host, br->upstream.port, br->upstream.path);
    *state = br;
    return 0;
fail:
    br_free(br);
    return rc < 0 ? rc : -EINVAL;
}

static void br_relay_config(gw_ctx_t *ctx, bridge_t *br, br_relay_config_t *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->upstream = &br->upstream;
    rc->ca_file = gw_config_string(ctx, "ca_file");
    rc->tls_verify = gw_config_bool(ctx, "tls_verify");
    rc->subprotocols = (const char *const *)br->subprotocols;
    rc->max_message = (size_t)gw_config_int(ctx, "max_message_size");
    rc->ping_interval_s = (unsigned)gw_config_int(ctx, "ping_interval");
    rc->connect_timeout_s = (unsigned)gw_config_int(ctx, "connect_timeout");
    rc->busy_poll_us = (unsigned)gw_config_int(ctx, "busy_poll_us");
    rc->call_hold_s = (unsigned)gw_config_int(ctx, "call_hold_timeout");
}

/* Frames are handed to the loop only when they change points, unless
 * somebody (the diag console) subscribes to ocpp.frame: follow that. */
static void br_frames_watch(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    bridge_t *br = user;
    (void)id;
    br_relay_want_all_frames(br->relay, gw_event_wanted(ctx, "ocpp.frame"));
}

static int br_start(gw_ctx_t *ctx, void *state)
{
    bridge_t *br = state;
    br_relay_config_t rc;
    char *err = NULL;
    br_relay_config(ctx, br, &rc);
    /* the listener's library may run on without a listener: prove the
     * bind first, and refuse start-up naming the key at fault */
    const char *bind = gw_config_string(ctx, "bind_address");
    int port = (int)gw_config_int(ctx, "port");
    int probe = gw_config_bool(ctx, "check_upstream") ? 0 : gw_conf_listen_probe(bind, port, &err);
    if (probe < 0) {
        gw_config_error(ctx, probe == -EADDRNOTAVAIL ? "bind_address" : "port", "%s", err);
        g_free(err);
        return probe;
    }
    if (gw_config_bool(ctx, "check_upstream")) {
        const char *id = gw_config_string(ctx, "check_charger_id");
        if ((!id || !*id) && gw_ocpp_chargers_count(br->chargers_cfg))
            id = gw_ocpp_chargers_nth(br->chargers_cfg, 0)->id;
        return br_check_upstream(br, &rc, id && *id ? id : "gatewayd-check");
    }
    br->relay = br_relay_start(br, ctx, &rc, &br_events, &err);
    if (!br->relay) {
        gw_log(ctx, GW_LOG_ERROR, "%s", err);
        g_free(err);
        return -EIO;
    }
    br_frames_watch(ctx, 0, br);
    br->watch_timer = gw_timer_add(ctx, 1000, GW_TIMER_REPEAT, br_frames_watch, br);
    br->acceptor = br_accept_start(br, gw_config_string(ctx, "bind_address"),
                                   (int)gw_config_int(ctx, "port"), &err);
    if (!br->acceptor) {
        gw_config_error(ctx, "port", "%s", err);
        g_free(err);
        return -EADDRINUSE;
    }
    gw_log(ctx, GW_LOG_NOTICE, "listening on port %d, path %s<ChargerID>",
           br_accept_port(br->acceptor), br->prefix);
    return 0;
}

static void br_stop(gw_ctx_t *ctx, void *state)
{
    bridge_t *br = state;
    (void)ctx;
    br_accept_stop(br->acceptor);
    br->acceptor = NULL;
    br_relay_stop(br->relay);
}

static void br_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    br_free(state);
}

GW_PLUGIN_DEFINE("ocpp_bridge", "0.1",
                 "relays chargers byte for byte to an external OCPP Central System; "
                 "read-only points from what passes",
                 .config_keys = br_keys, .validate = br_validate, .init = br_init, .start = br_start, .stop = br_stop,
                 .fini = br_fini);
