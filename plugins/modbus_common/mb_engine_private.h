/* mb_engine_private.h - the engine's tables, shared by mb_engine.c (build,
 * bind) and mb_request.c (serve). Not for plugins. */
#ifndef GW_MB_ENGINE_PRIVATE_H
#define GW_MB_ENGINE_PRIVATE_H

#include <glib.h>
#include "mb_engine.h"

/* Per page, one cell per register address. */
#define GW_MB_CELL_OUTSIDE 0u       /* not in the map, disabled or absent: 02 */
#define GW_MB_CELL_UNUSED 1u        /* "Not used" inside a group: reads 0 */
#define GW_MB_CELL_FIRST_SIGNAL 2u  /* signal index + 2 */

typedef struct gw_mb_signal {
    const gw_regmap_row_t *row;
    unsigned address;
    unsigned page;
    gw_point_id_t point;         /* -1 while absent */
    gw_type_t type;
    uint32_t max_len;
    char *name;                  /* the point's name until bound, then NULL */
} gw_mb_signal_t;

struct gw_mb_engine {
    gw_ctx_t *ctx;
    const gw_regmap_t *map;
    gw_mb_engine_config_t cfg;
    gw_mb_codec_t codec;
    unsigned n_pages;
    uint32_t **pages;            /* [n_pages][65536] cells */
    GArray *signals;             /* gw_mb_signal_t */
    size_t absent;
    size_t misfit;               /* of those, a point whose type the row cannot carry */
    bool bound;                  /* points looked up; names dropped */
    /* scratch for one request (the loop thread serves one at a time) */
    uint16_t words[MODBUS_MAX_READ_BITS];
    gw_point_write_t batch[MODBUS_MAX_WRITE_BITS];
    /* decoded strings of one write: each signal takes at most 2 characters
     * per register + a NUL, and FC15 reaches MODBUS_MAX_WRITE_BITS registers */
    char text[MODBUS_MAX_WRITE_BITS * 3 + 8];
};

#endif
