/* Point database: registration, lookup, set/write rules, batches,
 * subscriptions and their re-entrancy, limits. */
#include "config.h"
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "points.h"

/* Two fake owners: the database only compares their addresses. */
static int owner_a, owner_b;
/* Pointers to temporary values, for brevity. */
#define VI(x) (&(gw_value_t){ GW_VALUE_INT, 0, { .i = (x) } })
#define VF(x) (&(gw_value_t){ GW_VALUE_FLOAT, 0, { .f = (x) } })
#define VS(x) (&(gw_value_t){ GW_VALUE_STRING, sizeof(x) - 1, { .s = (x) } })
#define A ((gw_ctx_t *)&owner_a)
#define B ((gw_ctx_t *)&owner_b)

static gw_point_id_t reg(gw_pointdb_t *db, gw_ctx_t *owner, const char *name, gw_type_t type,
                         gw_access_t access)
{
    return gw_pointdb_register(db, owner, &GW_POINT_DEF(.name = name, .type = type,
                                                        .access = access, .max_len = 20));
}

static void test_register_lookup(void)
{
    gw_pointdb_t *db = gw_pointdb_new(100);
    gw_point_id_t a = reg(db, A, "x.a", GW_TYPE_UINT16, GW_ACCESS_R);
    gw_point_id_t b = reg(db, A, "x.b", GW_TYPE_STRING, GW_ACCESS_RW);
    g_assert_cmpint(a, ==, 0);
    g_assert_cmpint(b, ==, 1);
    g_assert_cmpint(gw_pointdb_lookup(db, "x.b"), ==, b);
    g_assert_cmpint(gw_pointdb_lookup(db, "x.c"), ==, -ENOENT);
    g_assert_cmpint(reg(db, B, "x.a", GW_TYPE_UINT16, GW_ACCESS_R), ==, -EEXIST);
    g_assert_cmpint(reg(db, A, "bad name", GW_TYPE_UINT16, GW_ACCESS_R), ==, -EINVAL);
    g_assert_cmpint(reg(db, A, "", GW_TYPE_UINT16, GW_ACCESS_R), ==, -EINVAL);
    g_assert_cmpint(reg(db, A, "x.t", (gw_type_t)99, GW_ACCESS_R), ==, -EINVAL);
    g_assert_cmpuint(gw_pointdb_count(db), ==, 2);

    gw_point_info_t info = { .size = sizeof info };
    g_assert_cmpint(gw_pointdb_info(db, a, &info), ==, 0);
    g_assert_cmpstr(info.name, ==, "x.a");
    g_assert_cmpint(info.quality, ==, GW_QUALITY_UNINIT);
    g_assert_cmpint(info.changed_ms, ==, 0);
    g_assert_cmpint(gw_pointdb_info(db, 5, &info), ==, -ENOENT);
    g_assert_cmpint(gw_pointdb_info(db, -1, &info), ==, -ENOENT);
    gw_pointdb_free(db);
}

static void test_limit(void)
{
    gw_pointdb_t *db = gw_pointdb_new(3);
    g_assert_cmpint(reg(db, A, "p.0", GW_TYPE_BOOL, GW_ACCESS_R), >=, 0);
    g_assert_cmpint(reg(db, A, "p.1", GW_TYPE_BOOL, GW_ACCESS_R), >=, 0);
    g_assert_cmpint(reg(db, A, "p.2", GW_TYPE_BOOL, GW_ACCESS_R), >=, 0);
    g_assert_cmpint(reg(db, A, "p.3", GW_TYPE_BOOL, GW_ACCESS_R), ==, -ENOSPC);
    g_assert_cmpuint(gw_pointdb_count(db), ==, 3);
    gw_pointdb_free(db);
}

