/*
 * test-modbus-engine - the shared request engine over a real host's
 * points (core/host.h): function codes, encodings, every exception rule,
 * batches, pages, broadcasts, and the frames libmodbus builds from a reply.
 * A small map (written to a temporary file) keeps addresses readable.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "host.h"
#include "modbus_common/mb_engine.h"

/* global 0..19 (15..19 "Not used"), charger c.{xx} at 100 + 100*xx,
 * 2 chargers per unit */
static const char map_text[] =
    "@block global base=0\n"
    "@block charger base=100 stride=100 count=2 var=xx\n"
    "@group global G 0 19\n"
    "@group charger C 0 9\n"
    "block,offset,registers,format,access,enabled,point,group,values,modes\n"
    "global,0,1,Integer,RW,yes,t.flag,G,,bms\n"
    "global,1,1,Integer,RW,yes,t.param,G,,bms\n"
    "global,2,1,Integer,RW,yes,t.enum,G,0=A;1=B;5=F,bms\n"
    "global,3,2,Float,RW,yes,t.float,G,,bms\n"
    "global,5,2,DateTime,RW,yes,t.time,G,,bms\n"
    "global,7,4,String,RW,yes,t.text,G,,bms\n"
    "global,11,1,Integer,R,yes,t.ro,G,,bms\n"
    "global,12,1,Integer,RW,yes,t.signed,G,,bms\n"
    "global,13,1,Integer,RW,yes,t.absent,G,,bms\n"
    "global,14,1,Integer,RW,no,t.disabled,G,,bms\n"
    "charger,0,1,Integer,R,yes,c.{xx}.status,C,,bms\n"
    "charger,1,1,Integer,R,yes,c.{xx}.wide,C,,bms\n";

enum { A_FLAG = 0, A_PARAM = 1, A_ENUM = 2, A_FLOAT = 3, A_TIME = 5, A_TEXT = 7, A_RO = 11,
       A_SIGNED = 12, A_ABSENT = 13, A_DISABLED = 14, A_UNUSED = 15, A_OUTSIDE = 20 };

typedef struct fixture {
    gw_conf_t *conf;
    gw_host_t *host;
    gw_ctx_t *ctx;
    char *map_path;
    gw_regmap_t *map;
    gw_mb_engine_t *engine;
    gw_point_id_t flag, param, enum_, flt, time, text, ro, sgn, status[3];
    int64_t param_seen_by_flag;  /* t.param when t.flag's handler ran */
    int flag_writes;
    gw_mb_reply_t reply;
    gw_mb_request_info_t info;
} fixture_t;

static int param_check(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user,
                       const char **reason)
{
    (void)ctx;
    (void)id;
    (void)user;
    if (v->u.i == 999) {
        *reason = "busy";
        return -EBUSY;
    }
    return 0;
}

static void flag_written(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    fixture_t *f = user;
    gw_value_t p;
    (void)id;
    (void)v;
    f->flag_writes++;
    g_assert_cmpint(gw_point_get(ctx, f->param, &p), ==, 0);
    f->param_seen_by_flag = p.u.i;
}

static gw_point_id_t reg(fixture_t *f, const char *name, gw_type_t type, gw_access_t access,
                         uint32_t max_len)
{
    gw_point_id_t id = gw_point_register(
        f->ctx, &GW_POINT_DEF(.name = name, .type = type, .access = access, .max_len = max_len,
                              .check = strcmp(name, "t.param") == 0 ? param_check : NULL,
                              .on_write = strcmp(name, "t.flag") == 0 ? flag_written : NULL,
                              .user = f));
    g_assert_cmpint(id, >=, 0);
    return id;
}

static void engine_build(fixture_t *f, unsigned chargers, gw_mb_order_t order)
{
    gw_mb_engine_config_t cfg = { chargers, 0, order };
    char *err = NULL;
    gw_mb_engine_free(f->engine);
    f->engine = gw_mb_engine_new(f->ctx, f->map, &cfg, &err);
    g_assert_null(err);
    g_assert_nonnull(f->engine);
    g_assert_cmpint(gw_mb_engine_bind(f->engine), ==, 0);
}

