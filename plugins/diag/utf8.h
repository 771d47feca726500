/*
 * utf8.h - every byte diag sends is valid UTF-8.
 *
 * Text reaches diag from peers (charger ids, OCPP frames, action names,
 * strings a Modbus master wrote) and json-c copies bytes >= 0x80 into its
 * output unchecked. A browser closes a WebSocket on an invalid text frame
 * and TextDecoder/JSON.parse reject such answers, so one byte from a charger
 * would blind every viewer. The rule, applied where text leaves diag (API
 * answers, stream messages, /metrics):
 *
 *   every byte that is not part of a well-formed UTF-8 sequence (RFC 3629:
 *   no overlongs, no surrogates, nothing above U+10FFFF) becomes the four
 *   characters \xHH (HH its value in upper-case hex); nothing is dropped.
 *
 * In JSON and in Prometheus label values a backslash is itself escaped, so
 * the bytes written are `\\xHH`, which both formats read back as `\xHH`.
 * Pure functions, unit-tested.
 */
#ifndef GW_DIAG_UTF8_H
#define GW_DIAG_UTF8_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/** Length of the well-formed UTF-8 sequence at s (1-4), or 0 if s[0] starts none. */
size_t gw_diag_utf8_seq(const unsigned char *s, size_t avail);

/**
 * Append s[0..len) to out with each stray byte as `\\xHH` (escaped for a
 * JSON string or a Prometheus label value, see above).
 */
void gw_diag_utf8_append_escaped(GString *out, const char *s, size_t len);

/** Rewrite str in place as above when it holds stray bytes; true if it did. */
bool gw_diag_utf8_fix(GString *str);

/** The longest prefix of s not longer than max that ends on a character boundary. */
size_t gw_diag_utf8_cut(const char *s, size_t len, size_t max);

#endif