static void test_hundred_thousand(void)
{
    gw_pointdb_t *db = gw_pointdb_new(100000);
    char name[64];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "big.%d.value", i);
        g_assert_cmpint(reg(db, A, name, GW_TYPE_FLOAT32, GW_ACCESS_R), ==, i);
    }
    for (int i = 0; i < 100000; i += 997) {
        snprintf(name, sizeof name, "big.%d.value", i);
        g_assert_cmpint(gw_pointdb_lookup(db, name), ==, i);
        g_assert_cmpint(gw_pointdb_set(db, A, i, VF(i * 0.5)), ==, 0);
        gw_value_t v;
        gw_pointdb_get(db, i, &v);
        g_assert_cmpfloat(v.u.f, ==, i * 0.5);
    }
    gw_pointdb_free(db);
}

static void test_set_types(void)
{
    gw_pointdb_t *db = gw_pointdb_new(100);
    gw_point_id_t u16 = reg(db, A, "t.u16", GW_TYPE_UINT16, GW_ACCESS_R);
    gw_point_id_t i16 = reg(db, A, "t.i16", GW_TYPE_INT16, GW_ACCESS_R);
    gw_point_id_t b = reg(db, A, "t.b", GW_TYPE_BOOL, GW_ACCESS_R);
    gw_point_id_t f = reg(db, A, "t.f", GW_TYPE_FLOAT32, GW_ACCESS_R);
    gw_point_id_t s = reg(db, A, "t.s", GW_TYPE_STRING, GW_ACCESS_R);
    gw_value_t v;

    g_assert_cmpint(gw_pointdb_set(db, A, u16, VI(65535)), ==, 0);
    g_assert_cmpint(gw_pointdb_set(db, A, u16, VI(65536)), ==, -ERANGE);
    g_assert_cmpint(gw_pointdb_set(db, A, u16, VI(-1)), ==, -ERANGE);
    g_assert_cmpint(gw_pointdb_set(db, A, u16, VF(1.5)), ==, -EINVAL);
    g_assert_cmpint(gw_pointdb_set(db, A, u16, VS("1")), ==, -EINVAL);
    gw_pointdb_get(db, u16, &v);
    g_assert_cmpint(v.u.i, ==, 65535); /* refused sets changed nothing */

    g_assert_cmpint(gw_pointdb_set(db, A, i16, VI(-32768)), ==, 0);
    g_assert_cmpint(gw_pointdb_set(db, A, i16, VI(32768)), ==, -ERANGE);
    g_assert_cmpint(gw_pointdb_set(db, A, b, VI(2)), ==, -ERANGE);
    g_assert_cmpint(gw_pointdb_set(db, A, f, VI(3)), ==, 0);
    gw_pointdb_get(db, f, &v);
    g_assert_cmpint(v.kind, ==, GW_VALUE_FLOAT);
    g_assert_cmpfloat(v.u.f, ==, 3.0);
    g_assert_cmpint(gw_pointdb_set(db, A, f, VF(0.1)), ==, 0);
    gw_pointdb_get(db, f, &v);
    g_assert_cmpfloat(v.u.f, ==, (double)0.1f); /* float32 precision */

    g_assert_cmpint(gw_pointdb_set(db, A, s, VS("hello")), ==, 0);
    g_assert_cmpint(gw_pointdb_set(db, A, s, VS("123456789012345678901")), ==, -E2BIG);
    gw_pointdb_get(db, s, &v);
    g_assert_cmpint(v.len, ==, 5);
    g_assert_cmpint(memcmp(v.u.s, "hello", 5), ==, 0);

    /* Only the owner sets; others must write through the owner. */
    g_assert_cmpint(gw_pointdb_set(db, B, u16, VI(1)), ==, -EPERM);
    g_assert_cmpint(gw_pointdb_set_quality(db, B, u16, GW_QUALITY_COMM_ERROR), ==, -EPERM);
    g_assert_cmpint(gw_pointdb_set(db, A, 99, VI(1)), ==, -ENOENT);
    gw_pointdb_free(db);
}

static void test_range_flag(void)
{
    gw_pointdb_t *db = gw_pointdb_new(10);
    gw_point_id_t e = gw_pointdb_register(db, A, &GW_POINT_DEF(.name = "e", .type = GW_TYPE_UINT16,
                                                               .access = GW_ACCESS_RW,
                                                               .flags = GW_POINT_RANGE, .min = 0,
                                                               .max = 8));
    gw_point_write_t w = { e, gw_value_int(9) };
    gw_write_error_t err;
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, -ERANGE);
    g_assert_nonnull(err.reason);
    w.value = gw_value_int(8);
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, 0);
    gw_pointdb_free(db);
}

