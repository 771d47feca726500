/*
 * gw_text.h - every text that leaves gatewayd is valid UTF-8, nothing is
 * dropped silently.
 *
 * Text reaches gatewayd from peers (charger ids and paths, OCPP frames,
 * strings a Modbus master or a diag client wrote) and goes out to viewers,
 * logs, the API, /metrics and the SIGUSR1 dump. One stray byte used to make
 * a browser drop its viewer, or every viewer of the scan list fail. The one
 * rule, for every caller:
 *
 *   every byte that is not part of a well-formed UTF-8 sequence (RFC 3629:
 *   no overlong forms, no surrogates, nothing above U+10FFFF, no sequence
 *   cut short) is written as \xHH (HH its value, upper-case hex).
 *
 * Validity is GLib's g_utf8_validate_len() (the same RFC 3629 checks), not
 * a table of our own. Where the text goes decides the rest (gw_text_mode_t).
 * Pure functions, any thread.
 */
#ifndef GW_TEXT_H
#define GW_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    /**
     * Text shown as it is: a log line, a line of the SIGUSR1 dump, a scan
     * list entry. Besides stray bytes, every C0 control, U+0000 and DEL
     * become \xHH (a raw newline or TAB would split the line or the field)
     * and a backslash becomes \\, so that a peer cannot forge an escape:
     * "\xFF" in the output is always the byte 0xFF.
     */
    GW_TEXT_PLAIN = 0,
    /**
     * Text already written as JSON (or as a Prometheus label value), whose
     * writer escaped controls, quotes and backslashes itself: only stray
     * bytes are touched, written as \\xHH, which the format reads back as
     * the four characters \xHH. Escaping anything else would break the
     * format (a JSON \" must stay as it is). U+0000 is valid UTF-8 and is
     * kept. The price: a text that holds the four characters \xFF reads
     * back the same as the byte 0xFF (docs/diag.md).
     */
    GW_TEXT_JSON = 1,
} gw_text_mode_t;

/**
 * Copy len bytes of in (NULL reads as empty) into out, escaped per mode;
 * out holds out_size bytes and is always NUL-terminated when out_size > 0.
 * When out is full the copy ends before the first character or escape
 * that does not fit whole: never half of either.
 * @return the bytes written, without the NUL
 */
size_t gw_text_escape(const char *in, size_t len, char *out, size_t out_size, gw_text_mode_t mode);

/** Append len bytes of s to out, escaped per mode (no limit). */
void gw_text_append_escaped(GString *out, const char *s, size_t len, gw_text_mode_t mode);

/**
 * Rewrite str in place, escaped per mode, when it holds anything to
 * escape; true if it did. One validating pass and no copy when it does not.
 */
bool gw_text_fix(GString *str, gw_text_mode_t mode);

/**
 * The longest prefix of s[0..len) not longer than max that does not end
 * inside a well-formed character (a stray byte is not a character to keep
 * whole: the cut may fall after it).
 */
size_t gw_text_cut(const char *s, size_t len, size_t max);

#endif
