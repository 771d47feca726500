/*
 * test-modbus-codec - values <-> registers: every Float/DateTime byte order
 * on the wire (whatever names this libmodbus gives its float helpers),
 * strings (high byte first, NUL padding, what a write may contain).
 */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include "modbus_common/mb_codec.h"

typedef struct order_case {
    const char *name;
    gw_mb_order_t order;
    uint16_t f231_5[2];          /* 231.5f = 0x43678000 */
    uint16_t t[2];               /* 1700000001 = 0x6553F101 */
} order_case_t;

static const order_case_t orders[] = {
    { "abcd", GW_MB_ORDER_ABCD, { 0x4367, 0x8000 }, { 0x6553, 0xF101 } },
    { "dcba", GW_MB_ORDER_DCBA, { 0x0080, 0x6743 }, { 0x01F1, 0x5365 } },
    { "cdab", GW_MB_ORDER_CDAB, { 0x8000, 0x4367 }, { 0xF101, 0x6553 } },
    { "badc", GW_MB_ORDER_BADC, { 0x6743, 0x0080 }, { 0x5365, 0x01F1 } },
};

static void test_order_parse(void)
{
    static const struct { const char *name; int rc; gw_mb_order_t order; } cases[] = {
        { "abcd", 0, GW_MB_ORDER_ABCD }, { "big", 0, GW_MB_ORDER_ABCD },
        { "dcba", 0, GW_MB_ORDER_DCBA }, { "little", 0, GW_MB_ORDER_DCBA },
        { "cdab", 0, GW_MB_ORDER_CDAB }, { "big_swap", 0, GW_MB_ORDER_CDAB },
        { "badc", 0, GW_MB_ORDER_BADC }, { "little_swap", 0, GW_MB_ORDER_BADC },
        { "ABCD", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "abdc", -EINVAL, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        gw_mb_order_t o = (gw_mb_order_t)-1;
        int rc = gw_mb_order_parse(cases[i].name, &o);
        g_assert_cmpint(rc, ==, cases[i].rc);
        if (rc == 0)
            g_assert_cmpint(o, ==, cases[i].order);
    }
}

static void test_float_orders(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(orders); i++) {
        const order_case_t *c = &orders[i];
        gw_mb_codec_t codec;
        uint16_t regs[2] = { 0, 0 };
        g_test_message("order %s", c->name);
        g_assert_cmpint(gw_mb_codec_init(&codec, c->order), ==, 0);
        gw_mb_codec_put_float(&codec, 231.5f, regs);
        g_assert_cmphex(regs[0], ==, c->f231_5[0]);
        g_assert_cmphex(regs[1], ==, c->f231_5[1]);
        g_assert_cmpfloat(gw_mb_codec_get_float(&codec, c->f231_5), ==, 231.5f);
        /* negative, fractional, tiny: exact round trips */
        static const float samples[] = { -0.15625f, 1e-30f, 65535.5f, 0.0f, -3.4e38f };
        for (size_t k = 0; k < G_N_ELEMENTS(samples); k++) {
            gw_mb_codec_put_float(&codec, samples[k], regs);
            g_assert_cmpfloat(gw_mb_codec_get_float(&codec, regs), ==, samples[k]);
        }
    }
}

static void test_datetime_orders(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(orders); i++) {
        const order_case_t *c = &orders[i];
        gw_mb_codec_t codec;
        uint16_t regs[2] = { 0, 0 };
        g_test_message("order %s", c->name);
        g_assert_cmpint(gw_mb_codec_init(&codec, c->order), ==, 0);
        gw_mb_codec_put_u32(&codec, 1700000001u, regs);
        g_assert_cmphex(regs[0], ==, c->t[0]);
        g_assert_cmphex(regs[1], ==, c->t[1]);
        g_assert_cmpuint(gw_mb_codec_get_u32(&codec, c->t), ==, 1700000001u);
        gw_mb_codec_put_u32(&codec, UINT32_MAX, regs);
        g_assert_cmpuint(gw_mb_codec_get_u32(&codec, regs), ==, UINT32_MAX);
    }
}

static void test_string_put(void)
{
    uint16_t regs[4];
    memset(regs, 0xAA, sizeof regs);
    gw_mb_codec_put_string("ABC", 3, regs, 4);
    g_assert_cmphex(regs[0], ==, 0x4142);   /* first character in the high byte */
    g_assert_cmphex(regs[1], ==, 0x4300);   /* odd length: NUL in the low byte */
    g_assert_cmphex(regs[2], ==, 0);
    g_assert_cmphex(regs[3], ==, 0);
    /* exactly full: no terminator needed */
    gw_mb_codec_put_string("ABCDEFGH", 8, regs, 4);
    g_assert_cmphex(regs[3], ==, 0x4748);
    /* longer than the registers: cut, nothing written past them */
    uint16_t guard[3] = { 0, 0, 0x5555 };
    gw_mb_codec_put_string("ABCDEFGH", 8, guard, 2);
    g_assert_cmphex(guard[1], ==, 0x4344);
    g_assert_cmphex(guard[2], ==, 0x5555);
    gw_mb_codec_put_string("", 0, regs, 4);
    for (int i = 0; i < 4; i++)
        g_assert_cmphex(regs[i], ==, 0);
}

static void test_string_get(void)
{
    char buf[9];
    const uint16_t abc[4] = { 0x4142, 0x4300, 0, 0 };
    const uint16_t full[4] = { 0x4142, 0x4344, 0x4546, 0x4748 };
    const uint16_t empty[4] = { 0, 0, 0, 0 };
    const uint16_t after_pad[4] = { 0x4100, 0x4142, 0, 0 };      /* text after the NUL */
    const uint16_t high_bit[4] = { 0xC3A9, 0, 0, 0 };             /* UTF-8 'é' */
    const uint16_t control[4] = { 0x410A, 0, 0, 0 };              /* "A\n" */
    g_assert_cmpint(gw_mb_codec_get_string(abc, 4, buf), ==, 3);
    g_assert_cmpstr(buf, ==, "ABC");
    g_assert_cmpint(gw_mb_codec_get_string(full, 4, buf), ==, 8);
    g_assert_cmpstr(buf, ==, "ABCDEFGH");
    g_assert_cmpint(gw_mb_codec_get_string(empty, 4, buf), ==, 0);
    g_assert_cmpstr(buf, ==, "");
    g_assert_cmpint(gw_mb_codec_get_string(after_pad, 4, buf), ==, -EINVAL);
    g_assert_cmpint(gw_mb_codec_get_string(high_bit, 4, buf), ==, -EINVAL);
    g_assert_cmpint(gw_mb_codec_get_string(control, 4, buf), ==, -EINVAL);
}

static void test_string_round_trip(void)
{
    static const char *samples[] = { "A", "AB", "TAG-42", "1234567", "ABCDEFGH", "a b~!" };
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        uint16_t regs[4];
        char buf[9];
        size_t n = strlen(samples[i]);
        gw_mb_codec_put_string(samples[i], (uint32_t)n, regs, 4);
        g_assert_cmpint(gw_mb_codec_get_string(regs, 4, buf), ==, (int)n);
        g_assert_cmpstr(buf, ==, samples[i]);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/modbus/codec/order-parse", test_order_parse);
    g_test_add_func("/modbus/codec/float-orders", test_float_orders);
    g_test_add_func("/modbus/codec/datetime-orders", test_datetime_orders);
    g_test_add_func("/modbus/codec/string-put", test_string_put);
    g_test_add_func("/modbus/codec/string-get", test_string_get);
    g_test_add_func("/modbus/codec/string-round-trip", test_string_round_trip);
    return g_test_run();
}