/* ---- writes routed to the owner */

typedef struct {
    gw_pointdb_t *db;
    gw_point_id_t param, flag, seen_param;
    int checks, writes;
    int64_t param_at_flag;
} owner_t;

static int owner_check(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user,
                       const char **reason)
{
    owner_t *o = user;
    g_assert_true(ctx == A);
    o->checks++;
    if (v->kind == GW_VALUE_INT && v->u.i == 13) {
        *reason = "unlucky";
        return -EINVAL;
    }
    return 0;
}

static void owner_written(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    owner_t *o = user;
    o->writes++;
    if (id == o->flag) {
        gw_value_t p;
        gw_pointdb_get(o->db, o->param, &p);
        o->param_at_flag = p.u.i;
    }
}

static void test_write_batch(void)
{
    owner_t o = { 0 };
    gw_pointdb_t *db = o.db = gw_pointdb_new(10);
    gw_point_def_t d = GW_POINT_DEF(.type = GW_TYPE_UINT16, .access = GW_ACCESS_W,
                                    .check = owner_check, .on_write = owner_written, .user = &o);
    /* The flag is registered first and written first in the batch: it must
     * still see the parameter written after it in the same batch. */
    d.name = "op.flag";
    o.flag = gw_pointdb_register(db, A, &d);
    d.name = "op.param";
    o.param = gw_pointdb_register(db, A, &d);
    gw_point_id_t ro = reg(db, A, "op.status", GW_TYPE_UINT16, GW_ACCESS_R);

    gw_point_write_t batch[2] = { { o.flag, gw_value_int(1) }, { o.param, gw_value_int(42) } };
    gw_write_error_t err;
    g_assert_cmpint(gw_pointdb_write(db, batch, 2, &err), ==, 0);
    g_assert_cmpint(o.writes, ==, 2);
    g_assert_cmpint(o.param_at_flag, ==, 42);

    /* One refusal cancels the whole batch: nothing applied, no on_write. */
    gw_point_write_t bad[2] = { { o.param, gw_value_int(7) }, { o.flag, gw_value_int(13) } };
    g_assert_cmpint(gw_pointdb_write(db, bad, 2, &err), ==, -EINVAL);
    g_assert_cmpuint(err.index, ==, 1);
    g_assert_cmpstr(err.reason, ==, "unlucky");
    gw_value_t v;
    gw_pointdb_get(db, o.param, &v);
    g_assert_cmpint(v.u.i, ==, 42);
    g_assert_cmpint(o.writes, ==, 2);

    /* Read-only points refuse writes; the owner's set still works. */
    gw_point_write_t w = { ro, gw_value_int(1) };
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, -EACCES);
    g_assert_cmpint(gw_pointdb_set(db, A, ro, VI(1)), ==, 0);
    w.id = 77;
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, -ENOENT);
    gw_pointdb_free(db);
}

/* ---- enumerations and ranges declared by the owner */

