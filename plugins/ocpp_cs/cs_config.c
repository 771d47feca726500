/*
 * cs_config.c - ocpp_cs's configuration beyond what the key table checks:
 * the listening address, the path prefix, the charger list and the
 * register map. validate() and init() both run cs_config_parse(), so
 * --check-config and start-up can never disagree.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include "conf_common/conf_check.h"
#include "ocpp_common/ocpp_claims.h"
#include "ocpp_common/ocpp_conf.h"
#include "cs.h"

int cs_config_parse(gw_ctx_t *ctx, cs_config_t *out)
{
    char *why = NULL;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (gw_conf_addr_check(gw_config_string(ctx, "bind_address"), true, &why) < 0) {
        gw_config_error(ctx, "bind_address", "%s", why);
        g_clear_pointer(&why, g_free);
        rc = -EINVAL;
    } else {
        /* the port is this instance's alone (another plugin may want it too) */
        gw_config_claim_tcp(ctx, "port", gw_config_string(ctx, "bind_address"),
                            (int)gw_config_int(ctx, "port"));
    }
    if (gw_ocpp_conf_path_prefix(ctx) < 0)
        rc = -EINVAL;
    /* Indexes past the map's 20 chargers are allowed (further Modbus unit
     * ids); the map decides which of their registers exist. */
    out->chargers = gw_ocpp_chargers_parse(gw_config_list(ctx, "chargers"),
                                           (int)gw_config_int(ctx, "connectors"),
                                           CS_MAX_CONNECTORS, CS_MAX_INDEX, &why);
    if (!out->chargers) {
        gw_config_error(ctx, "chargers", "%s", why);
        g_clear_pointer(&why, g_free);
        rc = -EINVAL;
    } else {
        /* a charger is served by one instance only: index and id */
        gw_ocpp_chargers_claim(ctx, "chargers", out->chargers);
    }
    out->map = gw_regmap_load(gw_config_string(ctx, "register_map"), &why);
    if (!out->map) {
        gw_config_error(ctx, "register_map", "%s", why ? why : "cannot load");
        g_clear_pointer(&why, g_free);
        rc = -EINVAL;
    }
    if (rc < 0)
        cs_config_clear(out);
    return rc;
}

void cs_config_clear(cs_config_t *cfg)
{
    gw_ocpp_chargers_free(cfg->chargers);
    gw_regmap_free(cfg->map);
    cfg->chargers = NULL;
    cfg->map = NULL;
}
