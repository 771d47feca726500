/*
 * libFuzzer harness: an OCPP-J message as a charger could send it, through
 * the frame parser, the action lookup and the OCPP 1.6 payload validation
 * in both directions, then the CALLERROR that would answer it. The same
 * bytes, as a ChargerID or path a peer could send, must come out of the
 * scan list's escaping (plain mode) as valid UTF-8 with no raw control or
 * lone backslash left, and as diag's (JSON mode) as valid UTF-8.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "ocpp_common/ocpp_frame.h"
#include "text/gw_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8, U+0000 included (g_utf8_validate_len() stops at it). */
static bool valid_with_nul(const char *s, size_t len)
{
    const gchar *end;
    while (!g_utf8_validate_len(s, len, &end)) {
        if (*end != '\0')
            return false;
        len -= (size_t)(end - s) + 1;
        s = end + 1;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gw_ocpp_frame_t f;
    char why[160];
    gw_ocpp_error_t rc = gw_ocpp_frame_parse((const char *)data, size, &f, why, sizeof why);
    if (rc == GW_OCPP_OK) {
        if (f.type == GW_OCPP_CALL) {
            const gw_ocpp_action_t *a = NULL;
            rc = gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why);
            (void)gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CP, NULL, why, sizeof why);
            if (a)
                (void)gw_ocpp_validate(a->conf, f.payload, why, sizeof why);
        }
        gw_ocpp_frame_free(&f);
    }
    if (rc != GW_OCPP_OK) {
        char *err = gw_ocpp_frame_error_for(&f, rc, why);
        free(err);
    }
    char shown[129];
    size_t n = gw_text_escape((const char *)data, size, shown, sizeof shown, GW_TEXT_PLAIN);
    if (n >= sizeof shown || !g_utf8_validate(shown, (gssize)n, NULL))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)shown[i];
        if (c < 0x20 || c == 0x7F)
            abort(); /* a control left raw */
        if (c == '\\' && (++i == n || (shown[i] != '\\' && shown[i] != 'x')))
            abort(); /* a backslash that is neither \\ nor \xHH */
    }
    GString *json = g_string_new(NULL);
    gw_text_append_escaped(json, (const char *)data, size, GW_TEXT_JSON);
    if (!valid_with_nul(json->str, json->len))
        abort();
    /* text that was valid UTF-8 passes unchanged */
    if (valid_with_nul((const char *)data, size) &&
        (json->len != size || memcmp(json->str, data, size) != 0))
        abort();
    g_string_free(json, TRUE);
    return 0;
}
