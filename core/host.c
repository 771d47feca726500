/* The host: plugin instances, their lifecycle, and the function table. */
#include "config.h"
#include "host.h"
#include "log.h"

#include <errno.h>
#include <event2/thread.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ the table */

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

static const char *api_state_dir(gw_ctx_t *ctx)
{
    if (ctx->state_dir)
        return ctx->state_dir;
    char *dir = g_build_filename(ctx->host->state_root, ctx->instance, NULL);
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        gw_log_write(ctx->instance, GW_LOG_ERROR, "cannot create state directory %s: %s", dir,
                     g_strerror(errno));
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
    return gw_pointdb_set(ctx->host->points, ctx, id, v);
}

static int api_point_set_quality(gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q)
{
    return gw_pointdb_set_quality(ctx->host->points, ctx, id, q);
}

static int api_point_write(gw_ctx_t *ctx, const gw_point_write_t *w, size_t n,
                           gw_write_error_t *err)
{
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
    return gw_eventbus_subscribe(ctx->host->events, ctx, prefix, cb, user);
}

static int api_event_unsubscribe(gw_ctx_t *ctx, gw_sub_id_t sub)
{
    return gw_eventbus_unsubscribe(ctx->host->events, ctx, sub);
}

static gw_timer_id_t api_timer_add(gw_ctx_t *ctx, uint32_t ms, unsigned flags, gw_timer_cb cb,
                                   void *user)
{
    return gw_loop_timer_add(ctx->host->loop, ctx, ms, flags, cb, user);
}

static int api_timer_cancel(gw_ctx_t *ctx, gw_timer_id_t id)
{
    return gw_loop_timer_cancel(ctx->host->loop, ctx, id);
}

static gw_watch_id_t api_watch_add(gw_ctx_t *ctx, int fd, unsigned events, gw_watch_cb cb,
                                   void *user)
{
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
};

const gw_host_api_t *gw_host_api(void)
{
    return &host_api;
}

/* ------------------------------------------------------------ log events */

static gw_host_t *log_host;
static __thread bool in_log_event;

/* Log lines become "log" events for the viewer's console, but only those
 * emitted on the loop thread: other threads must not touch the bus. */
static void log_to_event(const char *who, gw_log_level_t level, const char *msg)
{
    gw_host_t *h = log_host;
    if (!h || in_log_event || !pthread_equal(pthread_self(), h->loop_thread) ||
        !gw_eventbus_wanted(h->events, "log"))
        return;
    static const char *const names[] = { "", "", "", "error", "warning", "notice", "info", "debug" };
    in_log_event = true;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
    json_object_object_add(o, "level", json_object_new_string(names[level & 7]));
    json_object_object_add(o, "source", json_object_new_string(who));
    json_object_object_add(o, "message", json_object_new_string(msg));
    gw_eventbus_publish(h->events, NULL, "log", o);
    in_log_event = false;
}

/* ------------------------------------------------------------ lifecycle */

static const char *ctx_owner_name(gw_ctx_t *ctx)
{
    return ctx ? ctx->instance : "?";
}

char *gw_host_state_root(const char *configured)
{
    if (configured && *configured)
        return g_strdup(configured);
    if (geteuid() == 0)
        return g_strdup("/var/lib/gatewayd");
    return g_build_filename(g_get_user_state_dir(), "gatewayd", NULL);
}

