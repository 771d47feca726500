/* Test plugin that requires a newer minor ABI than the host has: must be
 * refused, naming the minor it needs. */
#include <gw/gw.h>

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)ctx; (void)api; (void)state;
    return 0;
}

GW_PLUGIN_EXPORT const gw_plugin_desc_t gw_plugin_descriptor = {
    .abi_major = GW_ABI_MAJOR, .abi_minor = GW_ABI_MINOR + 1, .size = sizeof(gw_plugin_desc_t),
    .abi_minor_required = GW_ABI_MINOR + 1,
    .name = "tp_new_minor", .version = "1.0", .description = "test plugin: requires a newer ABI minor",
    .init = tp_init,
};
