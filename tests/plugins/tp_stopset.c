/* Test plugin for the stop order: sets stopset.value in start() (1) and
 * again in stop() (2), publishes "stopset.stopping" in stop(), and in stop()
 * writes the point named by `write_to` (a tp_stopsub that may already have
 * stopped), keeping the result in stopset.write_rc. */
#include <errno.h>
#include <stdlib.h>
/* It uses nothing after ABI 1.0: hosts back to 1.0 may load it. */
#define GW_PLUGIN_REQUIRES_MINOR 0
#include <gw/gw.h>

typedef struct {
    gw_point_id_t value, write_rc;
} tp_t;

static const gw_config_key_t tp_keys[] = {
    GW_CONFIG_STRING("write_to", "", "a point stop() writes to (empty: none)"),
    GW_CONFIG_END,
};

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    tp_t *tp = calloc(1, sizeof *tp);
    if (!tp)
        return -ENOMEM;
    tp->value = gw_point_register(ctx, &GW_POINT_DEF(.name = "stopset.value", .type = GW_TYPE_INT32,
                                                     .access = GW_ACCESS_R));
    tp->write_rc = gw_point_register(ctx, &GW_POINT_DEF(.name = "stopset.write_rc",
                                                        .type = GW_TYPE_INT32,
                                                        .access = GW_ACCESS_R));
    if (tp->value < 0 || tp->write_rc < 0) {
        int rc = tp->value < 0 ? (int)tp->value : (int)tp->write_rc;
        free(tp);
        return rc;
    }
    *state = tp;
    return 0;
}

static int tp_start(gw_ctx_t *ctx, void *state)
{
    tp_t *tp = state;
    return gw_point_set_int(ctx, tp->value, 1);
}

/* What ocpp_cs does as it closes: set points others may subscribe to. */
static void tp_stop(gw_ctx_t *ctx, void *state)
{
    tp_t *tp = state;
    gw_point_set_int(ctx, tp->value, 2);
    gw_event_publish(ctx, "stopset.stopping", NULL);
    const char *target = gw_config_string(ctx, "write_to");
    if (*target) {
        gw_value_t one = gw_value_int(1);
        const char *why = NULL;
        int rc = gw_point_write_one(ctx, gw_point_lookup(ctx, target), &one, &why);
        gw_log(ctx, GW_LOG_INFO, "write to %s in stop(): %d (%s)", target, rc, why ? why : "ok");
        gw_point_set_int(ctx, tp->write_rc, rc);
    }
}

static void tp_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    free(state);
}

GW_PLUGIN_DEFINE("tp_stopset", "1.0", "test plugin: sets points in stop()",
                 .config_keys = tp_keys, .init = tp_init, .start = tp_start, .stop = tp_stop,
                 .fini = tp_fini);
