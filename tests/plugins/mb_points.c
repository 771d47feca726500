/*
 * mb_points - test plugin that owns the register map's points for the
 * Modbus tests, as an OCPP plugin would: every row the map enables for
 * `mode`, for `chargers` chargers (optionally only every `skip`-th charger
 * to leave absent rows).
 *
 * Known values so that masters can check every encoding:
 *   charger.{xx}.info.vendor                     "ACME-{xx}" (String)
 *   charger.{xx}.connector.{yy}.status           yy % 9 (Integer, enumerated)
 *   charger.{xx}.connector.{yy}.meter.voltage.l1_n  230.5 + xx (Float)
 *   charger.{xx}.connector.{yy}.transaction.timestamp  1700000000 + xx (DateTime)
 * Writes: the flags act on what is already written, so a request that
 * writes parameters and flag together shows the parameters:
 *   remote_start.flag = 1  ->  remote_start.result = remote_start.connector_id
 *   point `refuse_point` (config) refuses every write with -EBUSY.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <gw/gw.h>
#include "modbus_common/regmap.h"

typedef struct mb_points {
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    unsigned mode;
    unsigned registered;
    gw_point_id_t refuse;
} mb_points_t;

static const gw_config_key_t mb_points_keys[] = {
    GW_CONFIG_PATHNAME("register_map", "register-map.csv", "the register map"),
    GW_CONFIG_INT("chargers", "2", 0, 4940, "chargers whose points are registered"),
    GW_CONFIG_INT("first_charger", "0", 0, 4940, "the first of them"),
    GW_CONFIG_ENUM("mode", "bms", "bms|bridge", "which rows to own"),
    GW_CONFIG_STRING("refuse_point", "", "a point whose writes are refused (-EBUSY)"),
    GW_CONFIG_END,
};

static gw_type_t format_type(gw_regmap_format_t f)
{
    switch (f) {
    case GW_REGMAP_FLOAT: return GW_TYPE_FLOAT32;
    case GW_REGMAP_DATETIME: return GW_TYPE_DATETIME;
    case GW_REGMAP_STRING: return GW_TYPE_STRING;
    default: return GW_TYPE_UINT16;
    }
}

static int refuse_check(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value, void *user,
                        const char **reason)
{
    mb_points_t *mp = user;
    (void)ctx;
    (void)value;
    if (id == mp->refuse) {
        *reason = "refused by the test plugin";
        return -EBUSY;
    }
    return 0;
}

/* remote_start.flag = 1: copy the connector id written with it (or before). */
static void flag_written(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value, void *user)
{
    gw_point_info_t info = { .size = sizeof info };
    char name[160];
    gw_value_t conn;
    gw_point_id_t src, dst;
    (void)user;
    if (value->u.i != 1 || gw_point_info(ctx, id, &info) < 0 ||
        !g_str_has_suffix(info.name, ".remote_start.flag"))
        return;
    snprintf(name, sizeof name, "%.*s.connector_id", (int)(strlen(info.name) - 5), info.name);
    src = gw_point_lookup(ctx, name);
    snprintf(name, sizeof name, "%.*s.result", (int)(strlen(info.name) - 5), info.name);
    dst = gw_point_lookup(ctx, name);
    if (src >= 0 && dst >= 0 && gw_point_get(ctx, src, &conn) == 0)
        gw_point_set_int(ctx, dst, conn.u.i);
}

static void initial_value(gw_ctx_t *ctx, gw_point_id_t id, const gw_regmap_signal_t *sig)
{
    const char *t = sig->row->point;
    char buf[32];
    if (g_str_has_suffix(t, ".info.vendor")) {
        snprintf(buf, sizeof buf, "ACME-%u", sig->index[0]);
        gw_point_set_string(ctx, id, buf);
    } else if (g_str_has_suffix(t, ".connector.{yy}.status")) {
        gw_point_set_int(ctx, id, sig->index[1] % 9);
    } else if (g_str_has_suffix(t, ".meter.voltage.l1_n")) {
        gw_point_set_float(ctx, id, 230.5 + sig->index[0]);
    } else if (g_str_has_suffix(t, ".transaction.timestamp")) {
        gw_point_set_int(ctx, id, 1700000000 + sig->index[0]);
    }
}

static int register_signal(const gw_regmap_signal_t *sig, void *user)
{
    mb_points_t *mp = user;
    char name[160];
    gw_point_id_t id;
    if (!sig->row->enabled || !(sig->row->modes & mp->mode))
        return 0;
    if (gw_regmap_point_name(sig, mp->map, name, sizeof name) < 0)
        return -ENAMETOOLONG;
    /* global rows repeat on every page: register them once */
    if (gw_point_lookup(mp->ctx, name) >= 0)
        return 0;
    id = gw_point_register(mp->ctx,
                           &GW_POINT_DEF(.name = name, .type = format_type(sig->row->format),
                                         .access = sig->row->access,
                                         .max_len = 2 * sig->row->registers,
                                         .check = refuse_check, .on_write = flag_written,
                                         .user = mp));
    if (id < 0) {
        gw_log(mp->ctx, GW_LOG_ERROR, "cannot register %s: %s (after %u points)", name,
               strerror(-id), mp->registered);
        return id;
    }
    mp->registered++;
    /* as ocpp_cs does: the map's enumeration, declared to the point
     * database, which refuses other values for every writer */
    if (*sig->row->values && sig->row->format == GW_REGMAP_INTEGER &&
        gw_point_enum_set(mp->ctx, id, sig->row->values) < 0)
        gw_log(mp->ctx, GW_LOG_ERROR, "%s: cannot declare values \"%s\"", name, sig->row->values);
    initial_value(mp->ctx, id, sig);
    return 0;
}

static int mb_points_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    mb_points_t *mp = g_new0(mb_points_t, 1);
    char *err = NULL;
    unsigned chargers = (unsigned)gw_config_int(ctx, "chargers");
    unsigned first = (unsigned)gw_config_int(ctx, "first_charger");
    unsigned per;
    int rc = 0;
    (void)api;
    mp->ctx = ctx;
    mp->refuse = -1;
    mp->mode = strcmp(gw_config_string(ctx, "mode"), "bridge") == 0 ? GW_REGMAP_MODE_BRIDGE
                                                                     : GW_REGMAP_MODE_BMS;
    mp->map = gw_regmap_load(gw_config_string(ctx, "register_map"), &err);
    if (!mp->map) {
        gw_log(ctx, GW_LOG_ERROR, "%s", err);
        g_free(err);
        g_free(mp);
        return -EINVAL;
    }
    per = gw_regmap_chargers_per_unit(mp->map);
    for (unsigned done = 0; rc == 0 && (done < chargers || done == 0); done += per)
        rc = gw_regmap_foreach_signal(mp->map, first + done, MIN(per, chargers - done),
                                      register_signal, mp);
    if (rc < 0) {
        gw_regmap_free(mp->map);
        g_free(mp);
        return rc;
    }
    if (*gw_config_string(ctx, "refuse_point"))
        mp->refuse = gw_point_lookup(ctx, gw_config_string(ctx, "refuse_point"));
    gw_log(ctx, GW_LOG_INFO, "registered %u points", mp->registered);
    *state = mp;
    return 0;
}

static void mb_points_fini(gw_ctx_t *ctx, void *state)
{
    mb_points_t *mp = state;
    (void)ctx;
    gw_regmap_free(mp->map);
    g_free(mp);
}

GW_PLUGIN_DEFINE("mb_points", "1.0", "test: owns the register map's points",
                 .config_keys = mb_points_keys, .init = mb_points_init, .fini = mb_points_fini);
