/*
 * regmap_expand.c - turn rows and groups into concrete register addresses
 * and point names for a page of chargers (one Modbus unit's address space).
 *
 * address = sum over the block chain of (base + stride * index); the
 * outermost variable's index inside the page gives the address, its value
 * in the point name is first_charger + that index.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "regmap_private.h"

#define CHAIN_MAX (GW_REGMAP_MAX_DEPTH + 8)

unsigned gw_regmap_chargers_per_unit(const gw_regmap_t *map)
{
    for (guint i = 0; map && i < map->blocks->len; i++) {
        const gw_regmap_block_t *b = &g_array_index(map->blocks, gw_regmap_block_t, i);
        if (b->var && b->depth == 1)
            return b->count;
    }
    return 1;
}

/* Ranges of the variables along a chain: the outermost limited to the page. */
typedef struct walk {
    const gw_regmap_block_t *chain[CHAIN_MAX];
    size_t n;
    unsigned range[GW_REGMAP_MAX_DEPTH];
    int levels;
} walk_t;

static void walk_init(walk_t *w, const gw_regmap_t *map, int block, unsigned n_outer)
{
    w->n = gw_regmap_block_chain(map, block, w->chain, CHAIN_MAX);
    w->levels = 0;
    w->range[0] = w->range[1] = 1;
    for (size_t i = 0; i < w->n; i++) {
        if (!w->chain[i]->var)
            continue;
        w->range[w->levels] = w->levels == 0 ? MIN(n_outer, w->chain[i]->count)
                                             : w->chain[i]->count;
        w->levels++;
    }
}

static unsigned walk_address(const walk_t *w, const unsigned *pos)
{
    unsigned addr = 0;
    int level = 0;
    for (size_t i = 0; i < w->n; i++) {
        addr += w->chain[i]->base;
        if (w->chain[i]->var)
            addr += w->chain[i]->stride * pos[level++];
    }
    return addr;
}

int gw_regmap_foreach_signal(const gw_regmap_t *map, unsigned first_charger, unsigned n,
                             gw_regmap_signal_fn fn, void *user)
{
    for (guint r = 0; map && r < map->rows->len; r++) {
        const gw_regmap_row_t *row = &g_array_index(map->rows, gw_regmap_row_t, r);
        walk_t w;
        unsigned pos[GW_REGMAP_MAX_DEPTH] = { 0, 0 };
        walk_init(&w, map, row->block, n);
        for (pos[0] = 0; pos[0] < w.range[0]; pos[0]++) {
            for (pos[1] = 0; pos[1] < w.range[1]; pos[1]++) {
                gw_regmap_signal_t sig;
                int rc;
                sig.row = row;
                sig.address = walk_address(&w, pos) + row->offset;
                sig.index[0] = pos[0] + (w.levels > 0 ? first_charger : 0);
                sig.index[1] = pos[1];
                rc = fn(&sig, user);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

int gw_regmap_foreach_extent(const gw_regmap_t *map, unsigned n, gw_regmap_extent_fn fn,
                             void *user)
{
    for (guint g = 0; map && g < map->groups->len; g++) {
        const gw_regmap_group_t *grp = &g_array_index(map->groups, gw_regmap_group_t, g);
        walk_t w;
        unsigned pos[GW_REGMAP_MAX_DEPTH] = { 0, 0 };
        walk_init(&w, map, grp->block, n);
        for (pos[0] = 0; pos[0] < w.range[0]; pos[0]++) {
            for (pos[1] = 0; pos[1] < w.range[1]; pos[1]++) {
                gw_regmap_extent_t ext;
                unsigned base = walk_address(&w, pos);
                int rc;
                ext.group = grp;
                ext.first = base + grp->first;
                ext.last = base + grp->last;
                rc = fn(&ext, user);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

int gw_regmap_point_name(const gw_regmap_signal_t *sig, const gw_regmap_t *map, char *buf,
                         size_t len)
{
    const char *s = sig->row->point;
    size_t out = 0;
    int level = 0;
    (void)map;
    /* templates were checked at load: variables appear outermost first */
    while (*s) {
        if (*s == '{') {
            const char *close = strchr(s, '}');
            char num[16];
            int k = snprintf(num, sizeof num, "%u", sig->index[level < GW_REGMAP_MAX_DEPTH ? level : 0]);
            level++;
            if (out + (size_t)k >= len)
                return -ENAMETOOLONG;
            memcpy(buf + out, num, (size_t)k);
            out += (size_t)k;
            s = close ? close + 1 : s + strlen(s);
        } else {
            if (out + 1 >= len)
                return -ENAMETOOLONG;
            buf[out++] = *s++;
        }
    }
    if (out >= len)
        return -ENAMETOOLONG;
    buf[out] = '\0';
    return 0;
}

typedef struct count {
    unsigned modes;
    size_t n;
} count_t;

static int count_enabled(const gw_regmap_signal_t *sig, void *user)
{
    count_t *c = user;
    if (sig->row->enabled && (!c->modes || (sig->row->modes & c->modes)))
        c->n++;
    return 0;
}

size_t gw_regmap_enabled_count(const gw_regmap_t *map, unsigned n, unsigned modes)
{
    count_t c = { modes, 0 };
    unsigned per = gw_regmap_chargers_per_unit(map);
    /* global rows repeat on every unit but are the same signals: count
     * them once, then each further page's chargers */
    gw_regmap_foreach_signal(map, 0, MIN(n, per), count_enabled, &c);
    for (unsigned first = per; first < n; first += per) {
        count_t page = { modes, 0 };
        count_t globals = { modes, 0 };
        gw_regmap_foreach_signal(map, first, MIN(n - first, per), count_enabled, &page);
        gw_regmap_foreach_signal(map, first, 0, count_enabled, &globals);
        c.n += page.n - globals.n;
    }
    return c.n;
}
