/* Test plugin whose init fails after leaving a timer and a subscription
 * behind: start-up must stop naming it, the host must clean up after it,
 * and must never call fini() (which would abort) after a failed init. */
#include <errno.h>
#include <stdlib.h>
#include <gw/gw.h>

static void tp_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    (void)ctx; (void)id; (void)user;
}

static void tp_event(gw_ctx_t *ctx, const char *name, struct json_object *p, void *user)
{
    (void)ctx; (void)name; (void)p; (void)user;
}

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api; (void)state;
    gw_timer_add(ctx, 1, GW_TIMER_REPEAT, tp_tick, NULL);
    gw_event_subscribe(ctx, "", tp_event, NULL);
    gw_log(ctx, GW_LOG_ERROR, "refusing to start (test)");
    return -EIO;
}

static void tp_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx; (void)state;
    abort(); /* fini after a failed init is a host bug */
}

GW_PLUGIN_DEFINE("tp_fail_init", "1.0", "test plugin: init fails", .init = tp_init,
                 .fini = tp_fini);
