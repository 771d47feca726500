/*
 * regmap_parse.c - read a register map file and check it. Every problem is
 * reported as "FILE:LINE: reason" and nothing half-loaded is returned.
 *
 * The format (docs/modbus.md): '#' comments, @block / @group / @enable /
 * @disable directives, one header line, then CSV rows
 *   block,offset,registers,format,access,enabled,point,group,values,modes
 */
#include <errno.h>
#include <string.h>
#include "conf_common/conf_check.h"
#include "regmap_private.h"

#define GW_REGMAP_HEADER "block,offset,registers,format,access,enabled,point,group,values,modes"
#define GW_REGMAP_COLUMNS 10
#define GW_REGMAP_ADDRESSES 65536u
#define GW_REGMAP_MAX_REGISTERS 123u  /* the most one FC16 request can write */

typedef struct parse {
    gw_regmap_t *map;
    const char *path;
    unsigned line;
    char *error;
    bool header_seen;
    GArray *toggles;             /* deferred @enable/@disable */
} parse_t;

typedef struct toggle {
    unsigned line;
    bool enable;
    bool by_group;               /* group=NAME, else point=GLOB */
    char *pattern;
} toggle_t;

static bool parse_fail(parse_t *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool parse_fail(parse_t *p, const char *fmt, ...)
{
    va_list ap;
    char *why;
    if (p->error)
        return false;
    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    p->error = g_strdup_printf("%s:%u: %s", p->path, p->line, why);
    g_free(why);
    return false;
}

/* Strict unsigned decimal: no sign, no blanks, no trailing junk. */
static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
    guint64 v;
    char *end;
    if (!s || !g_ascii_isdigit(s[0]))
        return false;
    errno = 0;
    v = g_ascii_strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static int find_block(const gw_regmap_t *map, const char *name)
{
    for (guint i = 0; i < map->blocks->len; i++)
        if (strcmp(g_array_index(map->blocks, gw_regmap_block_t, i).name, name) == 0)
            return (int)i;
    return -1;
}

/* @block NAME base=N [parent=BLOCK] [stride=N] [count=N] [var=NAME] */
static bool parse_block(parse_t *p, char **tok)
{
    gw_regmap_block_t b = { NULL, -1, 0, 0, 1, NULL, 0 };
    bool have_base = false;
    if (!tok[1])
        return parse_fail(p, "@block needs a name");
    if (find_block(p->map, tok[1]) >= 0)
        return parse_fail(p, "block '%s' declared twice", tok[1]);
    b.name = g_string_chunk_insert(p->map->strings, tok[1]);
    for (int i = 2; tok[i]; i++) {
        char *eq = strchr(tok[i], '=');
        const char *val = eq ? eq + 1 : "";
        size_t klen = eq ? (size_t)(eq - tok[i]) : strlen(tok[i]);
        if (klen == 4 && strncmp(tok[i], "base", 4) == 0) {
            if (!parse_uint(val, GW_REGMAP_ADDRESSES - 1, &b.base))
                return parse_fail(p, "@block %s: bad base '%s'", b.name, val);
            have_base = true;
        } else if (klen == 6 && strncmp(tok[i], "stride", 6) == 0) {
            if (!parse_uint(val, GW_REGMAP_ADDRESSES - 1, &b.stride) || b.stride == 0)
                return parse_fail(p, "@block %s: bad stride '%s'", b.name, val);
        } else if (klen == 5 && strncmp(tok[i], "count", 5) == 0) {
            if (!parse_uint(val, GW_REGMAP_ADDRESSES, &b.count) || b.count == 0)
                return parse_fail(p, "@block %s: bad count '%s'", b.name, val);
        } else if (klen == 6 && strncmp(tok[i], "parent", 6) == 0) {
            b.parent = find_block(p->map, val);
            if (b.parent < 0)
                return parse_fail(p, "@block %s: unknown parent '%s' (declare it first)",
                                  b.name, val);
        } else if (klen == 3 && strncmp(tok[i], "var", 3) == 0) {
            if (!*val || strspn(val, "abcdefghijklmnopqrstuvwxyz_") != strlen(val))
                return parse_fail(p, "@block %s: bad variable name '%s'", b.name, val);
            b.var = g_string_chunk_insert(p->map->strings, val);
        } else {
            return parse_fail(p, "@block %s: unknown attribute '%s'", b.name, tok[i]);
        }
    }
    if (!have_base)
        return parse_fail(p, "@block %s: base= is required", b.name);
    if ((b.count > 1 || b.var) && (!b.var || b.stride == 0))
        return parse_fail(p, "@block %s: a repeated block needs var=, stride= and count=",
                          b.name);
    if (b.parent >= 0) {
        const gw_regmap_block_t *parent = &g_array_index(p->map->blocks, gw_regmap_block_t,
                                                         b.parent);
        b.depth = parent->depth;
        for (const gw_regmap_block_t *a = parent; a;
             a = a->parent >= 0 ? &g_array_index(p->map->blocks, gw_regmap_block_t, a->parent)
                                : NULL)
            if (b.var && a->var && strcmp(a->var, b.var) == 0)
                return parse_fail(p, "@block %s: variable '%s' already used by block %s",
                                  b.name, b.var, a->name);
    }
    if (b.var)
        b.depth++;
    if (b.depth > GW_REGMAP_MAX_DEPTH)
        return parse_fail(p, "@block %s: blocks nest at most %d variables deep", b.name,
                          GW_REGMAP_MAX_DEPTH);
    g_array_append_val(p->map->blocks, b);
    g_array_append_val(p->map->block_lines, p->line);
    return true;
}

/* @group BLOCK NAME FIRST LAST */
static bool parse_group(parse_t *p, char **tok)
{
    gw_regmap_group_t g;
    if (!tok[1] || !tok[2] || !tok[3] || !tok[4] || tok[5])
        return parse_fail(p, "@group needs BLOCK NAME FIRST LAST");
    g.block = find_block(p->map, tok[1]);
    if (g.block < 0)
        return parse_fail(p, "@group: unknown block '%s'", tok[1]);
    if (!parse_uint(tok[3], GW_REGMAP_ADDRESSES - 1, &g.first) ||
        !parse_uint(tok[4], GW_REGMAP_ADDRESSES - 1, &g.last) || g.last < g.first)
        return parse_fail(p, "@group %s: bad extent '%s %s'", tok[2], tok[3], tok[4]);
    for (guint i = 0; i < p->map->groups->len; i++) {
        const gw_regmap_group_t *o = &g_array_index(p->map->groups, gw_regmap_group_t, i);
        if (o->block == g.block && g.first <= o->last && o->first <= g.last)
            return parse_fail(p, "@group %s overlaps group %s (line %u)", tok[2], o->name,
                              g_array_index(p->map->group_lines, unsigned, i));
    }
    g.name = g_string_chunk_insert(p->map->strings, tok[2]);
    g_array_append_val(p->map->groups, g);
    g_array_append_val(p->map->group_lines, p->line);
    return true;
}

/* @enable group=NAME | point=GLOB, and @disable: applied after the rows. */
static bool parse_toggle(parse_t *p, char **tok, bool enable)
{
    toggle_t t = { p->line, enable, false, NULL };
    if (!tok[1] || tok[2])
        return parse_fail(p, "@%s needs one group=NAME or point=GLOB",
                          enable ? "enable" : "disable");
    if (g_str_has_prefix(tok[1], "group="))
        t.by_group = true;
    else if (!g_str_has_prefix(tok[1], "point="))
        return parse_fail(p, "@%s: '%s' is neither group=NAME nor point=GLOB",
                          enable ? "enable" : "disable", tok[1]);
    t.pattern = g_strdup(strchr(tok[1], '=') + 1);
    if (!*t.pattern) {
        g_free(t.pattern);
        return parse_fail(p, "@%s: empty pattern", enable ? "enable" : "disable");
    }
    g_array_append_val(p->toggles, t);
    return true;
}

static bool parse_directive(parse_t *p, const char *text)
{
    char **tok = g_strsplit_set(text, " \t", -1);
    /* collapse runs of blanks: g_strsplit_set leaves empty tokens */
    guint n = 0;
    bool ok;
    for (guint i = 0; tok[i]; i++) {
        if (*tok[i])
            tok[n++] = tok[i];
        else
            g_free(tok[i]);
    }
    tok[n] = NULL;
    if (p->header_seen && strcmp(tok[0], "@enable") && strcmp(tok[0], "@disable"))
        ok = parse_fail(p, "%s must come before the header line", tok[0]);
    else if (strcmp(tok[0], "@block") == 0)
        ok = parse_block(p, tok);
    else if (strcmp(tok[0], "@group") == 0)
        ok = parse_group(p, tok);
    else if (strcmp(tok[0], "@enable") == 0)
        ok = parse_toggle(p, tok, true);
    else if (strcmp(tok[0], "@disable") == 0)
        ok = parse_toggle(p, tok, false);
    else
        ok = parse_fail(p, "unknown directive '%s'", tok[0]);
    g_strfreev(tok);
    return ok;
}

/* Split one CSV line; fields may be "quoted" with "" for a quote. */
static GPtrArray *csv_split(const char *line, bool *bad_quote)
{
    GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    const char *s = line;
    *bad_quote = false;
    for (;;) {
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) {
                    *bad_quote = true;
                    break;
                }
                if (*s == '"' && s[1] == '"') {
                    g_string_append_c(cur, '"');
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    g_string_append_c(cur, *s++);
                }
            }
            if (*bad_quote || (*s && *s != ',')) {
                *bad_quote = true;
                break;
            }
        } else {
            while (*s && *s != ',')
                g_string_append_c(cur, *s++);
        }
        g_ptr_array_add(f, g_string_free(cur, FALSE));
        cur = g_string_new(NULL);
        if (!*s)
            break;
        s++; /* the comma */
    }
    g_string_free(cur, TRUE);
    return f;
}

