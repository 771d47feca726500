/*
 * ocpp_text.h - text that a peer sent, made fit for display.
 *
 * Whatever gatewayd keeps from a peer to show later (scan list ids and
 * paths, log lines about refused handshakes) goes to viewers, the API and
 * JSON events, which must be valid UTF-8: one invalid byte made every
 * viewer of the scan list fail until a restart. Nothing is dropped
 * silently: an invalid byte is shown as "\xFF", so the operator sees
 * what was sent. Pure functions, any thread.
 */
#ifndef GW_OCPP_TEXT_H
#define GW_OCPP_TEXT_H

#include <stddef.h>

/**
 * Copy len bytes of peer text into out (out_size bytes, always
 * NUL-terminated when out_size > 0). Well-formed UTF-8 is kept as it is;
 * every byte that is not part of one (stray continuation bytes, overlong
 * forms, surrogates, beyond U+10FFFF, a sequence cut short), every C0
 * control, DEL and U+0000 become "\xNN"; a backslash becomes "\\" so that
 * the escape cannot be forged. When out is full, the copy ends before the
 * first character or escape that does not fit whole.
 * @return the bytes written, without the NUL
 */
size_t gw_ocpp_text_escape(const char *in, size_t len, char *out, size_t out_size);

#endif
