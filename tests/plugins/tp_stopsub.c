/* Test plugin for the stop order: subscribes to stopset.value and to
 * "stopset." events, and owns PREFIX.cmd (writable). It counts what reaches
 * it while running in PREFIX.seen (and the last value in PREFIX.last), and
 * anything that reaches it after its own stop() in PREFIX.late, which the
 * host must keep at 0; such a call is also logged as an error. Its stop()
 * posts a function that tries to add a timer and a subscription; the host
 * runs it after stop() and must refuse both (PREFIX.post_timer, .post_sub). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <gw/gw.h>

typedef struct {
    gw_point_id_t seen, last, late, cmd, post_timer, post_sub;
    bool stopped;
} tp_t;

static const gw_config_key_t tp_keys[] = {
    GW_CONFIG_STRING("prefix", "stopsub", "point name prefix"),
    GW_CONFIG_END,
};

static void tp_count(gw_ctx_t *ctx, tp_t *tp, const char *what)
{
    gw_value_t n;
    gw_point_id_t id = tp->stopped ? tp->late : tp->seen;
    if (tp->stopped)
        gw_log(ctx, GW_LOG_ERROR, "%s reached this instance after its stop()", what);
    gw_point_get(ctx, id, &n);
    gw_point_set_int(ctx, id, n.u.i + 1);
}

static void tp_on_value(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q,
                        void *user)
{
    tp_t *tp = user;
    (void)id;
    (void)q;
    tp_count(ctx, tp, "a subscription");
    if (!tp->stopped)
        gw_point_set_int(ctx, tp->last, v->u.i);
}

static void tp_on_event(gw_ctx_t *ctx, const char *name, struct json_object *payload, void *user)
{
    (void)name;
    (void)payload;
    tp_count(ctx, user, "an event");
}

static void tp_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    (void)id;
    (void)v;
    tp_count(ctx, user, "a write handler");
}

static gw_point_id_t tp_point(gw_ctx_t *ctx, tp_t *tp, const char *suffix, gw_access_t access)
{
    char name[128];
    snprintf(name, sizeof name, "%s.%s", gw_config_string(ctx, "prefix"), suffix);
    return gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_INT32,
                                                .access = access, .on_write = tp_on_write,
                                                .user = tp));
}

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    tp_t *tp = calloc(1, sizeof *tp);
    if (!tp)
        return -ENOMEM;
    tp->seen = tp_point(ctx, tp, "seen", GW_ACCESS_R);
    tp->last = tp_point(ctx, tp, "last", GW_ACCESS_R);
    tp->late = tp_point(ctx, tp, "late", GW_ACCESS_R);
    tp->cmd = tp_point(ctx, tp, "cmd", GW_ACCESS_RW);
    tp->post_timer = tp_point(ctx, tp, "post_timer", GW_ACCESS_R);
    tp->post_sub = tp_point(ctx, tp, "post_sub", GW_ACCESS_R);
    if (tp->seen < 0 || tp->last < 0 || tp->late < 0 || tp->cmd < 0 || tp->post_timer < 0 ||
        tp->post_sub < 0) {
        free(tp);
        return -EINVAL;
    }
    gw_point_set_int(ctx, tp->seen, 0);
    gw_point_set_int(ctx, tp->late, 0);
    *state = tp;
    return 0;
}

static int tp_start(gw_ctx_t *ctx, void *state)
{
    gw_sub_id_t s = gw_point_subscribe(ctx, "stopset.value", GW_SUB_EXACT, tp_on_value, state);
    if (s < 0)
        return (int)s;
    s = gw_event_subscribe(ctx, "stopset.", tp_on_event, state);
    return s < 0 ? (int)s : 0;
}

static void tp_noop_timer(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    (void)id;
    tp_count(ctx, user, "a timer");
}

/* Runs after stop(): what would call the instance back must be refused. */
static void tp_after_stop(gw_ctx_t *ctx, void *arg)
{
    tp_t *tp = arg;
    gw_timer_id_t t = gw_timer_add(ctx, 1, GW_TIMER_ONCE, tp_noop_timer, tp);
    gw_sub_id_t s = gw_point_subscribe(ctx, "stopset.value", GW_SUB_EXACT, tp_on_value, tp);
    gw_point_set_int(ctx, tp->post_timer, t);
    gw_point_set_int(ctx, tp->post_sub, s);
}

/* Leaves its subscriptions in place on purpose: the host must cut them. */
static void tp_stop(gw_ctx_t *ctx, void *state)
{
    tp_t *tp = state;
    tp->stopped = true;
    gw_post(ctx, tp_after_stop, tp);
}

static void tp_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    free(state);
}

GW_PLUGIN_DEFINE("tp_stopsub", "1.0", "test plugin: subscribes to points set in stop()",
                 .flags = GW_PLUGIN_MULTI_INSTANCE, .config_keys = tp_keys, .init = tp_init,
                 .start = tp_start, .stop = tp_stop, .fini = tp_fini);
