/*
 * gw/plugin.h - the one symbol a plugin exports: its descriptor.
 *
 * Lifecycle, all on the loop thread:
 *   load -> validate -> init -> start -> ... -> stop -> fini
 * `gatewayd --check-config` runs load -> validate only; start-up runs
 * validate for every instance before the first init, so both print the
 * same problems and refuse with the same exit status (2).
 * Instances start in configuration order and stop in reverse order. After
 * stop() returns the host runs whatever the instance still had posted, then
 * removes every timer, watch and subscription the instance left behind, and
 * calls fini(). An instance whose init or start fails stops start-up: the
 * daemon reports the plugin and the reason and exits non-zero.
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
} gw_plugin_desc_t;

#if defined(__GNUC__)
#define GW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define GW_PLUGIN_EXPORT
#endif

/**
 * Define the plugin's descriptor. The remaining arguments are designated
 * initialisers for the other fields, e.g.
 *
 *   GW_PLUGIN_DEFINE("example", "1.0", "An example",
 *                    .config_keys = keys, .init = ex_init, .fini = ex_fini);
 */
#define GW_PLUGIN_DEFINE(name_, version_, description_, ...)            \
    GW_PLUGIN_EXPORT const gw_plugin_desc_t gw_plugin_descriptor = {    \
        .abi_major = GW_ABI_MAJOR,                                      \
        .abi_minor = GW_ABI_MINOR,                                      \
        .size = sizeof(gw_plugin_desc_t),                               \
        .name = (name_),                                                \
        .version = (version_),                                          \
        .description = (description_),                                  \
        __VA_ARGS__                                                     \
    }

#ifdef __cplusplus
}
#endif

#endif
