/* The point database. Points live in one growing array indexed by id; a
 * GHashTable maps names to ids. Each point carries the list of
 * subscriptions that match it, computed when either is created, so that a
 * set costs one array access and a loop over its own subscribers only. */
#include "config.h"
#include "points.h"
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Subscribers may set other points; this bounds the recursion. */
#define GW_MAX_NOTIFY_DEPTH 16

typedef struct gw_sub {
    gw_sub_id_t id;
    gw_ctx_t *ctx;
    char *pattern;
    size_t pattern_len;
    unsigned flags;
    gw_point_cb cb;
    void *user;
    bool dead;
} gw_sub_t;

/* Attribute keys and values repeat across thousands of points (a few keys;
 * enumerations, register counts, addresses): both are interned once. */
typedef struct gw_attr {
    const char *key;
    const char *value;
} gw_attr_t;

/* The values a point's owner allows the outside world to write: parsed
 * once per distinct list and shared by every point that declares it (the
 * map's 20 chargers x 8 connectors repeat a few dozen lists). */
typedef struct gw_point_enum {
    const char *text;           /* canonical "code=label;...", in the name arena */
    size_t n;
    int64_t codes[];
} gw_point_enum_t;

/* What many points share: kept once per distinct combination. */
typedef struct gw_point_meta {
    const char *description;    /* in the name arena */
    const char *unit;
    gw_write_check_fn check;
    gw_write_fn on_write;
    void *user;
    const gw_point_enum_t *enumeration; /* NULL: any value of the type and range */
    int64_t min, max;
    uint32_t flags;
    uint32_t max_len;
} gw_point_meta_t;

/* The per-point record, kept small: 100,000s of them live in one array. */
typedef struct gw_point {
    const char *name;           /* in the name arena */
    gw_ctx_t *owner;
    const gw_point_meta_t *meta;
    union {
        int64_t i;
        double f;
    } v;
    char *str;                  /* STRING: max_len + 1 bytes */
    int64_t changed_ms;
    gw_sub_t **subs;
    gw_attr_t *attrs;           /* interned pairs; few per point, so a scan beats a table */
    uint32_t str_len;
    uint32_t nsubs, cap_subs;
    uint16_t nattrs;
    uint8_t type;               /* gw_type_t */
    uint8_t access;             /* gw_access_t */
    uint8_t quality;            /* gw_quality_t */
} gw_point_t;