static bool parse_format(parse_t *p, const char *s, unsigned regs, gw_regmap_format_t *out)
{
    if (strcmp(s, "Integer") == 0)
        *out = GW_REGMAP_INTEGER;
    else if (strcmp(s, "Float") == 0)
        *out = GW_REGMAP_FLOAT;
    else if (strcmp(s, "DateTime") == 0)
        *out = GW_REGMAP_DATETIME;
    else if (strcmp(s, "String") == 0)
        *out = GW_REGMAP_STRING;
    else
        return parse_fail(p, "unknown format '%s' (Integer, Float, DateTime or String)", s);
    if (*out == GW_REGMAP_INTEGER && regs != 1)
        return parse_fail(p, "Integer takes 1 register, not %u", regs);
    if ((*out == GW_REGMAP_FLOAT || *out == GW_REGMAP_DATETIME) && regs != 2)
        return parse_fail(p, "%s takes 2 registers, not %u", s, regs);
    return true;
}

static bool parse_access(parse_t *p, const char *s, gw_access_t *out)
{
    if (strcmp(s, "R") == 0)
        *out = GW_ACCESS_R;
    else if (strcmp(s, "W") == 0)
        *out = GW_ACCESS_W;
    else if (strcmp(s, "RW") == 0)
        *out = GW_ACCESS_RW;
    else
        return parse_fail(p, "unknown access '%s' (R, W or RW)", s);
    return true;
}

