/*
 * ocpp_cs.c - the plugin: configuration, lifecycle. gatewayd as the OCPP
 * 1.6J Central System driven by a BMS through the register map
 * (docs/bms-guide.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "conf_common/conf_check.h"
#include "cs.h"

static const gw_config_key_t cs_keys[] = {
    GW_CONFIG_STRING("bind_address", "0.0.0.0", "address the WebSocket server listens on"),
    GW_CONFIG_INT("port", "9000", 0, 65535, "WebSocket port (ws://HOST:PORT/PREFIX/<ChargerID>)"),
    GW_CONFIG_STRING("path_prefix", "ocpp", "URL path before the ChargerID; empty for none"),
    GW_CONFIG_STRING_LIST("chargers", "",
                          "chargers as [INDEX=]ChargerID[:CONNECTORS]; INDEX is the map's xx"),
    GW_CONFIG_INT("connectors", "7", 1, 7, "connectors per charger unless given per charger"),
    GW_CONFIG_INT("heartbeat_interval", "300", 1, 86400,
                  "heartbeat interval (s) given to chargers in BootNotification.conf"),
    GW_CONFIG_INT("ping_interval", "60", 0, 3600, "WebSocket ping after this idle time (s); 0 = off"),
    GW_CONFIG_INT("call_timeout_ms", "30000", 100, 600000,
                  "how long a CALL to a charger waits for its answer"),
    GW_CONFIG_INT("bms_timeout_ms", "10000", 100, 600000,
                  "how long Authorize/Start/StopTransaction wait for the BMS before the fallback"),
    GW_CONFIG_ENUM("fallback", "local_list", "local_list|default",
                   "when the BMS is silent: the charger's local list, then fallback_status; or "
                   "fallback_status only"),
    GW_CONFIG_ENUM("fallback_status", "Accepted", "Accepted|Blocked|Invalid",
                   "idTag status answered when neither the BMS nor the local list decide"),
    GW_CONFIG_INT("max_message_size", "65536", 1024, 16777216,
                  "largest OCPP message accepted (bytes); bigger ones close the connection"),
    GW_CONFIG_INT("bms_heartbeat_period", "60", 0, 86400,
                  "period (s) the BMS heartbeat register is checked and cleared; 0 = off"),
    GW_CONFIG_INT("scan_list_size", "64", 0, 4096, "refused handshakes remembered in the scan list"),
    GW_CONFIG_PATHNAME("register_map", "register-map.csv",
                       "the register map: only the signals it enables for mode bms get points"),
    GW_CONFIG_END,
};

static int cs_status_index(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (!strcmp(cs_auth_status_names[i], s))
            return i;
    return 0;
}

static void cs_free(cs_t *cs)
{
    if (!cs)
        return;
    cs_store_writer_free(cs->store); /* answers still waiting for it go first */
    gw_ocpp_ws_free(cs->ws);
    /* by_index is NULL when init failed before allocating it */
    for (int i = 0; cs->by_index && i < cs->n_index; i++) {
        cs_charger_t *ch = cs->by_index[i];
        if (!ch)
            continue;
        cs_handshake_clear(cs, ch);
        while (ch->calls_head) {
            cs_call_t *c = ch->calls_head;
            ch->calls_head = c->next;
            json_object_put(c->payload);
            free(c);
        }
        free(ch->list);
        gw_ocpp_reported_clear(&ch->reported);
        free(ch);
    }
    free(cs->by_index);
    free(cs->txns);
    free(cs->state_path);
    gw_ocpp_scan_view_clear(&cs->scan);
    gw_ocpp_chargers_free(cs->chargers_cfg);
    gw_regmap_free(cs->map);
    free(cs);
}

/* Everything init() would refuse, found without doing anything. The
 * keys cs_config_parse() does not name need nothing beyond the key table
 * (type, range, choices), which the host has checked. */
static int cs_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    cs_config_t cfg;
    (void)api;
    int rc = cs_config_parse(ctx, &cfg);
    cs_config_clear(&cfg);
    return rc;
}

