/*
 * libFuzzer harness: an OCPP-J message as a charger could send it, through
 * the frame parser, the action lookup and the OCPP 1.6 payload validation
 * in both directions, then the CALLERROR that would answer it.
 */
#include <stdint.h>
#include <stdlib.h>
#include "ocpp_common/ocpp_frame.h"

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
    return 0;
}