struct gw_pointdb {
    gw_point_t *points;
    size_t count, cap, max;
    GHashTable *by_name;       /* name -> GINT_TO_POINTER(id + 1) */
    GPtrArray *prefix_subs;    /* gw_sub_t*, live or dead */
    GHashTable *subs_by_id;    /* id -> gw_sub_t* */
    gw_sub_id_t next_sub_id;
    int depth;
    size_t dead_subs;
    gw_pointdb_owner_name_fn owner_name;
    GStringChunk *names;       /* point names, descriptions, units */
    GHashTable *metas;         /* gw_point_meta_t* -> itself, deduplicated */
    GHashTable *enums;         /* canonical text -> gw_point_enum_t* */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static guint meta_hash(gconstpointer key)
{
    const gw_point_meta_t *m = key;
    guint h = g_direct_hash(m->description) ^ (g_direct_hash(m->unit) << 1) ^
              g_direct_hash((gpointer)(uintptr_t)m->check) ^ g_direct_hash(m->user) ^
              g_direct_hash(m->enumeration);
    return h ^ (guint)m->flags ^ ((guint)m->max_len << 8) ^ (guint)m->min ^ (guint)m->max;
}

/* Strings are interned in the name arena, so pointers compare contents. */
static gboolean meta_equal(gconstpointer a, gconstpointer b)
{
    const gw_point_meta_t *x = a, *y = b;
    return x->description == y->description && x->unit == y->unit && x->check == y->check &&
           x->on_write == y->on_write && x->user == y->user && x->min == y->min &&
           x->max == y->max && x->flags == y->flags && x->max_len == y->max_len &&
           x->enumeration == y->enumeration;
}

static const char *arena_intern(gw_pointdb_t *db, const char *s)
{
    return s ? g_string_chunk_insert_const(db->names, s) : NULL;
}

static const gw_point_meta_t *meta_intern_key(gw_pointdb_t *db, const gw_point_meta_t *key)
{
    gw_point_meta_t *m = g_hash_table_lookup(db->metas, key);
    if (!m) {
        m = g_memdup2(key, sizeof *key);
        g_hash_table_add(db->metas, m);
    }
    return m;
}

static const gw_point_meta_t *meta_intern(gw_pointdb_t *db, const gw_point_def_t *def)
{
    gw_point_meta_t key = {
        .description = arena_intern(db, def->description), .unit = arena_intern(db, def->unit),
        .check = def->check, .on_write = def->on_write, .user = def->user,
        .min = def->min, .max = def->max, .flags = def->flags, .max_len = def->max_len,
    };
    return meta_intern_key(db, &key);
}

gw_pointdb_t *gw_pointdb_new(size_t max_points)
{
    gw_pointdb_t *db = g_new0(gw_pointdb_t, 1);
    db->max = max_points;
    db->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    db->prefix_subs = g_ptr_array_new();
    db->subs_by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    db->next_sub_id = 1;
    db->names = g_string_chunk_new(64 * 1024);
    db->metas = g_hash_table_new_full(meta_hash, meta_equal, g_free, NULL);
    db->enums = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    return db;
}

static void sub_free(gw_sub_t *s)
{
    g_free(s->pattern);
    g_free(s);
}

void gw_pointdb_free(gw_pointdb_t *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->count; i++) {
        gw_point_t *p = &db->points[i];
        g_free(p->str);
        g_free(p->subs);
        g_free(p->attrs);
    }
    g_free(db->points);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, db->subs_by_id);
    while (g_hash_table_iter_next(&it, &k, &v))
        sub_free(v);
    g_hash_table_destroy(db->subs_by_id);
    g_hash_table_destroy(db->by_name);
    g_hash_table_destroy(db->metas);
    g_hash_table_destroy(db->enums);
    g_string_chunk_free(db->names);
    g_ptr_array_free(db->prefix_subs, TRUE);
    g_free(db);
}

void gw_pointdb_set_owner_namer(gw_pointdb_t *db, gw_pointdb_owner_name_fn fn)
{
    db->owner_name = fn;
}

static const char *owner_name(gw_pointdb_t *db, gw_ctx_t *ctx)
{
    return db->owner_name ? db->owner_name(ctx) : "?";
}

static bool sub_matches(const gw_sub_t *s, const char *name)
{
    if (s->flags & GW_SUB_PREFIX)
        return strncmp(name, s->pattern, s->pattern_len) == 0;
    return strcmp(name, s->pattern) == 0;
}

static void point_add_sub(gw_point_t *p, gw_sub_t *s)
{
    if (p->nsubs == p->cap_subs) {
        p->cap_subs = p->cap_subs ? p->cap_subs * 2 : 2;
        p->subs = g_renew(gw_sub_t *, p->subs, p->cap_subs);
    }
    p->subs[p->nsubs++] = s;
}

static bool valid_name(const char *name)
{
    if (!name || !*name || strlen(name) > 255)
        return false;
    for (const char *c = name; *c; c++)
        if (!(g_ascii_isalnum(*c) || *c == '.' || *c == '_' || *c == '-' || *c == ':'))
            return false;
    return true;
}

