/* regmap_private.h - the loaded map's storage, shared by the files of
 * libgwregmap (parse, query, expand). Not for plugins. */
#ifndef GW_REGMAP_PRIVATE_H
#define GW_REGMAP_PRIVATE_H

#include <glib.h>
#include "regmap.h"

struct gw_regmap {
    char *path;
    GStringChunk *strings;       /* every text the rows and blocks point to */
    GArray *blocks;              /* gw_regmap_block_t */
    GArray *block_lines;         /* unsigned, line of each @block */
    GArray *groups;              /* gw_regmap_group_t */
    GArray *group_lines;         /* unsigned, line of each @group */
    GArray *rows;                /* gw_regmap_row_t */
    GPtrArray *owned;            /* enumeration code arrays */
    GHashTable *by_key;          /* normalised template -> row index + 1 */
};

/** Template or point name -> lookup key: every "{var}" or all-digit
 *  component becomes "{}". Indices (digits) go to idx, at most max. */
char *gw_regmap_key_from_name(const char *name, unsigned *idx, size_t max, size_t *n_idx);

/** The chain of blocks from the outermost to b; returns its length. */
size_t gw_regmap_block_chain(const gw_regmap_t *map, int b, const gw_regmap_block_t **chain,
                             size_t max);

#endif
