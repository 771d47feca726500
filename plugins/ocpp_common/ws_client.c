/*
 * ws_client.c - upstream WebSocket client helpers; see ws_client.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <libwebsockets.h>
#include "ws_client.h"

int gw_ws_client_url_parse(const char *text, gw_ws_client_url_t *url, char **error)
{
    const char *p;
    memset(url, 0, sizeof *url);
    if (!text || !*text) {
        *error = g_strdup("empty URL");
        return -EINVAL;
    }
    if (!g_ascii_strncasecmp(text, "ws://", 5)) {
        p = text + 5;
        url->port = 80;
    } else if (!g_ascii_strncasecmp(text, "wss://", 6)) {
        p = text + 6;
        url->tls = true;
        url->port = 443;
    } else {
        *error = g_strdup_printf("'%s': the scheme must be ws:// or wss://", text);
        return -EINVAL;
    }
    if (strpbrk(p, "?#@ ")) {
        *error = g_strdup_printf("'%s': no query, fragment, user info or spaces allowed "
                                 "(the ChargerID is appended to the path)", text);
        return -EINVAL;
    }
    const char *host_end;
    if (*p == '[') { /* IPv6 literal */
        host_end = strchr(p, ']');
        if (!host_end) {
            *error = g_strdup_printf("'%s': unterminated '['", text);
            return -EINVAL;
        }
        p++;
    } else {
        host_end = p + strcspn(p, ":/");
    }
    size_t hlen = (size_t)(host_end - p);
    if (hlen == 0 || hlen >= sizeof url->host) {
        *error = g_strdup_printf("'%s': missing or too long host", text);
        return -EINVAL;
    }
    memcpy(url->host, p, hlen);
    url->host[hlen] = '\0';
    p = host_end + (*host_end == ']');
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/')) {
            *error = g_strdup_printf("'%s': bad port", text);
            return -EINVAL;
        }
        url->port = (int)port;
        p = end;
    }
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/')
        plen--;
    if (plen >= sizeof url->path) {
        *error = g_strdup_printf("'%s': path too long", text);
        return -EINVAL;
    }
    memcpy(url->path, p, plen);
    url->path[plen] = '\0';
    return 0;
}

int gw_ws_client_charger_path(const gw_ws_client_url_t *url, const char *charger_id, char *buf,
                              size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = (size_t)snprintf(buf, len, "%s/", url->path);
    if (o >= len)
        return -ENAMETOOLONG;
    for (const unsigned char *c = (const unsigned char *)charger_id; *c; c++) {
        bool plain = g_ascii_isalnum(*c) || strchr("-._~", *c);
        if (o + (plain ? 1 : 3) >= len)
            return -ENAMETOOLONG;
        if (plain) {
            buf[o++] = (char)*c;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*c >> 4];
            buf[o++] = hex[*c & 15];
        }
    }
    buf[o] = '\0';
    return 0;
}

char *gw_ws_client_basic_auth(const char *user_password)
{
    gchar *b64 = g_base64_encode((const guchar *)user_password, strlen(user_password));
    char *value = g_strconcat("Basic ", b64, NULL);
    g_free(b64);
    return value;
}

struct lws *gw_ws_client_connect(struct lws_context *context, struct lws_vhost *vhost,
                                 const gw_ws_client_target_t *target, struct lws **pwsi)
{
    struct lws_client_connect_info i;
    char host[GW_WS_CLIENT_HOST_MAX + 8];
    const gw_ws_client_url_t *url = target->url;
    bool default_port = url->port == (url->tls ? 443 : 80);

    memset(&i, 0, sizeof i);
    /* The Host header carries the port unless it is the scheme's default,
     * as browsers and the CS's TLS virtual hosting expect. */
    if (default_port)
        snprintf(host, sizeof host, "%s", url->host);
    else if (strchr(url->host, ':'))
        snprintf(host, sizeof host, "[%s]:%d", url->host, url->port);
    else
        snprintf(host, sizeof host, "%s:%d", url->host, url->port);
    i.context = context;
    i.vhost = vhost;
    i.address = url->host;
    i.port = url->port;
    i.path = target->path;
    i.host = host;
    i.origin = NULL;
    i.protocol = target->subprotocols && *target->subprotocols ? target->subprotocols : NULL;
    i.local_protocol_name = target->local_protocol;
    i.ietf_version_or_minus_one = -1;
    i.retry_and_idle_policy = target->retry;
    i.opaque_user_data = target->opaque;
    i.pwsi = pwsi;
    if (url->tls) {
        i.ssl_connection = LCCSCF_USE_SSL;
        if (!target->tls.verify)
            i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                                LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
    }
    return lws_client_connect_via_info(&i);
}

int gw_ws_client_append_auth(struct lws *wsi, void *in, size_t len, const char *value)
{
    unsigned char **p = in;
    unsigned char *end = *p + len;
    if (!value || !*value)
        return 0;
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                     (const unsigned char *)value, (int)strlen(value), p, end))
        return -1;
    return 0;
}

int gw_ws_client_close_code(const void *payload, size_t len)
{
    const unsigned char *b = payload;
    if (!b || len < 2)
        return 1005;
    return (b[0] << 8) | b[1];
}

int gw_ws_client_close_code_relayable(int code)
{
    if (code < 1000 || code == 1005 || code == 1006 || code == 1015 || code >= 5000)
        return 1001;
    return code;
}
