/* Claims of exclusive resources across plugin instances (claims.h). The
 * core knows no plugin: a claim is a kind and a value; only "tcp" has a
 * rule beyond equal text, because a wildcard listener takes its port on
 * every address. */
#include "config.h"
#include "claims.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *owner, *key, *kind, *value;
} gw_claim_t;

struct gw_claims {
    GPtrArray *list; /* gw_claim_t*, in the order made */
};

static void gw_claim_free(gpointer p)
{
    gw_claim_t *c = p;
    g_free(c->owner);
    g_free(c->key);
    g_free(c->kind);
    g_free(c->value);
    g_free(c);
}

gw_claims_t *gw_claims_new(void)
{
    gw_claims_t *cl = g_new0(gw_claims_t, 1);
    cl->list = g_ptr_array_new_with_free_func(gw_claim_free);
    return cl;
}

void gw_claims_free(gw_claims_t *cl)
{
    if (!cl)
        return;
    g_ptr_array_free(cl->list, TRUE);
    g_free(cl);
}

int gw_claims_add(gw_claims_t *cl, const char *owner, const char *key, const char *kind,
                  const char *value)
{
    if (!kind || !*kind || !value || !*value || !owner)
        return -EINVAL;
    for (const char *k = kind; *k; k++)
        if (!g_ascii_islower(*k) && !g_ascii_isdigit(*k) && *k != '-')
            return -EINVAL;
    /* the value is printed in the error line */
    for (const unsigned char *v = (const unsigned char *)value; *v; v++)
        if (*v < ' ' || *v == 0x7f)
            return -EINVAL;
    gw_claim_t *c = g_new0(gw_claim_t, 1);
    c->owner = g_strdup(owner);
    c->key = g_strdup(key && *key ? key : "");
    c->kind = g_strdup(kind);
    c->value = g_strdup(value);
    g_ptr_array_add(cl->list, c);
    return 0;
}

/* ------------------------------------------------------------- tcp */

typedef enum { ADDR_ANY, ADDR_ANY4, ADDR_V4, ADDR_V6, ADDR_NAME } gw_addr_class_t;

typedef struct {
    gw_addr_class_t cls;
    char text[INET6_ADDRSTRLEN + 64]; /* canonical form; an interface name as given */
    long port;
} gw_tcp_endpoint_t;

/* "ADDR:PORT" or "[ADDR]:PORT"; the address may be empty (every address).
 * IPv4-mapped IPv6 addresses count as the IPv4 address they carry. */
static bool gw_tcp_parse(const char *s, gw_tcp_endpoint_t *e)
{
    const char *colon = strrchr(s, ':');
    if (!colon)
        return false;
    char *end;
    e->port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end || e->port < 0 || e->port > 65535)
        return false;
    size_t len = (size_t)(colon - s);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    char addr[sizeof e->text];
    if (len >= sizeof addr)
        return false;
    memcpy(addr, s, len);
    addr[len] = '\0';
    struct in_addr a4;
    struct in6_addr a6;
    if (!*addr) {
        e->cls = ADDR_ANY;
    } else if (inet_pton(AF_INET, addr, &a4) == 1) {
        e->cls = a4.s_addr == htonl(INADDR_ANY) ? ADDR_ANY4 : ADDR_V4;
        inet_ntop(AF_INET, &a4, e->text, sizeof e->text);
    } else if (inet_pton(AF_INET6, addr, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            memcpy(&a4, &a6.s6_addr[12], 4);
            e->cls = a4.s_addr == htonl(INADDR_ANY) ? ADDR_ANY4 : ADDR_V4;
            inet_ntop(AF_INET, &a4, e->text, sizeof e->text);
        } else {
            /* "::" listens dual-stack on Linux: it takes IPv4 too */
            e->cls = IN6_IS_ADDR_UNSPECIFIED(&a6) ? ADDR_ANY : ADDR_V6;
            inet_ntop(AF_INET6, &a6, e->text, sizeof e->text);
        }
    } else {
        e->cls = ADDR_NAME; /* an interface name (libwebsockets takes one) */
        g_strlcpy(e->text, addr, sizeof e->text);
    }
    return true;
}

