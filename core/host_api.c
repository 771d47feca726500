/* The function table handed to plugins: each entry forwards to the part of
 * the host that does the work, with the calling instance's context. */
#include "config.h"
#include "host.h"
#include "log.h"

#include <errno.h>
#include <string.h>

static void api_log_v(gw_ctx_t *ctx, gw_log_level_t level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void api_log_v(gw_ctx_t *ctx, gw_log_level_t level, const char *fmt, va_list ap)
{
    gw_log_writev(ctx->instance, level, fmt, ap);
}

static const char *api_instance_name(gw_ctx_t *ctx)
{
    return ctx->instance;
}

/* validate() must leave nothing behind: what would, is refused there. */
#define REFUSE_IN_VALIDATE(ctx, what, rc)                                                 \
    do {                                                                                  \
        if ((ctx)->validating) {                                                          \
            gw_log_write((ctx)->instance, GW_LOG_ERROR, "%s called from validate(): refused " \
                         "(validate must have no side effects)", (what));                 \
            return rc;                                                                    \
        }                                                                                 \
    } while (0)

static const char *api_state_dir(gw_ctx_t *ctx)
{
    REFUSE_IN_VALIDATE(ctx, "gw_state_dir", NULL);
    if (ctx->state_dir || !ctx->host->state_root) /* NULL: persistence is off */
        return ctx->state_dir;
    char *dir = g_build_filename(ctx->host->state_root, ctx->instance, NULL);
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        /* start-up fails on this once init() returns (host.c) */
        int e = errno;
        GPtrArray *why = g_ptr_array_new_with_free_func(g_free);
        gw_conf_error(ctx->host->conf, why, "core", "state_dir", "cannot create %s: %s", dir,
                      g_strerror(e));
        g_free(ctx->state_dir_error);
        ctx->state_dir_error = g_strdup(g_ptr_array_index(why, 0));
        g_ptr_array_free(why, TRUE);
        g_free(dir);
        return NULL;
    }
    ctx->state_dir = dir;
    return dir;
}

static gw_conf_value_t *conf_value(gw_ctx_t *ctx, const char *key)
{
    gw_conf_value_t *v = ctx->config ? g_hash_table_lookup(ctx->config, key) : NULL;
    if (!v)
        gw_log_write(ctx->instance, GW_LOG_ERROR, "configuration key '%s' read but not declared",
                     key ? key : "(null)");
    return v;
}

static int64_t api_config_int(gw_ctx_t *ctx, const char *key)
{
    gw_conf_value_t *v = conf_value(ctx, key);
    return v ? v->i : 0;
}

static double api_config_double(gw_ctx_t *ctx, const char *key)
{
    gw_conf_value_t *v = conf_value(ctx, key);
    return v ? v->d : 0.0;
}

static bool api_config_bool(gw_ctx_t *ctx, const char *key)
{
    gw_conf_value_t *v = conf_value(ctx, key);
    return v ? v->b : false;
}

static const char *api_config_string(gw_ctx_t *ctx, const char *key)
{
    gw_conf_value_t *v = conf_value(ctx, key);
    return v && v->s ? v->s : "";
}

static const char *const *api_config_list(gw_ctx_t *ctx, const char *key)
{
    static const char *const empty[] = { NULL };
    gw_conf_value_t *v = conf_value(ctx, key);
    return v && v->list ? (const char *const *)v->list : empty;
}

static gw_point_id_t api_point_register(gw_ctx_t *ctx, const gw_point_def_t *def)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_register", -EPERM);
    return gw_pointdb_register(ctx->host->points, ctx, def);
}

static gw_point_id_t api_point_lookup(gw_ctx_t *ctx, const char *name)
{
    return gw_pointdb_lookup(ctx->host->points, name);
}

static size_t api_point_count(gw_ctx_t *ctx)
{
    return gw_pointdb_count(ctx->host->points);
}

static int api_point_info(gw_ctx_t *ctx, gw_point_id_t id, gw_point_info_t *out)
{
    return gw_pointdb_info(ctx->host->points, id, out);
}

static int api_point_get(gw_ctx_t *ctx, gw_point_id_t id, gw_value_t *out)
{
    return gw_pointdb_get(ctx->host->points, id, out);
}

static int api_point_set(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_set", -EPERM);
    return gw_pointdb_set(ctx->host->points, ctx, id, v);
}

static int api_point_set_quality(gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q)
{
    return gw_pointdb_set_quality(ctx->host->points, ctx, id, q);
}

static int api_point_write(gw_ctx_t *ctx, const gw_point_write_t *w, size_t n,
                           gw_write_error_t *err)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_write", -EPERM);
    return gw_pointdb_write(ctx->host->points, w, n, err);
}

static int api_point_attr_set(gw_ctx_t *ctx, gw_point_id_t id, const char *k, const char *v)
{
    return gw_pointdb_attr_set(ctx->host->points, id, k, v);
}

static const char *api_point_attr_get(gw_ctx_t *ctx, gw_point_id_t id, const char *k)
{
    return gw_pointdb_attr_get(ctx->host->points, id, k);
}

static gw_sub_id_t api_point_subscribe(gw_ctx_t *ctx, const char *pattern, unsigned flags,
                                       gw_point_cb cb, void *user)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_subscribe", -EPERM);
    return gw_pointdb_subscribe(ctx->host->points, ctx, pattern, flags, cb, user);
}

static int api_point_unsubscribe(gw_ctx_t *ctx, gw_sub_id_t sub)
{
    return gw_pointdb_unsubscribe(ctx->host->points, ctx, sub);
}

static bool api_event_wanted(gw_ctx_t *ctx, const char *name)
{
    return gw_eventbus_wanted(ctx->host->events, name);
}

