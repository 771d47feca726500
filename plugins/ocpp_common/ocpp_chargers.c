/*
 * ocpp_chargers.c - parse and look up the configured charger list.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ocpp_chargers.h"

struct gw_ocpp_chargers {
    gw_ocpp_charger_cfg_t *items;
    size_t n;
    GHashTable *by_id;            /* id -> item; read-only after parse */
    GHashTable *by_index;         /* index -> item */
};

static char *chargers_error(const char *item, const char *why)
{
    return g_strdup_printf("charger '%s': %s", item, why);
}

/* Characters that cannot appear in a URL path segment unescaped, or would
 * make the configuration list ambiguous, are refused. */
static bool chargers_id_ok(const char *id, size_t len)
{
    if (len == 0 || len > GW_OCPP_CHARGER_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%' || c == ';' ||
            c == ',' || c == '=' || c == ':')
            return false;
    }
    return true;
}

static bool chargers_number(const char *s, size_t len, long lo, long hi, int *out)
{
    char buf[16], *end;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

gw_ocpp_chargers_t *gw_ocpp_chargers_parse(const char *const *items, int default_connectors,
                                           int max_connectors, int max_index, char **error)
{
    gw_ocpp_chargers_t *c = calloc(1, sizeof *c);
    size_t n = 0;
    while (items && items[n])
        n++;
    if (!c || !(c->items = calloc(n ? n : 1, sizeof *c->items))) {
        free(c);
        *error = g_strdup("out of memory");
        return NULL;
    }
    c->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    c->by_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    int next_index = 0;
    for (size_t i = 0; i < n; i++) {
        const char *item = items[i];
        const char *eq = strchr(item, '='), *id = eq ? eq + 1 : item;
        const char *colon = strchr(id, ':');
        size_t id_len = colon ? (size_t)(colon - id) : strlen(id);
        gw_ocpp_charger_cfg_t *cfg = &c->items[c->n];
        cfg->index = next_index;
        cfg->connectors = default_connectors;
        if (eq && !chargers_number(item, (size_t)(eq - item), 0, max_index - 1, &cfg->index)) {
            *error = g_strdup_printf("charger '%s': index must be 0..%d", item, max_index - 1);
            goto fail;
        }
        if (!eq && cfg->index >= max_index) {
            *error = g_strdup_printf("charger '%s': more than %d chargers", item, max_index);
            goto fail;
        }
        if (colon && !chargers_number(colon + 1, strlen(colon + 1), 1, max_connectors,
                                      &cfg->connectors)) {
            *error = g_strdup_printf("charger '%s': connectors must be 1..%d", item,
                                     max_connectors);
            goto fail;
        }
        if (!chargers_id_ok(id, id_len)) {
            *error = chargers_error(item, "ChargerID must be 1-48 printable characters without "
                                          "/ ? # % ; , = : or spaces");
            goto fail;
        }
        memcpy(cfg->id, id, id_len);
        cfg->id[id_len] = '\0';
        if (g_hash_table_contains(c->by_id, cfg->id)) {
            *error = chargers_error(item, "ChargerID configured twice");
            goto fail;
        }
        if (g_hash_table_contains(c->by_index, GINT_TO_POINTER(cfg->index + 1))) {
            *error = chargers_error(item, "index configured twice");
            goto fail;
        }
        g_hash_table_insert(c->by_id, cfg->id, cfg);
        g_hash_table_insert(c->by_index, GINT_TO_POINTER(cfg->index + 1), cfg);
        next_index = cfg->index + 1;
        c->n++;
    }
    return c;
fail:
    gw_ocpp_chargers_free(c);
    return NULL;
}

void gw_ocpp_chargers_free(gw_ocpp_chargers_t *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->by_id);
    g_hash_table_destroy(c->by_index);
    free(c->items);
    free(c);
}

size_t gw_ocpp_chargers_count(const gw_ocpp_chargers_t *c)
{
    return c ? c->n : 0;
}

const gw_ocpp_charger_cfg_t *gw_ocpp_chargers_nth(const gw_ocpp_chargers_t *c, size_t n)
{
    return c && n < c->n ? &c->items[n] : NULL;
}

int gw_ocpp_chargers_find(const gw_ocpp_chargers_t *c, const char *id)
{
    const gw_ocpp_charger_cfg_t *cfg = c && id ? g_hash_table_lookup(c->by_id, id) : NULL;
    return cfg ? cfg->index : -ENOENT;
}

const gw_ocpp_charger_cfg_t *gw_ocpp_chargers_at(const gw_ocpp_chargers_t *c, int index)
{
    return c && index >= 0 ? g_hash_table_lookup(c->by_index, GINT_TO_POINTER(index + 1)) : NULL;
}
