/*
 * example - the template plugin: a counter that ticks every `interval_ms`
 * and a writable set-point that refuses negative values.
 *
 * Copy sdk/template/ to start a plugin of your own; docs/plugin-guide.md
 * walks through it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gw/gw.h>

typedef struct example {
    gw_point_id_t counter;
    gw_point_id_t setpoint;
    gw_timer_id_t timer;
} example_t;

static const gw_config_key_t example_keys[] = {
    GW_CONFIG_STRING("prefix", "example", "name prefix of the plugin's points"),
    GW_CONFIG_INT("interval_ms", "1000", 10, 3600000, "how often the counter ticks"),
    GW_CONFIG_END,
};

static void example_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    example_t *ex = user;
    gw_value_t v;
    (void)id;
    gw_point_get(ctx, ex->counter, &v);
    gw_point_set_int(ctx, ex->counter, (v.u.i + 1) & 0xffff);
}

/* Writes from outside (a Modbus master, the viewer) land here first: refuse
 * what makes no sense, without side effects. */
static int example_check(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value, void *user,
                         const char **reason)
{
    (void)ctx;
    (void)id;
    (void)user;
    if (value->u.f < 0) {
        *reason = "set-point must not be negative";
        return -ERANGE;
    }
    return 0;
}

static void example_written(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value, void *user)
{
    (void)id;
    (void)user;
    gw_log(ctx, GW_LOG_INFO, "set-point is now %g", value->u.f);
}

/* What the key table cannot say: the prefix must make valid point names.
 * validate() and init() both call this, so `gatewayd --check-config` and
 * start-up always agree. Report with gw_config_error(): the user sees
 * "FILE: [example] prefix: reason". */
static int example_config_check(gw_ctx_t *ctx)
{
    const char *prefix = gw_config_string(ctx, "prefix");
    size_t len = strlen(prefix);
    if (len == 0 || len > 200 || prefix[0] == '.' || prefix[len - 1] == '.') {
        gw_config_error(ctx, "prefix", "'%s': 1-200 characters, not starting or ending with '.'",
                        prefix);
        return -EINVAL;
    }
    for (const char *c = prefix; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.')) {
            gw_config_error(ctx, "prefix", "'%s': only a-z, 0-9, '_' and '.'", prefix);
            return -EINVAL;
        }
    return 0;
}

/* Check the whole configuration without side effects: no points, timers,
 * files or sockets here (SDK 1.1; gatewayd runs it before any init). */
static int example_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    (void)api;
    return example_config_check(ctx);
}

static int example_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    int rc = example_config_check(ctx); /* the same checks as validate() */
    if (rc < 0)
        return rc;
    example_t *ex = calloc(1, sizeof *ex);
    if (!ex)
        return -ENOMEM;
    const char *prefix = gw_config_string(ctx, "prefix");
    char name[256];

    snprintf(name, sizeof name, "%s.counter", prefix);
    ex->counter = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_UINT16,
                                                       .access = GW_ACCESS_R,
                                                       .description = "ticks since start"));
    snprintf(name, sizeof name, "%s.setpoint", prefix);
    ex->setpoint = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_FLOAT32,
                                                        .access = GW_ACCESS_RW, .unit = "A",
                                                        .check = example_check,
                                                        .on_write = example_written));
    if (ex->counter < 0 || ex->setpoint < 0) {
        rc = ex->counter < 0 ? ex->counter : ex->setpoint;
        free(ex);
        return rc;
    }
    gw_point_set_int(ctx, ex->counter, 0);
    gw_point_set_float(ctx, ex->setpoint, 16.0);
    *state = ex;
    return 0;
}

static int example_start(gw_ctx_t *ctx, void *state)
{
    example_t *ex = state;
    ex->timer = gw_timer_add(ctx, (uint32_t)gw_config_int(ctx, "interval_ms"), GW_TIMER_REPEAT,
                             example_tick, ex);
    return ex->timer < 0 ? (int)ex->timer : 0;
}

static void example_stop(gw_ctx_t *ctx, void *state)
{
    example_t *ex = state;
    gw_timer_cancel(ctx, ex->timer);
}

static void example_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    free(state);
}

GW_PLUGIN_DEFINE("example", "1.0.0", "Template plugin: a counter and a set-point",
                 .flags = GW_PLUGIN_MULTI_INSTANCE,
                 .config_keys = example_keys,
                 .validate = example_validate,
                 .init = example_init,
                 .start = example_start,
                 .stop = example_stop,
                 .fini = example_fini);
