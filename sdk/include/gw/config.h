/*
 * gw/config.h - declaring a plugin's configuration keys.
 *
 * A plugin lists its keys in a table (name, type, default, range,
 * description) referenced by its descriptor. The host reads the plugin's
 * group of the configuration file, rejects unknown keys, wrong types and
 * out-of-range values with "FILE: [group] key: reason", fills in defaults,
 * and prints the table for `gatewayd --list-plugins -v`. The plugin reads
 * the validated values with gw_config_int() and friends (gw/host.h).
 * The key "enabled" is the host's and must not be declared.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <gw/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Types of configuration keys. */
typedef enum gw_config_type {
    GW_CONFIG_TYPE_END = 0,      /**< terminates a key table */
    GW_CONFIG_TYPE_BOOL,         /**< true/false (also yes/no, 1/0) */
    GW_CONFIG_TYPE_INT,          /**< 64-bit integer within [min, max] */
    GW_CONFIG_TYPE_DOUBLE,       /**< number within [min, max] */
    GW_CONFIG_TYPE_STRING,       /**< any text */
    GW_CONFIG_TYPE_STRING_LIST,  /**< ';'- or ','-separated list */
    GW_CONFIG_TYPE_ENUM,         /**< one of the '|'-separated choices */
} gw_config_type_t;

/** Key flags. */
#define GW_CONFIG_REQUIRED 0x1u  /**< no default: the file must set it */
#define GW_CONFIG_PATH     0x2u  /**< STRING: a relative path is taken relative
                                      to the configuration file's directory */

/** One configuration key. The layout is frozen for ABI major 1; new
 *  fields will take the reserved slots. */
typedef struct gw_config_key {
    const char *name;            /**< key name, [A-Za-z0-9_.-]+ */
    gw_config_type_t type;
    uint32_t flags;              /**< GW_CONFIG_* flags */
    const char *default_value;   /**< in file syntax; NULL means empty */
    const char *description;     /**< one line for --list-plugins -v */
    double min;                  /**< INT, DOUBLE: inclusive lower bound */
    double max;                  /**< INT, DOUBLE: inclusive upper bound */
    const char *choices;         /**< ENUM: "a|b|c" */
    void *reserved[2];
} gw_config_key_t;

/** Table entry helpers. */
#define GW_CONFIG_BOOL(n, def, desc) \
    { (n), GW_CONFIG_TYPE_BOOL, 0, (def), (desc), 0, 0, NULL, { NULL, NULL } }
#define GW_CONFIG_INT(n, def, lo, hi, desc) \
    { (n), GW_CONFIG_TYPE_INT, 0, (def), (desc), (lo), (hi), NULL, { NULL, NULL } }
#define GW_CONFIG_DOUBLE(n, def, lo, hi, desc) \
    { (n), GW_CONFIG_TYPE_DOUBLE, 0, (def), (desc), (lo), (hi), NULL, { NULL, NULL } }
#define GW_CONFIG_STRING(n, def, desc) \
    { (n), GW_CONFIG_TYPE_STRING, 0, (def), (desc), 0, 0, NULL, { NULL, NULL } }
#define GW_CONFIG_PATHNAME(n, def, desc) \
    { (n), GW_CONFIG_TYPE_STRING, GW_CONFIG_PATH, (def), (desc), 0, 0, NULL, { NULL, NULL } }
#define GW_CONFIG_STRING_LIST(n, def, desc) \
    { (n), GW_CONFIG_TYPE_STRING_LIST, 0, (def), (desc), 0, 0, NULL, { NULL, NULL } }
#define GW_CONFIG_ENUM(n, def, choices, desc) \
    { (n), GW_CONFIG_TYPE_ENUM, 0, (def), (desc), 0, 0, (choices), { NULL, NULL } }
#define GW_CONFIG_END \
    { NULL, GW_CONFIG_TYPE_END, 0, NULL, NULL, 0, 0, NULL, { NULL, NULL } }

#ifdef __cplusplus
}
#endif

#endif
