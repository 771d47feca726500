/*
 * mb_codec.h - values <-> 16-bit registers for the map's formats.
 *
 * Registers travel MSB first. A 32-bit value (Float, DateTime) occupies two
 * registers whose four bytes follow the configured order, named by where
 * the value's bytes A (most significant) .. D land on the wire:
 *   abcd big endian (default), dcba little endian,
 *   cdab big endian word-swapped, badc little endian word-swapped.
 * Floats are converted by libmodbus' modbus_set_float_* / modbus_get_float_*
 * functions; which of them yields which wire order is measured once at run
 * time, setters and getters apart, because libmodbus releases disagree on
 * it (3.1.6's set "abcd" puts B first, and its getters are not all the
 * inverse of the same-named setter). DateTime uses the same permutation.
 */
#ifndef GW_MB_CODEC_H
#define GW_MB_CODEC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum gw_mb_order {
    GW_MB_ORDER_ABCD = 0,
    GW_MB_ORDER_BADC,
    GW_MB_ORDER_CDAB,
    GW_MB_ORDER_DCBA,
} gw_mb_order_t;

typedef struct gw_mb_codec {
    void (*set_float)(float f, uint16_t *dest);
    float (*get_float)(const uint16_t *src);
    uint8_t perm[4];             /* wire byte i carries value byte perm[i] (0 = A) */
} gw_mb_codec_t;

/** Parse "abcd", "badc", "cdab", "dcba" (or big, little, big_swap,
 *  little_swap). @return 0 or -EINVAL. */
int gw_mb_order_parse(const char *name, gw_mb_order_t *out);

/** Pick the libmodbus functions that produce order. @return 0 or -ENOTSUP
 *  when this libmodbus offers no function for it. */
int gw_mb_codec_init(gw_mb_codec_t *codec, gw_mb_order_t order);

void gw_mb_codec_put_float(const gw_mb_codec_t *c, float f, uint16_t *regs);
float gw_mb_codec_get_float(const gw_mb_codec_t *c, const uint16_t *regs);
void gw_mb_codec_put_u32(const gw_mb_codec_t *c, uint32_t v, uint16_t *regs);
uint32_t gw_mb_codec_get_u32(const gw_mb_codec_t *c, const uint16_t *regs);

/** Pack a string into n registers: 2 characters each, first in the high
 *  byte, NUL-padded. Longer text is cut (the caller checks lengths). */
void gw_mb_codec_put_string(const char *s, uint32_t len, uint16_t *regs, unsigned n);
/** Unpack n registers up to the first NUL into buf (2n+1 bytes).
 *  @return the length, or -EINVAL when a byte is not printable ASCII or
 *  text follows the padding. */
int gw_mb_codec_get_string(const uint16_t *regs, unsigned n, char *buf);

#endif
