/* Test plugin whose init fails: start-up must stop, naming it. */
#include <errno.h>
#include <gw/gw.h>

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api; (void)state;
    gw_log(ctx, GW_LOG_ERROR, "refusing to start (test)");
    return -EIO;
}

GW_PLUGIN_DEFINE("tp_fail_init", "1.0", "test plugin: init fails", .init = tp_init);