static gw_module_t *host_module(gw_host_t *h, const char *name, char **why)
{
    for (guint i = 0; i < h->modules->len; i++) {
        gw_module_t *m = g_ptr_array_index(h->modules, i);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    gw_module_t *m = gw_module_open(name, h->plugin_path, why);
    if (m)
        g_ptr_array_add(h->modules, m);
    return m;
}

static gw_ctx_t *ctx_new(gw_host_t *h, const char *instance)
{
    gw_ctx_t *c = g_new0(gw_ctx_t, 1);
    c->api = &host_api;
    c->host = h;
    c->instance = g_strdup(instance);
    return c;
}

static void ctx_free(gw_ctx_t *c)
{
    if (c->config)
        g_hash_table_destroy(c->config);
    g_free(c->instance);
    g_free(c->state_dir);
    g_free(c);
}

static void add_instance(gw_host_t *h, const char *group, GPtrArray *errors)
{
    char *name = g_strdup(group);
    char *colon = strchr(name, ':');
    if (colon) {
        *colon = '\0';
        if (!colon[1]) {
            gw_conf_error(h->conf, errors, group, NULL, "empty instance name after ':'");
            g_free(name);
            return;
        }
    }
    char *why = NULL;
    gw_module_t *m = host_module(h, name, &why);
    if (!m) {
        gw_conf_error(h->conf, errors, group, NULL, "plugin '%s': %s", name, why);
        g_free(why);
        g_free(name);
        return;
    }
    if (colon && !(m->desc.flags & GW_PLUGIN_MULTI_INSTANCE)) {
        for (guint i = 0; i < h->instances->len; i++) {
            gw_ctx_t *o = g_ptr_array_index(h->instances, i);
            if (o->module == m) {
                gw_conf_error(h->conf, errors, group, NULL,
                              "plugin '%s' allows only one instance (already [%s])", name,
                              o->instance);
                g_free(name);
                return;
            }
        }
    }
    gw_ctx_t *c = ctx_new(h, group);
    c->module = m;
    c->pstate = GW_PLUGIN_LOADED;
    c->config = gw_conf_validate(h->conf, group, m->desc.config_keys, true, errors);
    g_ptr_array_add(h->instances, c);
    g_free(name);
}

gw_host_t *gw_host_new(gw_conf_t *conf, GPtrArray *errors)
{
    static bool threads_ready;
    if (!threads_ready) {
        evthread_use_pthreads();
        threads_ready = true;
    }
    gw_host_t *h = g_new0(gw_host_t, 1);
    h->conf = conf;
    h->core_config = gw_conf_validate(conf, "core", gw_conf_core_keys(), false, errors);
    gw_conf_value_t *v = g_hash_table_lookup(h->core_config, "plugin_dir");
    h->plugin_path = gw_loader_search_path(v->s);
    v = g_hash_table_lookup(h->core_config, "state_dir");
    h->state_root = gw_host_state_root(v->s);
    v = g_hash_table_lookup(h->core_config, "max_signals");
    h->base = event_base_new();
    h->loop = gw_loop_new(h->base);
    h->points = gw_pointdb_new(v->i > 0 ? (size_t)v->i : 1);
    gw_pointdb_set_owner_namer(h->points, ctx_owner_name);
    h->events = gw_eventbus_new();
    h->instances = g_ptr_array_new();
    h->modules = g_ptr_array_new();
    h->loop_thread = pthread_self();
    h->core_ctx.api = &host_api;
    h->core_ctx.host = h;
    h->core_ctx.instance = (char *)"gatewayd";

    char **groups = gw_conf_groups(conf);
    for (char **g = groups; *g; g++) {
        if (strcmp(*g, "core") == 0 || !gw_conf_group_enabled(conf, *g, errors))
            continue;
        add_instance(h, *g, errors);
    }
    g_strfreev(groups);
    log_host = h;
    gw_log_set_hook(log_to_event);
    return h;
}

gw_ctx_t *gw_host_core_ctx(gw_host_t *h)
{
    return &h->core_ctx;
}

/* What an init began is cleaned up even when that init failed; fini()
 * only ever follows a successful init(). */
static void instance_teardown(gw_host_t *h, gw_ctx_t *c)
{
    bool initialised = c->pstate == GW_PLUGIN_INITIALISED || c->pstate == GW_PLUGIN_RUNNING;
    if (c->pstate == GW_PLUGIN_RUNNING && c->module->desc.stop)
        c->module->desc.stop(c, c->state);
    if (c->init_called) {
        gw_loop_close_posts(h->loop, c);
        gw_loop_remove_all(h->loop, c);
        gw_pointdb_unsubscribe_all(h->points, c);
        gw_eventbus_unsubscribe_all(h->events, c);
        c->init_called = false;
    }
    if (initialised && c->module->desc.fini)
        c->module->desc.fini(c, c->state);
    c->state = NULL;
    c->pstate = GW_PLUGIN_STOPPED;
}

/* Plugin failures in words an integrator can act on. */
static const char *start_error_text(int rc)
{
    if (rc == -ENOSPC)
        return "too many points for [core] max_signals";
    if (rc == -EEXIST)
        return "a point name is already taken";
    return g_strerror(-rc);
}

int gw_host_start(gw_host_t *h)
{
    guint i;
    int rc = 0;
    for (i = 0; i < h->instances->len && rc == 0; i++) {
        gw_ctx_t *c = g_ptr_array_index(h->instances, i);
        c->init_called = true;
        rc = c->module->desc.init(c, &host_api, &c->state);
        if (rc < 0) {
            gw_core_error("plugin %s: init failed: %s", c->instance, start_error_text(rc));
            c->pstate = GW_PLUGIN_STOPPED;
        } else {
            rc = 0;
            c->pstate = GW_PLUGIN_INITIALISED;
        }
    }
    for (i = 0; i < h->instances->len && rc == 0; i++) {
        gw_ctx_t *c = g_ptr_array_index(h->instances, i);
        rc = c->module->desc.start ? c->module->desc.start(c, c->state) : 0;
        if (rc < 0)
            gw_core_error("plugin %s: start failed: %s", c->instance, start_error_text(rc));
        else {
            rc = 0;
            c->pstate = GW_PLUGIN_RUNNING;
        }
    }
    if (rc < 0)
        gw_host_stop(h);
    return rc;
}

void gw_host_stop(gw_host_t *h)
{
    /* stop() everything first, newest first, then fini(): an instance may
     * still call into another's points while stopping. */
    for (guint i = h->instances->len; i-- > 0;) {
        gw_ctx_t *c = g_ptr_array_index(h->instances, i);
        if (c->pstate == GW_PLUGIN_RUNNING) {
            gw_core_debug("stopping %s", c->instance);
            if (c->module->desc.stop)
                c->module->desc.stop(c, c->state);
        }
        if (c->pstate == GW_PLUGIN_RUNNING)
            c->pstate = GW_PLUGIN_INITIALISED;
    }
    for (guint i = h->instances->len; i-- > 0;)
        instance_teardown(h, g_ptr_array_index(h->instances, i));
}

void gw_host_free(gw_host_t *h)
{
    if (!h)
        return;
    if (log_host == h) {
        gw_log_set_hook(NULL);
        log_host = NULL;
    }
    gw_loop_close_posts(h->loop, &h->core_ctx);
    gw_pointdb_free(h->points);
    gw_eventbus_free(h->events);
    gw_loop_free(h->loop);
    event_base_free(h->base);
    for (guint i = 0; i < h->instances->len; i++)
        ctx_free(g_ptr_array_index(h->instances, i));
    g_ptr_array_free(h->instances, TRUE);
    for (guint i = 0; i < h->modules->len; i++)
        gw_module_close(g_ptr_array_index(h->modules, i));
    g_ptr_array_free(h->modules, TRUE);
    g_hash_table_destroy(h->core_config);
    g_strfreev(h->plugin_path);
    g_free(h->state_root);
    g_free(h);
}
