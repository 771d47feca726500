/*
 * diag_points - a test plugin for the viewer's tests and benchmark: it owns
 * points of every type, changes them on demand, and can churn `count` bulk
 * points at `rate` changes per second.
 *
 *   PREFIX.status     R  uint16, enum + modbus attributes
 *   PREFIX.power      R  float32 (kW)
 *   PREFIX.label      R  string(20)
 *   PREFIX.setpoint   RW uint16 0..100; the owner refuses 13 with a reason
 *   PREFIX.bump       W  uint16: writing N sets status to N and label to "bump N"
 *   PREFIX.emit       W  uint16: writing N publishes the events the OCPP and
 *                        Modbus plugins would (charger CP-N connected and
 *                        booted, a frame each way, an unknown charger knocking,
 *                        a Modbus request and an exception), for the console,
 *                        chargers panel and metrics before those plugins exist
 *   PREFIX.bulk.NNNNN R  uint16 x count, changed round-robin at rate/s
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <json-c/json.h>
#include <gw/gw.h>

typedef struct diag_points {
    gw_point_id_t status, power, label, setpoint, bump, emit;
    gw_point_id_t *bulk;
    size_t count;
    size_t next;
    uint32_t rate;
    uint64_t ticks;
    gw_timer_id_t timer;
} diag_points_t;

#define DIAG_POINTS_TICK_MS 10

static const gw_config_key_t diag_points_keys[] = {
    GW_CONFIG_STRING("prefix", "diagtest", "name prefix of the points"),
    GW_CONFIG_INT("count", "0", 0, 100000, "bulk points to register"),
    GW_CONFIG_INT("rate", "0", 0, 1000000, "bulk changes per second"),
    GW_CONFIG_END,
};

static int diag_points_check(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value,
                             void *user, const char **reason)
{
    if (value->u.i == 13) {
        *reason = "13 is refused by the test plugin";
        return -EINVAL;
    }
    return 0;
}

static void diag_points_bumped(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value,
                               void *user)
{
    diag_points_t *dp = user;
    char label[32];
    snprintf(label, sizeof label, "bump %lld", (long long)value->u.i);
    gw_point_set_int(ctx, dp->status, value->u.i);
    gw_point_set_string(ctx, dp->label, label);
    gw_point_set_float(ctx, dp->power, (double)value->u.i / 4.0);
}

static json_object *diag_points_obj(const char *charger, int64_t time_ms)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(charger));
    json_object_object_add(o, "time", json_object_new_int64(time_ms));
    return o;
}

static void diag_points_publish(gw_ctx_t *ctx, const char *name, json_object *o)
{
    if (gw_event_wanted(ctx, name))
        gw_event_publish(ctx, name, o);
    else
        json_object_put(o);
}

static void diag_points_emitted(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value,
                                void *user)
{
    char charger[32], unknown[32];
    int64_t n = value->u.i, now = 1700000000000LL + n * 1000;
    snprintf(charger, sizeof charger, "CP-%lld", (long long)n);
    snprintf(unknown, sizeof unknown, "ROGUE-%lld", (long long)n);

    json_object *o = diag_points_obj(charger, now);
    json_object_object_add(o, "index", json_object_new_int64(n));
    json_object_object_add(o, "event", json_object_new_string("connected"));
    json_object_object_add(o, "address", json_object_new_string("127.0.0.1"));
    diag_points_publish(ctx, "ocpp.charger", o);

    o = diag_points_obj(charger, now);
    json_object_object_add(o, "direction", json_object_new_string("in"));
    json_object_object_add(o, "action", json_object_new_string("BootNotification"));
    json_object_object_add(o, "frame", json_object_new_string(
        "[2,\"1\",\"BootNotification\",{\"chargePointVendor\":\"Acme\",\"chargePointModel\":\"Volt\"}]"));
    diag_points_publish(ctx, "ocpp.frame", o);

    o = diag_points_obj(charger, now);
    json_object_object_add(o, "index", json_object_new_int64(n));
    json_object_object_add(o, "event", json_object_new_string("boot"));
    json_object_object_add(o, "vendor", json_object_new_string("Acme"));
    json_object_object_add(o, "model", json_object_new_string("Volt"));
    diag_points_publish(ctx, "ocpp.charger", o);

    o = diag_points_obj(charger, now + 1);
    json_object_object_add(o, "direction", json_object_new_string("out"));
    json_object_object_add(o, "action", json_object_new_string("BootNotification"));
    json_object_object_add(o, "frame", json_object_new_string(
        "[3,\"1\",{\"status\":\"Accepted\",\"currentTime\":\"2023-11-14T22:13:20Z\",\"interval\":60}]"));
    diag_points_publish(ctx, "ocpp.frame", o);

    o = json_object_new_object();
    json_object_object_add(o, "charger_id", json_object_new_string(unknown));
    json_object_object_add(o, "address", json_object_new_string("127.0.0.2"));
    json_object_object_add(o, "first_seen", json_object_new_int64(now - 60000));
    json_object_object_add(o, "last_seen", json_object_new_int64(now));
    json_object_object_add(o, "attempts", json_object_new_int64(3));
    diag_points_publish(ctx, "ocpp.scan", o);

    for (int exc = 0; exc <= 2; exc += 2) {
        o = json_object_new_object();
        json_object_object_add(o, "transport", json_object_new_string("tcp"));
        json_object_object_add(o, "client", json_object_new_string("127.0.0.1:40000"));
        json_object_object_add(o, "unit", json_object_new_int(1));
        json_object_object_add(o, "function", json_object_new_int(3));
        json_object_object_add(o, "address", json_object_new_int(exc ? 65000 : 100));
        json_object_object_add(o, "count", json_object_new_int(2));
        json_object_object_add(o, "exception", json_object_new_int(exc));
        json_object_object_add(o, "time", json_object_new_int64(now));
        diag_points_publish(ctx, "modbus.request", o);
    }
}

static void diag_points_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    diag_points_t *dp = user;
    /* spread rate over the ticks of a second without drifting */
    uint64_t before = dp->ticks * dp->rate * DIAG_POINTS_TICK_MS / 1000;
    dp->ticks++;
    uint64_t after = dp->ticks * dp->rate * DIAG_POINTS_TICK_MS / 1000;
    for (uint64_t i = before; i < after; i++) {
        gw_point_set_int(ctx, dp->bulk[dp->next], (int64_t)(i & 0xffff));
        dp->next = (dp->next + 1) % dp->count;
    }
}

