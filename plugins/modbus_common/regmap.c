/*
 * regmap.c - questions about a loaded register map: its rows, blocks and
 * groups, and which signal an expanded point name belongs to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "regmap_private.h"

size_t gw_regmap_row_count(const gw_regmap_t *map)
{
    return map ? map->rows->len : 0;
}

const gw_regmap_row_t *gw_regmap_row(const gw_regmap_t *map, size_t i)
{
    return map && i < map->rows->len ? &g_array_index(map->rows, gw_regmap_row_t, i) : NULL;
}

size_t gw_regmap_block_count(const gw_regmap_t *map)
{
    return map ? map->blocks->len : 0;
}

const gw_regmap_block_t *gw_regmap_block(const gw_regmap_t *map, size_t i)
{
    return map && i < map->blocks->len ? &g_array_index(map->blocks, gw_regmap_block_t, i)
                                       : NULL;
}

size_t gw_regmap_group_count(const gw_regmap_t *map)
{
    return map ? map->groups->len : 0;
}

const gw_regmap_group_t *gw_regmap_group(const gw_regmap_t *map, size_t i)
{
    return map && i < map->groups->len ? &g_array_index(map->groups, gw_regmap_group_t, i)
                                       : NULL;
}

size_t gw_regmap_block_chain(const gw_regmap_t *map, int b, const gw_regmap_block_t **chain,
                             size_t max)
{
    size_t n = 0;
    /* walk up, then reverse, so that chain[0] is the outermost block */
    for (int i = b; i >= 0 && n < max; i = g_array_index(map->blocks, gw_regmap_block_t, i).parent)
        chain[n++] = &g_array_index(map->blocks, gw_regmap_block_t, i);
    for (size_t i = 0; i < n / 2; i++) {
        const gw_regmap_block_t *t = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = t;
    }
    return n;
}

char *gw_regmap_key_from_name(const char *name, unsigned *idx, size_t max, size_t *n_idx)
{
    GString *key = g_string_sized_new(strlen(name) + 1);
    const char *part = name;
    size_t n = 0;
    for (;;) {
        const char *dot = strchr(part, '.');
        size_t len = dot ? (size_t)(dot - part) : strlen(part);
        bool digits = len > 0 && len <= 9 && strspn(part, "0123456789") >= len;
        if (key->len)
            g_string_append_c(key, '.');
        if (len > 1 && part[0] == '{' && part[len - 1] == '}') {
            g_string_append(key, "{}");
        } else if (digits) {
            g_string_append(key, "{}");
            if (n < max)
                idx[n] = (unsigned)strtoul(part, NULL, 10);
            n++;
        } else {
            g_string_append_len(key, part, (gssize)len);
        }
        if (!dot)
            break;
        part = dot + 1;
    }
    if (n_idx)
        *n_idx = n;
    return g_string_free(key, FALSE);
}

/* The row a point name comes from, when its indexes exist in the map. */
static const gw_regmap_row_t *signal_row(const gw_regmap_t *map, const char *point_name)
{
    unsigned idx[GW_REGMAP_MAX_DEPTH + 1];
    const gw_regmap_block_t *chain[GW_REGMAP_MAX_DEPTH + 8];
    size_t n_idx, n, level = 0;
    gpointer hit;
    char *key;
    const gw_regmap_row_t *row;

    key = gw_regmap_key_from_name(point_name, idx, G_N_ELEMENTS(idx), &n_idx);
    hit = g_hash_table_lookup(map->by_key, key);
    g_free(key);
    if (!hit)
        return NULL;
    row = &g_array_index(map->rows, gw_regmap_row_t, GPOINTER_TO_UINT(hit) - 1);
    /* the outermost index is open-ended (further chargers live on further
     * Modbus units); inner ones must exist in their block */
    n = gw_regmap_block_chain(map, row->block, chain, G_N_ELEMENTS(chain));
    for (size_t i = 0; i < n; i++) {
        if (!chain[i]->var)
            continue;
        if (level >= n_idx)
            return NULL;
        if (level > 0 && idx[level] >= chain[i]->count)
            return NULL;
        level++;
    }
    return level == n_idx ? row : NULL;
}

int gw_regmap_signal_state(const gw_regmap_t *map, const char *point_name, const char *mode)
{
    unsigned want;
    const gw_regmap_row_t *row;

    if (!map || !point_name || !mode)
        return -EINVAL;
    if (strcmp(mode, "bms") == 0)
        want = GW_REGMAP_MODE_BMS;
    else if (strcmp(mode, "bridge") == 0)
        want = GW_REGMAP_MODE_BRIDGE;
    else
        return -EINVAL;
    row = signal_row(map, point_name);
    if (!row)
        return -ENOENT;
    return row->enabled && (row->modes & want) ? 1 : 0;
}

const char *gw_regmap_signal_values(const gw_regmap_t *map, const char *point_name)
{
    const gw_regmap_row_t *row = map && point_name ? signal_row(map, point_name) : NULL;
    return row && *row->values ? row->values : NULL;
}

/* "01=A; 2=B" -> "1=A;2=B" (codes as numbers); NULL when not a list. */
static char *values_canonical(const char *values)
{
    gchar **items = g_strsplit(values, ";", -1);
    GString *out = g_string_new(NULL);
    bool ok = true;
    for (guint i = 0; ok && items[i]; i++) {
        const char *eq = strchr(items[i], '=');
        char *end;
        long long code = eq ? strtoll(items[i], &end, 10) : 0;
        ok = eq && end == eq;
        if (ok)
            g_string_append_printf(out, "%s%lld=%s", i ? ";" : "", code, eq + 1);
    }
    g_strfreev(items);
    if (!ok) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

bool gw_regmap_values_equal(const char *a, const char *b)
{
    if (!*a || !*b)
        return !*a && !*b;
    char *ca = values_canonical(a), *cb = values_canonical(b);
    bool same = ca && cb && strcmp(ca, cb) == 0;
    g_free(ca);
    g_free(cb);
    return same;
}

const char *gw_regmap_format_name(gw_regmap_format_t format)
{
    switch (format) {
    case GW_REGMAP_INTEGER: return "Integer";
    case GW_REGMAP_FLOAT: return "Float";
    case GW_REGMAP_DATETIME: return "DateTime";
    case GW_REGMAP_STRING: return "String";
    }
    return "?";
}

const char *gw_regmap_access_name(gw_access_t access)
{
    switch (access) {
    case GW_ACCESS_R: return "R";
    case GW_ACCESS_W: return "W";
    case GW_ACCESS_RW: return "RW";
    }
    return "?";
}

gw_regmap_t *gw_regmap_load_conf(gw_ctx_t *ctx, const char *path)
{
    char *err = NULL;
    gw_regmap_t *map = gw_regmap_load(path, &err);
    if (!map) {
        gw_config_error(ctx, "register_map", "%s", err ? err : "cannot load");
        g_free(err);
    }
    return map;
}