static void fixture_set_up(fixture_t *f, gconstpointer data)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *err = NULL;
    int fd;
    (void)data;
    memset(f, 0, sizeof *f);
    f->conf = gw_conf_new_empty();
    f->host = gw_host_new(f->conf, errors);
    g_assert_cmpuint(errors->len, ==, 0);
    g_ptr_array_free(errors, TRUE);
    f->ctx = gw_host_core_ctx(f->host);

    fd = g_file_open_tmp("gw-mbmap-XXXXXX.csv", &f->map_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(f->map_path, map_text, -1, NULL));
    f->map = gw_regmap_load(f->map_path, &err);
    g_assert_null(err);

    f->flag = reg(f, "t.flag", GW_TYPE_UINT16, GW_ACCESS_RW, 0);
    f->param = reg(f, "t.param", GW_TYPE_UINT16, GW_ACCESS_RW, 0);
    f->enum_ = reg(f, "t.enum", GW_TYPE_UINT16, GW_ACCESS_RW, 0);
    f->flt = reg(f, "t.float", GW_TYPE_FLOAT32, GW_ACCESS_RW, 0);
    f->time = reg(f, "t.time", GW_TYPE_DATETIME, GW_ACCESS_RW, 0);
    /* 4 registers hold 8 characters; the point takes 6: 7 or 8 are too long */
    f->text = reg(f, "t.text", GW_TYPE_STRING, GW_ACCESS_RW, 6);
    f->ro = reg(f, "t.ro", GW_TYPE_UINT16, GW_ACCESS_R, 0);
    f->sgn = reg(f, "t.signed", GW_TYPE_INT16, GW_ACCESS_RW, 0);
    for (int i = 0; i < 3; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "c.%d.status", i);
        f->status[i] = reg(f, name, GW_TYPE_UINT16, GW_ACCESS_R, 0);
        gw_point_set_int(f->ctx, f->status[i], 10 + i);
        /* a point under a row's name that one register cannot carry */
        g_snprintf(name, sizeof name, "c.%d.wide", i);
        gw_point_set_int(f->ctx, reg(f, name, GW_TYPE_INT32, GW_ACCESS_R, 0), 70000);
    }
    gw_point_set_int(f->ctx, f->ro, 77);
    gw_point_set_float(f->ctx, f->flt, 231.5);
    gw_point_set_int(f->ctx, f->time, 1700000001);
    gw_point_set_string(f->ctx, f->text, "ABC");
    gw_point_set_int(f->ctx, f->enum_, 5);
    /* as a real owner does: the map's list, declared to the point database */
    g_assert_cmpint(gw_point_enum_set(f->ctx, f->enum_, gw_regmap_signal_values(f->map, "t.enum")),
                    ==, 0);
    engine_build(f, 2, GW_MB_ORDER_ABCD);
}

static void fixture_tear_down(fixture_t *f, gconstpointer data)
{
    (void)data;
    gw_mb_engine_free(f->engine);
    gw_regmap_free(f->map);
    g_unlink(f->map_path);
    g_free(f->map_path);
    gw_host_free(f->host);
    gw_conf_free(f->conf);
}

/* Evaluate a PDU as a TCP ADU for a page. @return the exception (0 = none). */
static int eval_page(fixture_t *f, int page, const uint8_t *pdu, size_t plen)
{
    uint8_t adu[260] = { 0, 1, 0, 0, 0, (uint8_t)(plen + 1), 1 };
    g_assert_cmpuint(plen, <=, sizeof adu - 7);
    memcpy(adu + 7, pdu, plen);
    gw_mb_engine_eval(f->engine, adu, (int)(7 + plen), 7, page, false, &f->reply, &f->info);
    g_assert_cmpint(f->info.exception, ==, f->reply.exception);
    return f->reply.exception;
}