gw_point_id_t gw_pointdb_register(gw_pointdb_t *db, gw_ctx_t *owner, const gw_point_def_t *def)
{
    if (!def || def->size < offsetof(gw_point_def_t, user) + sizeof(void *) ||
        !valid_name(def->name) || def->type < GW_TYPE_BOOL || def->type > GW_TYPE_DATETIME ||
        def->access < GW_ACCESS_R || def->access > GW_ACCESS_RW)
        return -EINVAL;
    if (def->type == GW_TYPE_STRING && (def->max_len == 0 || def->max_len > 65535))
        return -EINVAL;
    if (g_hash_table_contains(db->by_name, def->name)) {
        gw_core_error("point '%s' registered twice (by %s, already owned by %s)", def->name,
                      owner_name(db, owner),
                      owner_name(db, db->points[gw_pointdb_lookup(db, def->name)].owner));
        return -EEXIST;
    }
    if (db->count >= db->max) {
        gw_core_error("too many points: '%s' would be point %zu, over the limit of %zu "
                      "([core] max_signals; disable signals or raise the limit)",
                      def->name, db->count + 1, db->max);
        return -ENOSPC;
    }
    if (db->count == db->cap) {
        db->cap = db->cap ? db->cap * 2 : 1024;
        db->points = g_renew(gw_point_t, db->points, db->cap);
    }
    gw_point_id_t id = (gw_point_id_t)db->count;
    gw_point_t *p = &db->points[id];
    memset(p, 0, sizeof *p);
    /* names are unique: plain insert, no interning look-up */
    p->name = g_string_chunk_insert(db->names, def->name);
    p->owner = owner;
    p->meta = meta_intern(db, def);
    p->type = (uint8_t)def->type;
    p->access = (uint8_t)def->access;
    p->quality = GW_QUALITY_UNINIT;
    if (p->type == GW_TYPE_STRING)
        p->str = g_malloc0(p->meta->max_len + 1);
    db->count++;
    g_hash_table_insert(db->by_name, (gpointer)p->name, GINT_TO_POINTER(id + 1));
    for (guint i = 0; i < db->prefix_subs->len; i++) {
        gw_sub_t *s = g_ptr_array_index(db->prefix_subs, i);
        if (!s->dead && sub_matches(s, p->name))
            point_add_sub(p, s);
    }
    return id;
}

gw_point_id_t gw_pointdb_lookup(gw_pointdb_t *db, const char *name)
{
    if (!name)
        return -EINVAL;
    gpointer v = g_hash_table_lookup(db->by_name, name);
    return v ? GPOINTER_TO_INT(v) - 1 : -ENOENT;
}

size_t gw_pointdb_count(gw_pointdb_t *db)
{
    return db->count;
}

size_t gw_pointdb_limit(gw_pointdb_t *db)
{
    return db->max;
}

void gw_pointdb_raise_limit(gw_pointdb_t *db, size_t extra)
{
    db->max += extra;
}

static inline gw_point_t *point_at(gw_pointdb_t *db, gw_point_id_t id)
{
    return (id >= 0 && (size_t)id < db->count) ? &db->points[id] : NULL;
}

int gw_pointdb_info(gw_pointdb_t *db, gw_point_id_t id, gw_point_info_t *out)
{
    gw_point_t *p = point_at(db, id);
    if (!p)
        return -ENOENT;
    if (!out || out->size < offsetof(gw_point_info_t, owner))
        return -EINVAL;
    gw_point_info_t info = {
        .size = out->size, .name = p->name, .type = p->type, .access = p->access,
        .quality = p->quality, .max_len = p->meta->max_len, .changed_ms = p->changed_ms,
        .owner = owner_name(db, p->owner), .description = p->meta->description, .unit = p->meta->unit,
        .flags = p->meta->flags, .min = p->meta->min, .max = p->meta->max,
        .enumeration = p->meta->enumeration ? p->meta->enumeration->text : NULL,
    };
    memcpy(out, &info, out->size < sizeof info ? out->size : sizeof info);
    return 0;
}

static void point_value(const gw_point_t *p, gw_value_t *out)
{
    switch (p->type) {
    case GW_TYPE_FLOAT32:
        *out = gw_value_float(p->v.f);
        break;
    case GW_TYPE_STRING:
        *out = gw_value_string_len(p->str, p->str_len);
        break;
    default:
        *out = gw_value_int(p->v.i);
        break;
    }
}

int gw_pointdb_get(gw_pointdb_t *db, gw_point_id_t id, gw_value_t *out)
{
    gw_point_t *p = point_at(db, id);
    if (!p)
        return -ENOENT;
    point_value(p, out);
    return 0;
}

