/* libFuzzer: arbitrary bytes as a charger's HTTP upgrade request, through
 * the bridge's parser and its subprotocol rewrite. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include "ocpp_bridge/bridge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    br_request_t req;
    const char *buf = (const char *)data;
    if (br_http_parse(buf, size, "ocpp", &req) == BR_HTTP_OK) {
        size_t n = 0;
        free(br_http_with_protocol(buf, size, &req, "ocpp1.6", &n));
        free(br_http_with_protocol(buf, size, &req, NULL, &n));
    }
    br_http_parse(buf, size, "", &req);
    return 0;
}