#define EVAL(f, ...) \
    eval_page((f), 0, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static int64_t value_int(fixture_t *f, gw_point_id_t id)
{
    gw_value_t v;
    g_assert_cmpint(gw_point_get(f->ctx, id, &v), ==, 0);
    return v.u.i;
}

static void test_read_registers(fixture_t *f, gconstpointer data)
{
    (void)data;
    /* 0..19: every format, then the "Not used" tail... but 13/14 are
     * absent/disabled, so read around them */
    g_assert_cmpint(EVAL(f, 0x03, 0, 0, 0, 13), ==, 0);
    g_assert_cmphex(f->reply.regs[A_ENUM], ==, 5);
    g_assert_cmphex(f->reply.regs[A_FLOAT], ==, 0x4367);
    g_assert_cmphex(f->reply.regs[A_FLOAT + 1], ==, 0x8000);
    g_assert_cmphex(f->reply.regs[A_TIME], ==, 0x6553);
    g_assert_cmphex(f->reply.regs[A_TIME + 1], ==, 0xF101);
    g_assert_cmphex(f->reply.regs[A_TEXT], ==, 0x4142);
    g_assert_cmphex(f->reply.regs[A_TEXT + 1], ==, 0x4300);
    g_assert_cmphex(f->reply.regs[A_TEXT + 2], ==, 0);
    g_assert_cmphex(f->reply.regs[A_RO], ==, 77);
    g_assert_cmpint(f->info.function, ==, 3);
    g_assert_cmpuint(f->info.address, ==, 0);
    g_assert_cmpuint(f->info.count, ==, 13);
    /* 04 reads the same registers */
    uint16_t held[13];
    memcpy(held, f->reply.regs, sizeof held);
    g_assert_cmpint(EVAL(f, 0x04, 0, 0, 0, 13), ==, 0);
    g_assert_cmpmem(f->reply.regs, sizeof held, held, sizeof held);
    /* a read starting inside a signal gets its tail */
    g_assert_cmpint(EVAL(f, 0x03, 0, A_FLOAT + 1, 0, 1), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 0x8000);
    /* "Not used" inside the group reads 0 */
    g_assert_cmpint(EVAL(f, 0x03, 0, A_UNUSED, 0, 5), ==, 0);
    for (int i = 0; i < 5; i++)
        g_assert_cmphex(f->reply.regs[i], ==, 0);
    /* the charger block */
    g_assert_cmpint(EVAL(f, 0x03, 0, 200, 0, 1), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 11);
}

static void test_read_bits(fixture_t *f, gconstpointer data)
{
    (void)data;
    gw_point_set_int(f->ctx, f->flag, 0);
    gw_point_set_int(f->ctx, f->param, 300);   /* non-zero = 1 */
    g_assert_cmpint(EVAL(f, 0x01, 0, 0, 0, 3), ==, 0);
    g_assert_cmpuint(f->reply.bits[0], ==, 0);
    g_assert_cmpuint(f->reply.bits[1], ==, 1);
    g_assert_cmpuint(f->reply.bits[2], ==, 1);
    g_assert_cmpint(EVAL(f, 0x02, 0, A_UNUSED, 0, 2), ==, 0);
    g_assert_cmpuint(f->reply.bits[0], ==, 0);
}

static void test_exceptions_02(fixture_t *f, gconstpointer data)
{
    (void)data;
    /* t.absent, and c.0.wide and c.1.wide (the unit's two chargers):
     * INT32 points are not cut into an Integer register (70000 would read
     * 4464) but not served */
    g_assert_cmpuint(gw_mb_engine_absent(f->engine), ==, 3);
    g_assert_cmpint(EVAL(f, 0x03, 0, 101, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x03, 0, 100, 0, 1), ==, 0);        /* its neighbour is */
    g_assert_cmpint(EVAL(f, 0x03, 0, A_ABSENT, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x03, 0, A_DISABLED, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x03, 0, A_OUTSIDE, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x03, 0, 0, 0, 21), ==, 2);         /* spans them */
    g_assert_cmpint(EVAL(f, 0x01, 0, A_UNUSED, 0, 6), ==, 2);
    g_assert_cmpint(EVAL(f, 0x03, 0xFF, 0xFF, 0, 2), ==, 2);    /* past 65535 */
    g_assert_cmpint(EVAL(f, 0x03, 0, 110, 0, 1), ==, 2);        /* charger offset 10 */
    /* writes: read-only, Not used, half a signal, a signal's tail */
    g_assert_cmpint(EVAL(f, 0x06, 0, A_RO, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_UNUSED, 0, 1), ==, 2);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_FLOAT, 0x43, 0x67), ==, 2);
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLOAT + 1, 0, 2, 4, 0, 0, 0, 0), ==, 2);
    g_assert_cmpint(EVAL(f, 0x05, 0, A_RO, 0xFF, 0), ==, 2);
    g_assert_cmpint(value_int(f, f->ro), ==, 77);
}

