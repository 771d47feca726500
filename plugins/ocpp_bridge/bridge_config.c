/*
 * bridge_config.c - ocpp_bridge's configuration beyond what the key table
 * checks: upstream URL, credentials, subprotocols, the CA file of a wss://
 * upstream, listening address, path prefix, charger list, register map.
 * validate() and init() both run br_config_parse(), so --check-config and
 * start-up can never disagree.
 */
#include <errno.h>
#include <string.h>
#include "conf_common/conf_check.h"
#include "ocpp_common/ocpp_conf.h"
#include "bridge.h"

/* ChargerID=user:password per item, for configured chargers only. */
static int br_config_credentials(gw_ctx_t *ctx, br_config_t *out)
{
    const char *const *items = gw_config_list(ctx, "upstream_credentials");
    out->credentials = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (size_t i = 0; items && items[i]; i++) {
        const char *eq = strchr(items[i], '=');
        if (!eq || eq == items[i] || !strchr(eq + 1, ':')) {
            gw_config_error(ctx, "upstream_credentials", "'%s' is not ChargerID=user:password",
                            items[i]);
            return -EINVAL;
        }
        char *id = g_strndup(items[i], (gsize)(eq - items[i]));
        if (out->chargers && gw_ocpp_chargers_find(out->chargers, id) < 0) {
            gw_config_error(ctx, "upstream_credentials", "charger '%s' is not configured", id);
            g_free(id);
            return -EINVAL;
        }
        g_hash_table_replace(out->credentials, id, gw_ws_client_basic_auth(eq + 1));
    }
    return 0;
}

/* A wss:// upstream is verified against ca_file: it must be readable. */
static int br_config_ca(gw_ctx_t *ctx, const br_config_t *out)
{
    const char *ca = gw_config_string(ctx, "ca_file");
    char *why = NULL;
    if (!out->upstream.tls)
        return 0; /* not used */
    if (!*ca) {
        if (!gw_config_bool(ctx, "tls_verify"))
            return 0;
        gw_config_error(ctx, "ca_file", "a wss:// upstream with tls_verify needs a CA file");
        return -EINVAL;
    }
    if (gw_conf_file_check(ca, GW_CONF_FILE_MAX, &why) < 0) {
        gw_config_error(ctx, "ca_file", "%s (needed for the wss:// upstream)", why);
        g_free(why);
        return -EINVAL;
    }
    return 0;
}

int br_config_parse(gw_ctx_t *ctx, br_config_t *out)
{
    char *why = NULL;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (gw_ws_client_url_parse(gw_config_string(ctx, "upstream_url"), &out->upstream, &why) < 0) {
        gw_config_error(ctx, "upstream_url", "%s", why);
        g_clear_pointer(&why, g_free);
        rc = -EINVAL;
    } else if (br_config_ca(ctx, out) < 0) {
        rc = -EINVAL;
    }
    out->subprotocols = g_strdupv((char **)gw_config_list(ctx, "subprotocols"));
    if (!out->subprotocols || !out->subprotocols[0]) {
        gw_config_error(ctx, "subprotocols", "at least one is needed");
        rc = -EINVAL;
    }
    if (gw_ocpp_conf_listener(ctx, false, BR_MAX_CONNECTORS, BR_MAX_INDEX, &out->chargers) < 0)
        rc = -EINVAL;
    /* credentials name chargers: checked against the list when it parsed */
    if (br_config_credentials(ctx, out) < 0)
        rc = -EINVAL;
    const char *check_id = gw_config_string(ctx, "check_charger_id");
    if (*check_id && out->chargers && gw_ocpp_chargers_find(out->chargers, check_id) < 0) {
        gw_config_error(ctx, "check_charger_id", "charger '%s' is not configured", check_id);
        rc = -EINVAL;
    }
    out->map = gw_regmap_load_conf(ctx, gw_config_string(ctx, "register_map"));
    if (!out->map)
        rc = -EINVAL;
    if (rc < 0)
        br_config_clear(out);
    return rc;
}

void br_config_clear(br_config_t *cfg)
{
    if (cfg->credentials)
        g_hash_table_destroy(cfg->credentials);
    g_strfreev(cfg->subprotocols);
    gw_ocpp_chargers_free(cfg->chargers);
    gw_regmap_free(cfg->map);
    memset(cfg, 0, sizeof *cfg);
}
