/* The host: the daemon's state (loop, points, events, plugin instances) and
 * the function table handed to plugins. */
#ifndef GW_CORE_HOST_H
#define GW_CORE_HOST_H

#include <glib.h>
#include <pthread.h>
#include <gw/gw.h>
#include "claims.h"
#include "conf.h"
#include "events.h"
#include "loader.h"
#include "loop.h"
#include "points.h"

typedef struct gw_host gw_host_t;

/** A plugin instance. The first field is the SDK-visible head. */
struct gw_ctx {
    const gw_host_api_t *api;
    gw_host_t *host;
    char *instance;              /* config group: "name" or "name:inst" */
    gw_module_t *module;
    GHashTable *config;          /* key -> gw_conf_value_t* */
    void *state;
    gw_plugin_state_t pstate;
    bool init_called;            /* init ran (perhaps failed): clean up after it */
    char *state_dir;
    bool config_bad;             /* its key table refused a value: validate() is skipped */
    bool validating;             /* inside validate(): side effects are refused */
    GPtrArray *config_errors;    /* where gw_config_error() lines go during validate() */
    unsigned n_config_errors;    /* lines reported by this instance */
    char *state_dir_error;       /* why state_dir could not be made: fails start-up */
};

struct gw_host {
    gw_conf_t *conf;
    GHashTable *core_config;
    char **plugin_path;
    char *state_root;            /* NULL: [core] persistence = false */
    struct event_base *base;
    gw_loop_t *loop;
    gw_pointdb_t *points;
    gw_eventbus_t *events;
    GPtrArray *instances;        /* gw_ctx_t*, configuration order */
    GPtrArray *modules;          /* gw_module_t*, one per plugin name */
    pthread_t loop_thread;
    gw_ctx_t core_ctx;           /* the host's own context (for tests and core points) */
    GPtrArray *start_errors;     /* gw_config_error() lines from init/start, printed on failure */
    gw_claims_t *claims;         /* gw_config_claim() from every validate(), compared after */
};

/** The function table given to plugins. */
const gw_host_api_t *gw_host_api(void);

/**
 * Build a host from a configuration: validate [core], load every enabled
 * plugin and validate its group. Problems are appended to errors; the host
 * is returned even then, so that every problem can be reported.
 */
gw_host_t *gw_host_new(gw_conf_t *conf, GPtrArray *errors);
void gw_host_free(gw_host_t *host);

/**
 * Run every instance's validate() (plugins built against ABI 1.1 or later
 * that have one), appending its "FILE: [group] key: reason" lines to
 * errors. Instances whose key table already failed are skipped: their
 * values are placeholders. Then the resources the instances claimed
 * (gw_config_claim) are compared: a clash is reported against the later
 * instance's key, naming the earlier group. Nothing is initialised or
 * opened.
 * @return the number of instances that refused their configuration, plus
 *         the number of clashes
 */
unsigned gw_host_validate(gw_host_t *host, GPtrArray *errors);

/** A configuration problem of an instance (gw_config_error()): appended
 *  to the validation list inside validate(), logged as an error elsewhere. */
void gw_host_config_error(gw_ctx_t *ctx, const char *key, const char *why);

/** A resource claimed by an instance (gw_config_claim()): recorded inside
 *  validate(), ignored elsewhere (init() runs the same parsing code).
 *  @return 0, -EINVAL (bad kind or value) */
int gw_host_config_claim(gw_ctx_t *ctx, const char *key, const char *kind, const char *value);

/** A context for the core itself or a test: not a plugin, owns points. */
gw_ctx_t *gw_host_core_ctx(gw_host_t *host);

/** init() then start() every instance in order; on failure undo what ran
 *  and return the error (logged, naming the plugin). */
int gw_host_start(gw_host_t *host);
/** stop() in reverse order, drain posts, remove leftovers, fini(). */
void gw_host_stop(gw_host_t *host);

/** Resolve the state root from [core] state_dir. */
char *gw_host_state_root(const char *configured);

#endif