static bool parse_modes(parse_t *p, const char *s, unsigned *out)
{
    char **tok = g_strsplit_set(s, " ,", -1);
    *out = 0;
    for (int i = 0; tok[i]; i++) {
        if (!*tok[i])
            continue;
        if (strcmp(tok[i], "bms") == 0)
            *out |= GW_REGMAP_MODE_BMS;
        else if (strcmp(tok[i], "bridge") == 0)
            *out |= GW_REGMAP_MODE_BRIDGE;
        else {
            parse_fail(p, "unknown mode '%s' (bms, bridge)", tok[i]);
            g_strfreev(tok);
            return false;
        }
    }
    g_strfreev(tok);
    if (!*out)
        return parse_fail(p, "a row needs at least one mode (bms, bridge)");
    return true;
}

/* values: "" or "code=name;code=name"; codes are register values. */
static bool parse_values(parse_t *p, const char *s, gw_regmap_row_t *row)
{
    char **items;
    GArray *codes;
    if (!*s)
        return true;
    items = g_strsplit(s, ";", -1);
    codes = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (int i = 0; items[i]; i++) {
        char *eq = strchr(items[i], '=');
        unsigned code;
        if (!eq || eq == items[i] || !eq[1]) {
            parse_fail(p, "enumeration item '%s' is not code=name", items[i]);
            break;
        }
        *eq = '\0';
        if (!parse_uint(items[i], 65535, &code)) {
            parse_fail(p, "enumeration code '%s' is not 0..65535", items[i]);
            break;
        }
        for (guint k = 0; k < codes->len; k++)
            if (g_array_index(codes, int64_t, k) == code)
                parse_fail(p, "enumeration code %u listed twice", code);
        int64_t c = code;
        g_array_append_val(codes, c);
    }
    g_strfreev(items);
    if (p->error) {
        g_array_free(codes, TRUE);
        return false;
    }
    row->n_enum = codes->len;
    row->enum_codes = (const int64_t *)(void *)codes->data;
    g_ptr_array_add(p->map->owned, g_array_free(codes, FALSE));
    return true;
}

