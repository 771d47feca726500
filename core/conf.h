/* The configuration file (GKeyFile) and its validation against the key
 * tables that the core and each plugin declare. Every problem is reported
 * as "FILE: [group] key: reason" into an error list; nothing stops at the
 * first one, so --check-config can print them all. */
#ifndef GW_CORE_CONF_H
#define GW_CORE_CONF_H

#include <glib.h>
#include <gw/gw.h>

typedef struct gw_conf gw_conf_t;

/** One validated value. */
typedef struct gw_conf_value {
    gw_config_type_t type;
    int64_t i;
    double d;
    bool b;
    char *s;        /* STRING, ENUM (and the text of every type) */
    char **list;    /* STRING_LIST */
} gw_conf_value_t;

/** Load a file. Syntax errors go to errors; NULL then. */
gw_conf_t *gw_conf_load(const char *path, GPtrArray *errors);
/** An empty configuration (no file): every default. */
gw_conf_t *gw_conf_new_empty(void);
void gw_conf_free(gw_conf_t *conf);
/** Groups in file order, NULL-terminated (g_strfreev). */
char **gw_conf_groups(gw_conf_t *conf);

/** The [core] keys. */
const gw_config_key_t *gw_conf_core_keys(void);

/**
 * Validate a group against a key table: unknown keys, wrong types, out of
 * range values and missing required keys are appended to errors.
 * "enabled" is accepted as the host's own key when allow_enabled.
 * @return key -> gw_conf_value_t*, defaults filled in (also when errors)
 */
GHashTable *gw_conf_validate(gw_conf_t *conf, const char *group, const gw_config_key_t *keys,
                             bool allow_enabled, GPtrArray *errors);

/** Read a group's "enabled" (default true); bad values go to errors. */
bool gw_conf_group_enabled(gw_conf_t *conf, const char *group, GPtrArray *errors);

/** Append "FILE: [group] key: reason" to errors. */
void gw_conf_error(gw_conf_t *conf, GPtrArray *errors, const char *group, const char *key,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
