/*
 * gw/host.h - what the host does for a plugin: the function table and the
 * inline wrappers that make calls read naturally.
 *
 * Thread rules: every function here must be called on the loop thread (from
 * init/start/stop/fini or a callback the host invoked), except gw_post() and
 * gw_log(), which any thread may call. Every callback runs on the loop
 * thread.
 *
 * Errors: 0 or a non-negative id on success, a negative errno on failure.
 */
#ifndef GW_HOST_H
#define GW_HOST_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <gw/types.h>
#include <gw/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* ------------------------------------------------------------------ points */

/** Point flags (gw_point_def_t.flags). */
#define GW_POINT_RANGE 0x1u  /**< integer values must lie in [min, max] */

/** Limits of gw_point_enum_set(): items per list, characters per list. */
#define GW_POINT_ENUM_MAX 1024
#define GW_POINT_ENUM_TEXT_MAX 16384

/**
 * Validate a write before anything is applied. Must not have side effects:
 * in a batch, one refusal cancels the whole batch.
 * @param ctx    the owner's instance
 * @param id     the point written
 * @param value  the value offered, already checked against type, range and
 *               enumeration
 * @param user   gw_point_def_t.user
 * @param reason out: a static string saying why, when refusing
 * @return 0 to accept; -EINVAL or -ERANGE (bad value), -EACCES (not
 *         writable now), -EBUSY (try later) to refuse
 */
typedef int (*gw_write_check_fn)(gw_ctx_t *ctx, gw_point_id_t id,
                                 const gw_value_t *value, void *user,
                                 const char **reason);

/**
 * A write was applied. In a batch every value of the batch is applied
 * before the first of these runs, in the batch's order; so a flag written
 * in the same request as its parameters sees the parameters.
 */
typedef void (*gw_write_fn)(gw_ctx_t *ctx, gw_point_id_t id,
                            const gw_value_t *value, void *user);

/** What a plugin registers. Build it with GW_POINT_DEF(...). */
typedef struct gw_point_def {
    uint32_t size;               /**< sizeof(gw_point_def_t) */
    const char *name;            /**< dotted, unique: "charger.0.connector.1.status" */
    gw_type_t type;
    gw_access_t access;
    uint32_t max_len;            /**< STRING: maximum length in bytes */
    uint32_t flags;              /**< GW_POINT_* */
    int64_t min;                 /**< with GW_POINT_RANGE */
    int64_t max;                 /**< with GW_POINT_RANGE */
    const char *description;     /**< optional */
    const char *unit;            /**< optional */
    gw_write_check_fn check;     /**< optional write validator */
    gw_write_fn on_write;        /**< optional: a write was applied */
    void *user;                  /**< handed to check and on_write */
} gw_point_def_t;

/** A point definition with its size filled in, from designated initialisers. */
#define GW_POINT_DEF(...) \
    ((gw_point_def_t){ .size = sizeof(gw_point_def_t), __VA_ARGS__ })

/** What the host tells about a point. The caller sets size. */
typedef struct gw_point_info {
    uint32_t size;               /**< sizeof(gw_point_info_t), set by caller */
    const char *name;
    gw_type_t type;
    gw_access_t access;
    gw_quality_t quality;
    uint32_t max_len;
    int64_t changed_ms;          /**< Unix time of the last change, ms; 0 never */
    const char *owner;           /**< owning instance's name */
    const char *description;     /**< may be NULL */
    const char *unit;            /**< may be NULL */
    uint32_t flags;              /**< GW_POINT_* */
    int64_t min, max;
    /* 1.1 */
    const char *enumeration;     /**< "code=label;...", or NULL: any value
                                      (see gw_point_enum_set()) */
} gw_point_info_t;

/** One element of a write batch. */
typedef struct gw_point_write {
    gw_point_id_t id;
    gw_value_t value;
} gw_point_write_t;

/** Why a write batch was refused. */
typedef struct gw_write_error {
    size_t index;                /**< the element refused */
    const char *reason;          /**< static text */
} gw_write_error_t;

