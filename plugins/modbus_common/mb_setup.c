/*
 * mb_setup.c - what every Modbus transport does at init: load the map
 * file named by its `register_map` key and build the engine over it with
 * the `float_order` it was given. Nothing here touches points: validate()
 * builds the engine too, and frees it. Problems are reported with
 * gw_config_error() under the key at fault.
 */
#include <glib.h>
#include "mb_engine.h"

gw_mb_engine_t *gw_mb_engine_load(gw_ctx_t *ctx, const char *map_path, const char *float_order,
                                  unsigned chargers, unsigned first_charger, gw_regmap_t **map)
{
    gw_mb_engine_config_t cfg = { chargers, first_charger, GW_MB_ORDER_ABCD };
    gw_mb_engine_t *e;
    char *err = NULL;

    *map = NULL;
    if (gw_mb_order_parse(float_order, &cfg.order) < 0) {
        gw_config_error(ctx, "float_order", "unknown byte order '%s'", float_order);
        return NULL;
    }
    *map = gw_regmap_load_conf(ctx, map_path);
    if (!*map)
        return NULL;
    e = gw_mb_engine_new(ctx, *map, &cfg, &err);
    if (!e) {
        gw_config_error(ctx, "register_map", "%s: %s", map_path, err);
        g_free(err);
        gw_regmap_free(*map);
        *map = NULL;
    }
    return e;
}
