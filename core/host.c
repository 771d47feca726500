/* The host: plugin instances and their lifecycle. The function table the
 * instances call is in host_api.c. */
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

/* A stopped instance's write checks and handlers must not run. */
static bool ctx_takes_writes(gw_ctx_t *owner)
{
    return !owner || !owner->stopped;
}

char *gw_host_state_root(const char *configured)
{
    if (configured && *configured)
        return g_strdup(configured);
    /* systemd's StateDirectory= sets it (a colon-separated list; ours first). */
    const char *sd = g_getenv("STATE_DIRECTORY");
    if (sd && *sd && *sd != ':') {
        const char *colon = strchr(sd, ':');
        return colon ? g_strndup(sd, (gsize)(colon - sd)) : g_strdup(sd);
    }
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
    c->api = gw_host_api();
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
    g_free(c->state_dir_error);
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
    guint before = errors->len;
    c->config = gw_conf_validate(h->conf, group, m->desc.config_keys, true, errors);
    c->config_bad = errors->len > before;
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
    gw_conf_value_t *keep = g_hash_table_lookup(h->core_config, "persistence");
    h->state_root = keep && !keep->b ? NULL : gw_host_state_root(v->s);
    v = g_hash_table_lookup(h->core_config, "max_signals");
    h->base = event_base_new();
    h->loop = gw_loop_new(h->base);
    h->points = gw_pointdb_new(v->i > 0 ? (size_t)v->i : 1);
    gw_pointdb_set_owner_namer(h->points, ctx_owner_name);
    gw_pointdb_set_owner_live(h->points, ctx_takes_writes);
    h->events = gw_eventbus_new();
    h->instances = g_ptr_array_new();
    h->start_errors = g_ptr_array_new_with_free_func(g_free);
    h->claims = gw_claims_new();
    h->modules = g_ptr_array_new();
    h->loop_thread = pthread_self();
    h->core_ctx.api = gw_host_api();
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

void gw_host_config_error(gw_ctx_t *c, const char *key, const char *why)
{
    GPtrArray *list = c->config_errors ? c->config_errors : c->host->start_errors;
    gw_conf_error(c->host->conf, list, c->instance, key && *key ? key : NULL, "%s", why);
    c->n_config_errors++;
    /* init/start: logged now, and printed plain once start-up has failed */
    if (!c->config_errors)
        gw_log_write(c->instance, GW_LOG_ERROR, "%s", (char *)g_ptr_array_index(list, list->len - 1));
}

int gw_host_config_claim(gw_ctx_t *c, const char *key, const char *kind, const char *value)
{
    if (!c->validating)
        return 0;
    int rc = gw_claims_add(c->host->claims, c->instance, key, kind, value);
    if (rc < 0)
        gw_log_write(c->instance, GW_LOG_ERROR, "gw_config_claim(%s, %s): refused, kind must be "
                     "[a-z0-9-]+ and the value printable", kind ? kind : "(null)",
                     value ? value : "(null)");
    return rc;
}

typedef struct {
    gw_host_t *host;
    GPtrArray *errors;
} claim_report_t;

static void claim_report(void *user, const char *owner, const char *key, const char *reason)
{
    claim_report_t *r = user;
    gw_conf_error(r->host->conf, r->errors, owner, key && *key ? key : NULL, "%s", reason);
}

/* The descriptor field exists only when the plugin was built with it. */
#define DESC_HAS(m, field) \
    (offsetof(gw_plugin_desc_t, field) + sizeof((m)->desc.field) <= (m)->desc.size)

unsigned gw_host_validate(gw_host_t *h, GPtrArray *errors)
{
    unsigned refused = 0;
    for (guint i = 0; i < h->instances->len; i++) {
        gw_ctx_t *c = g_ptr_array_index(h->instances, i);
        gw_module_t *m = c->module;
        if (c->config_bad || !DESC_HAS(m, validate) || !m->desc.validate)
            continue;
        c->config_errors = errors;
        c->validating = true;
        c->n_config_errors = 0;
        int rc = m->desc.validate(c, gw_host_api());
        c->validating = false;
        c->config_errors = NULL;
        if (rc < 0 && c->n_config_errors == 0)
            gw_conf_error(h->conf, errors, c->instance, NULL, "invalid configuration (%s)",
                          g_strerror(-rc));
        if (rc < 0 || c->n_config_errors)
            refused++;
    }
    /* what no instance can see alone: two of them on one port, device or
     * charger; compared once every instance has said what it uses */
    claim_report_t r = { h, errors };
    refused += gw_claims_check(h->claims, claim_report, &r);
    gw_claims_free(h->claims);
    h->claims = gw_claims_new(); /* a second validation starts afresh */
    return refused;
}

gw_ctx_t *gw_host_core_ctx(gw_host_t *h)
{
    return &h->core_ctx;
}

/* Cut an instance off from every callback: after this nothing of the host
 * calls into it but fini(). Its pending posts run last, as the header
 * promises (they carry what its threads handed over before stop() joined
 * them); a post that tries to subscribe or add a timer is refused. */
static void instance_detach(gw_host_t *h, gw_ctx_t *c)
{
    c->stopped = true;
    if (!c->init_called)
        return;
    gw_loop_remove_all(h->loop, c);
    gw_pointdb_unsubscribe_all(h->points, c);
    gw_eventbus_unsubscribe_all(h->events, c);
    gw_loop_close_posts(h->loop, c);
    /* a post may have added what the refusals above did not cover */
    gw_loop_remove_all(h->loop, c);
    c->init_called = false;
}

/* What an init began is cleaned up even when that init failed; fini()
 * only ever follows a successful init(). */
static void instance_teardown(gw_host_t *h, gw_ctx_t *c)
{
    bool initialised = c->pstate == GW_PLUGIN_INITIALISED || c->pstate == GW_PLUGIN_RUNNING;
    if (c->pstate == GW_PLUGIN_RUNNING && c->module->desc.stop)
        c->module->desc.stop(c, c->state);
    instance_detach(h, c);
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
        rc = c->module->desc.init(c, gw_host_api(), &c->state);
        if (rc >= 0 && c->state_dir_error) {
            /* it asked for its state directory and went on without one:
             * whatever it confirms would not survive a restart */
            gw_core_error("%s", c->state_dir_error);
            c->pstate = GW_PLUGIN_INITIALISED; /* so that teardown runs fini() */
            rc = -EIO;
            break;
        }
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
    /* Newest first, each instance is stopped and at once cut off from
     * callbacks, so that what a later stop() does (ocpp_cs sets points as
     * it closes) never reaches an instance already stopped. Its points stay
     * readable; fini() waits until every instance has stopped, since a
     * stopping instance may still read another's points. */
    for (guint i = h->instances->len; i-- > 0;) {
        gw_ctx_t *c = g_ptr_array_index(h->instances, i);
        if (c->pstate == GW_PLUGIN_RUNNING) {
            gw_core_debug("stopping %s", c->instance);
            if (c->module->desc.stop)
                c->module->desc.stop(c, c->state);
            c->pstate = GW_PLUGIN_INITIALISED;
        }
        instance_detach(h, c);
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
    g_ptr_array_free(h->start_errors, TRUE);
    gw_claims_free(h->claims);
    g_hash_table_destroy(h->core_config);
    g_strfreev(h->plugin_path);
    g_free(h->state_root);
    g_free(h);
}
