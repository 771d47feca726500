/* Test plugin built for a future major ABI: must be refused. */
#include <gw/gw.h>

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)ctx; (void)api; (void)state;
    return 0;
}

GW_PLUGIN_EXPORT const gw_plugin_desc_t gw_plugin_descriptor = {
    .abi_major = GW_ABI_MAJOR + 1, .abi_minor = 0, .size = sizeof(gw_plugin_desc_t),
    .name = "tp_bad_abi", .version = "1.0", .description = "test plugin: wrong ABI major",
    .init = tp_init,
};
