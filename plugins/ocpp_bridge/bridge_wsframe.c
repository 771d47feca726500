/*
 * bridge_wsframe.c - WebSocket data frames (RFC 6455 §5.2) for the relay's
 * batched writes.
 *
 * Why the relay frames messages itself: lws_write() sends one frame per
 * call, i.e. one send() per relayed message, and on a client connection
 * reads 4 bytes of /dev/urandom for every frame's mask. Under load those
 * syscalls were most of the relay's cost. The relay instead packs every
 * message queued for a side into one buffer of complete frames and hands
 * it to lws as raw bytes (one send), with masks taken from a pool filled by
 * one getrandom() per 1,024 frames. The payload bytes are unchanged
 * (masking is undone by the receiver by definition).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include "bridge.h"

size_t br_wsframe_size(size_t len, bool masked)
{
    size_t head = len < 126 ? 2 : len < 65536 ? 4 : 10;
    return head + (masked ? 4 : 0) + len;
}

size_t br_wsframe_put(unsigned char *out, bool binary, const unsigned char *payload, size_t len,
                      const unsigned char *mask)
{
    size_t o = 0;
    unsigned char maskbit = mask ? 0x80 : 0;
    out[o++] = 0x80 | (binary ? 0x2 : 0x1);     /* FIN, one whole message */
    if (len < 126) {
        out[o++] = maskbit | (unsigned char)len;
    } else if (len < 65536) {
        out[o++] = maskbit | 126;
        out[o++] = (unsigned char)(len >> 8);
        out[o++] = (unsigned char)len;
    } else {
        out[o++] = maskbit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            out[o++] = (unsigned char)((uint64_t)len >> shift);
    }
    if (!mask) {
        memcpy(out + o, payload, len);
        return o + len;
    }
    memcpy(out + o, mask, 4);
    o += 4;
    for (size_t i = 0; i < len; i++)
        out[o + i] = payload[i] ^ mask[i & 3];
    return o + len;
}

int br_mask_next(br_mask_pool_t *pool, unsigned char mask[4])
{
    if (pool->off + 4 > sizeof pool->bytes || !pool->filled) {
        size_t got = 0;
        while (got < sizeof pool->bytes) {
            ssize_t n = getrandom(pool->bytes + got, sizeof pool->bytes - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -EIO;
            got += (size_t)n;
        }
        pool->off = 0;
        pool->filled = true;
    }
    memcpy(mask, pool->bytes + pool->off, 4);
    pool->off += 4;
    return 0;
}