static void test_write_single(fixture_t *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(EVAL(f, 0x06, 0, A_PARAM, 0x12, 0x34), ==, 0);
    g_assert_cmpint(value_int(f, f->param), ==, 0x1234);
    /* the reply maps exactly the written register (modbus_reply echoes) */
    g_assert_cmpint(f->reply.mapping.start_registers, ==, A_PARAM);
    g_assert_cmpint(f->reply.mapping.nb_registers, ==, 1);
    /* enumeration: listed codes pass, others answer 03 and change nothing */
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 1), ==, 0);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 3), ==, 3);
    g_assert_cmpint(value_int(f, f->enum_), ==, 1);
    /* signed: 0xFFFF is -1 for an INT16 point and reads back the same */
    g_assert_cmpint(EVAL(f, 0x06, 0, A_SIGNED, 0xFF, 0xFF), ==, 0);
    g_assert_cmpint(value_int(f, f->sgn), ==, -1);
    g_assert_cmpint(EVAL(f, 0x03, 0, A_SIGNED, 0, 1), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 0xFFFF);
    /* coils: FF00 = 1, 0000 = 0, anything else 03 */
    g_assert_cmpint(EVAL(f, 0x05, 0, A_PARAM, 0xFF, 0x00), ==, 0);
    g_assert_cmpint(value_int(f, f->param), ==, 1);
    g_assert_cmpint(EVAL(f, 0x05, 0, A_PARAM, 0x00, 0x00), ==, 0);
    g_assert_cmpint(value_int(f, f->param), ==, 0);
    g_assert_cmpint(EVAL(f, 0x05, 0, A_PARAM, 0x12, 0x34), ==, 3);
    /* the owner refuses (EBUSY) -> 06 */
    g_assert_cmpint(EVAL(f, 0x06, 0, A_PARAM, 0x03, 0xE7), ==, 6);
    g_assert_cmpint(value_int(f, f->param), ==, 0);
}

static void test_write_encodings(fixture_t *f, gconstpointer data)
{
    gw_value_t v;
    (void)data;
    /* Float: -2.5 = 0xC0200000 */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLOAT, 0, 2, 4, 0xC0, 0x20, 0x00, 0x00), ==, 0);
    g_assert_cmpint(gw_point_get(f->ctx, f->flt, &v), ==, 0);
    g_assert_cmpfloat(v.u.f, ==, -2.5);
    /* NaN is not a value */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLOAT, 0, 2, 4, 0x7F, 0xC0, 0x00, 0x00), ==, 3);
    /* DateTime */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_TIME, 0, 2, 4, 0x65, 0x53, 0xF1, 0x00), ==, 0);
    g_assert_cmpint(value_int(f, f->time), ==, 1700000000);
    /* String: NUL-padded, then too long for the point (7 > 6): 03 */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_TEXT, 0, 4, 8, 'T', 'A', 'G', '-', '4', '2', 0, 0), ==, 0);
    g_assert_cmpint(gw_point_get(f->ctx, f->text, &v), ==, 0);
    g_assert_cmpstr(v.u.s, ==, "TAG-42");
    g_assert_cmpint(EVAL(f, 0x10, 0, A_TEXT, 0, 4, 8, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 0), ==, 3);
    g_assert_cmpint(EVAL(f, 0x10, 0, A_TEXT, 0, 4, 8, 'A', 0, 'B', 0, 0, 0, 0, 0), ==, 3);
    g_assert_cmpint(EVAL(f, 0x10, 0, A_TEXT, 0, 4, 8, 0xC3, 0xA9, 0, 0, 0, 0, 0, 0), ==, 3);
    g_assert_cmpint(gw_point_get(f->ctx, f->text, &v), ==, 0);
    g_assert_cmpstr(v.u.s, ==, "TAG-42");
    /* and back out through FC03 */
    g_assert_cmpint(EVAL(f, 0x03, 0, A_TEXT, 0, 4), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 0x5441);
    g_assert_cmphex(f->reply.regs[3], ==, 0);
}