static int api_event_publish(gw_ctx_t *ctx, const char *name, struct json_object *payload)
{
    return gw_eventbus_publish(ctx->host->events, ctx, name, payload);
}

static gw_sub_id_t api_event_subscribe(gw_ctx_t *ctx, const char *prefix, gw_event_cb cb,
                                       void *user)
{
    REFUSE_IN_VALIDATE(ctx, "gw_event_subscribe", -EPERM);
    return gw_eventbus_subscribe(ctx->host->events, ctx, prefix, cb, user);
}

static int api_event_unsubscribe(gw_ctx_t *ctx, gw_sub_id_t sub)
{
    return gw_eventbus_unsubscribe(ctx->host->events, ctx, sub);
}

static gw_timer_id_t api_timer_add(gw_ctx_t *ctx, uint32_t ms, unsigned flags, gw_timer_cb cb,
                                   void *user)
{
    REFUSE_IN_VALIDATE(ctx, "gw_timer_add", -EPERM);
    return gw_loop_timer_add(ctx->host->loop, ctx, ms, flags, cb, user);
}

static int api_timer_cancel(gw_ctx_t *ctx, gw_timer_id_t id)
{
    return gw_loop_timer_cancel(ctx->host->loop, ctx, id);
}

static gw_watch_id_t api_watch_add(gw_ctx_t *ctx, int fd, unsigned events, gw_watch_cb cb,
                                   void *user)
{
    REFUSE_IN_VALIDATE(ctx, "gw_watch_add", -EPERM);
    return gw_loop_watch_add(ctx->host->loop, ctx, fd, events, cb, user);
}

static int api_watch_modify(gw_ctx_t *ctx, gw_watch_id_t id, unsigned events)
{
    return gw_loop_watch_modify(ctx->host->loop, ctx, id, events);
}

static int api_watch_remove(gw_ctx_t *ctx, gw_watch_id_t id)
{
    return gw_loop_watch_remove(ctx->host->loop, ctx, id);
}

static int api_post(gw_ctx_t *ctx, gw_post_fn fn, void *arg)
{
    REFUSE_IN_VALIDATE(ctx, "gw_post", -EPERM);
    return gw_loop_post(ctx->host->loop, ctx, fn, arg);
}

static int api_plugin_info(gw_ctx_t *ctx, size_t index, gw_plugin_info_t *out)
{
    gw_host_t *h = ctx->host;
    if (index >= h->instances->len)
        return -ENOENT;
    if (!out || out->size < sizeof(uint32_t))
        return -EINVAL;
    gw_ctx_t *c = g_ptr_array_index(h->instances, index);
    gw_plugin_info_t info = {
        .size = out->size, .instance = c->instance, .name = c->module->desc.name,
        .version = c->module->desc.version, .description = c->module->desc.description,
        .state = c->pstate,
    };
    memcpy(out, &info, out->size < sizeof info ? out->size : sizeof info);
    return 0;
}

static void api_config_error_v(gw_ctx_t *ctx, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void api_config_error_v(gw_ctx_t *ctx, const char *key, const char *fmt, va_list ap)
{
    /* no format: the line is "[group] key:" with an empty reason */
    char *why = fmt ? g_strdup_vprintf(fmt, ap) : g_strdup("");
    gw_host_config_error(ctx, key, why);
    g_free(why);
}

static int api_point_enum_set(gw_ctx_t *ctx, gw_point_id_t id, const char *values)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_enum_set", -EPERM);
    return gw_pointdb_enum_set(ctx->host->points, ctx, id, values);
}

static int api_point_range_set(gw_ctx_t *ctx, gw_point_id_t id, int64_t min, int64_t max)
{
    REFUSE_IN_VALIDATE(ctx, "gw_point_range_set", -EPERM);
    return gw_pointdb_range_set(ctx->host->points, ctx, id, min, max);
}

static int api_config_claim(gw_ctx_t *ctx, const char *key, const char *kind, const char *value)
{
    return gw_host_config_claim(ctx, key, kind, value);
}

static const gw_host_api_t host_api = {
    .size = sizeof(gw_host_api_t),
    .abi_major = GW_ABI_MAJOR,
    .abi_minor = GW_ABI_MINOR,
    .log_v = api_log_v,
    .instance_name = api_instance_name,
    .state_dir = api_state_dir,
    .config_int = api_config_int,
    .config_double = api_config_double,
    .config_bool = api_config_bool,
    .config_string = api_config_string,
    .config_list = api_config_list,
    .point_register = api_point_register,
    .point_lookup = api_point_lookup,
    .point_count = api_point_count,
    .point_info = api_point_info,
    .point_get = api_point_get,
    .point_set = api_point_set,
    .point_set_quality = api_point_set_quality,
    .point_write = api_point_write,
    .point_attr_set = api_point_attr_set,
    .point_attr_get = api_point_attr_get,
    .point_subscribe = api_point_subscribe,
    .point_unsubscribe = api_point_unsubscribe,
    .event_wanted = api_event_wanted,
    .event_publish = api_event_publish,
    .event_subscribe = api_event_subscribe,
    .event_unsubscribe = api_event_unsubscribe,
    .timer_add = api_timer_add,
    .timer_cancel = api_timer_cancel,
    .watch_add = api_watch_add,
    .watch_modify = api_watch_modify,
    .watch_remove = api_watch_remove,
    .post = api_post,
    .plugin_info = api_plugin_info,
    .config_error_v = api_config_error_v,
    .point_enum_set = api_point_enum_set,
    .point_range_set = api_point_range_set,
    /* ABI 1.1: claims */
    .config_claim = api_config_claim,
};

const gw_host_api_t *gw_host_api(void)
{
    return &host_api;
}