static bool gw_tcp_overlap(const char *a, const char *b)
{
    gw_tcp_endpoint_t x, y;
    if (!gw_tcp_parse(a, &x) || !gw_tcp_parse(b, &y))
        return strcmp(a, b) == 0;
    /* port 0: the system picks a free port, never one in use */
    if (x.port == 0 || y.port == 0 || x.port != y.port)
        return false;
    if (x.cls == ADDR_ANY || y.cls == ADDR_ANY)
        return true;
    /* 0.0.0.0 takes every IPv4 address, and an interface's (which may
     * have one); a specific IPv6 address can share the port with it */
    if (x.cls == ADDR_ANY4 || y.cls == ADDR_ANY4)
        return x.cls != ADDR_V6 && y.cls != ADDR_V6;
    return x.cls == y.cls && strcmp(x.text, y.text) == 0;
}

bool gw_claims_overlap(const char *kind, const char *a, const char *b)
{
    if (strcmp(kind, "tcp") == 0)
        return gw_tcp_overlap(a, b);
    return strcmp(a, b) == 0;
}

/* ------------------------------------------------------------- check */

/* Values listed in one line before the rest are only counted. */
#define GW_CLAIMS_LIST_MAX 8

unsigned gw_claims_check(gw_claims_t *cl, gw_claims_report_fn report, void *user)
{
    GPtrArray *l = cl->list;
    guint n = l->len;
    /* For each claim, the earlier claim of another instance it clashes
     * with. Equal text is found through a table (ocpp_cs and ocpp_bridge
     * may claim 4,096 chargers each); only "tcp", whose overlap is not
     * equality, is compared pairwise, and listeners are few. */
    gw_claim_t **with = g_new0(gw_claim_t *, n ? n : 1);
    GHashTable *first = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *tcp = g_ptr_array_new();
    for (guint i = 0; i < n; i++) {
        gw_claim_t *c = g_ptr_array_index(l, i);
        if (strcmp(c->kind, "tcp") == 0) {
            for (guint j = 0; j < tcp->len && !with[i]; j++) {
                gw_claim_t *o = g_ptr_array_index(tcp, j);
                if (strcmp(o->owner, c->owner) != 0 && gw_tcp_overlap(c->value, o->value))
                    with[i] = o;
            }
            g_ptr_array_add(tcp, c);
            continue;
        }
        /* compared with the resource's first claim: a third instance is
         * reported against the first one, like the second */
        char *k = g_strdup_printf("%s\t%s", c->kind, c->value);
        gw_claim_t *f = g_hash_table_lookup(first, k);
        if (!f)
            g_hash_table_insert(first, k, c);
        else {
            g_free(k);
            if (strcmp(f->owner, c->owner) != 0)
                with[i] = f;
        }
    }
    g_ptr_array_free(tcp, TRUE);
    g_hash_table_destroy(first);
    /* one line per (instance, key, kind, earlier instance, earlier key) */
    bool *done = g_new0(bool, n ? n : 1);
    unsigned lines = 0;
    for (guint i = 0; i < n; i++) {
        if (!with[i] || done[i])
            continue;
        gw_claim_t *c = g_ptr_array_index(l, i), *o = with[i];
        GString *vals = g_string_new(NULL);
        unsigned count = 0;
        for (guint k = i; k < n; k++) {
            gw_claim_t *d = g_ptr_array_index(l, k);
            if (done[k] || !with[k] || strcmp(d->owner, c->owner) || strcmp(d->key, c->key) ||
                strcmp(d->kind, c->kind) || strcmp(with[k]->owner, o->owner) ||
                strcmp(with[k]->key, o->key))
                continue;
            done[k] = true;
            if (count++ < GW_CLAIMS_LIST_MAX)
                g_string_append_printf(vals, "%s%s", count > 1 ? ", " : "", d->value);
        }
        if (count > GW_CLAIMS_LIST_MAX)
            g_string_append_printf(vals, " and %u more", count - GW_CLAIMS_LIST_MAX);
        char *why;
        if (count == 1 && strcmp(c->value, o->value) != 0)
            why = g_strdup_printf("%s %s overlaps %s, claimed by [%s]%s%s", c->kind, vals->str,
                                  o->value, o->owner, *o->key ? " " : "", o->key);
        else
            why = g_strdup_printf("%s %s %s also claimed by [%s]%s%s", c->kind, vals->str,
                                  count == 1 ? "is" : "are", o->owner, *o->key ? " " : "",
                                  o->key);
        report(user, c->owner, c->key, why);
        g_free(why);
        g_string_free(vals, TRUE);
        lines++;
    }
    g_free(done);
    g_free(with);
    return lines;
}