static int cs_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    cs_t *cs = calloc(1, sizeof *cs);
    int rc = -EINVAL;
    if (!cs)
        return -ENOMEM;
    cs->ctx = ctx;
    cs->heartbeat_interval = (int)gw_config_int(ctx, "heartbeat_interval");
    cs->call_timeout_ms = (uint32_t)gw_config_int(ctx, "call_timeout_ms");
    cs->bms_timeout_ms = (uint32_t)gw_config_int(ctx, "bms_timeout_ms");
    cs->fallback_local_list = !strcmp(gw_config_string(ctx, "fallback"), "local_list");
    cs->fallback_status = cs_status_index(gw_config_string(ctx, "fallback_status"));
    cs->bms_heartbeat_s = (int)gw_config_int(ctx, "bms_heartbeat_period");
    cs->next_txn_id = 1;

    cs_config_t conf;
    if (cs_config_parse(ctx, &conf) < 0)
        goto fail;
    cs->map = conf.map; /* cs_free() frees them from here on */
    cs->chargers_cfg = conf.chargers;
    cs->n_index = CS_MAX_INDEX;
    cs->by_index = calloc((size_t)cs->n_index, sizeof *cs->by_index);
    if (!cs->by_index) {
        rc = -ENOMEM;
        goto fail;
    }
    rc = gw_ocpp_scan_view_init(&cs->scan, ctx, "ocpp_cs",
                                (size_t)gw_config_int(ctx, "scan_list_size"));
    if (rc < 0)
        goto fail;
    if ((rc = cs_global_points_register(cs)) < 0)
        goto fail;
    for (size_t i = 0; i < gw_ocpp_chargers_count(cs->chargers_cfg); i++) {
        const gw_ocpp_charger_cfg_t *cfg = gw_ocpp_chargers_nth(cs->chargers_cfg, i);
        cs_charger_t *ch = calloc(1, sizeof *ch);
        if (!ch) {
            rc = -ENOMEM;
            goto fail;
        }
        ch->cs = cs;
        ch->index = cfg->index;
        ch->cfg = cfg;
        cs->by_index[cfg->index] = ch;
        cs_charger_points_register(cs, ch);
        if (cs->point_error) {
            rc = cs->point_error;
            goto fail;
        }
    }
    if ((rc = cs_store_load(cs)) < 0)
        goto fail;
    gw_log(ctx, GW_LOG_INFO, "%zu charger(s) configured", gw_ocpp_chargers_count(cs->chargers_cfg));
    *state = cs;
    return 0;
fail:
    cs_free(cs);
    return rc < 0 ? rc : -EINVAL;
}

static int cs_start(gw_ctx_t *ctx, void *state)
{
    cs_t *cs = state;
    char *err = NULL;
    gw_ocpp_ws_config_t wc = {
        .bind_address = gw_config_string(ctx, "bind_address"),
        .port = (int)gw_config_int(ctx, "port"),
        .path_prefix = gw_config_string(ctx, "path_prefix"),
        .subprotocol = "ocpp1.6",
        .max_message = (size_t)gw_config_int(ctx, "max_message_size"),
        .ping_interval_s = (unsigned)gw_config_int(ctx, "ping_interval"),
    };
    /* libwebsockets keeps running without a listener when the bind fails:
     * prove the bind first, and refuse start-up naming the key at fault */
    int rc = gw_conf_listen_probe(wc.bind_address, wc.port, &err);
    if (rc < 0) {
        gw_config_error(ctx, rc == -EADDRNOTAVAIL ? "bind_address" : "port", "%s", err);
        g_free(err);
        return rc;
    }
    rc = cs_clock_start(cs);
    if (rc < 0)
        return rc;
    cs_points_all_away(cs);
    cs_bms_heartbeat_start(cs);
    cs->ws = gw_ocpp_ws_start(ctx, &wc, &cs_ws_handlers, cs, &err);
    if (!cs->ws) {
        gw_config_error(ctx, "port", "%s", err ? err : "cannot start the WebSocket server");
        g_free(err);
        return -EADDRINUSE;
    }
    gw_log(ctx, GW_LOG_NOTICE, "OCPP 1.6J central system on ws://%s:%d/%s%s<ChargerID>",
           wc.bind_address, gw_ocpp_ws_port(cs->ws), wc.path_prefix, *wc.path_prefix ? "/" : "");
    return 0;
}

static void cs_stop(gw_ctx_t *ctx, void *state)
{
    cs_t *cs = state;
    (void)ctx;
    gw_ocpp_ws_stop(cs->ws);
    /* Waiting operations end with a failure result, as on a disconnect. */
    for (int i = 0; i < cs->n_index; i++)
        if (cs->by_index[i]) {
            cs->by_index[i]->conn = 0;
            cs_calls_fail_all(cs, cs->by_index[i]);
        }
    /* the last state reaches the disk before the daemon goes on stopping */
    cs_store_writer_stop(cs->store);
}

static void cs_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    cs_free(state);
}

GW_PLUGIN_DEFINE("ocpp_cs", "1.0.0", "OCPP 1.6J central system driven by a BMS through registers",
                 .config_keys = cs_keys,
                 .validate = cs_validate,
                 .init = cs_init,
                 .start = cs_start,
                 .stop = cs_stop,
                 .fini = cs_fini);
