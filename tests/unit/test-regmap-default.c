/*
 * test-regmap-default - the shipped etc/register-map.csv, expanded for 20
 * chargers x 8 connector blocks, against the reference product's map
 * (../shared/reference/intesis-register-map.csv) row by row: address,
 * register count, format, access and modes. Also the signal counts and
 * gw_regmap_signal_state() on expanded names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "modbus_common/regmap.h"

#define CHARGERS 20
#define CONNECTOR_BLOCKS 8
#define ADDRESSES 65536

typedef struct ref_signal {
    bool present;
    unsigned registers;
    char format[16];
    char access[4];
    unsigned modes;
    char name[64];
} ref_signal_t;

static char *reference_path(const char *file)
{
    const char *dir = g_getenv("GW_REFERENCE_DIR");
    if (dir)
        return g_build_filename(dir, file, NULL);
    return g_build_filename(GW_TOP_SRCDIR, "..", "shared", "reference", file, NULL);
}

static gw_regmap_t *load_default(void)
{
    char *err = NULL;
    char *path = g_build_filename(GW_TOP_SRCDIR, "etc", "register-map.csv", NULL);
    gw_regmap_t *map = gw_regmap_load(path, &err);
    if (!map)
        g_test_message("load failed: %s", err);
    g_assert_nonnull(map);
    g_free(path);
    return map;
}

/* A small CSV reader for the reference table (quoted "bms,bridge"). */
static char **ref_split(const char *line)
{
    GPtrArray *f = g_ptr_array_new();
    GString *cur = g_string_new(NULL);
    bool quoted = false;
    for (const char *s = line;; s++) {
        if (*s == '"') {
            quoted = !quoted;
        } else if ((*s == ',' && !quoted) || !*s) {
            g_ptr_array_add(f, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
            if (!*s)
                break;
        } else {
            g_string_append_c(cur, *s);
        }
    }
    g_string_free(cur, TRUE);
    g_ptr_array_add(f, NULL);
    return (char **)g_ptr_array_free(f, FALSE);
}

static unsigned ref_modes(const char *s)
{
    return (strstr(s, "bms") ? GW_REGMAP_MODE_BMS : 0) |
           (strstr(s, "bridge") ? GW_REGMAP_MODE_BRIDGE : 0);
}

/* Expand the reference the way its README defines the addresses. */
static ref_signal_t *load_reference(size_t *n_signals)
{
    char *path = reference_path("intesis-register-map.csv");
    char *text = NULL;
    char **lines;
    ref_signal_t *ref = g_new0(ref_signal_t, ADDRESSES);
    *n_signals = 0;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_free(path);
        g_free(ref);
        return NULL;
    }
    lines = g_strsplit(text, "\n", -1);
    g_assert_cmpstr(g_strchomp(lines[0]), ==, "block,offset,registers,format,access,signal,group,values,modes");
    for (int i = 1; lines[i]; i++) {
        char **c;
        unsigned nx, ny;
        if (!*g_strchomp(lines[i]))
            continue;
        c = ref_split(lines[i]);
        g_assert_cmpuint(g_strv_length(c), ==, 9);
        nx = strcmp(c[0], "global") ? CHARGERS : 1;
        ny = strcmp(c[0], "connector") == 0 ? CONNECTOR_BLOCKS : 1;
        for (unsigned xx = 0; xx < nx; xx++) {
            for (unsigned yy = 0; yy < ny; yy++) {
                unsigned off = (unsigned)atoi(c[1]), addr;
                ref_signal_t *r;
                if (strcmp(c[0], "global") == 0)
                    addr = off;
                else if (strcmp(c[0], "charger") == 0)
                    addr = 100 + 2000 * xx + off;
                else
                    addr = 612 + 2000 * xx + 100 * yy + off;
                g_assert_cmpuint(addr, <, ADDRESSES);
                r = &ref[addr];
                g_assert_false(r->present);
                r->present = true;
                r->registers = (unsigned)atoi(c[2]);
                g_strlcpy(r->format, c[3], sizeof r->format);
                g_strlcpy(r->access, c[4], sizeof r->access);
                r->modes = ref_modes(c[8]);
                g_strlcpy(r->name, c[5], sizeof r->name);
                (*n_signals)++;
            }
        }
        g_strfreev(c);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return ref;
}

typedef struct compare {
    ref_signal_t *ref;
    const gw_regmap_t *map;
    unsigned matched;
    unsigned extensions;
    unsigned mismatches;
    bool *seen;
} compare_t;

static int compare_signal(const gw_regmap_signal_t *sig, void *user)
{
    compare_t *c = user;
    const ref_signal_t *r = &c->ref[sig->address];
    const gw_regmap_row_t *row = sig->row;
    char name[128];
    g_assert_cmpint(gw_regmap_point_name(sig, c->map, name, sizeof name), ==, 0);
    g_assert_false(c->seen[sig->address]);
    c->seen[sig->address] = true;
    if (!r->present) {
        /* gatewayd's own additions may only use the reference's "Not
         * used" registers, which a reference BMS reads as 0 anyway */
        c->extensions++;
        g_test_message("extension at %u: %s (line %u)", sig->address, name, row->line);
        return 0;
    }
    if (r->registers != row->registers || strcmp(r->format, gw_regmap_format_name(row->format)) ||
        strcmp(r->access, gw_regmap_access_name(row->access)) || r->modes != row->modes) {
        c->mismatches++;
        g_test_message("address %u (%s = %s): reference %u %s %s, map %u %s %s", sig->address,
                       r->name, name, r->registers, r->format, r->access, row->registers,
                       gw_regmap_format_name(row->format), gw_regmap_access_name(row->access));
        return 0;
    }
    c->matched++;
    return 0;
}

/* Is address inside one of the reference's group extents? */
typedef struct in_group {
    unsigned address;
    bool inside;
} in_group_t;

static int extent_contains(const gw_regmap_extent_t *ext, void *user)
{
    in_group_t *q = user;
    if (q->address >= ext->first && q->address <= ext->last)
        q->inside = true;
    return 0;
}

static void test_default_matches_reference(void)
{
    size_t n_ref = 0;
    ref_signal_t *ref = load_reference(&n_ref);
    gw_regmap_t *map;
    compare_t c;
    if (!ref) {
        g_test_skip("reference map not found (set GW_REFERENCE_DIR)");
        return;
    }
    map = load_default();
    memset(&c, 0, sizeof c);
    c.ref = ref;
    c.map = map;
    c.seen = g_new0(bool, ADDRESSES);
    g_assert_cmpuint(gw_regmap_chargers_per_unit(map), ==, CHARGERS);
    g_assert_cmpint(gw_regmap_foreach_signal(map, 0, CHARGERS, compare_signal, &c), ==, 0);
    g_assert_cmpuint(n_ref, ==, 10887);
    g_assert_cmpuint(c.mismatches, ==, 0);
    /* every reference signal is present in the expanded map */
    for (unsigned a = 0; a < ADDRESSES; a++) {
        if (ref[a].present && !c.seen[a])
            g_test_message("missing: address %u %s", a, ref[a].name);
        if (ref[a].present)
            g_assert_true(c.seen[a]);
    }
    g_assert_cmpuint(c.matched, ==, n_ref);
    /* additions sit in "Not used" registers inside the reference's groups */
    for (unsigned a = 0; a < ADDRESSES; a++) {
        if (c.seen[a] && !ref[a].present) {
            in_group_t q = { a, false };
            gw_regmap_foreach_extent(map, CHARGERS, extent_contains, &q);
            g_assert_true(q.inside);
        }
    }
    g_test_message("%u reference signals match, %u extensions", c.matched, c.extensions);
    /* reset.type per charger, transaction.id per connector block */
    g_assert_cmpuint(c.extensions, ==, CHARGERS + CHARGERS * CONNECTOR_BLOCKS);
    g_free(c.seen);
    g_free(ref);
    gw_regmap_free(map);
}

/* The map's group extents are the reference's "Not used" extents. */
static void test_default_groups_match_reference(void)
{
    char *path = reference_path("intesis-register-groups.csv");
    char *text = NULL;
    char **lines;
    gw_regmap_t *map;
    unsigned checked = 0;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_free(path);
        g_test_skip("reference groups not found (set GW_REFERENCE_DIR)");
        return;
    }
    map = load_default();
    lines = g_strsplit(text, "\n", -1);
    for (int i = 1; lines[i]; i++) {
        char **c;
        bool found = false;
        if (!*g_strchomp(lines[i]))
            continue;
        c = g_strsplit(lines[i], ",", -1);
        for (size_t g = 0; g < gw_regmap_group_count(map); g++) {
            const gw_regmap_group_t *grp = gw_regmap_group(map, g);
            const gw_regmap_block_t *blk = gw_regmap_block(map, (size_t)grp->block);
            if (strcmp(blk->name, c[0]) == 0 && strcmp(grp->name, c[1]) == 0) {
                g_assert_cmpuint(grp->first, ==, (unsigned)atoi(c[2]));
                g_assert_cmpuint(grp->last, ==, (unsigned)atoi(c[3]));
                found = true;
            }
        }
        if (!found)
            g_test_message("group %s/%s missing", c[0], c[1]);
        g_assert_true(found);
        checked++;
        g_strfreev(c);
    }
    /* plus gatewayd's one own group, the current-transaction-id block
     * placed where the reference has no address at all */
    g_assert_cmpuint(checked + 1, ==, gw_regmap_group_count(map));
    {
        const gw_regmap_group_t *own = gw_regmap_group(map, gw_regmap_group_count(map) - 1);
        g_assert_cmpstr(own->name, ==, "CurrentTransactionId");
        g_assert_cmpstr(gw_regmap_block(map, (size_t)own->block)->name, ==, "transaction_id");
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    gw_regmap_free(map);
}

static void test_default_fits_limit(void)
{
    gw_regmap_t *map = load_default();
    size_t all = 0, enabled = gw_regmap_enabled_count(map, CHARGERS, 0);
    for (size_t i = 0; i < gw_regmap_row_count(map); i++) {
        const gw_regmap_row_t *r = gw_regmap_row(map, i);
        const gw_regmap_block_t *b = gw_regmap_block(map, (size_t)r->block);
        all += b->depth == 0 ? 1 : b->depth == 1 ? CHARGERS : CHARGERS * CONNECTOR_BLOCKS;
    }
    g_test_message("signals for 20 chargers: %zu rows expanded, %zu enabled", all, enabled);
    g_assert_cmpuint(all, >, 10000);
    g_assert_cmpuint(enabled, <=, 10000);
    g_assert_cmpuint(enabled, >, 9000);
    /* 40 chargers: the global rows are counted once */
    g_assert_cmpuint(gw_regmap_enabled_count(map, 2 * CHARGERS, 0), ==, 2 * enabled - 7);
    gw_regmap_free(map);
}

static void test_signal_state(void)
{
    gw_regmap_t *map = load_default();
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.3.connector.1.status", "bms"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.3.connector.1.status", "bridge"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.authorize.flag", "bms"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.authorize.flag", "bridge"), ==, 0);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.connector.0.meter.rpm", "bms"), ==, 0);
    g_assert_cmpint(gw_regmap_signal_state(map, "bms.heartbeat", "bms"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "bms.heartbeat", "bridge"), ==, 0);
    /* chargers past 20 live on further units: still known */
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.25.connector.7.status", "bms"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.connector.8.status", "bms"), ==,
                    -ENOENT);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.x.connector.1.status", "bms"), ==,
                    -ENOENT);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.status", "bms"), ==, -ENOENT);
    g_assert_cmpint(gw_regmap_signal_state(map, "", "bms"), ==, -ENOENT);
    g_assert_cmpint(gw_regmap_signal_state(map, "bms.heartbeat", "other"), ==, -EINVAL);
    gw_regmap_free(map);
}

