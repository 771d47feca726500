/*
 * cs_config.c - ocpp_cs's configuration beyond what the key table checks:
 * the listening address, the path prefix, the charger list and the
 * register map. validate() and init() both run cs_config_parse(), so
 * --check-config and start-up can never disagree.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include "ocpp_common/ocpp_conf.h"
#include "cs.h"

int cs_config_parse(gw_ctx_t *ctx, cs_config_t *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    /* Indexes past the map's 20 chargers are allowed (further Modbus unit
     * ids); the map decides which of their registers exist. */
    if (gw_ocpp_conf_listener(ctx, true, CS_MAX_CONNECTORS, CS_MAX_INDEX, &out->chargers) < 0)
        rc = -EINVAL;
    out->map = gw_regmap_load_conf(ctx, gw_config_string(ctx, "register_map"));
    if (!out->map)
        rc = -EINVAL;
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
