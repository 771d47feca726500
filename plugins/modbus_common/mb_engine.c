/*
 * mb_engine.c - build the address tables of every page from the map and
 * bind them to points (see mb_engine.h). Requests: mb_request.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "mb_engine_private.h"

#define ADDRESSES 65536u

typedef struct page_fill {
    gw_mb_engine_t *e;
    unsigned page;
    uint32_t *cell;
} page_fill_t;

static int fill_extent(const gw_regmap_extent_t *ext, void *user)
{
    page_fill_t *f = user;
    for (unsigned a = ext->first; a <= ext->last && a < ADDRESSES; a++)
        f->cell[a] = GW_MB_CELL_UNUSED;
    return 0;
}

static int fill_signal(const gw_regmap_signal_t *sig, void *user)
{
    page_fill_t *f = user;
    const gw_regmap_row_t *row = sig->row;
    uint32_t mark = GW_MB_CELL_OUTSIDE;
    /* a disabled row has no point: its registers answer exception 02 */
    if (row->enabled) {
        gw_mb_signal_t s;
        char name[256];
        if (gw_regmap_point_name(sig, f->e->map, name, sizeof name) < 0)
            return -ENAMETOOLONG;
        memset(&s, 0, sizeof s);
        s.row = row;
        s.address = sig->address;
        s.page = f->page;
        s.point = -1;
        s.name = g_strdup(name);
        g_array_append_val(f->e->signals, s);
        mark = GW_MB_CELL_FIRST_SIGNAL + f->e->signals->len - 1;
    }
    for (unsigned r = 0; r < row->registers; r++)
        f->cell[sig->address + r] = mark;
    return 0;
}

static void signal_clear(gpointer data)
{
    g_free(((gw_mb_signal_t *)data)->name);
}

gw_mb_engine_t *gw_mb_engine_new(gw_ctx_t *ctx, const gw_regmap_t *map,
                                 const gw_mb_engine_config_t *cfg, char **error)
{
    gw_mb_engine_t *e;
    unsigned per_unit = gw_regmap_chargers_per_unit(map);
    int rc;

    if (!map || !cfg || cfg->chargers == 0) {
        *error = g_strdup("no register map or no chargers");
        return NULL;
    }
    e = g_new0(gw_mb_engine_t, 1);
    e->ctx = ctx;
    e->map = map;
    e->cfg = *cfg;
    rc = gw_mb_codec_init(&e->codec, cfg->order);
    if (rc < 0) {
        *error = g_strdup("this libmodbus has no float function for the configured byte order");
        g_free(e);
        return NULL;
    }
    e->n_pages = (cfg->chargers + per_unit - 1) / per_unit;
    e->pages = g_new0(uint32_t *, e->n_pages);
    e->signals = g_array_new(FALSE, FALSE, sizeof(gw_mb_signal_t));
    g_array_set_clear_func(e->signals, signal_clear);
    for (unsigned p = 0; p < e->n_pages; p++) {
        unsigned first = cfg->first_charger + p * per_unit;
        unsigned n = MIN(per_unit, cfg->chargers - p * per_unit);
        page_fill_t f = { e, p, g_new0(uint32_t, ADDRESSES) };
        e->pages[p] = f.cell;
        gw_regmap_foreach_extent(map, n, fill_extent, &f);
        if (gw_regmap_foreach_signal(map, first, n, fill_signal, &f) != 0) {
            *error = g_strdup("a point name of the map is too long");
            gw_mb_engine_free(e);
            return NULL;
        }
    }
    return e;
}

void gw_mb_engine_free(gw_mb_engine_t *e)
{
    if (!e)
        return;
    for (unsigned p = 0; p < e->n_pages; p++)
        g_free(e->pages[p]);
    g_free(e->pages);
    g_array_free(e->signals, TRUE);
    g_free(e);
}

unsigned gw_mb_engine_pages(const gw_mb_engine_t *e)
{
    return e->n_pages;
}

size_t gw_mb_engine_absent(const gw_mb_engine_t *e)
{
    return e->absent;
}

/* Viewer attributes, once per point (page 0 carries the addresses a BMS
 * on the first unit uses; further pages repeat the same addresses). */
static void signal_describe(gw_mb_engine_t *e, const gw_mb_signal_t *s)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%u", s->address);
    gw_point_attr_set(e->ctx, s->point, "modbus.address", buf);
    snprintf(buf, sizeof buf, "%u", s->row->registers);
    gw_point_attr_set(e->ctx, s->point, "modbus.registers", buf);
    if (e->n_pages > 1) {
        snprintf(buf, sizeof buf, "%u", s->page);
        gw_point_attr_set(e->ctx, s->point, "modbus.page", buf);
    }
}

/* The map's `values` column is for owners to declare (gw_point_enum_set,
 * as ocpp_cs and ocpp_bridge do); the point database enforces it for
 * every writer. A point whose owner declares another list (or none) is
 * checked against the owner's: say so once, with an example. */