/* The documented address of each connector's current transaction id
 * (docs/bms-guide.md): 1412 + 2000*xx + yy, read-only, one Integer. */
typedef struct txn_ids {
    const gw_regmap_t *map;
    unsigned found;
} txn_ids_t;

static int check_txn_id(const gw_regmap_signal_t *sig, void *user)
{
    txn_ids_t *q = user;
    char name[128];
    int xx, yy, end = 0;
    g_assert_cmpint(gw_regmap_point_name(sig, q->map, name, sizeof name), ==, 0);
    if (sscanf(name, "charger.%d.connector.%d.transaction.id%n", &xx, &yy, &end) != 2 ||
        name[end] != '\0')
        return 0;
    g_assert_cmpuint(sig->address, ==, 1412u + 2000u * (unsigned)xx + (unsigned)yy);
    g_assert_cmpuint(sig->row->registers, ==, 1);
    g_assert_cmpstr(gw_regmap_format_name(sig->row->format), ==, "Integer");
    g_assert_cmpstr(gw_regmap_access_name(sig->row->access), ==, "R");
    q->found++;
    return 0;
}

static void test_transaction_id_addresses(void)
{
    gw_regmap_t *map = load_default();
    txn_ids_t q = { map, 0 };
    g_assert_cmpint(gw_regmap_foreach_signal(map, 0, CHARGERS, check_txn_id, &q), ==, 0);
    g_assert_cmpuint(q.found, ==, CHARGERS * CONNECTOR_BLOCKS);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.19.connector.7.transaction.id", "bms"),
                    ==, 1);
    gw_regmap_free(map);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/regmap/default/matches-reference", test_default_matches_reference);
    g_test_add_func("/regmap/default/groups-match-reference", test_default_groups_match_reference);
    g_test_add_func("/regmap/default/fits-signal-limit", test_default_fits_limit);
    g_test_add_func("/regmap/default/signal-state", test_signal_state);
    g_test_add_func("/regmap/default/transaction-id-addresses", test_transaction_id_addresses);
    return g_test_run();
}