static gw_point_id_t diag_points_reg(gw_ctx_t *ctx, const char *prefix, const char *leaf,
                                     gw_point_def_t def)
{
    char name[256];
    snprintf(name, sizeof name, "%s.%s", prefix, leaf);
    def.name = name;
    return gw_point_register(ctx, &def);
}

static int diag_points_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    diag_points_t *dp = calloc(1, sizeof *dp);
    if (!dp)
        return -ENOMEM;
    const char *prefix = gw_config_string(ctx, "prefix");
    dp->count = (size_t)gw_config_int(ctx, "count");
    dp->rate = (uint32_t)gw_config_int(ctx, "rate");
    dp->timer = -1;
    dp->status = diag_points_reg(ctx, prefix, "status",
                                 GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_R));
    dp->power = diag_points_reg(ctx, prefix, "power",
                                GW_POINT_DEF(.type = GW_TYPE_FLOAT32, .access = GW_ACCESS_R,
                                             .unit = "kW"));
    dp->label = diag_points_reg(ctx, prefix, "label",
                                GW_POINT_DEF(.type = GW_TYPE_STRING, .access = GW_ACCESS_R,
                                             .max_len = 20));
    dp->setpoint = diag_points_reg(ctx, prefix, "setpoint",
                                   GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_RW,
                                                .flags = GW_POINT_RANGE, .min = 0, .max = 100,
                                                .check = diag_points_check, .unit = "A"));
    dp->bump = diag_points_reg(ctx, prefix, "bump",
                               GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_W,
                                            .on_write = diag_points_bumped, .user = dp));
    dp->emit = diag_points_reg(ctx, prefix, "emit",
                               GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_W,
                                            .on_write = diag_points_emitted, .user = dp));
    if (dp->status < 0 || dp->power < 0 || dp->label < 0 || dp->setpoint < 0 || dp->bump < 0 ||
        dp->emit < 0) {
        free(dp);
        return -EINVAL;
    }
    gw_point_attr_set(ctx, dp->status, "modbus.address", "9000");
    gw_point_attr_set(ctx, dp->status, "modbus.registers", "1");
    gw_point_attr_set(ctx, dp->status, "enum", "0=Available;1=Preparing;2=Charging");
    gw_point_attr_set(ctx, dp->setpoint, "modbus.address", "9001");
    gw_point_attr_set(ctx, dp->setpoint, "modbus.registers", "1");
    gw_point_set_int(ctx, dp->status, 0);
    gw_point_set_float(ctx, dp->power, 7.4);
    gw_point_set_string(ctx, dp->label, "idle");
    gw_point_set_int(ctx, dp->setpoint, 16);

    dp->bulk = calloc(dp->count ? dp->count : 1, sizeof *dp->bulk);
    if (!dp->bulk) {
        free(dp);
        return -ENOMEM;
    }
    for (size_t i = 0; i < dp->count; i++) {
        char leaf[32];
        snprintf(leaf, sizeof leaf, "bulk.%05zu", i);
        dp->bulk[i] = diag_points_reg(ctx, prefix, leaf,
                                      GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_R));
        if (dp->bulk[i] < 0) {
            int rc = dp->bulk[i];
            free(dp->bulk);
            free(dp);
            return rc;
        }
    }
    *state = dp;
    return 0;
}

static int diag_points_start(gw_ctx_t *ctx, void *state)
{
    diag_points_t *dp = state;
    if (!dp->count || !dp->rate)
        return 0;
    dp->timer = gw_timer_add(ctx, DIAG_POINTS_TICK_MS, GW_TIMER_REPEAT, diag_points_tick, dp);
    return dp->timer < 0 ? (int)dp->timer : 0;
}

static void diag_points_fini(gw_ctx_t *ctx, void *state)
{
    diag_points_t *dp = state;
    free(dp->bulk);
    free(dp);
}

GW_PLUGIN_DEFINE("diag_points", "1.0.0", "Test plugin: points for the viewer's tests",
                 .config_keys = diag_points_keys,
                 .init = diag_points_init,
                 .start = diag_points_start,
                 .fini = diag_points_fini);