/* The integer interval a type holds; false for float and string types. */
static bool type_bounds(gw_type_t type, int64_t *lo, int64_t *hi)
{
    switch (type) {
    case GW_TYPE_BOOL: *lo = 0; *hi = 1; return true;
    case GW_TYPE_INT16: *lo = INT16_MIN; *hi = INT16_MAX; return true;
    case GW_TYPE_UINT16: *lo = 0; *hi = UINT16_MAX; return true;
    case GW_TYPE_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    case GW_TYPE_UINT32: *lo = 0; *hi = UINT32_MAX; return true;
    case GW_TYPE_DATETIME: *lo = INT64_MIN; *hi = INT64_MAX; return true;
    default: return false;
    }
}

/* Check a value against the point's type and range; the normalised value
 * (float precision, string length up to the first NUL) goes to *out. */
static int value_check(const gw_point_t *p, const gw_value_t *v, gw_value_t *out,
                       const char **why)
{
    int64_t lo, hi;
    *out = *v;
    switch (p->type) {
    case GW_TYPE_STRING: {
        if (v->kind != GW_VALUE_STRING || (!v->u.s && v->len)) {
            *why = "a string is expected";
            return -EINVAL;
        }
        uint32_t len = v->len ? (uint32_t)strnlen(v->u.s, v->len) : 0;
        if (len > p->meta->max_len) {
            *why = "string too long";
            return -E2BIG;
        }
        out->len = len;
        return 0;
    }
    case GW_TYPE_FLOAT32:
        if (v->kind == GW_VALUE_INT)
            *out = gw_value_float((double)v->u.i);
        else if (v->kind != GW_VALUE_FLOAT) {
            *why = "a number is expected";
            return -EINVAL;
        }
        if (isfinite(out->u.f) && fabs(out->u.f) > 3.4028234663852886e38) {
            *why = "out of float32 range";
            return -ERANGE;
        }
        out->u.f = (double)(float)out->u.f;
        return 0;
    default:
        if (!type_bounds(p->type, &lo, &hi)) {
            *why = "unknown type";
            return -EINVAL;
        }
        break;
    }
    if (v->kind != GW_VALUE_INT) {
        *why = "an integer is expected";
        return -EINVAL;
    }
    if (v->u.i < lo || v->u.i > hi) {
        *why = "out of the type's range";
        return -ERANGE;
    }
    if ((p->meta->flags & GW_POINT_RANGE) && (v->u.i < p->meta->min || v->u.i > p->meta->max)) {
        *why = "out of the point's range";
        return -ERANGE;
    }
    return 0;
}

/* Store a checked value; true when it differs from what was there. */
static bool value_store(gw_point_t *p, const gw_value_t *v)
{
    switch (p->type) {
    case GW_TYPE_STRING:
        if (v->len == p->str_len && memcmp(p->str, v->u.s, v->len) == 0)
            return false;
        memcpy(p->str, v->u.s, v->len);
        p->str[v->len] = '\0';
        p->str_len = v->len;
        return true;
    case GW_TYPE_FLOAT32:
        if (memcmp(&p->v.f, &v->u.f, sizeof(double)) == 0)
            return false;
        p->v.f = v->u.f;
        return true;
    default:
        if (p->v.i == v->u.i)
            return false;
        p->v.i = v->u.i;
        return true;
    }
}

static void subs_compact(gw_pointdb_t *db)
{
    if (db->depth > 0 || db->dead_subs == 0)
        return;
    for (size_t i = 0; i < db->count; i++) {
        gw_point_t *p = &db->points[i];
        uint32_t k = 0;
        for (uint32_t j = 0; j < p->nsubs; j++)
            if (!p->subs[j]->dead)
                p->subs[k++] = p->subs[j];
        p->nsubs = k;
    }
    for (guint i = 0; i < db->prefix_subs->len;) {
        gw_sub_t *s = g_ptr_array_index(db->prefix_subs, i);
        if (s->dead)
            g_ptr_array_remove_index(db->prefix_subs, i);
        else
            i++;
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, db->subs_by_id);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gw_sub_t *s = v;
        if (s->dead) {
            g_hash_table_iter_remove(&it);
            sub_free(s);
        }
    }
    db->dead_subs = 0;
}