/* A template is dotted parts of [a-z0-9_], where the block's variables
 * appear as whole parts "{xx}", each exactly once, outermost first. A part
 * made only of digits would be mistaken for an index, so it is refused. */
static bool parse_template(parse_t *p, const char *tpl, int block)
{
    const gw_regmap_block_t *chain[GW_REGMAP_MAX_DEPTH + 8];
    size_t n = gw_regmap_block_chain(p->map, block, chain, G_N_ELEMENTS(chain));
    const char *vars[GW_REGMAP_MAX_DEPTH];
    size_t nvars = 0, seen = 0;
    char **parts;
    bool ok = true;
    GString *expect = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        if (chain[i]->var) {
            g_string_append_printf(expect, "%s{%s}", nvars ? " then " : "", chain[i]->var);
            vars[nvars++] = chain[i]->var;
        }
    if (!nvars)
        g_string_assign(expect, "no variables");
    if (!*tpl) {
        g_string_free(expect, TRUE);
        return parse_fail(p, "empty point name template");
    }
    parts = g_strsplit(tpl, ".", -1);
    for (int i = 0; parts[i] && ok; i++) {
        const char *part = parts[i];
        size_t len = strlen(part);
        if (!len)
            ok = parse_fail(p, "bad template '%s': empty name part", tpl);
        else if (part[0] == '{') {
            if (len < 3 || part[len - 1] != '}')
                ok = parse_fail(p, "bad template '%s': '%s' is not {variable}", tpl, part);
            else if (seen >= nvars || strncmp(part + 1, vars[seen], len - 2) ||
                     strlen(vars[seen]) != len - 2)
                ok = parse_fail(p, "bad template '%s': unexpected '%s' (block %s expects %s)",
                                tpl, part, chain[n - 1]->name, expect->str);
            else
                seen++;
        } else if (strspn(part, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
            ok = parse_fail(p, "bad template '%s': '%s' may only use a-z, 0-9 and _", tpl, part);
        else if (strspn(part, "0123456789") == len)
            ok = parse_fail(p, "bad template '%s': '%s' is only digits", tpl, part);
    }
    g_strfreev(parts);
    if (ok && seen != nvars)
        ok = parse_fail(p, "bad template '%s': block %s expects %s", tpl, chain[n - 1]->name,
                        expect->str);
    g_string_free(expect, TRUE);
    return ok;
}

static bool check_row_place(parse_t *p, const gw_regmap_row_t *row)
{
    unsigned last = row->offset + row->registers - 1;
    bool inside = false;
    for (guint i = 0; i < p->map->groups->len; i++) {
        const gw_regmap_group_t *g = &g_array_index(p->map->groups, gw_regmap_group_t, i);
        if (g->block == row->block && row->offset >= g->first && last <= g->last)
            inside = true;
    }
    if (!inside)
        return parse_fail(p, "offsets %u..%u lie outside every @group of block %s",
                          row->offset, last,
                          g_array_index(p->map->blocks, gw_regmap_block_t, row->block).name);
    for (guint i = 0; i < p->map->rows->len; i++) {
        const gw_regmap_row_t *o = &g_array_index(p->map->rows, gw_regmap_row_t, i);
        if (o->block == row->block && row->offset <= o->offset + o->registers - 1 &&
            o->offset <= last)
            return parse_fail(p, "offsets %u..%u overlap line %u (%s)", row->offset, last,
                              o->line, o->point);
    }
    return true;
}

static bool parse_row(parse_t *p, const char *text)
{
    bool bad_quote;
    GPtrArray *f = csv_split(text, &bad_quote);
    gw_regmap_row_t row;
    const char *const *c;
    char *key;
    bool ok = false;
    memset(&row, 0, sizeof row);
    row.line = p->line;
    if (bad_quote) {
        parse_fail(p, "unbalanced quotes");
        goto out;
    }
    if (f->len != GW_REGMAP_COLUMNS) {
        parse_fail(p, "%u columns, expected %d (%s)", f->len, GW_REGMAP_COLUMNS,
                   GW_REGMAP_HEADER);
        goto out;
    }
    c = (const char *const *)f->pdata;
    row.block = find_block(p->map, c[0]);
    if (row.block < 0) {
        parse_fail(p, "unknown block '%s'", c[0]);
        goto out;
    }
    if (!parse_uint(c[1], GW_REGMAP_ADDRESSES - 1, &row.offset)) {
        parse_fail(p, "bad offset '%s'", c[1]);
        goto out;
    }
    if (!parse_uint(c[2], GW_REGMAP_MAX_REGISTERS, &row.registers) || row.registers == 0) {
        parse_fail(p, "bad register count '%s' (1..%u)", c[2], GW_REGMAP_MAX_REGISTERS);
        goto out;
    }
    if (!parse_format(p, c[3], row.registers, &row.format) || !parse_access(p, c[4], &row.access))
        goto out;
    if (strcmp(c[5], "yes") == 0)
        row.enabled = true;
    else if (strcmp(c[5], "no") != 0) {
        parse_fail(p, "enabled must be yes or no, not '%s'", c[5]);
        goto out;
    }
    if (!parse_template(p, c[6], row.block))
        goto out;
    if (!*c[7]) {
        parse_fail(p, "empty group");
        goto out;
    }
    if (!parse_values(p, c[8], &row) || !parse_modes(p, c[9], &row.modes) ||
        !check_row_place(p, &row))
        goto out;
    row.point = g_string_chunk_insert(p->map->strings, c[6]);
    row.group = g_string_chunk_insert(p->map->strings, c[7]);
    row.values = g_string_chunk_insert(p->map->strings, c[8]);
    key = gw_regmap_key_from_name(row.point, NULL, 0, NULL);
    if (g_hash_table_contains(p->map->by_key, key)) {
        guint other = GPOINTER_TO_UINT(g_hash_table_lookup(p->map->by_key, key)) - 1;
        parse_fail(p, "point template '%s' is already used by line %u", row.point,
                   g_array_index(p->map->rows, gw_regmap_row_t, other).line);
        g_free(key);
        goto out;
    }
    g_array_append_val(p->map->rows, row);
    g_hash_table_insert(p->map->by_key, key, GUINT_TO_POINTER(p->map->rows->len));
    ok = true;
out:
    g_ptr_array_unref(f);
    return ok;
}

/* Expanded extents of one whole page must not share an address and must
 * stay inside the 16-bit address space. */
typedef struct extent_check {
    parse_t *p;
    guint16 *owner;              /* group index + 1 per address */
} extent_check_t;

static int extent_mark(const gw_regmap_extent_t *ext, void *user)
{
    extent_check_t *ec = user;
    const gw_regmap_t *map = ec->p->map;
    guint gi = (guint)(ext->group - (const gw_regmap_group_t *)(void *)map->groups->data);
    if (ext->last >= GW_REGMAP_ADDRESSES) {
        ec->p->line = g_array_index(map->group_lines, unsigned, gi);
        parse_fail(ec->p, "group %s reaches address %u, past 65535", ext->group->name,
                   ext->last);
        return -ERANGE;
    }
    for (unsigned a = ext->first; a <= ext->last; a++) {
        if (ec->owner[a]) {
            const gw_regmap_group_t *o =
                &g_array_index(map->groups, gw_regmap_group_t, ec->owner[a] - 1);
            ec->p->line = g_array_index(map->group_lines, unsigned, gi);
            parse_fail(ec->p, "group %s overlaps group %s at address %u%s", ext->group->name,
                       o->name, a, o == ext->group ? " (the block's stride is too small)" : "");
            return -EEXIST;
        }
        ec->owner[a] = (guint16)(gi + 1);
    }
    return 0;
}

static bool check_extents(parse_t *p)
{
    extent_check_t ec = { p, g_new0(guint16, GW_REGMAP_ADDRESSES) };
    unsigned per_unit = gw_regmap_chargers_per_unit(p->map);
    int rc = gw_regmap_foreach_extent(p->map, per_unit, extent_mark, &ec);
    g_free(ec.owner);
    return rc == 0;
}

static bool apply_toggles(parse_t *p)
{
    for (guint i = 0; i < p->toggles->len; i++) {
        const toggle_t *t = &g_array_index(p->toggles, toggle_t, i);
        GPatternSpec *spec = t->by_group ? NULL : g_pattern_spec_new(t->pattern);
        unsigned hits = 0;
        for (guint r = 0; r < p->map->rows->len; r++) {
            gw_regmap_row_t *row = &g_array_index(p->map->rows, gw_regmap_row_t, r);
            bool match = t->by_group ? strcmp(row->group, t->pattern) == 0
                                     : g_pattern_spec_match_string(spec, row->point);
            if (match) {
                row->enabled = t->enable;
                hits++;
            }
        }
        if (spec)
            g_pattern_spec_free(spec);
        if (!hits) {
            p->line = t->line;
            return parse_fail(p, "@%s %s=%s matches no row", t->enable ? "enable" : "disable",
                              t->by_group ? "group" : "point", t->pattern);
        }
    }
    return true;
}

static void toggle_clear(gpointer data)
{
    g_free(((toggle_t *)data)->pattern);
}

static gw_regmap_t *regmap_new(const char *path)
{
    gw_regmap_t *map = g_new0(gw_regmap_t, 1);
    map->path = g_strdup(path);
    map->strings = g_string_chunk_new(4096);
    map->blocks = g_array_new(FALSE, FALSE, sizeof(gw_regmap_block_t));
    map->block_lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
    map->groups = g_array_new(FALSE, FALSE, sizeof(gw_regmap_group_t));
    map->group_lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
    map->rows = g_array_new(FALSE, FALSE, sizeof(gw_regmap_row_t));
    map->owned = g_ptr_array_new_with_free_func(g_free);
    map->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return map;
}

static bool parse_text(parse_t *p, char *text)
{
    char *save = NULL;
    /* strtok_r would skip empty lines and lose the count: walk by hand */
    for (char *line = text; line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl && nl[1] ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        p->line++;
        g_strchomp(line);   /* CRLF files and trailing blanks */
        if (!*line || line[0] == '#')
            continue;
        if (!g_utf8_validate(line, -1, NULL))
            return parse_fail(p, "not valid UTF-8 text");
        if (line[0] == '@') {
            if (!parse_directive(p, line))
                return false;
        } else if (!p->header_seen) {
            if (strcmp(line, GW_REGMAP_HEADER) != 0)
                return parse_fail(p, "expected the header line '%s'", GW_REGMAP_HEADER);
            p->header_seen = true;
        } else if (!parse_row(p, line)) {
            return false;
        }
    }
    if (!p->header_seen)
        return parse_fail(p, "no header line '%s'", GW_REGMAP_HEADER);
    if (!p->map->rows->len)
        return parse_fail(p, "the map has no rows");
    return check_extents(p) && apply_toggles(p);
}

gw_regmap_t *gw_regmap_load(const char *path, char **error)
{
    parse_t p;
    char *text = NULL, *why = NULL;
    size_t len = 0;
    memset(&p, 0, sizeof p);
    p.path = path ? path : "(null)";
    if (error)
        *error = NULL;
    /* a regular file of bounded size: /dev/zero or a directory is an error */
    if (gw_conf_file_read(path, GW_CONF_FILE_MAX, &text, &len, &why) < 0) {
        if (error)
            *error = g_strdup_printf("%s:0: %s", p.path,
                                     path && g_str_has_prefix(why, path) ? why + strlen(path) + 2
                                                                         : why);
        g_free(why);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        if (error)
            *error = g_strdup_printf("%s:0: binary data (a NUL byte) in a text file", path);
        g_free(text);
        return NULL;
    }
    p.map = regmap_new(path);
    p.toggles = g_array_new(FALSE, FALSE, sizeof(toggle_t));
    g_array_set_clear_func(p.toggles, toggle_clear);
    if (!parse_text(&p, text)) {
        gw_regmap_free(p.map);
        p.map = NULL;
        if (error)
            *error = p.error;
        else
            g_free(p.error);
    }
    g_array_free(p.toggles, TRUE);
    g_free(text);
    return p.map;
}

void gw_regmap_free(gw_regmap_t *map)
{
    if (!map)
        return;
    g_free(map->path);
    g_string_chunk_free(map->strings);
    g_array_free(map->blocks, TRUE);
    g_array_free(map->block_lines, TRUE);
    g_array_free(map->groups, TRUE);
    g_array_free(map->group_lines, TRUE);
    g_array_free(map->rows, TRUE);
    g_ptr_array_unref(map->owned);
    g_hash_table_unref(map->by_key);
    g_free(map);
}
