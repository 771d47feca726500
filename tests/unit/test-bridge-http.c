/* ocpp_bridge's pure parts: the charger's HTTP upgrade request
 * (bridge_http.c) and the frames the relay writes (bridge_wsframe.c). */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "ocpp_bridge/bridge.h"

#define KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define UPG "Upgrade: websocket\r\nConnection: Upgrade\r\n"

static br_http_verdict_t parse(const char *text, br_request_t *req)
{
    return br_http_parse(text, strlen(text), "/ocpp/", req);
}

static void test_http_ok(void)
{
    br_request_t r;
    const char *text = "GET /ocpp/CP%20001?x=1 HTTP/1.1\r\nHost: gw\r\n" UPG KEY
                       "authorization:  Basic Q1A6cHc= \r\n"
                       "Sec-WebSocket-Protocol: ocpp2.0.1, ocpp1.6\r\n\r\nEXTRA";
    g_assert_cmpint(parse(text, &r), ==, BR_HTTP_OK);
    g_assert_cmpstr(r.charger_id, ==, "CP 001");     /* percent-decoded, query dropped */
    g_assert_cmpuint(r.auth_len, ==, strlen("Basic Q1A6cHc="));
    g_assert_true(!strncmp(r.auth, "Basic Q1A6cHc=", r.auth_len));   /* trimmed */
    g_assert_true(!strncmp(r.protocols, "ocpp2.0.1, ocpp1.6", r.protocols_len));
    g_assert_cmpuint(r.head_len, ==, strlen(text) - strlen("EXTRA"));
    g_assert_cmpuint(r.protocols_off, ==, (size_t)(strstr(text, "ocpp2.0.1") - text));

    /* header names are case-insensitive; no Authorization, no protocols */
    g_assert_cmpint(parse("GET /ocpp/A HTTP/1.1\r\nUPGRADE: WebSocket\r\n"
                          "sec-websocket-key: x\r\n\r\n", &r), ==, BR_HTTP_OK);
    g_assert_cmpstr(r.charger_id, ==, "A");
    g_assert_null(r.auth);
    g_assert_null(r.protocols);
}