/** Subscription flags. */
#define GW_SUB_EXACT  0x0u       /**< the pattern is one point's name */
#define GW_SUB_PREFIX 0x1u       /**< every point whose name starts with it,
                                      including points registered later */

/**
 * A subscribed point changed (its value or its quality). Runs synchronously
 * inside the set or write that changed it. It may set or write other
 * points; nesting deeper than 16 levels is refused with -ELOOP. The value's
 * string is valid only during the call.
 */
typedef void (*gw_point_cb)(gw_ctx_t *ctx, gw_point_id_t id,
                            const gw_value_t *value, gw_quality_t quality,
                            void *user);

/* ------------------------------------------------------------------ events */

/** An event was published. payload is borrowed (json_object_get to keep). */
typedef void (*gw_event_cb)(gw_ctx_t *ctx, const char *name,
                            struct json_object *payload, void *user);

/* -------------------------------------------------------------------- loop */

#define GW_TIMER_ONCE   0x0u
#define GW_TIMER_REPEAT 0x1u

#define GW_WATCH_READ   0x2u
#define GW_WATCH_WRITE  0x4u

typedef void (*gw_timer_cb)(gw_ctx_t *ctx, gw_timer_id_t id, void *user);
typedef void (*gw_watch_cb)(gw_ctx_t *ctx, gw_watch_id_t id, int fd,
                            unsigned events, void *user);
typedef void (*gw_post_fn)(gw_ctx_t *ctx, void *arg);

/* ----------------------------------------------------------------- plugins */

/** Instance states. */
typedef enum gw_plugin_state {
    GW_PLUGIN_LOADED = 1,
    GW_PLUGIN_INITIALISED,
    GW_PLUGIN_RUNNING,
    GW_PLUGIN_STOPPED,
} gw_plugin_state_t;

/** What the host tells about a plugin instance. The caller sets size. */
typedef struct gw_plugin_info {
    uint32_t size;               /**< sizeof(gw_plugin_info_t), set by caller */
    const char *instance;        /**< "modbus_tcp" or "modbus_tcp:line2" */
    const char *name;
    const char *version;
    const char *description;
    gw_plugin_state_t state;
} gw_plugin_info_t;

/* ---------------------------------------------------------- function table */

/** The host's function table. Entries are only ever appended; check
 *  GW_API_HAS before calling one added after the minor you require. */
struct gw_host_api {
    uint32_t size;               /**< sizeof(gw_host_api_t) in the host */
    uint32_t abi_major;
    uint32_t abi_minor;

    void (*log_v)(gw_ctx_t *ctx, gw_log_level_t level, const char *fmt, va_list ap);
    const char *(*instance_name)(gw_ctx_t *ctx);
    const char *(*state_dir)(gw_ctx_t *ctx);

    int64_t (*config_int)(gw_ctx_t *ctx, const char *key);
    double (*config_double)(gw_ctx_t *ctx, const char *key);
    bool (*config_bool)(gw_ctx_t *ctx, const char *key);
    const char *(*config_string)(gw_ctx_t *ctx, const char *key);
    const char *const *(*config_list)(gw_ctx_t *ctx, const char *key);

    gw_point_id_t (*point_register)(gw_ctx_t *ctx, const gw_point_def_t *def);
    gw_point_id_t (*point_lookup)(gw_ctx_t *ctx, const char *name);
    size_t (*point_count)(gw_ctx_t *ctx);
    int (*point_info)(gw_ctx_t *ctx, gw_point_id_t id, gw_point_info_t *out);
    int (*point_get)(gw_ctx_t *ctx, gw_point_id_t id, gw_value_t *out);
    int (*point_set)(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value);
    int (*point_set_quality)(gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q);
    int (*point_write)(gw_ctx_t *ctx, const gw_point_write_t *writes, size_t n,
                       gw_write_error_t *err);
    int (*point_attr_set)(gw_ctx_t *ctx, gw_point_id_t id, const char *key,
                          const char *value);
    const char *(*point_attr_get)(gw_ctx_t *ctx, gw_point_id_t id, const char *key);
    gw_sub_id_t (*point_subscribe)(gw_ctx_t *ctx, const char *pattern,
                                   unsigned flags, gw_point_cb cb, void *user);
    int (*point_unsubscribe)(gw_ctx_t *ctx, gw_sub_id_t sub);