static void test_float_orders(fixture_t *f, gconstpointer data)
{
    static const struct { gw_mb_order_t order; uint16_t w[4]; } cases[] = {
        { GW_MB_ORDER_ABCD, { 0x4367, 0x8000, 0x6553, 0xF101 } },
        { GW_MB_ORDER_DCBA, { 0x0080, 0x6743, 0x01F1, 0x5365 } },
        { GW_MB_ORDER_CDAB, { 0x8000, 0x4367, 0xF101, 0x6553 } },
        { GW_MB_ORDER_BADC, { 0x6743, 0x0080, 0x5365, 0x01F1 } },
    };
    (void)data;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const uint16_t *w = cases[i].w;
        gw_value_t v;
        engine_build(f, 2, cases[i].order);
        gw_point_set_float(f->ctx, f->flt, 231.5);
        gw_point_set_int(f->ctx, f->time, 1700000001);
        g_assert_cmpint(EVAL(f, 0x03, 0, A_FLOAT, 0, 4), ==, 0);
        g_assert_cmpmem(f->reply.regs, 8, w, 8);
        /* writing the same words stores the same values */
        gw_point_set_float(f->ctx, f->flt, 0);
        gw_point_set_int(f->ctx, f->time, 0);
        g_assert_cmpint(EVAL(f, 0x10, 0, A_FLOAT, 0, 4, 8, w[0] >> 8, w[0] & 0xFF, w[1] >> 8,
                             w[1] & 0xFF, w[2] >> 8, w[2] & 0xFF, w[3] >> 8, w[3] & 0xFF),
                        ==, 0);
        g_assert_cmpint(gw_point_get(f->ctx, f->flt, &v), ==, 0);
        g_assert_cmpfloat(v.u.f, ==, 231.5);
        g_assert_cmpint(value_int(f, f->time), ==, 1700000001);
    }
}

static void test_batch(fixture_t *f, gconstpointer data)
{
    (void)data;
    /* flag (address 0) and its parameter (address 1) in one FC16: the flag's
     * handler runs after both values are applied */
    f->flag_writes = 0;
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLAG, 0, 2, 4, 0, 1, 0, 42), ==, 0);
    g_assert_cmpint(f->flag_writes, ==, 1);
    g_assert_cmpint(f->param_seen_by_flag, ==, 42);
    /* same with FC15 coils */
    g_assert_cmpint(EVAL(f, 0x0F, 0, A_FLAG, 0, 2, 1, 0x01), ==, 0);
    g_assert_cmpint(f->flag_writes, ==, 2);
    g_assert_cmpint(f->param_seen_by_flag, ==, 0);
    g_assert_cmpint(EVAL(f, 0x0F, 0, A_FLAG, 0, 2, 1, 0x03), ==, 0);
    g_assert_cmpint(f->param_seen_by_flag, ==, 1);
    /* one refused value: nothing of the batch is applied, no handler runs */
    gw_point_set_int(f->ctx, f->flag, 0);
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLAG, 0, 2, 4, 0, 1, 0x03, 0xE7), ==, 6);
    g_assert_cmpint(f->flag_writes, ==, 3);
    g_assert_cmpint(value_int(f, f->flag), ==, 0);
    /* one bad enumeration value: 03, nothing applied */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_FLAG, 0, 3, 6, 0, 1, 0, 7, 0, 4), ==, 3);
    g_assert_cmpint(value_int(f, f->flag), ==, 0);
    g_assert_cmpint(value_int(f, f->param), ==, 1);
    /* one bad address at the end (13 is absent): 02, nothing applied */
    gw_point_set_int(f->ctx, f->sgn, 3);
    g_assert_cmpint(EVAL(f, 0x10, 0, A_SIGNED, 0, 2, 4, 0, 9, 0, 5), ==, 2);
    g_assert_cmpint(value_int(f, f->sgn), ==, 3);
}

static void test_bad_pdus(fixture_t *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(EVAL(f, 0x11), ==, 1);                          /* report slave id */
    g_assert_cmpint(EVAL(f, 0x2B, 0x0E, 1, 0), ==, 1);
    g_assert_cmpint(EVAL(f, 0x03, 0, 0, 0, 0), ==, 3);                /* count 0 */
    g_assert_cmpint(EVAL(f, 0x03, 0, 0, 0, 126), ==, 3);              /* > 125 */
    g_assert_cmpint(EVAL(f, 0x01, 0, 0, 0x07, 0xD1), ==, 3);          /* > 2000 */
    g_assert_cmpint(EVAL(f, 0x03, 0, 0), ==, 3);                      /* truncated */
    g_assert_cmpint(EVAL(f, 0x03, 0, 0, 0, 1, 0), ==, 3);             /* trailing byte */
    g_assert_cmpint(EVAL(f, 0x10, 0, 1, 0, 1, 3, 0, 1, 0), ==, 3);    /* byte count */
    g_assert_cmpint(EVAL(f, 0x10, 0, 1, 0, 2, 4, 0, 1), ==, 3);       /* short data */
    g_assert_cmpint(EVAL(f, 0x0F, 0, 1, 0, 9, 1, 0xFF), ==, 3);       /* 9 bits, 1 byte */
    /* nothing but a header: silent */
    uint8_t hdr[7] = { 0, 1, 0, 0, 0, 1, 1 };
    gw_mb_engine_eval(f->engine, hdr, 7, 7, 0, false, &f->reply, &f->info);
    g_assert_true(f->reply.silent);
}

