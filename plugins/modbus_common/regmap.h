/*
 * regmap.h - the register map (etc/register-map.csv, format documented in
 * docs/modbus.md): blocks, groups and signals with point-name templates.
 *
 * Shared by the Modbus plugins (addresses, encodings) and by the OCPP
 * plugins, which register a point only when the map enables its signal for
 * their mode, so the point count follows what the integrator enabled.
 *
 * Point types by register format (owners register points with these):
 *   Integer  -> GW_TYPE_UINT16 (or INT16 where a signed value makes sense)
 *   Float    -> GW_TYPE_FLOAT32
 *   DateTime -> GW_TYPE_DATETIME (Unix seconds)
 *   String   -> GW_TYPE_STRING, max_len = 2 * registers
 *
 * Point attributes set by the Modbus plugins for viewers:
 *   "modbus.address"  first register, decimal, 0-based ("612")
 *   "modbus.registers" register count ("2")
 *   "enum"            the row's enumeration ("0=Available;1=Preparing")
 *
 * Built as libgwregmap.la (no libmodbus dependency).
 */
#ifndef GW_REGMAP_H
#define GW_REGMAP_H

#include <gw/gw.h>

typedef struct gw_regmap gw_regmap_t;

/** Load and check a map file. On error returns NULL and sets *error to
 *  "FILE:LINE: reason" (g_free/free it). */
gw_regmap_t *gw_regmap_load(const char *path, char **error);

/** gw_regmap_load() for a plugin's `register_map` key: a problem is
 *  reported with gw_config_error() ("FILE: [group] register_map: why").
 *  @return the map, or NULL */
gw_regmap_t *gw_regmap_load_conf(gw_ctx_t *ctx, const char *path);
void gw_regmap_free(gw_regmap_t *map);

/**
 * What the map says about the signal behind an expanded point name, e.g.
 * "charger.3.connector.1.status", for a mode ("bms" or "bridge").
 * @return 1 enabled for that mode, 0 disabled or not part of that mode,
 *         -ENOENT when no row's template expands to that name
 */
int gw_regmap_signal_state(const gw_regmap_t *map, const char *point_name, const char *mode);

/* ---------------------------------------------------------------------
 * Extensions used by the Modbus engine and the tests. Everything below is
 * read-only once loaded and may be shared by several instances.
 */

/** Register formats. */
typedef enum gw_regmap_format {
    GW_REGMAP_INTEGER = 1,       /**< 1 register */
    GW_REGMAP_FLOAT,             /**< 2 registers, IEEE-754 */
    GW_REGMAP_DATETIME,          /**< 2 registers, Unix seconds */
    GW_REGMAP_STRING,            /**< N registers, 2 ASCII characters each */
} gw_regmap_format_t;

/** Modes a row belongs to (bit set). */
#define GW_REGMAP_MODE_BMS    0x1u
#define GW_REGMAP_MODE_BRIDGE 0x2u

/** Most nested blocks a row can sit in (global: 0 variables, charger: 1,
 *  connector: 2). */
#define GW_REGMAP_MAX_DEPTH 2

/** One signal row of the file. */
typedef struct gw_regmap_row {
    unsigned line;               /**< line in the file, for messages */
    int block;                   /**< index of its block */
    unsigned offset;             /**< first register inside the block */
    unsigned registers;
    gw_regmap_format_t format;
    gw_access_t access;
    bool enabled;                /**< after @enable/@disable directives */
    unsigned modes;              /**< GW_REGMAP_MODE_* */
    const char *point;           /**< template, e.g. "charger.{xx}.reset.flag" */
    const char *group;           /**< label, e.g. "Reset" */
    const char *values;          /**< enumeration "0=A;1=B", "" when free */
    const int64_t *enum_codes;   /**< parsed codes of values */
    size_t n_enum;               /**< 0: any value is allowed */
} gw_regmap_row_t;

/** One @group extent: offsets first..last of a block. */
typedef struct gw_regmap_group {
    int block;
    const char *name;
    unsigned first, last;
} gw_regmap_group_t;

/** One @block. */
typedef struct gw_regmap_block {
    const char *name;
    int parent;                  /**< index of the parent block or -1 */
    unsigned base, stride, count;
    const char *var;             /**< "xx", or NULL for a single block */
    int depth;                   /**< number of variables down to it (0..2) */
} gw_regmap_block_t;

/** An expanded signal: one row at one charger/connector. */
typedef struct gw_regmap_signal {
    const gw_regmap_row_t *row;
    unsigned address;            /**< first register, 0-based */
    unsigned index[GW_REGMAP_MAX_DEPTH]; /**< values of the block variables */
} gw_regmap_signal_t;

/** An expanded group extent. */
typedef struct gw_regmap_extent {
    const gw_regmap_group_t *group;
    unsigned first, last;        /**< register addresses, inclusive */
} gw_regmap_extent_t;

size_t gw_regmap_row_count(const gw_regmap_t *map);
const gw_regmap_row_t *gw_regmap_row(const gw_regmap_t *map, size_t i);
size_t gw_regmap_block_count(const gw_regmap_t *map);
const gw_regmap_block_t *gw_regmap_block(const gw_regmap_t *map, size_t i);
size_t gw_regmap_group_count(const gw_regmap_t *map);
const gw_regmap_group_t *gw_regmap_group(const gw_regmap_t *map, size_t i);

/** How many chargers one Modbus unit (one address space) carries: the
 *  count of the outermost repeated block (20 in the default map). */
unsigned gw_regmap_chargers_per_unit(const gw_regmap_t *map);

typedef int (*gw_regmap_signal_fn)(const gw_regmap_signal_t *sig, void *user);
typedef int (*gw_regmap_extent_fn)(const gw_regmap_extent_t *ext, void *user);

/**
 * Expand every row (enabled or not) for one unit's page of chargers: the
 * outermost variable runs over first_charger .. first_charger + n - 1 (n at
 * most the block's count) while addresses use the position inside the
 * page. The callback's non-zero return stops the walk and is returned.
 */
int gw_regmap_foreach_signal(const gw_regmap_t *map, unsigned first_charger, unsigned n,
                             gw_regmap_signal_fn fn, void *user);

/** Expand every group extent for n chargers of a page (addresses only). */
int gw_regmap_foreach_extent(const gw_regmap_t *map, unsigned n,
                             gw_regmap_extent_fn fn, void *user);

/** Write the point name of a signal into buf. @return 0 or -ENAMETOOLONG. */
int gw_regmap_point_name(const gw_regmap_signal_t *sig, const gw_regmap_t *map,
                         char *buf, size_t len);

/** Number of enabled signals for n chargers (optionally only one mode's). */
size_t gw_regmap_enabled_count(const gw_regmap_t *map, unsigned n, unsigned modes);

/**
 * The map's enumeration ("code=name;...") for a point name, or NULL when
 * the name has no row or the row lists no values. The owner of the point
 * declares it to the point database (gw_point_enum_set), which checks
 * every writer; the Modbus engine does not check it a second time.
 */
const char *gw_regmap_signal_values(const gw_regmap_t *map, const char *point_name);

/** True when two enumerations list the same codes and names in the same
 *  order ("01=A" equals "1=A"); "" equals only "". */
bool gw_regmap_values_equal(const char *a, const char *b);

/** "Integer", "Float", "DateTime", "String". */
const char *gw_regmap_format_name(gw_regmap_format_t format);
/** "R", "W", "RW". */
const char *gw_regmap_access_name(gw_access_t access);

#endif