static void test_http_refusals(void)
{
    br_request_t r;
    /* not under the prefix, a nested path, an empty or NUL ChargerID: 404 */
    g_assert_cmpint(parse("GET /other/CP1 HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/a/b HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/ HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/?id=1 HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/A%00B HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/A%0AB HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    g_assert_cmpint(parse("GET /ocpp/A%7F HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_NOT_FOUND);
    /* not UTF-8 is not a reason to refuse the path: the id is unknown,
     * and shown escaped */
    g_assert_cmpint(parse("GET /ocpp/EVIL%FF HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_OK);
    g_assert_cmpstr(r.charger_id, ==, "EVIL\xff");
    /* a ChargerID longer than the maximum */
    GString *lng = g_string_new("GET /ocpp/");
    for (int i = 0; i < GW_OCPP_CHARGER_ID_MAX + 1; i++)
        g_string_append_c(lng, 'x');
    g_string_append(lng, " HTTP/1.1\r\n" UPG KEY "\r\n");
    g_assert_cmpint(parse(lng->str, &r), ==, BR_HTTP_NOT_FOUND);
    g_string_free(lng, TRUE);
    /* not a WebSocket upgrade: 400 */
    g_assert_cmpint(parse("POST /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
    g_assert_cmpint(parse("GET /ocpp/CP1 HTTP/1.0\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
    g_assert_cmpint(parse("GET /ocpp/CP1 HTTP/1.1\r\n" KEY "\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
    g_assert_cmpint(parse("GET /ocpp/CP1 HTTP/1.1\r\n" UPG "\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
    g_assert_cmpint(parse("GET /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "no colon here\r\n\r\n", &r), ==,
                    BR_HTTP_BAD_REQUEST);
    g_assert_cmpint(parse("GET /ocpp/CP1\r\n" UPG KEY "\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
    /* two Sec-WebSocket-Protocol headers: refused rather than guessed */
    g_assert_cmpint(parse("GET /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "Sec-WebSocket-Protocol: a\r\n"
                          "Sec-WebSocket-Protocol: b\r\n\r\n", &r), ==, BR_HTTP_BAD_REQUEST);
}

static void test_http_incomplete_and_large(void)
{
    br_request_t r;
    const char *full = "GET /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "\r\n";
    /* every proper prefix of a request needs more bytes */
    for (size_t n = 0; n < strlen(full); n++)
        g_assert_cmpint(br_http_parse(full, n, "/ocpp/", &r), ==, BR_HTTP_INCOMPLETE);
    g_assert_cmpint(br_http_parse(full, strlen(full), "/ocpp/", &r), ==, BR_HTTP_OK);
    /* a head that does not end within BR_REQUEST_MAX bytes */
    char *big = g_malloc(BR_REQUEST_MAX + 64);
    memset(big, 'a', BR_REQUEST_MAX + 64);
    memcpy(big, "GET /ocpp/CP1 HTTP/1.1\r\nX: ", 27);
    g_assert_cmpint(br_http_parse(big, BR_REQUEST_MAX, "/ocpp/", &r), ==, BR_HTTP_TOO_LARGE);
    memcpy(big + BR_REQUEST_MAX + 60, "\r\n\r\n", 4);
    g_assert_cmpint(br_http_parse(big, BR_REQUEST_MAX + 64, "/ocpp/", &r), ==, BR_HTTP_TOO_LARGE);
    g_free(big);
}

static void test_http_with_protocol(void)
{
    br_request_t r;
    const char *text = "GET /ocpp/CP1 HTTP/1.1\r\n" UPG
                       "Sec-WebSocket-Protocol: ocpp2.0.1, ocpp1.6\r\n" KEY "\r\nBODY";
    size_t n = 0;
    g_assert_cmpint(parse(text, &r), ==, BR_HTTP_OK);
    char *out = br_http_with_protocol(text, strlen(text), &r, "ocpp1.6", &n);
    g_assert_nonnull(out);
    char *want = g_strdup_printf("GET /ocpp/CP1 HTTP/1.1\r\n" UPG
                                 "Sec-WebSocket-Protocol: ocpp1.6\r\n" KEY "\r\nBODY");
    g_assert_cmpmem(out, n, want, strlen(want));
    free(out);
    g_free(want);
    /* no protocol agreed: the header line goes, the rest stays byte for byte */
    out = br_http_with_protocol(text, strlen(text), &r, NULL, &n);
    want = g_strdup_printf("GET /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "\r\nBODY");
    g_assert_cmpmem(out, n, want, strlen(want));
    free(out);
    g_free(want);
    /* a request without the header is copied unchanged */
    const char *plain = "GET /ocpp/CP1 HTTP/1.1\r\n" UPG KEY "\r\n";
    g_assert_cmpint(parse(plain, &r), ==, BR_HTTP_OK);
    out = br_http_with_protocol(plain, strlen(plain), &r, "ocpp1.6", &n);
    g_assert_cmpmem(out, n, plain, strlen(plain));
    free(out);
}

/* Undo a frame as a receiver would: header fields, then unmask. */
static void check_frame(const unsigned char *f, size_t flen, bool binary, const unsigned char *payload,
                        size_t len, bool masked)
{
    size_t o = 2, plen = f[1] & 0x7f;
    g_assert_cmpint(f[0], ==, 0x80 | (binary ? 2 : 1));
    g_assert_cmpint(!!(f[1] & 0x80), ==, masked);
    if (plen == 126) {
        plen = (size_t)f[2] << 8 | f[3];
        o = 4;
    } else if (plen == 127) {
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | f[2 + i];
        o = 10;
    }
    g_assert_cmpuint(plen, ==, len);
    const unsigned char *mask = masked ? f + o : NULL;
    if (masked)
        o += 4;
    g_assert_cmpuint(flen, ==, o + len);
    for (size_t i = 0; i < len; i++)
        g_assert_cmpint(f[o + i] ^ (mask ? mask[i & 3] : 0), ==, payload[i]);
}

static void test_wsframe(void)
{
    static const size_t sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 70000 };
    static const size_t heads[] = { 2, 2, 2, 4, 4, 4, 10, 10 };
    unsigned char *payload = g_malloc(70000), *out = g_malloc(70000 + 14);
    br_mask_pool_t pool = { .off = 0 };
    for (size_t i = 0; i < 70000; i++)
        payload[i] = (unsigned char)(i * 7 + 3);
    for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
        size_t len = sizes[k];
        g_assert_cmpuint(br_wsframe_size(len, false), ==, heads[k] + len);
        g_assert_cmpuint(br_wsframe_size(len, true), ==, heads[k] + 4 + len);
        size_t n = br_wsframe_put(out, k % 2, payload, len, NULL);
        g_assert_cmpuint(n, ==, br_wsframe_size(len, false));
        check_frame(out, n, k % 2, payload, len, false);
        unsigned char mask[4];
        g_assert_cmpint(br_mask_next(&pool, mask), ==, 0);
        n = br_wsframe_put(out, k % 2, payload, len, mask);
        g_assert_cmpuint(n, ==, br_wsframe_size(len, true));
        check_frame(out, n, k % 2, payload, len, true);
        g_assert_cmpmem(out + heads[k], 4, mask, 4);
    }
    g_free(payload);
    g_free(out);
}

static void test_mask_pool(void)
{
    br_mask_pool_t pool = { .off = 0 };
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    /* more than one pool's worth: the pool refills */
    unsigned n = 3 * (unsigned)(sizeof pool.bytes / 4), distinct;
    for (unsigned i = 0; i < n; i++) {
        unsigned char m[4];
        g_assert_cmpint(br_mask_next(&pool, m), ==, 0);
        guint v = (guint)m[0] << 24 | (guint)m[1] << 16 | (guint)m[2] << 8 | m[3];
        g_hash_table_add(seen, GUINT_TO_POINTER(v));
    }
    distinct = g_hash_table_size(seen);
    /* random 32-bit masks: a handful of collisions at most, never a cycle */
    g_assert_cmpuint(distinct, >, n - 8);
    g_hash_table_destroy(seen);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge/http/ok", test_http_ok);
    g_test_add_func("/bridge/http/refusals", test_http_refusals);
    g_test_add_func("/bridge/http/incomplete-and-large", test_http_incomplete_and_large);
    g_test_add_func("/bridge/http/with-protocol", test_http_with_protocol);
    g_test_add_func("/bridge/wsframe/lengths-and-masks", test_wsframe);
    g_test_add_func("/bridge/wsframe/mask-pool", test_mask_pool);
    return g_test_run();
}