static void test_pages(fixture_t *f, gconstpointer data)
{
    (void)data;
    engine_build(f, 3, GW_MB_ORDER_ABCD);      /* 2 chargers per unit: 2 pages */
    g_assert_cmpuint(gw_mb_engine_pages(f->engine), ==, 2);
    g_assert_cmpint(eval_page(f, 1, (const uint8_t[]){ 0x03, 0, 100, 0, 1 }, 5), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 12);                       /* c.2.status */
    /* charger 3 is not exposed; the global block is on every page */
    g_assert_cmpint(eval_page(f, 1, (const uint8_t[]){ 0x03, 0, 200, 0, 1 }, 5), ==, 2);
    g_assert_cmpint(eval_page(f, 1, (const uint8_t[]){ 0x03, 0, A_RO, 0, 1 }, 5), ==, 0);
    g_assert_cmphex(f->reply.regs[0], ==, 77);
    /* a unit id that is not served */
    g_assert_cmpint(eval_page(f, -1, (const uint8_t[]){ 0x03, 0, A_RO, 0, 1 }, 5), ==, 0x0B);
    g_assert_cmpint(eval_page(f, 2, (const uint8_t[]){ 0x03, 0, A_RO, 0, 1 }, 5), ==, 0x0B);
}

static void test_broadcast(fixture_t *f, gconstpointer data)
{
    /* RTU: slave 0 + PDU, the CRC already stripped */
    uint8_t req[] = { 0, 0x06, 0, A_PARAM, 0, 77 };
    (void)data;
    gw_mb_engine_eval(f->engine, req, sizeof req, 1, 0, true, &f->reply, &f->info);
    g_assert_true(f->reply.silent);
    g_assert_cmpint(f->reply.exception, ==, 0);
    g_assert_cmpint(value_int(f, f->param), ==, 77);
    g_assert_cmpint(f->info.unit, ==, 0);
}

/* The reply plan through libmodbus: the bytes a TCP master receives. */
static void test_reply_frames(fixture_t *f, gconstpointer data)
{
    int sv[2];
    uint8_t buf[300];
    modbus_t *mb = modbus_new_tcp("127.0.0.1", 502);
    uint8_t read_ro[] = { 0, 9, 0, 0, 0, 6, 1, 0x03, 0, A_RO, 0, 1 };
    uint8_t bad[] = { 0, 10, 0, 0, 0, 6, 1, 0x03, 0, A_OUTSIDE, 0, 1 };
    uint8_t wreq[] = { 0, 11, 0, 0, 0, 6, 1, 0x06, 0, A_PARAM, 0, 5 };
    (void)data;
    g_assert_nonnull(mb);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    modbus_set_socket(mb, sv[0]);

    gw_mb_engine_eval(f->engine, read_ro, sizeof read_ro, 7, 0, false, &f->reply, &f->info);
    g_assert_cmpint(gw_mb_reply_send(mb, read_ro, sizeof read_ro, &f->reply), ==, 0);
    g_assert_cmpint(read(sv[1], buf, sizeof buf), ==, 11);
    g_assert_cmpmem(buf, 11, ((uint8_t[]){ 0, 9, 0, 0, 0, 5, 1, 0x03, 2, 0, 77 }), 11);

    gw_mb_engine_eval(f->engine, bad, sizeof bad, 7, 0, false, &f->reply, &f->info);
    g_assert_cmpint(gw_mb_reply_send(mb, bad, sizeof bad, &f->reply), ==, 0);
    g_assert_cmpint(read(sv[1], buf, sizeof buf), ==, 9);
    g_assert_cmpmem(buf, 9, ((uint8_t[]){ 0, 10, 0, 0, 0, 3, 1, 0x83, 0x02 }), 9);

    gw_mb_engine_eval(f->engine, wreq, sizeof wreq, 7, 0, false, &f->reply, &f->info);
    g_assert_cmpint(gw_mb_reply_send(mb, wreq, sizeof wreq, &f->reply), ==, 0);
    g_assert_cmpint(read(sv[1], buf, sizeof buf), ==, 12);
    g_assert_cmpmem(buf, 12, wreq, 12);                              /* echo */
    g_assert_cmpint(value_int(f, f->param), ==, 5);

    /* function codes in the exception range: 01 with fc | 0x80, not the
     * fc + 0x80 that wraps in 8 bits (0x81 -> 0x01) */
    for (unsigned fc = 0x80; fc <= 0xFF; fc++) {
        uint8_t req[] = { 0x12, (uint8_t)fc, 0, 0, 0, 6, 9, (uint8_t)fc, 0, 0, 0, 1 };
        gw_mb_engine_eval(f->engine, req, sizeof req, 7, 0, false, &f->reply, &f->info);
        g_assert_cmpint(f->reply.exception, ==, 1);
        g_assert_cmpint(gw_mb_reply_send(mb, req, sizeof req, &f->reply), ==, 0);
        g_assert_cmpint(read(sv[1], buf, sizeof buf), ==, 9);
        g_assert_cmpmem(buf, 9, ((uint8_t[]){ 0x12, (uint8_t)fc, 0, 0, 0, 3, 9, (uint8_t)fc, 1 }), 9);
        g_assert_cmphex(req[7], ==, fc); /* the request is left alone */
    }

    modbus_free(mb);
    close(sv[0]);
    close(sv[1]);
}