static void test_enum_write(void)
{
    owner_t o = { 0 };
    gw_pointdb_t *db = o.db = gw_pointdb_new(10);
    gw_point_def_t d = GW_POINT_DEF(.name = "c.availability", .type = GW_TYPE_UINT16,
                                    .access = GW_ACCESS_RW, .check = owner_check,
                                    .on_write = owner_written, .user = &o);
    gw_point_id_t av = gw_pointdb_register(db, A, &d);
    d.name = "c.param";
    gw_point_id_t param = gw_pointdb_register(db, A, &d);
    gw_pointdb_set(db, A, av, VI(1));
    g_assert_cmpint(gw_pointdb_enum_set(db, A, av, "0=Inoperative;01=Operative"), ==, 0);

    /* canonical text, shown to viewers as the "enum" attribute too */
    gw_point_info_t info = { .size = sizeof info };
    g_assert_cmpint(gw_pointdb_info(db, av, &info), ==, 0);
    g_assert_cmpstr(info.enumeration, ==, "0=Inoperative;1=Operative");
    g_assert_cmpstr(gw_pointdb_attr_get(db, av, "enum"), ==, "0=Inoperative;1=Operative");

    /* 9 refused before the owner's check and on_write; nothing of the
     * batch applied */
    gw_point_write_t batch[2] = { { param, gw_value_int(5) }, { av, gw_value_int(9) } };
    gw_write_error_t err;
    g_assert_cmpint(gw_pointdb_write(db, batch, 2, &err), ==, -ERANGE);
    g_assert_cmpuint(err.index, ==, 1);
    g_assert_cmpstr(err.reason, ==, "not one of the point's enumerated values");
    g_assert_cmpint(o.checks, ==, 1); /* param only */
    g_assert_cmpint(o.writes, ==, 0);
    gw_value_t v;
    gw_pointdb_get(db, av, &v);
    g_assert_cmpint(v.u.i, ==, 1);
    gw_pointdb_get(db, param, &v);
    g_assert_cmpint(v.u.i, ==, 0);

    /* listed values pass, through the owner's check to on_write */
    batch[1].value = gw_value_int(0);
    g_assert_cmpint(gw_pointdb_write(db, batch, 2, &err), ==, 0);
    g_assert_cmpint(o.writes, ==, 2);
    gw_pointdb_get(db, av, &v);
    g_assert_cmpint(v.u.i, ==, 0);

    /* the owner may still report a code it does not accept from others */
    g_assert_cmpint(gw_pointdb_set(db, A, av, VI(7)), ==, 0);

    /* removing the list allows any value of the type again */
    g_assert_cmpint(gw_pointdb_enum_set(db, A, av, NULL), ==, 0);
    g_assert_null(gw_pointdb_attr_get(db, av, "enum"));
    batch[1].value = gw_value_int(9);
    g_assert_cmpint(gw_pointdb_write(db, &batch[1], 1, &err), ==, 0);
    gw_pointdb_free(db);
}

static void test_enum_declare(void)
{
    gw_pointdb_t *db = gw_pointdb_new(10);
    gw_point_id_t u = reg(db, A, "u", GW_TYPE_UINT16, GW_ACCESS_RW);
    gw_point_id_t i = reg(db, A, "i", GW_TYPE_INT16, GW_ACCESS_RW);
    gw_point_id_t f = reg(db, A, "f", GW_TYPE_FLOAT32, GW_ACCESS_RW);
    gw_point_id_t s = reg(db, A, "s", GW_TYPE_STRING, GW_ACCESS_RW);
    gw_point_id_t u2 = reg(db, A, "u2", GW_TYPE_UINT16, GW_ACCESS_RW);
    /* only the owner declares */
    g_assert_cmpint(gw_pointdb_enum_set(db, B, u, "0=A"), ==, -EPERM);
    g_assert_cmpint(gw_pointdb_range_set(db, B, u, 0, 1), ==, -EPERM);
    g_assert_cmpint(gw_pointdb_enum_set(db, A, 99, "0=A"), ==, -ENOENT);
    /* malformed lists change nothing */
    static const char *const bad[] = { "0", "=A", "0=", "x=A", "0=A;0=B", "-1=A", "65536=A",
                                       "0=A;", "0x1=A", "1.5=A", ";" };
    for (size_t k = 0; k < G_N_ELEMENTS(bad); k++)
        g_assert_cmpint(gw_pointdb_enum_set(db, A, u, bad[k]), ==, -EINVAL);
    gw_point_info_t info = { .size = sizeof info };
    gw_pointdb_info(db, u, &info);
    g_assert_null(info.enumeration);
    /* negative codes where the type has them; no lists on floats and strings */
    g_assert_cmpint(gw_pointdb_enum_set(db, A, i, "-1=Unknown;0=Off;1=On"), ==, 0);
    g_assert_cmpint(gw_pointdb_enum_set(db, A, f, "0=A"), ==, -EINVAL);
    g_assert_cmpint(gw_pointdb_enum_set(db, A, s, "0=A"), ==, -EINVAL);
    g_assert_cmpint(gw_pointdb_range_set(db, A, f, 0, 1), ==, -EINVAL);
    /* the same list is shared */
    g_assert_cmpint(gw_pointdb_enum_set(db, A, u, "0=No;1=Yes"), ==, 0);
    g_assert_cmpint(gw_pointdb_enum_set(db, A, u2, "0=No;1=Yes"), ==, 0);
    gw_point_info_t i2 = { .size = sizeof i2 };
    gw_pointdb_info(db, u, &info);
    gw_pointdb_info(db, u2, &i2);
    g_assert_true(info.enumeration == i2.enumeration);

    /* a range declared after registration: writes and the owner's sets */
    g_assert_cmpint(gw_pointdb_range_set(db, A, u2, 1, 0), ==, -EINVAL);
    g_assert_cmpint(gw_pointdb_enum_set(db, A, u2, NULL), ==, 0);
    g_assert_cmpint(gw_pointdb_range_set(db, A, u2, 1, 7), ==, 0);
    gw_point_write_t w = { u2, gw_value_int(8) };
    gw_write_error_t err;
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, -ERANGE);
    g_assert_cmpstr(err.reason, ==, "out of the point's range");
    w.value = gw_value_int(0);
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, -ERANGE);
    w.value = gw_value_int(7);
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, 0);
    g_assert_cmpint(gw_pointdb_set(db, A, u2, VI(9)), ==, -ERANGE);
    gw_pointdb_info(db, u2, &info);
    g_assert_true(info.flags & GW_POINT_RANGE);
    g_assert_cmpint(info.min, ==, 1);
    g_assert_cmpint(info.max, ==, 7);
    /* u keeps its own limits: the shared record was copied, not changed */
    w.id = u;
    w.value = gw_value_int(1);
    g_assert_cmpint(gw_pointdb_write(db, &w, 1, &err), ==, 0);
    gw_pointdb_free(db);
}