    bool (*event_wanted)(gw_ctx_t *ctx, const char *name);
    int (*event_publish)(gw_ctx_t *ctx, const char *name, struct json_object *payload);
    gw_sub_id_t (*event_subscribe)(gw_ctx_t *ctx, const char *prefix,
                                   gw_event_cb cb, void *user);
    int (*event_unsubscribe)(gw_ctx_t *ctx, gw_sub_id_t sub);

    gw_timer_id_t (*timer_add)(gw_ctx_t *ctx, uint32_t ms, unsigned flags,
                               gw_timer_cb cb, void *user);
    int (*timer_cancel)(gw_ctx_t *ctx, gw_timer_id_t timer);
    gw_watch_id_t (*watch_add)(gw_ctx_t *ctx, int fd, unsigned events,
                               gw_watch_cb cb, void *user);
    int (*watch_modify)(gw_ctx_t *ctx, gw_watch_id_t watch, unsigned events);
    int (*watch_remove)(gw_ctx_t *ctx, gw_watch_id_t watch);
    int (*post)(gw_ctx_t *ctx, gw_post_fn fn, void *arg);

    int (*plugin_info)(gw_ctx_t *ctx, size_t index, gw_plugin_info_t *out);

    /* ABI 1.1 */
    void (*config_error_v)(gw_ctx_t *ctx, const char *key, const char *fmt, va_list ap);
    int (*point_enum_set)(gw_ctx_t *ctx, gw_point_id_t id, const char *values);
    int (*point_range_set)(gw_ctx_t *ctx, gw_point_id_t id, int64_t min, int64_t max);

    /* ABI 1.1: exclusive resources claimed from validate(), compared across
     * instances by the host (gw_config_claim, gw_config_claim_tcp) */
    int (*config_claim)(gw_ctx_t *ctx, const char *key, const char *kind, const char *value);
};

/** The head of every gw_ctx_t: the function table. Nothing else of the
 *  context is public. */
struct gw_ctx_head {
    const gw_host_api_t *api;
};

/** The function table reachable from a context. */
static inline const gw_host_api_t *gw_api(gw_ctx_t *ctx)
{
    return ((const struct gw_ctx_head *)(const void *)ctx)->api;
}

/** True when the host's table has the entry `field`. */
#define GW_API_HAS(api, field) \
    (offsetof(gw_host_api_t, field) + sizeof((api)->field) <= (api)->size)

/* ------------------------------------------------------------- logging */

/**
 * Log a line, prefixed by the host with the instance's name. Any thread.
 * @param level  GW_LOG_*; lines above the configured level are dropped
 */