/* Call the point's subscribers. The list may grow during the calls (a
 * subscriber subscribes): only those present at the start are called.
 * Subscriptions cancelled meanwhile are skipped and swept afterwards. */
static int notify(gw_pointdb_t *db, gw_point_id_t id)
{
    if (db->depth >= GW_MAX_NOTIFY_DEPTH) {
        gw_core_error("point '%s': subscribers nested deeper than %d, change not propagated",
                      db->points[id].name, GW_MAX_NOTIFY_DEPTH);
        return -ELOOP;
    }
    db->depth++;
    uint32_t n = db->points[id].nsubs;
    for (uint32_t i = 0; i < n; i++) {
        gw_point_t *p = &db->points[id]; /* the array may move */
        gw_sub_t *s = p->subs[i];
        if (s->dead)
            continue;
        gw_value_t v;
        point_value(p, &v);
        s->cb(s->ctx, id, &v, p->quality, s->user);
    }
    db->depth--;
    subs_compact(db);
    return 0;
}

int gw_pointdb_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v)
{
    gw_point_t *p = point_at(db, id);
    if (!p)
        return -ENOENT;
    if (p->owner != ctx)
        return -EPERM;
    if (!v)
        return -EINVAL;
    gw_value_t nv;
    const char *why;
    int rc = value_check(p, v, &nv, &why);
    if (rc < 0)
        return rc;
    bool changed = value_store(p, &nv) || p->quality != GW_QUALITY_GOOD;
    if (!changed)
        return 0;
    p->quality = GW_QUALITY_GOOD;
    p->changed_ms = now_ms();
    return p->nsubs ? notify(db, id) : 0;
}

int gw_pointdb_set_quality(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q)
{
    gw_point_t *p = point_at(db, id);
    if (!p)
        return -ENOENT;
    if (p->owner != ctx)
        return -EPERM;
    if (q > GW_QUALITY_COMM_ERROR)
        return -EINVAL;
    if (p->quality == q)
        return 0;
    p->quality = q;
    p->changed_ms = now_ms();
    return p->nsubs ? notify(db, id) : 0;
}

/* A handful of codes per list: a scan beats a search. */
static inline bool enum_allows(const gw_point_enum_t *e, int64_t v)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->codes[i] == v)
            return true;
    return false;
}

/* One element of a write batch, in the order a writer can rely on: the
 * point, its access, its type, the limits its owner declared (range,
 * enumeration), and only then the owner's own check, which therefore never
 * sees a value outside them. */
static int write_check(gw_pointdb_t *db, const gw_point_write_t *w, gw_value_t *val,
                       const char **reason)
{
    gw_point_t *p = point_at(db, w->id);
    int rc;
    if (!p) {
        *reason = "no such point";
        return -ENOENT;
    }
    if (!(p->access & GW_ACCESS_W)) {
        *reason = "read-only point";
        return -EACCES;
    }
    if ((rc = value_check(p, &w->value, val, reason)) < 0)
        return rc;
    if (p->meta->enumeration && !enum_allows(p->meta->enumeration, val->u.i)) {
        *reason = "not one of the point's enumerated values";
        return -ERANGE;
    }
    if (!p->meta->check)
        return 0;
    const char *why = NULL;
    rc = p->meta->check(p->owner, w->id, val, p->meta->user, &why);
    if (rc > 0)
        rc = -EINVAL;
    if (rc < 0)
        *reason = why ? why : "refused by its owner";
    return rc;
}

