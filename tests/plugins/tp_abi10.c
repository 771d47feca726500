/* Test plugin built as against SDK ABI 1.0: its descriptor ends before
 * `validate` (size says so), so the host must load it, check its key table
 * and run it without ever reading past its descriptor. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <gw/gw.h>

static const gw_config_key_t tp_keys[] = {
    GW_CONFIG_INT("count", "1", 0, 100, "how many points to register"),
    GW_CONFIG_END,
};

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    char name[32];
    (void)api;
    (void)state;
    for (int64_t i = 0; i < gw_config_int(ctx, "count"); i++) {
        snprintf(name, sizeof name, "abi10.%d", (int)i);
        gw_point_id_t id = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_UINT16,
                                                               .access = GW_ACCESS_R));
        if (id < 0)
            return (int)id;
    }
    gw_log(ctx, GW_LOG_INFO, "ABI 1.0 plugin initialised");
    return 0;
}

/* A 1.0 descriptor: the fields up to fini, and a size that ends there. */
typedef struct {
    uint32_t abi_major, abi_minor, size, flags;
    const char *name, *version, *description;
    const gw_config_key_t *config_keys;
    int (*init)(gw_ctx_t *, const gw_host_api_t *, void **);
    int (*start)(gw_ctx_t *, void *);
    void (*stop)(gw_ctx_t *, void *);
    void (*fini)(gw_ctx_t *, void *);
} tp_desc_1_0_t;

GW_PLUGIN_EXPORT const tp_desc_1_0_t gw_plugin_descriptor = {
    .abi_major = 1, .abi_minor = 0, .size = sizeof(tp_desc_1_0_t),
    .name = "tp_abi10", .version = "1.0", .description = "test plugin: built against ABI 1.0",
    .config_keys = tp_keys, .init = tp_init,
};