static inline void gw_log(gw_ctx_t *ctx, gw_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void gw_log(gw_ctx_t *ctx, gw_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gw_api(ctx)->log_v(ctx, level, fmt, ap);
    va_end(ap);
}

/** The instance's name: "name" or "name:instance". */
static inline const char *gw_instance_name(gw_ctx_t *ctx)
{
    return gw_api(ctx)->instance_name(ctx);
}

/**
 * The instance's own directory for persistent state, [core] state_dir/<instance>,
 * created (mode 0700) on first call.
 * @return the path (owned by the host), or NULL: with [core] persistence =
 *         false (keep nothing), or when it cannot be created — then start-up
 *         fails once init() returns, naming [core] state_dir and the reason
 */
static inline const char *gw_state_dir(gw_ctx_t *ctx)
{
    return gw_api(ctx)->state_dir(ctx);
}

/* ------------------------------------------------------------- config */

/** The validated value of an INT key of the instance's table (0 for a key
 *  not declared; that is a programming error and is logged). */
static inline int64_t gw_config_int(gw_ctx_t *ctx, const char *key)
{
    return gw_api(ctx)->config_int(ctx, key);
}

/** The value of a DOUBLE (or INT) key. */
static inline double gw_config_double(gw_ctx_t *ctx, const char *key)
{
    return gw_api(ctx)->config_double(ctx, key);
}

/** The value of a BOOL key. */
static inline bool gw_config_bool(gw_ctx_t *ctx, const char *key)
{
    return gw_api(ctx)->config_bool(ctx, key);
}

/** The value of a STRING or ENUM key, never NULL (empty when unset); owned
 *  by the host, valid until fini. */
static inline const char *gw_config_string(gw_ctx_t *ctx, const char *key)
{
    return gw_api(ctx)->config_string(ctx, key);
}

/** The items of a STRING_LIST key, NULL-terminated, trimmed, never NULL;
 *  owned by the host, valid until fini. */
static inline const char *const *gw_config_list(gw_ctx_t *ctx, const char *key)
{
    return gw_api(ctx)->config_list(ctx, key);
}

/**
 * Report a configuration problem of this instance as the user sees every
 * other one: "FILE: [group] key: reason" (without key: "FILE: [group]:
 * reason"). From validate() the line joins the list that --check-config
 * and start-up print before exiting 2; from init() or start() (a port in
 * use, a device that vanished) it is logged as an error, and the plugin
 * then returns its negative errno, which stops start-up with exit 2.
 * ABI 1.1 (check GW_API_HAS(api, config_error_v) when requiring 1.0).
 * @param key  the key at fault, or NULL for the group as a whole
 * @param fmt  printf format of the reason: what is wrong and, where it
 *             helps, what would be right; no trailing newline
 */
static inline void gw_config_error(gw_ctx_t *ctx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void gw_config_error(gw_ctx_t *ctx, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gw_api(ctx)->config_error_v(ctx, key, fmt, ap);
    va_end(ap);
}

/**
 * Claim a resource this instance uses exclusively, from validate(): one
 * instance cannot see another's configuration, so the host collects every
 * instance's claims and, once all validate() calls have run, reports each
 * clash with an earlier instance (configuration order) as
 * "FILE: [group] key: KIND VALUE is also claimed by [other] otherkey" —
 * from --check-config and start-up alike, exit 2, before any init().
 * Two claims clash when they are of the same kind and name the same
 * resource: equal text, except for "tcp" (gw_config_claim_tcp()).
 * Claims of one instance never clash with each other (check your own
 * lists yourself: the line then says what is wrong, not just "twice").
 * Kinds in use ("tcp", "serial", "charger-index", "charger-id") mean the
 * same for every plugin: claim with these where they fit, so that yours
 * clash with the built-in plugins'.
 * Outside validate() it does nothing and returns 0, so init() may run the
 * same parsing code.
 * ABI 1.1 (-ENOSYS from a host without it).
 * @param key    the configuration key the resource comes from (named in
 *               the line), or NULL for the group
 * @param kind   [a-z0-9-]+: "serial", "charger-index", "charger-id", ...
 * @param value  the resource, printable text: "/dev/ttyUSB0" (claim the
 *               resolved path, so that a symlink clashes with its target),
 *               "3", "CP-7"
 * @return 0, -EINVAL (bad kind or value; logged), -ENOSYS
 */
static inline int gw_config_claim(gw_ctx_t *ctx, const char *key, const char *kind,
                                  const char *value)
{
    const gw_host_api_t *api = gw_api(ctx);
    if (!GW_API_HAS(api, config_claim))
        return -ENOSYS;
    return api->config_claim(ctx, key, kind, value);
}

/**
 * Claim a TCP port a listener will bind: kind "tcp", value "ADDRESS:PORT"
 * ("[ADDRESS]:PORT" for IPv6). Port 0 (the system picks a free one) never
 * clashes; a wildcard (empty, "::", which takes IPv4 too) clashes with
 * every address of the same port, "0.0.0.0" with every IPv4 address and
 * interface name; otherwise addresses clash when equal (compared as
 * addresses: "::ffff:127.0.0.1" is "127.0.0.1"). An interface name is
 * compared as text.
 * @return as gw_config_claim()
 */
static inline int gw_config_claim_tcp(gw_ctx_t *ctx, const char *key, const char *address,
                                      int port)
{
    char value[320];
    const char *a = address ? address : "";
    int v6 = strchr(a, ':') != NULL; /* brackets keep the port apart */
    snprintf(value, sizeof value, "%s%s%s:%d", v6 ? "[" : "", a, v6 ? "]" : "", port);
    return gw_config_claim(ctx, key, "tcp", value);
}

/* ------------------------------------------------------------- points */

/**
 * Register a point owned by this instance. Its quality starts as
 * GW_QUALITY_UNINIT and its value as 0 / 0.0 / "".
 * @return the id, or -EEXIST (name taken), -EINVAL (bad definition),
 *         -ENOSPC (max_signals reached; the host logs count and limit)
 */
static inline gw_point_id_t gw_point_register(gw_ctx_t *ctx, const gw_point_def_t *def)
{
    return gw_api(ctx)->point_register(ctx, def);
}

/** Find a point by name in O(1). @return the id or -ENOENT. */
static inline gw_point_id_t gw_point_lookup(gw_ctx_t *ctx, const char *name)
{
    return gw_api(ctx)->point_lookup(ctx, name);
}

/** Number of points; ids run from 0 to count - 1. */
static inline size_t gw_point_count(gw_ctx_t *ctx)
{
    return gw_api(ctx)->point_count(ctx);
}

/** Describe a point. out->size must be set. @return 0 or -ENOENT. */
static inline int gw_point_info(gw_ctx_t *ctx, gw_point_id_t id, gw_point_info_t *out)
{
    return gw_api(ctx)->point_info(ctx, id, out);
}

/** Read a point's value. A string points into the host's storage and is
 *  valid until the point next changes. @return 0 or -ENOENT. */
static inline int gw_point_get(gw_ctx_t *ctx, gw_point_id_t id, gw_value_t *out)
{
    return gw_api(ctx)->point_get(ctx, id, out);
}

/**
 * Set the value of a point this instance owns; its quality becomes GOOD.
 * Subscribers run when value or quality changed.
 * @return 0, -ENOENT, -EPERM (not the owner), -EINVAL (wrong kind of
 *         value), -ERANGE (out of the type's or point's range), -E2BIG
 *         (string too long), -ELOOP (subscribers nested too deep)
 */
static inline int gw_point_set(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value)
{
    return gw_api(ctx)->point_set(ctx, id, value);
}

/** gw_point_set() with an integer. */
static inline int gw_point_set_int(gw_ctx_t *ctx, gw_point_id_t id, int64_t i)
{
    gw_value_t v = gw_value_int(i);
    return gw_api(ctx)->point_set(ctx, id, &v);
}

/** gw_point_set() with a number. */
static inline int gw_point_set_float(gw_ctx_t *ctx, gw_point_id_t id, double f)
{
    gw_value_t v = gw_value_float(f);
    return gw_api(ctx)->point_set(ctx, id, &v);
}

/** gw_point_set() with a NUL-terminated string. */
static inline int gw_point_set_string(gw_ctx_t *ctx, gw_point_id_t id, const char *s)
{
    gw_value_t v = gw_value_string(s);
    return gw_api(ctx)->point_set(ctx, id, &v);
}

/** Change only the quality of an owned point (e.g. COMM_ERROR); the value
 *  is kept. @return as gw_point_set(). */
static inline int gw_point_set_quality(gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q)
{
    return gw_api(ctx)->point_set_quality(ctx, id, q);
}

/**
 * Write points owned by anyone, as the outside world does (a Modbus master,
 * the viewer). All or nothing: every element is checked (access W/RW, type,
 * range, enumeration, the owner's check) before any is applied; then every value is
 * applied; then, element by element, subscribers and the owner's on_write
 * run.
 * @param err  out, may be NULL: which element was refused and why
 * @return 0, or the first refusal: -ENOENT, -EACCES (not writable),
 *         -EINVAL, -ERANGE, -E2BIG, -EBUSY or what the owner returned
 */
static inline int gw_point_write(gw_ctx_t *ctx, const gw_point_write_t *writes, size_t n,
                                 gw_write_error_t *err)
{
    return gw_api(ctx)->point_write(ctx, writes, n, err);
}

/**
 * Declare the values the outside world may write to a point this instance
 * owns: an enumeration "code=label;code=label" (the register map's
 * `values` column format; codes are decimal integers within the point's
 * type, each listed once; labels are what viewers show and accept).
 * From then on gw_point_write() refuses any other value with -ERANGE and
 * the reason "not one of the point's enumerated values", before the
 * owner's check or on_write runs and before anything of the batch is
 * applied, whoever writes (Modbus, the diag viewer and API, any plugin).
 * The owner's own gw_point_set() is not restricted by the list (an owner
 * may report a code it does not accept from others, e.g. a failure
 * result). The host also sets the point's attribute "enum" to the list for
 * viewers. Call it right after gw_point_register(), or again to change it.
 * Since ABI 1.1.
 * @param values  the list, or NULL / "" to allow any value again
 * @return 0, -ENOENT, -EPERM (not the owner), -EINVAL (a float or string
 *         point, or a malformed list: nothing changes), -ENOSYS (a 1.0 host)
 */
static inline int gw_point_enum_set(gw_ctx_t *ctx, gw_point_id_t id, const char *values)
{
    const gw_host_api_t *api = gw_api(ctx);
    if (!GW_API_HAS(api, point_enum_set))
        return -ENOSYS;
    return api->point_enum_set(ctx, id, values);
}

/**
 * Restrict an integer point this instance owns to [min, max], as
 * GW_POINT_RANGE in its definition does: gw_point_write() refuses values
 * outside with -ERANGE ("out of the point's range") before the owner's
 * check runs, and so does the owner's own gw_point_set(). For a limit
 * known only after registration (e.g. a configured connector count).
 * Since ABI 1.1.
 * @return 0, -ENOENT, -EPERM (not the owner), -EINVAL (min > max, or a
 *         float or string point), -ENOSYS (a 1.0 host)
 */
static inline int gw_point_range_set(gw_ctx_t *ctx, gw_point_id_t id, int64_t min, int64_t max)
{
    const gw_host_api_t *api = gw_api(ctx);
    if (!GW_API_HAS(api, point_range_set))
        return -ENOSYS;
    return api->point_range_set(ctx, id, min, max);
}

/** Write one point; see gw_point_write(). */
static inline int gw_point_write_one(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *value,
                                     const char **reason)
{
    gw_point_write_t w;
    gw_write_error_t e = { 0, NULL };
    int rc;
    w.id = id;
    w.value = *value;
    rc = gw_api(ctx)->point_write(ctx, &w, 1, &e);
    if (reason)
        *reason = e.reason;
    return rc;
}

/**
 * Attach a text attribute to any point, e.g. "modbus.address" = "40101",
 * "enum" = "0=Available;1=Preparing". Viewers show them. A NULL value
 * removes the attribute. @return 0, -ENOENT, -EINVAL.
 */
static inline int gw_point_attr_set(gw_ctx_t *ctx, gw_point_id_t id, const char *key,
                                    const char *value)
{
    return gw_api(ctx)->point_attr_set(ctx, id, key, value);
}

/** An attribute's value (owned by the host) or NULL. */
static inline const char *gw_point_attr_get(gw_ctx_t *ctx, gw_point_id_t id, const char *key)
{
    return gw_api(ctx)->point_attr_get(ctx, id, key);
}

/**
 * Be called when a point, or every point under a prefix, changes.
 * @param flags  GW_SUB_EXACT or GW_SUB_PREFIX
 * @return the subscription id, or -EINVAL, -ENOENT (exact name unknown)
 */
static inline gw_sub_id_t gw_point_subscribe(gw_ctx_t *ctx, const char *pattern, unsigned flags,
                                             gw_point_cb cb, void *user)
{
    return gw_api(ctx)->point_subscribe(ctx, pattern, flags, cb, user);
}

/** Cancel a point subscription. Safe inside its own callback. @return 0 or -ENOENT. */
static inline int gw_point_unsubscribe(gw_ctx_t *ctx, gw_sub_id_t sub)
{
    return gw_api(ctx)->point_unsubscribe(ctx, sub);
}

/* ------------------------------------------------------------- events */

/** True when somebody subscribes to events of this name: build the payload
 *  only then. */
static inline bool gw_event_wanted(gw_ctx_t *ctx, const char *name)
{
    return gw_api(ctx)->event_wanted(ctx, name);
}

/**
 * Publish an event, e.g. "ocpp.frame", "modbus.request", "log". Subscribers
 * run synchronously. The host takes the caller's reference to payload (it
 * may be NULL).
 * @return 0 or -EINVAL
 */
static inline int gw_event_publish(gw_ctx_t *ctx, const char *name, struct json_object *payload)
{
    return gw_api(ctx)->event_publish(ctx, name, payload);
}

/** Be called for every event whose name starts with prefix ("" for all).
 *  @return the subscription id or -EINVAL. */
static inline gw_sub_id_t gw_event_subscribe(gw_ctx_t *ctx, const char *prefix,
                                             gw_event_cb cb, void *user)
{
    return gw_api(ctx)->event_subscribe(ctx, prefix, cb, user);
}

/** Cancel an event subscription. @return 0 or -ENOENT. */
static inline int gw_event_unsubscribe(gw_ctx_t *ctx, gw_sub_id_t sub)
{
    return gw_api(ctx)->event_unsubscribe(ctx, sub);
}

/* ------------------------------------------------------------- loop */

/**
 * Call cb after ms milliseconds, once or (GW_TIMER_REPEAT) every ms.
 * A one-shot timer is gone once it has fired.
 * @return the timer id or -EINVAL, -ENOMEM
 */
static inline gw_timer_id_t gw_timer_add(gw_ctx_t *ctx, uint32_t ms, unsigned flags,
                                         gw_timer_cb cb, void *user)
{
    return gw_api(ctx)->timer_add(ctx, ms, flags, cb, user);
}

/** Cancel a timer; safe in its own callback. @return 0 or -ENOENT. */
static inline int gw_timer_cancel(gw_ctx_t *ctx, gw_timer_id_t timer)
{
    return gw_api(ctx)->timer_cancel(ctx, timer);
}

/**
 * Watch a file descriptor for GW_WATCH_READ and/or GW_WATCH_WRITE
 * (level-triggered, persistent). The fd stays the caller's to close, after
 * removing the watch.
 * @return the watch id or -EINVAL, -ENOMEM
 */
static inline gw_watch_id_t gw_watch_add(gw_ctx_t *ctx, int fd, unsigned events,
                                         gw_watch_cb cb, void *user)
{
    return gw_api(ctx)->watch_add(ctx, fd, events, cb, user);
}

/** Change what a watch waits for. @return 0, -ENOENT, -EINVAL. */
static inline int gw_watch_modify(gw_ctx_t *ctx, gw_watch_id_t watch, unsigned events)
{
    return gw_api(ctx)->watch_modify(ctx, watch, events);
}

/** Stop watching; safe in its own callback. @return 0 or -ENOENT. */
static inline int gw_watch_remove(gw_ctx_t *ctx, gw_watch_id_t watch)
{
    return gw_api(ctx)->watch_remove(ctx, watch);
}

/**
 * Run fn(ctx, arg) on the loop thread, soon, in posting order. Any thread.
 * This is how a plugin's own thread hands work to the loop; it must never
 * touch points directly. The queue is not bounded: a thread that can
 * produce faster than the loop consumes (a network peer, not a serial
 * line) should batch several items into one post or wait for the loop to
 * catch up, as ocpp_bridge's relay posts once per service pass.
 * Pending posts of an instance run after its stop() and before fini().
 * @return 0, -ENOMEM, or -ESHUTDOWN once the instance has been stopped
 *         (fn will not run: free arg yourself)
 */
static inline int gw_post(gw_ctx_t *ctx, gw_post_fn fn, void *arg)
{
    return gw_api(ctx)->post(ctx, fn, arg);
}

/* ------------------------------------------------------------- plugins */

/** Describe the index-th plugin instance (configuration order). out->size
 *  must be set. @return 0 or -ENOENT past the last. */
static inline int gw_plugin_info(gw_ctx_t *ctx, size_t index, gw_plugin_info_t *out)
{
    return gw_api(ctx)->plugin_info(ctx, index, out);
}

#ifdef __cplusplus
}
#endif

#endif
