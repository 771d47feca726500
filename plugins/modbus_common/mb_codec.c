/*
 * mb_codec.c - register encodings (see mb_codec.h).
 */
#include <errno.h>
#include <string.h>
#include <modbus/modbus.h>
#include "mb_codec.h"

typedef struct float_fns {
    void (*set)(float f, uint16_t *dest);
    float (*get)(const uint16_t *src);
} float_fns_t;

static const float_fns_t libmodbus_fns[] = {
    { modbus_set_float_abcd, modbus_get_float_abcd },
    { modbus_set_float_badc, modbus_get_float_badc },
    { modbus_set_float_cdab, modbus_get_float_cdab },
    { modbus_set_float_dcba, modbus_get_float_dcba },
};

/* For each order, where the value's bytes (0 = A, most significant) go. */
static const uint8_t wanted_perm[4][4] = {
    { 0, 1, 2, 3 }, /* abcd */
    { 1, 0, 3, 2 }, /* badc */
    { 2, 3, 0, 1 }, /* cdab */
    { 3, 2, 1, 0 }, /* dcba */
};

int gw_mb_order_parse(const char *name, gw_mb_order_t *out)
{
    static const char *const names[4][2] = {
        { "abcd", "big" }, { "badc", "little_swap" }, { "cdab", "big_swap" }, { "dcba", "little" },
    };
    for (int i = 0; name && i < 4; i++) {
        if (strcmp(name, names[i][0]) == 0 || strcmp(name, names[i][1]) == 0) {
            *out = (gw_mb_order_t)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* Wire bytes of two registers, MSB first. */
static void regs_to_wire(const uint16_t *regs, uint8_t *wire)
{
    wire[0] = (uint8_t)(regs[0] >> 8);
    wire[1] = (uint8_t)regs[0];
    wire[2] = (uint8_t)(regs[1] >> 8);
    wire[3] = (uint8_t)regs[1];
}

/* Does libmodbus' setter put the probe's bytes in this wire order? */
static bool setter_matches(const float_fns_t *fns, float probe, const uint8_t *want)
{
    uint16_t regs[2];
    uint8_t wire[4];
    fns->set(probe, regs);
    regs_to_wire(regs, wire);
    return memcmp(wire, want, 4) == 0;
}

/* Does libmodbus' getter read the probe back from this wire order? The
 * getters are measured apart from the setters: in libmodbus 3.1.6 a
 * get_float_X is not always the inverse of set_float_X. */
static bool getter_matches(const float_fns_t *fns, float probe, const uint8_t *want)
{
    uint16_t regs[2] = { (uint16_t)(want[0] << 8 | want[1]), (uint16_t)(want[2] << 8 | want[3]) };
    float got = fns->get(regs);
    return memcmp(&got, &probe, sizeof got) == 0;
}

int gw_mb_codec_init(gw_mb_codec_t *codec, gw_mb_order_t order)
{
    /* a float whose four bytes differ: 0x40490FDB (pi) */
    const uint8_t value[4] = { 0x40, 0x49, 0x0F, 0xDB };
    uint32_t bits = 0x40490FDBu;
    uint8_t want[4];
    float probe;
    const size_t n = sizeof libmodbus_fns / sizeof libmodbus_fns[0];
    memcpy(&probe, &bits, sizeof probe);
    if ((unsigned)order > GW_MB_ORDER_DCBA)
        return -EINVAL;
    for (int i = 0; i < 4; i++)
        want[i] = value[wanted_perm[order][i]];
    codec->set_float = NULL;
    codec->get_float = NULL;
    for (size_t f = 0; f < n; f++) {
        if (!codec->set_float && setter_matches(&libmodbus_fns[f], probe, want))
            codec->set_float = libmodbus_fns[f].set;
        if (!codec->get_float && getter_matches(&libmodbus_fns[f], probe, want))
            codec->get_float = libmodbus_fns[f].get;
    }
    if (!codec->set_float || !codec->get_float)
        return -ENOTSUP;
    memcpy(codec->perm, wanted_perm[order], sizeof codec->perm);
    return 0;
}

void gw_mb_codec_put_float(const gw_mb_codec_t *c, float f, uint16_t *regs)
{
    c->set_float(f, regs);
}

float gw_mb_codec_get_float(const gw_mb_codec_t *c, const uint16_t *regs)
{
    return c->get_float(regs);
}

void gw_mb_codec_put_u32(const gw_mb_codec_t *c, uint32_t v, uint16_t *regs)
{
    uint8_t bytes[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    uint8_t wire[4];
    for (int i = 0; i < 4; i++)
        wire[i] = bytes[c->perm[i]];
    regs[0] = (uint16_t)(wire[0] << 8 | wire[1]);
    regs[1] = (uint16_t)(wire[2] << 8 | wire[3]);
}

uint32_t gw_mb_codec_get_u32(const gw_mb_codec_t *c, const uint16_t *regs)
{
    uint8_t wire[4], bytes[4];
    regs_to_wire(regs, wire);
    for (int i = 0; i < 4; i++)
        bytes[c->perm[i]] = wire[i];
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

void gw_mb_codec_put_string(const char *s, uint32_t len, uint16_t *regs, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t hi = 2 * i < len ? (uint8_t)s[2 * i] : 0;
        uint8_t lo = 2 * i + 1 < len ? (uint8_t)s[2 * i + 1] : 0;
        regs[i] = (uint16_t)(hi << 8 | lo);
    }
}

int gw_mb_codec_get_string(const uint16_t *regs, unsigned n, char *buf)
{
    int len = -1;
    for (unsigned i = 0; i < 2 * n; i++) {
        uint8_t ch = (uint8_t)(i % 2 ? regs[i / 2] : regs[i / 2] >> 8);
        if (ch == 0) {
            if (len < 0)
                len = (int)i;
            continue;
        }
        /* text after the padding or a non-ASCII byte is not a string */
        if (len >= 0 || ch < 0x20 || ch > 0x7e)
            return -EINVAL;
        buf[i] = (char)ch;
    }
    if (len < 0)
        len = (int)(2 * n);
    buf[len] = '\0';
    return len;
}
