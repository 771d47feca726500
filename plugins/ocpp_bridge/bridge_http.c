/*
 * bridge_http.c - the charger's HTTP upgrade request, read by the bridge
 * itself before libwebsockets sees it: the bridge must know the ChargerID,
 * its Authorization and its subprotocols to open the upstream connection
 * first, and lws decides a handshake synchronously. Pure functions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "bridge.h"

static const char *br_memmem(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

/* "/ocpp/CP%2001?x" -> "CP 01"; false when not under the prefix or empty. */
static bool br_http_charger_id(const char *uri, size_t n, const char *prefix, char *id,
                               size_t id_len)
{
    size_t plen = strlen(prefix), o = 0;
    if (n < plen || memcmp(uri, prefix, plen) != 0)
        return false;
    for (size_t i = plen; i < n && uri[i] != '?'; i++) {
        char c = uri[i];
        if (c == '/' || o + 1 >= id_len)
            return false;
        if (c == '%' && i + 2 < n && g_ascii_isxdigit(uri[i + 1]) &&
            g_ascii_isxdigit(uri[i + 2])) {
            c = (char)(g_ascii_xdigit_value(uri[i + 1]) * 16 + g_ascii_xdigit_value(uri[i + 2]));
            i += 2;
        }
        /* as ocpp_cs: "A%00B" must not be looked up as "A", and no control
         * byte is part of a ChargerID */
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return false;
        id[o++] = c;
    }
    id[o] = '\0';
    return o > 0;
}

static void br_http_trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

static bool br_http_contains_token(const char *v, size_t n, const char *token)
{
    size_t k = strlen(token);
    for (size_t i = 0; i + k <= n; i++)
        if (!g_ascii_strncasecmp(v + i, token, k))
            return true;
    return false;
}

br_http_verdict_t br_http_parse(const char *buf, size_t len, const char *prefix,
                                br_request_t *req)
{
    const char *end = br_memmem(buf, len, "\r\n\r\n");
    memset(req, 0, sizeof *req);
    if (!end)
        return len >= BR_REQUEST_MAX ? BR_HTTP_TOO_LARGE : BR_HTTP_INCOMPLETE;
    req->head_len = (size_t)(end - buf) + 4;
    if (req->head_len > BR_REQUEST_MAX)
        return BR_HTTP_TOO_LARGE;

    const char *line_end = br_memmem(buf, req->head_len, "\r\n");
    if (req->head_len < 4 || memcmp(buf, "GET ", 4) != 0)
        return BR_HTTP_BAD_REQUEST;
    const char *uri = buf + 4;
    const char *sp = memchr(uri, ' ', (size_t)(line_end - uri));
    if (!sp || (size_t)(line_end - sp) < 9 || memcmp(sp + 1, "HTTP/1.1", 8) != 0)
        return BR_HTTP_BAD_REQUEST;

    bool upgrade = false, key = false;
    const char *p = line_end + 2;
    while (p < end + 2) {
        const char *le = br_memmem(p, (size_t)(end + 2 - p), "\r\n");
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!le || !colon)
            return BR_HTTP_BAD_REQUEST;
        size_t name_len = (size_t)(colon - p);
        const char *v = colon + 1;
        size_t vn = (size_t)(le - v);
        br_http_trim(&v, &vn);
        if (name_len == 7 && !g_ascii_strncasecmp(p, "upgrade", 7))
            upgrade = br_http_contains_token(v, vn, "websocket");
        else if (name_len == 17 && !g_ascii_strncasecmp(p, "sec-websocket-key", 17))
            key = vn > 0;
        else if (name_len == 13 && !g_ascii_strncasecmp(p, "authorization", 13)) {
            req->auth = v;
            req->auth_len = vn;
        } else if (name_len == 22 && !g_ascii_strncasecmp(p, "sec-websocket-protocol", 22)) {
            if (req->protocols) /* two headers: refuse rather than guess */
                return BR_HTTP_BAD_REQUEST;
            req->protocols = v;
            req->protocols_len = vn;
            req->protocols_off = (size_t)(v - buf);
        }
        p = le + 2;
    }
    if (!upgrade || !key)
        return BR_HTTP_BAD_REQUEST;
    req->uri = uri;
    req->uri_len = (size_t)(sp - uri);
    if (!br_http_charger_id(uri, (size_t)(sp - uri), prefix, req->charger_id,
                            sizeof req->charger_id))
        return BR_HTTP_NOT_FOUND;
    return BR_HTTP_OK;
}

char *br_http_with_protocol(const char *buf, size_t len, const br_request_t *req,
                            const char *protocol, size_t *out_len)
{
    char *out;
    if (!req->protocols) {
        out = malloc(len ? len : 1);
        if (out)
            memcpy(out, buf, len);
        *out_len = len;
        return out;
    }
    /* Replace the header's value only; without a protocol drop the line. */
    size_t start = req->protocols_off, stop = start + req->protocols_len;
    const char *pl = protocol ? protocol : "";
    size_t pn = strlen(pl);
    if (!protocol) {
        while (start > 0 && buf[start - 1] != '\n')
            start--;
        const char *le = br_memmem(buf + stop, len - stop, "\r\n");
        stop = le ? (size_t)(le - buf) + 2 : stop;
    }
    size_t n = start + pn + (len - stop);
    out = malloc(n ? n : 1);
    if (!out)
        return NULL;
    memcpy(out, buf, start);
    memcpy(out + start, pl, pn);
    memcpy(out + start + pn, buf + stop, len - stop);
    *out_len = n;
    return out;
}

void br_http_refuse(int fd, int status)
{
    const char *text = status == 404 ? "Not Found" : status == 400 ? "Bad Request"
                     : status == 401 ? "Unauthorized" : status == 403 ? "Forbidden"
                     : status == 431 ? "Request Header Fields Too Large"
                     : status == 503 ? "Service Unavailable" : "Bad Gateway";
    char msg[160];
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                     status, text);
    /* Best effort: the socket is non-blocking and about to be closed; a
     * charger that does not read simply sees the connection end. */
    if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        return;
}