/* RTU: the same exception for fc 0x80..0xFF, slave id echoed, CRC right. */
static void test_reply_frames_rtu(fixture_t *f, gconstpointer data)
{
    int sv[2];
    uint8_t buf[64];
    modbus_t *mb = modbus_new_rtu("/dev/null", 19200, 'N', 8, 1);
    (void)data;
    g_assert_nonnull(mb);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    modbus_set_socket(mb, sv[0]);
    for (unsigned fc = 0x80; fc <= 0xFF; fc += 0x11) {
        uint8_t req[] = { 7, (uint8_t)fc, 0, 0, 0, 1 };
        gw_mb_engine_eval(f->engine, req, sizeof req, 1, 0, false, &f->reply, &f->info);
        g_assert_cmpint(gw_mb_reply_send(mb, req, sizeof req, &f->reply), ==, 0);
        g_assert_cmpint(read(sv[1], buf, sizeof buf), ==, 5);
        g_assert_cmpint(buf[0], ==, 7);
        g_assert_cmphex(buf[1], ==, fc);
        g_assert_cmpint(buf[2], ==, 1);
        /* CRC-16/MODBUS over the three bytes, low byte first */
        uint16_t crc = 0xFFFF;
        for (int i = 0; i < 3; i++) {
            crc ^= buf[i];
            for (int b = 0; b < 8; b++)
                crc = crc & 1 ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
        }
        g_assert_cmphex(buf[3] | buf[4] << 8, ==, crc);
    }
    modbus_free(mb);
    close(sv[0]);
    close(sv[1]);
}

/* The point database checks the enumeration for Modbus like for any other
 * writer: without the owner's declaration the map's list is not enforced
 * a second time, and a different declared list wins. */
static void test_enum_owner(fixture_t *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 3), ==, 3);
    g_assert_cmpint(gw_point_enum_set(f->ctx, f->enum_, "0=A;3=C"), ==, 0);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 3), ==, 0);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 5), ==, 3);
    g_assert_cmpint(value_int(f, f->enum_), ==, 3);
    /* FC16 over param + enum with one bad value: 03, nothing applied */
    g_assert_cmpint(EVAL(f, 0x10, 0, A_PARAM, 0, 2, 4, 0, 42, 0, 1), ==, 3);
    g_assert_cmpint(value_int(f, f->param), ==, 0);
    g_assert_cmpint(gw_point_enum_set(f->ctx, f->enum_, NULL), ==, 0);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_ENUM, 0, 9), ==, 0);
    /* a range declared by the owner: 03 too */
    g_assert_cmpint(gw_point_range_set(f->ctx, f->param, 0, 100), ==, 0);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_PARAM, 0, 101), ==, 3);
    g_assert_cmpint(EVAL(f, 0x06, 0, A_PARAM, 0, 100), ==, 0);
}

/* FC15 reaches 1,968 registers: one String signal per register must still
 * fit the engine's decode buffer (a custom map; ASan catches an overflow). */
