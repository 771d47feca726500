/* Test plugin as if built against the next SDK minor while requiring only
 * the current one: its descriptor is longer than the host's (a field the
 * next minor might append), and its function table knows an entry the host
 * lacks. The host must load and run it, reading the descriptor only up to
 * what it knows; the plugin must find the entry absent with the rule of
 * GW_API_HAS and fall back. What it found is in newer.* points. */
#include <errno.h>
#include <stddef.h>
#include <gw/gw.h>

/* The next minor's table: the current one plus an appended entry. */
typedef struct {
    gw_host_api_t current;
    int (*next_minor_fn)(gw_ctx_t *ctx);
} tp_next_api_t;

/* GW_API_HAS for an entry of the next minor's table. */
#define TP_NEXT_API_HAS(api, field) \
    (offsetof(tp_next_api_t, field) + sizeof(((tp_next_api_t *)0)->field) <= (api)->size)

/* The next minor's descriptor: the current one plus an appended op. */
typedef struct {
    gw_plugin_desc_t current;
    int (*next_minor_op)(gw_ctx_t *ctx, void *state);
} tp_next_desc_t;

static int tp_next_op(gw_ctx_t *ctx, void *state)
{
    (void)ctx; (void)state;
    return 0;
}

static gw_point_id_t tp_flag(gw_ctx_t *ctx, const char *name, int64_t v)
{
    gw_point_id_t id = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_BOOL,
                                                           .access = GW_ACCESS_R));
    if (id >= 0)
        gw_point_set_int(ctx, id, v);
    return id;
}

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)state;
    /* required (1.1) entries are there; the next minor's is not */
    int has_current = GW_API_HAS(api, point_range_set);
    int has_next = TP_NEXT_API_HAS(api, next_minor_fn);
    int rc = 0;
    if (has_next)
        rc = ((const tp_next_api_t *)(const void *)api)->next_minor_fn(ctx);
    else
        gw_log(ctx, GW_LOG_INFO, "host lacks the next minor's entry: falling back");
    if (rc < 0)
        return rc;
    if (tp_flag(ctx, "newer.has_current", has_current) < 0 ||
        tp_flag(ctx, "newer.has_next", has_next) < 0 || tp_flag(ctx, "newer.fallback", !has_next) < 0)
        return -EINVAL;
    return 0;
}

GW_PLUGIN_EXPORT const tp_next_desc_t gw_plugin_descriptor = {
    .current = {
        .abi_major = GW_ABI_MAJOR, .abi_minor = GW_ABI_MINOR + 1, .size = sizeof(tp_next_desc_t),
        .abi_minor_required = GW_ABI_MINOR,
        .name = "tp_newer_built", .version = "1.0",
        .description = "test plugin: built for a newer ABI minor, requires the current one",
        .init = tp_init,
    },
    .next_minor_op = tp_next_op,
};