static void signal_values_compare(gw_mb_engine_t *e, const gw_mb_signal_t *s,
                                  const gw_point_info_t *info, size_t *mismatches)
{
    const char *mine = s->row->values, *theirs = info->enumeration ? info->enumeration : "";
    if (!*mine || !(s->row->access & GW_ACCESS_W) || gw_regmap_values_equal(mine, theirs))
        return;
    if ((*mismatches)++ == 0)
        gw_log(e->ctx, GW_LOG_WARNING,
               "map line %u: %s lists values \"%s\" but its owner %s declares %s%s%s; writes "
               "are checked against the owner's list", s->row->line, info->name, mine,
               info->owner ? info->owner : "?", *theirs ? "\"" : "", *theirs ? theirs : "none",
               *theirs ? "\"" : "");
}

/* After binding only present signals matter, and only by point id: drop
 * the absent ones and every name, and renumber the cells (at 1,000
 * chargers that is most of the engine's memory). */
static void signals_compact(gw_mb_engine_t *e)
{
    guint n = e->signals->len;
    uint32_t *mark = g_new(uint32_t, n);
    GArray *kept = g_array_new(FALSE, FALSE, sizeof(gw_mb_signal_t));
    for (guint i = 0; i < n; i++) {
        gw_mb_signal_t *s = &g_array_index(e->signals, gw_mb_signal_t, i);
        g_free(s->name);
        s->name = NULL;
        mark[i] = GW_MB_CELL_OUTSIDE;
        if (s->point >= 0) {
            g_array_append_val(kept, *s);
            mark[i] = GW_MB_CELL_FIRST_SIGNAL + kept->len - 1;
        }
    }
    for (unsigned p = 0; p < e->n_pages; p++)
        for (unsigned a = 0; a < ADDRESSES; a++)
            if (e->pages[p][a] >= GW_MB_CELL_FIRST_SIGNAL)
                e->pages[p][a] = mark[e->pages[p][a] - GW_MB_CELL_FIRST_SIGNAL];
    g_free(mark);
    g_array_free(e->signals, TRUE);
    e->signals = kept;
}

/* One Integer register holds 16 bits (regmap.h: Integer -> UINT16/INT16).
 * A point of a wider type under the same name is not this row's: e.g.
 * ocpp_bridge's charger.N.connector.M.transaction.id is the upstream
 * Central System's int32 transactionId, while the map's row of that name
 * (mode bms) is ocpp_cs's 16-bit id. Serving it would cut the value. */
static bool signal_fits(const gw_mb_signal_t *s, gw_type_t type)
{
    if (s->row->format != GW_REGMAP_INTEGER)
        return true;
    return type == GW_TYPE_BOOL || type == GW_TYPE_INT16 || type == GW_TYPE_UINT16;
}

int gw_mb_engine_bind(gw_mb_engine_t *e)
{
    size_t enabled = e->signals->len, mismatches = 0;
    if (e->bound)
        return 0;
    e->absent = 0;
    e->misfit = 0;
    for (guint i = 0; i < e->signals->len; i++) {
        gw_mb_signal_t *s = &g_array_index(e->signals, gw_mb_signal_t, i);
        gw_point_info_t info;
        s->point = gw_point_lookup(e->ctx, s->name);
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        bool found = s->point >= 0 && gw_point_info(e->ctx, s->point, &info) == 0;
        if (found && signal_fits(s, info.type)) {
            s->type = info.type;
            s->max_len = info.max_len;
            signal_describe(e, s);
            signal_values_compare(e, s, &info, &mismatches);
            continue;
        }
        if (found) {
            e->misfit++;
            gw_log(e->ctx, GW_LOG_DEBUG, "not served: %s (point type %d; address %u, map line "
                   "%u: an Integer register holds 16 bits)", s->name, (int)info.type,
                   s->address, s->row->line);
        } else {
            gw_log(e->ctx, GW_LOG_DEBUG, "absent: %s (address %u, map line %u)", s->name,
                   s->address, s->row->line);
        }
        s->point = -1;
        e->absent++;
    }
    if (mismatches > 1)
        gw_log(e->ctx, GW_LOG_WARNING, "%zu writable signals in all whose map values differ "
               "from their owner's", mismatches);
    /* absent rows answer exception 02 like rows outside the map */
    signals_compact(e);
    e->bound = true;
    /* Most absent rows are normal (the default map covers 20 chargers; a
     * site configures fewer), so say what they are rather than how many
     * are missing, and lead with what the BMS can actually read. */
    gw_log(e->ctx, GW_LOG_INFO,
           "register map: %zu signals served on %u unit(s); %zu of %zu enabled map rows "
           "have no point because no plugin provides it (e.g. chargers or connectors not "
           "configured) and answer exception 02",
           enabled - e->absent, e->n_pages, e->absent - e->misfit, enabled);
    if (e->misfit)
        gw_log(e->ctx, GW_LOG_INFO,
               "register map: %zu more rows not served (exception 02): their point is wider "
               "than the row's 16-bit Integer register (e.g. ocpp_bridge's int32 "
               "transaction.id)", e->misfit);
    return 0;
}
