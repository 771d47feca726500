/*
 * libFuzzer harness: an OCPP-J message as a charger could send it, through
 * the frame parser, the action lookup and the OCPP 1.6 payload validation
 * in both directions, then the CALLERROR that would answer it. The same
 * bytes, as a ChargerID or path a peer could send, must come out of the
 * scan list's escaping as valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>
#include "ocpp_common/ocpp_frame.h"
#include "ocpp_common/ocpp_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    size_t n = gw_ocpp_text_escape((const char *)data, size, shown, sizeof shown);
    if (n >= sizeof shown || !g_utf8_validate(shown, (gssize)n, NULL))
        abort();
    return 0;
}