int gw_pointdb_write(gw_pointdb_t *db, const gw_point_write_t *w, size_t n, gw_write_error_t *err)
{
    gw_write_error_t dummy;
    if (!err)
        err = &dummy;
    err->index = 0;
    err->reason = NULL;
    if (n == 0)
        return 0;
    if (!w)
        return -EINVAL;
    gw_value_t stack_vals[32];
    gw_value_t *vals = n <= 32 ? stack_vals : g_new(gw_value_t, n);
    int rc = 0;

    /* 1. Check everything; nothing changes unless all is acceptable. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        err->index = i;
        rc = write_check(db, &w[i], &vals[i], &err->reason);
    }
    if (rc < 0)
        goto out;

    /* 2. Apply every value, 3. then tell subscribers and owners, so that a
     * flag written with its parameters acts after them. */
    uint8_t stack_changed[32];
    uint8_t *changed = n <= 32 ? stack_changed : g_new(uint8_t, n);
    int64_t now = now_ms();
    for (size_t i = 0; i < n; i++) {
        gw_point_t *p = &db->points[w[i].id];
        changed[i] = value_store(p, &vals[i]) || p->quality != GW_QUALITY_GOOD;
        p->quality = GW_QUALITY_GOOD;
        if (changed[i])
            p->changed_ms = now;
    }
    db->depth++;
    for (size_t i = 0; i < n; i++) {
        gw_point_t *p = &db->points[w[i].id];
        if (changed[i] && p->nsubs)
            notify(db, w[i].id);
        p = &db->points[w[i].id];
        if (p->meta->on_write) {
            gw_value_t cur;
            point_value(p, &cur);
            p->meta->on_write(p->owner, w[i].id, &cur, p->meta->user);
        }
    }
    db->depth--;
    subs_compact(db);
    if (changed != stack_changed)
        g_free(changed);
out:
    if (vals != stack_vals)
        g_free(vals);
    return rc;
}

/* Parse "code=label;code=label" for a point of type [lo, hi]. The text is
 * rebuilt in canonical form ("01" -> "1") so that equal lists share one
 * record. @return the interned list, or NULL: the list is malformed. */
static const gw_point_enum_t *enum_intern(gw_pointdb_t *db, const char *spec, int64_t lo,
                                          int64_t hi)
{
    gchar **items = g_strsplit(spec, ";", -1);
    guint n = g_strv_length(items);
    gw_point_enum_t *e = g_malloc(sizeof *e + n * sizeof(int64_t));
    GString *text = g_string_sized_new(strlen(spec) + 8);
    bool ok = n > 0 && n <= GW_POINT_ENUM_MAX;
    e->n = 0;
    for (guint i = 0; ok && i < n; i++) {
        const char *eq = strchr(items[i], '=');
        char *end;
        errno = 0;
        long long code = eq ? strtoll(items[i], &end, 10) : 0;
        ok = eq && end == eq && eq != items[i] && errno == 0 && eq[1] && code >= lo &&
             code <= hi && !enum_allows(e, code);
        if (!ok)
            break;
        e->codes[e->n++] = code;
        g_string_append_printf(text, "%s%lld=%s", i ? ";" : "", code, eq + 1);
    }
    g_strfreev(items);
    const gw_point_enum_t *found = ok ? g_hash_table_lookup(db->enums, text->str) : NULL;
    if (!ok || found) {
        g_free(e);
        g_string_free(text, TRUE);
        return found;
    }
    e->text = g_string_chunk_insert_const(db->names, text->str);
    g_string_free(text, TRUE);
    g_hash_table_insert(db->enums, (gpointer)e->text, e);
    return e;
}

int gw_pointdb_enum_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, const char *values)
{
    gw_point_t *p = point_at(db, id);
    int64_t lo, hi;
    if (!p)
        return -ENOENT;
    if (p->owner != ctx)
        return -EPERM;
    if (!type_bounds(p->type, &lo, &hi))
        return -EINVAL;
    gw_point_meta_t key = *p->meta;
    key.enumeration = NULL;
    if (values && *values) {
        if (strlen(values) > GW_POINT_ENUM_TEXT_MAX ||
            !(key.enumeration = enum_intern(db, values, lo, hi)))
            return -EINVAL;
    }
    p->meta = meta_intern_key(db, &key);
    /* viewers read labels from the attribute, as they do for any plugin
     * that sets it by hand */
    return gw_pointdb_attr_set(db, id, "enum", key.enumeration ? key.enumeration->text : NULL);
}

