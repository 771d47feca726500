/* origin.c - the Host and Origin rules of origin.h. */
#include "origin.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

struct gw_diag_origin {
    GPtrArray *names;            /* lower case, no trailing dot */
    GPtrArray *origins;          /* verbatim */
    int port;
    bool any_host;
};

/* A name as compared: lower case, one trailing dot dropped. */
static char *gw_diag_origin_norm(const char *name, size_t len)
{
    if (len && name[len - 1] == '.')
        len--;
    return g_ascii_strdown(name, (gssize)len);
}

static void gw_diag_origin_add(gw_diag_origin_t *o, const char *name)
{
    if (!name || !*name)
        return;
    if (strcmp(name, "*") == 0) {
        o->any_host = true;
        return;
    }
    /* an IPv6 literal may be written with its brackets */
    size_t len = strlen(name);
    if (name[0] == '[' && len > 2 && name[len - 1] == ']') {
        name++;
        len -= 2;
    }
    g_ptr_array_add(o->names, gw_diag_origin_norm(name, len));
}

gw_diag_origin_t *gw_diag_origin_new(const char *bind, int port, const char *hostname,
                                     const char *const *hosts, const char *const *origins)
{
    gw_diag_origin_t *o = g_new0(gw_diag_origin_t, 1);
    o->names = g_ptr_array_new_with_free_func(g_free);
    o->origins = g_ptr_array_new_with_free_func(g_free);
    o->port = port;
    gw_diag_origin_add(o, "localhost");
    gw_diag_origin_add(o, "127.0.0.1");
    gw_diag_origin_add(o, "::1");
    /* a wildcard address is no name a browser would use */
    if (bind && strcmp(bind, "0.0.0.0") != 0 && strcmp(bind, "::") != 0)
        gw_diag_origin_add(o, bind);
    gw_diag_origin_add(o, hostname);
    for (size_t i = 0; hosts && hosts[i]; i++)
        gw_diag_origin_add(o, hosts[i]);
    for (size_t i = 0; origins && origins[i]; i++)
        if (*origins[i])
            g_ptr_array_add(o->origins, g_strdup(origins[i]));
    return o;
}

void gw_diag_origin_free(gw_diag_origin_t *o)
{
    if (!o)
        return;
    g_ptr_array_free(o->names, TRUE);
    g_ptr_array_free(o->origins, TRUE);
    g_free(o);
}

static bool gw_diag_origin_name_ok(const gw_diag_origin_t *o, const char *name, size_t len)
{
    if (!len)
        return false;
    char *n = gw_diag_origin_norm(name, len);
    bool ok = false;
    for (guint i = 0; i < o->names->len && !ok; i++)
        ok = strcmp(n, o->names->pdata[i]) == 0;
    g_free(n);
    return ok;
}

/*
 * Split "name", "name:port", "[v6]" or "[v6]:port" (a Host header, or an
 * origin after its scheme). *port is -1 when absent. False when malformed.
 */
static bool gw_diag_origin_split(const char *s, const char **name, size_t *len, long *port)
{
    const char *rest;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return false;
        *name = s + 1;
        *len = (size_t)(close - s - 1);
        rest = close + 1;
    } else {
        *name = s;
        *len = strcspn(s, ":");
        rest = s + *len;
    }
    *port = -1;
    if (!*rest)
        return true;
    if (*rest != ':' || !g_ascii_isdigit(rest[1]))
        return false;
    char *end;
    *port = strtol(rest + 1, &end, 10);
    return *end == '\0' && *port <= 65535;
}

bool gw_diag_origin_host_ok(const gw_diag_origin_t *o, const char *host)
{
    if (o->any_host)
        return true;
    /* HTTP/1.1 requires Host; without one nothing says which site was meant */
    const char *name;
    size_t len;
    long port;
    if (!host || !gw_diag_origin_split(host, &name, &len, &port))
        return false;
    /* The port is not checked: a port forward or proxy may change it, and
     * a rebound name is refused by its name whatever the port. An address
     * literal is always fine here: rebinding needs a DNS name, and a browser
     * that sends Host: 10.0.0.5 was pointed at this daemon by address (a
     * NAT's public address included). Origin is stricter (see below). */
    char *literal = g_strndup(name, len);
    bool ip = g_hostname_is_ip_address(literal);
    g_free(literal);
    return ip || gw_diag_origin_name_ok(o, name, len);
}

bool gw_diag_origin_origin_ok(const gw_diag_origin_t *o, const char *origin)
{
    if (!origin)
        return true; /* not sent: not a cross-origin browser request */
    for (guint i = 0; i < o->origins->len; i++)
        if (strcmp(origin, o->origins->pdata[i]) == 0)
            return true;
    long dflt;
    const char *rest;
    if (g_str_has_prefix(origin, "http://")) {
        rest = origin + 7;
        dflt = 80;
    } else if (g_str_has_prefix(origin, "https://")) {
        rest = origin + 8;
        dflt = 443;
    } else {
        return false; /* "null" (sandboxed, file:) or anything else */
    }
    const char *name;
    size_t len;
    long port;
    if (!gw_diag_origin_split(rest, &name, &len, &port))
        return false;
    /* Another port on the same host is another origin (another web app);
     * an address not in the list may be another machine's page. */
    if ((port < 0 ? dflt : port) != o->port)
        return false;
    return gw_diag_origin_name_ok(o, name, len); /* "*" opens Host only */
}

char *gw_diag_origin_describe(const gw_diag_origin_t *o)
{
    GString *s = g_string_new(o->any_host ? "*" : "");
    for (guint i = 0; i < o->names->len; i++)
        g_string_append_printf(s, "%s%s", s->len ? ";" : "", (const char *)o->names->pdata[i]);
    return g_string_free(s, FALSE);
}
