/*
 * gw/plugin.h - the one symbol a plugin exports: its descriptor.
 *
 * Lifecycle, all on the loop thread:
 *   load -> validate -> init -> start -> ... -> stop -> fini
 * `gatewayd --check-config` runs load -> validate only; start-up runs
 * validate for every instance before the first init, so both print the
 * same problems and refuse with the same exit status (2).
 * Instances start in configuration order and stop in reverse order. Right
 * after an instance's stop() returns, before the next instance stops, the
 * host removes every subscription, event subscription, timer and watch it
 * left behind, refuses writes to its points (-ESHUTDOWN; its check and
 * write handlers never run again) and runs whatever it still had posted.
 * From then on nothing calls into the instance but fini(): what another
 * plugin does in its own stop() (set points, publish events) does not reach
 * it. Its points stay readable, and fini() runs for every instance, in
 * reverse order, once all have stopped. An instance whose init or start
 * fails stops start-up: the daemon reports the plugin and the reason and
 * exits non-zero.
 *
 * Versions: a plugin is built against GW_ABI_MINOR of its headers and
 * declares the lowest minor it needs with GW_PLUGIN_REQUIRES_MINOR (see
 * below); the host loads it when the majors match and that required minor
 * is not newer than its own, even if the plugin was built for a newer one.
 */
#ifndef GW_PLUGIN_H
#define GW_PLUGIN_H

#include <gw/types.h>
#include <gw/config.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gw_host_api gw_host_api_t;

/** The name of the exported descriptor symbol. */
#define GW_PLUGIN_SYMBOL "gw_plugin_descriptor"

/** Descriptor flags. */
#define GW_PLUGIN_MULTI_INSTANCE 0x1u  /**< may appear as [name:a], [name:b] */

/** A plugin's descriptor. The host reads fields only up to `size`. */
typedef struct gw_plugin_desc {
    uint32_t abi_major;          /**< GW_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;          /**< GW_ABI_MINOR the plugin was built with */
    uint32_t size;               /**< sizeof(gw_plugin_desc_t) at build time */
    uint32_t flags;              /**< GW_PLUGIN_* */
    const char *name;            /**< [a-z0-9_]+, equals the module file name */
    const char *version;         /**< the plugin's own version */
    const char *description;     /**< one line */
    const gw_config_key_t *config_keys;  /**< GW_CONFIG_END-terminated, or NULL */

    /**
     * Create the instance. Read configuration, register points, open what
     * can fail early. Store the instance's state in *state.
     * @param ctx   the instance; valid until fini() returns
     * @param api   the host's function table (also reachable through ctx)
     * @param state out: the instance's private state, handed to the others
     * @return 0, or a negative errno (start-up stops; log why first).
     *         After a failure fini() is NOT called: free what init
     *         allocated before returning. Timers, watches and
     *         subscriptions it made are removed by the host.
     */
    int (*init)(gw_ctx_t *ctx, const gw_host_api_t *api, void **state);

    /**
     * Go live: start serving, start threads. Every instance's init() has
     * run, so points of other plugins can be looked up and subscribed.
     * @return 0, or a negative errno (start-up stops). After a failure
     *         stop() is NOT called for this instance (fini() is): undo
     *         what start began before returning.
     */
    int (*start)(gw_ctx_t *ctx, void *state);

    /** Stop serving: close listeners, join threads. May be NULL. */
    void (*stop)(gw_ctx_t *ctx, void *state);

    /** Free the state. May be NULL. */
    void (*fini)(gw_ctx_t *ctx, void *state);

    /* ---- ABI 1.1: the host reads what follows only when `size` covers it */

    /**
     * Check the instance's whole configuration, every key, without side
     * effects: parse and check everything init() will use (lists, files,
     * URLs, addresses), but open nothing that stays open, bind nothing,
     * register no point, timer, watch or subscription, start no thread.
     * The host refuses gw_point_register/set/write/subscribe/enum_set/range_set,
     * gw_event_subscribe, gw_timer_add, gw_watch_add, gw_post (-EPERM) and
     * gw_state_dir (NULL) here. Read only regular files of bounded size;
     * look at devices (stat), do not open them.
     * Report each problem with gw_config_error(ctx, key, ...), which gives
     * the user "FILE: [group] key: reason"; carry on after the first so
     * that every problem is reported at once.
     * Runs for `gatewayd --check-config` and, at start-up, for every
     * instance before the first init(); init() should call the same
     * parsing code, so the two can never disagree. The host has already
     * checked each key's type, range and choices against config_keys.
     * @param ctx  the instance; gw_config_*() work, gw_state_dir() does not
     *             create anything here
     * @param api  the host's function table
     * @return 0 when the configuration is usable, or a negative errno
     *         (-EINVAL); a failure without a gw_config_error() line is
     *         reported as "[group]: invalid configuration"
     * May be NULL (a 1.0 plugin has none): then only the key table is
     * checked before init().
     */
    int (*validate)(gw_ctx_t *ctx, const gw_host_api_t *api);

    /**
     * The lowest GW_ABI_MINOR the plugin needs (ABI 1.1). A host whose
     * minor is lower refuses the plugin; one at least this new loads it
     * even if abi_minor is newer than the host's own, and the plugin must
     * then test every entry added after this minor with GW_API_HAS before
     * calling it. Must not exceed abi_minor. GW_PLUGIN_DEFINE fills it
     * from GW_PLUGIN_REQUIRES_MINOR. A descriptor that ends before this
     * field needs its own abi_minor (the 1.0 rule).
     */
    uint32_t abi_minor_required;
} gw_plugin_desc_t;

/**
 * The lowest ABI minor the plugin needs. Define it before including
 * <gw/gw.h> (or with -DGW_PLUGIN_REQUIRES_MINOR=n) to let hosts older than
 * the headers load the plugin; by default it is GW_ABI_MINOR, which loads
 * only on hosts at least as new as the headers.
 */
#ifndef GW_PLUGIN_REQUIRES_MINOR
#define GW_PLUGIN_REQUIRES_MINOR GW_ABI_MINOR
#endif
#if defined(GW_ABI_MINOR) && GW_PLUGIN_REQUIRES_MINOR > GW_ABI_MINOR
#error "GW_PLUGIN_REQUIRES_MINOR is newer than these SDK headers (GW_ABI_MINOR)"
#endif

#if defined(__GNUC__)
#define GW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define GW_PLUGIN_EXPORT
#endif

/**
 * Define the plugin's descriptor: ABI version (built-for minor and
 * GW_PLUGIN_REQUIRES_MINOR), size, name, version and description. The
 * remaining arguments are designated initialisers for the other fields, e.g.
 *
 *   GW_PLUGIN_DEFINE("example", "1.0", "An example",
 *                    .config_keys = keys, .init = ex_init, .fini = ex_fini);
 */
#define GW_PLUGIN_DEFINE(name_, version_, description_, ...)            \
    GW_PLUGIN_EXPORT const gw_plugin_desc_t gw_plugin_descriptor = {    \
        .abi_major = GW_ABI_MAJOR,                                      \
        .abi_minor = GW_ABI_MINOR,                                      \
        .size = sizeof(gw_plugin_desc_t),                               \
        .abi_minor_required = GW_PLUGIN_REQUIRES_MINOR,                 \
        .name = (name_),                                                \
        .version = (version_),                                          \
        .description = (description_),                                  \
        __VA_ARGS__                                                     \
    }

#ifdef __cplusplus
}
#endif

#endif