int gw_pointdb_range_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, int64_t min,
                         int64_t max)
{
    gw_point_t *p = point_at(db, id);
    int64_t lo, hi;
    if (!p)
        return -ENOENT;
    if (p->owner != ctx)
        return -EPERM;
    if (!type_bounds(p->type, &lo, &hi) || min > max)
        return -EINVAL;
    gw_point_meta_t key = *p->meta;
    key.flags |= GW_POINT_RANGE;
    key.min = min;
    key.max = max;
    p->meta = meta_intern_key(db, &key);
    return 0;
}

int gw_pointdb_attr_set(gw_pointdb_t *db, gw_point_id_t id, const char *key, const char *value)
{
    gw_point_t *p = point_at(db, id);
    if (!p)
        return -ENOENT;
    if (!key || !*key)
        return -EINVAL;
    const char *k = g_intern_string(key);
    for (uint32_t i = 0; i < p->nattrs; i++) {
        if (p->attrs[i].key != k)
            continue;
        if (value) {
            p->attrs[i].value = g_intern_string(value);
        } else {
            p->attrs[i] = p->attrs[--p->nattrs];
        }
        return 0;
    }
    if (!value)
        return 0;
    p->attrs = g_renew(gw_attr_t, p->attrs, p->nattrs + 1);
    p->attrs[p->nattrs].key = k;
    p->attrs[p->nattrs].value = g_intern_string(value);
    p->nattrs++;
    return 0;
}

const char *gw_pointdb_attr_get(gw_pointdb_t *db, gw_point_id_t id, const char *key)
{
    gw_point_t *p = point_at(db, id);
    if (!p || !key)
        return NULL;
    for (uint32_t i = 0; i < p->nattrs; i++)
        if (strcmp(p->attrs[i].key, key) == 0)
            return p->attrs[i].value;
    return NULL;
}

gw_sub_id_t gw_pointdb_subscribe(gw_pointdb_t *db, gw_ctx_t *ctx, const char *pattern,
                                 unsigned flags, gw_point_cb cb, void *user)
{
    if (!pattern || !cb || (flags & ~GW_SUB_PREFIX))
        return -EINVAL;
    gw_point_id_t exact = -ENOENT;
    if (!(flags & GW_SUB_PREFIX)) {
        exact = gw_pointdb_lookup(db, pattern);
        if (exact < 0)
            return -ENOENT;
    }
    gw_sub_t *s = g_new0(gw_sub_t, 1);
    s->id = db->next_sub_id++;
    s->ctx = ctx;
    s->pattern = g_strdup(pattern);
    s->pattern_len = strlen(pattern);
    s->flags = flags;
    s->cb = cb;
    s->user = user;
    g_hash_table_insert(db->subs_by_id, &s->id, s);
    if (exact >= 0) {
        point_add_sub(&db->points[exact], s);
    } else {
        g_ptr_array_add(db->prefix_subs, s);
        for (size_t i = 0; i < db->count; i++)
            if (sub_matches(s, db->points[i].name))
                point_add_sub(&db->points[i], s);
    }
    return s->id;
}

int gw_pointdb_unsubscribe(gw_pointdb_t *db, gw_ctx_t *ctx, gw_sub_id_t sub)
{
    gw_sub_t *s = g_hash_table_lookup(db->subs_by_id, &sub);
    if (!s || s->dead || s->ctx != ctx)
        return -ENOENT;
    s->dead = true;
    db->dead_subs++;
    subs_compact(db);
    return 0;
}

void gw_pointdb_unsubscribe_all(gw_pointdb_t *db, gw_ctx_t *ctx)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, db->subs_by_id);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gw_sub_t *s = v;
        if (s->ctx == ctx && !s->dead) {
            s->dead = true;
            db->dead_subs++;
        }
    }
    subs_compact(db);
}