static void test_fc15_many_strings(void)
{
    enum { N = MODBUS_MAX_WRITE_BITS };
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_new_empty();
    gw_host_t *host = gw_host_new(conf, errors);
    gw_ctx_t *ctx = gw_host_core_ctx(host);
    GString *text = g_string_new("@block global base=0\n");
    char *path = NULL, *err = NULL;
    g_string_append_printf(text, "@group global G 0 %d\n"
                           "block,offset,registers,format,access,enabled,point,group,values,modes\n",
                           N - 1);
    for (int i = 0; i < N; i++) {
        char name[32];
        g_string_append_printf(text, "global,%d,1,String,RW,yes,s.n%d,G,,bms\n", i, i);
        g_snprintf(name, sizeof name, "s.n%d", i);
        g_assert_cmpint(gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_STRING,
                                                             .access = GW_ACCESS_RW, .max_len = 2)),
                        >=, 0);
    }
    int fd = g_file_open_tmp("gw-mbmap-XXXXXX.csv", &path, NULL);
    close(fd);
    g_assert_true(g_file_set_contents(path, text->str, -1, NULL));
    gw_regmap_t *map = gw_regmap_load(path, &err);
    if (err)
        g_error("%s", err);
    gw_mb_engine_config_t cfg = { 1, 0, GW_MB_ORDER_ABCD };
    gw_mb_engine_t *e = gw_mb_engine_new(ctx, map, &cfg, &err);
    g_assert_nonnull(e);
    gw_mb_engine_bind(e);

    uint8_t adu[7 + 6 + N / 8] = { 0, 1, 0, 0, 0, 0, 1, 0x0f, 0, 0, N >> 8, N & 0xff, N / 8 };
    adu[5] = (uint8_t)(sizeof adu - 6);
    /* every register written 0: empty strings, one NUL each in the buffer */
    gw_mb_reply_t reply;
    gw_mb_request_info_t info;
    gw_mb_engine_eval(e, adu, (int)sizeof adu, 7, 0, false, &reply, &info);
    g_assert_cmpint(reply.exception, ==, 0);
    gw_value_t v;
    g_assert_cmpint(gw_point_get(ctx, gw_point_lookup(ctx, "s.n1967"), &v), ==, 0);
    g_assert_cmpuint(v.len, ==, 0);

    gw_mb_engine_free(e);
    gw_regmap_free(map);
    g_unlink(path);
    g_free(path);
    g_string_free(text, TRUE);
    gw_host_free(host);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

static void test_load_errors(void)
{
    gw_conf_t *conf = gw_conf_new_empty();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_host_t *host = gw_host_new(conf, errors);
    gw_ctx_t *ctx = gw_host_core_ctx(host);
    gw_regmap_t *map = (gw_regmap_t *)0x1;
    /* a missing file and an unknown byte order: NULL, nothing leaked */
    g_assert_null(gw_mb_engine_load(ctx, "/nonexistent/map.csv", "abcd", 20, 0, &map));
    g_assert_null(map);
    g_assert_null(gw_mb_engine_load(ctx, GW_TOP_SRCDIR "/etc/register-map.csv", "cbad", 20, 0,
                                    &map));
    g_assert_null(map);
    gw_mb_engine_t *e = gw_mb_engine_load(ctx, GW_TOP_SRCDIR "/etc/register-map.csv", "big", 45,
                                          0, &map);
    g_assert_nonnull(e);
    g_assert_cmpuint(gw_mb_engine_pages(e), ==, 3);
    gw_mb_engine_free(e);
    gw_regmap_free(map);
    g_ptr_array_free(errors, TRUE);
    gw_host_free(host);
    gw_conf_free(conf);
}

#define ADD(path, fn) \
    g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/modbus/engine/read-registers", test_read_registers);
    ADD("/modbus/engine/read-bits", test_read_bits);
    ADD("/modbus/engine/exceptions-02", test_exceptions_02);
    ADD("/modbus/engine/write-single", test_write_single);
    ADD("/modbus/engine/write-encodings", test_write_encodings);
    ADD("/modbus/engine/float-orders", test_float_orders);
    ADD("/modbus/engine/batch", test_batch);
    ADD("/modbus/engine/bad-pdus", test_bad_pdus);
    ADD("/modbus/engine/pages", test_pages);
    ADD("/modbus/engine/broadcast", test_broadcast);
    ADD("/modbus/engine/reply-frames", test_reply_frames);
    ADD("/modbus/engine/enum-owner", test_enum_owner);
    ADD("/modbus/engine/reply-frames-rtu", test_reply_frames_rtu);
    g_test_add_func("/modbus/engine/load-errors", test_load_errors);
    g_test_add_func("/modbus/engine/fc15-many-strings", test_fc15_many_strings);
    return g_test_run();
}