/* ---- subscriptions */

typedef struct {
    gw_pointdb_t *db;
    int calls;
    gw_point_id_t mirror;
    gw_sub_id_t self;
    int64_t last;
} sub_t;

static void count_cb(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q, void *u)
{
    sub_t *s = u;
    s->calls++;
    s->last = v->kind == GW_VALUE_INT ? v->u.i : -1;
}

static void mirror_cb(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q, void *u)
{
    sub_t *s = u;
    s->calls++;
    /* Re-entrant: a subscriber sets another point it owns. */
    g_assert_cmpint(gw_pointdb_set(s->db, B, s->mirror, v), ==, 0);
}

static void unsub_self_cb(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q,
                          void *u)
{
    sub_t *s = u;
    s->calls++;
    g_assert_cmpint(gw_pointdb_unsubscribe(s->db, ctx, s->self), ==, 0);
}

static void loop_cb(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q, void *u)
{
    sub_t *s = u;
    s->calls++;
    /* Ping-pong between two points: must end with -ELOOP, not a crash. */
    gw_pointdb_set(s->db, A, id == 0 ? 1 : 0, VI(v->u.i + 1));
}

static void test_subscribe(void)
{
    gw_pointdb_t *db = gw_pointdb_new(100);
    gw_point_id_t a = reg(db, A, "s.a", GW_TYPE_INT32, GW_ACCESS_R);
    sub_t exact = { db }, prefix = { db }, later = { db };
    g_assert_cmpint(gw_pointdb_subscribe(db, B, "s.a", GW_SUB_EXACT, count_cb, &exact), >, 0);
    g_assert_cmpint(gw_pointdb_subscribe(db, B, "nope", GW_SUB_EXACT, count_cb, &exact), ==, -ENOENT);
    g_assert_cmpint(gw_pointdb_subscribe(db, B, "s.", GW_SUB_PREFIX, count_cb, &prefix), >, 0);
    gw_point_id_t b = reg(db, A, "s.b", GW_TYPE_INT32, GW_ACCESS_R); /* after the subscription */
    g_assert_cmpint(gw_pointdb_subscribe(db, B, "t.", GW_SUB_PREFIX, count_cb, &later), >, 0);

    gw_pointdb_set(db, A, a, VI(1));
    gw_pointdb_set(db, A, a, VI(1)); /* unchanged: no call */
    gw_pointdb_set(db, A, b, VI(2));
    g_assert_cmpint(exact.calls, ==, 1);
    g_assert_cmpint(prefix.calls, ==, 2);
    g_assert_cmpint(prefix.last, ==, 2);
    g_assert_cmpint(later.calls, ==, 0);
    gw_pointdb_set_quality(db, A, a, GW_QUALITY_COMM_ERROR); /* quality change notifies */
    g_assert_cmpint(exact.calls, ==, 2);

    gw_pointdb_unsubscribe_all(db, B);
    gw_pointdb_set(db, A, a, VI(5));
    g_assert_cmpint(exact.calls, ==, 2);
    gw_pointdb_free(db);
}

static void test_reentrant(void)
{
    gw_pointdb_t *db = gw_pointdb_new(100);
    gw_point_id_t src = reg(db, A, "r.src", GW_TYPE_INT32, GW_ACCESS_R);
    sub_t m = { db }, watch = { db }, once = { db };
    m.mirror = reg(db, B, "r.mirror", GW_TYPE_INT32, GW_ACCESS_R);
    gw_pointdb_subscribe(db, B, "r.src", GW_SUB_EXACT, mirror_cb, &m);
    gw_pointdb_subscribe(db, A, "r.mirror", GW_SUB_EXACT, count_cb, &watch);
    once.self = gw_pointdb_subscribe(db, A, "r.src", GW_SUB_EXACT, unsub_self_cb, &once);

    gw_pointdb_set(db, A, src, VI(10));
    gw_pointdb_set(db, A, src, VI(11));
    g_assert_cmpint(m.calls, ==, 2);
    g_assert_cmpint(watch.calls, ==, 2);
    g_assert_cmpint(watch.last, ==, 11);
    g_assert_cmpint(once.calls, ==, 1); /* unsubscribed itself inside its callback */
    gw_pointdb_free(db);

    db = gw_pointdb_new(10);
    sub_t ping = { db };
    reg(db, A, "p.0", GW_TYPE_INT32, GW_ACCESS_R);
    reg(db, A, "p.1", GW_TYPE_INT32, GW_ACCESS_R);
    gw_pointdb_subscribe(db, A, "p.", GW_SUB_PREFIX, loop_cb, &ping);
    gw_pointdb_set(db, A, 0, VI(1));
    g_assert_cmpint(ping.calls, ==, 16);
    gw_pointdb_free(db);
}

static void test_attrs(void)
{
    gw_pointdb_t *db = gw_pointdb_new(10);
    gw_point_id_t a = reg(db, A, "a", GW_TYPE_UINT16, GW_ACCESS_R);
    g_assert_null(gw_pointdb_attr_get(db, a, "modbus.address"));
    g_assert_cmpint(gw_pointdb_attr_set(db, a, "modbus.address", "612"), ==, 0);
    g_assert_cmpstr(gw_pointdb_attr_get(db, a, "modbus.address"), ==, "612");
    g_assert_cmpint(gw_pointdb_attr_set(db, a, "modbus.address", NULL), ==, 0);
    g_assert_null(gw_pointdb_attr_get(db, a, "modbus.address"));
    g_assert_cmpint(gw_pointdb_attr_set(db, 9, "k", "v"), ==, -ENOENT);
    gw_pointdb_free(db);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/points/register-lookup", test_register_lookup);
    g_test_add_func("/points/limit", test_limit);
    g_test_add_func("/points/hundred-thousand", test_hundred_thousand);
    g_test_add_func("/points/set-types", test_set_types);
    g_test_add_func("/points/range-flag", test_range_flag);
    g_test_add_func("/points/write-batch", test_write_batch);
    g_test_add_func("/points/enum-write", test_enum_write);
    g_test_add_func("/points/enum-declare", test_enum_declare);
    g_test_add_func("/points/subscribe", test_subscribe);
    g_test_add_func("/points/reentrant", test_reentrant);
    g_test_add_func("/points/attrs", test_attrs);
    return g_test_run();
}
