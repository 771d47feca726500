/* Point dump for integrators and tests (kill -USR1 <pid>), in slices. */
#include "config.h"
#include "dump.h"
#include "events.h"
#include "text/gw_text.h"

#include <event2/event.h>
#include <inttypes.h>

/* Longest slice of work per loop pass. */
#define GW_DUMP_SLICE_US 1000
/* Points between two looks at the clock. */
#define GW_DUMP_CHECK_EVERY 64

struct gw_dump {
    gw_host_t *host;
    FILE *out;
    struct event *next;          /* zero-delay timer: the next slice */
    size_t at;                   /* next point id */
    bool running;
};

void gw_dump_value(const gw_value_t *v, char *buf, size_t size)
{
    switch (v->kind) {
    case GW_VALUE_INT:
        snprintf(buf, size, "%" PRId64, v->u.i);
        break;
    case GW_VALUE_FLOAT:
        snprintf(buf, size, "%.9g", v->u.f);
        break;
    case GW_VALUE_STRING: {
        /* Escaped in plain mode (text/gw_text.h): a string a peer wrote may
         * hold stray bytes, a newline or a TAB, which would make the dump
         * invalid UTF-8 or split its line and fields. */
        if (size < 3) {
            if (size)
                buf[0] = '\0';
            break;
        }
        size_t n = gw_text_escape(v->u.s, v->len, buf + 1, size - 2, GW_TEXT_PLAIN);
        buf[0] = '"';
        buf[n + 1] = '"';
        buf[n + 2] = '\0';
        break;
    }
    default:
        snprintf(buf, size, "-");
        break;
    }
}

static void gw_dump_slice(evutil_socket_t fd, short what, void *arg)
{
    static const char *const types[] = { "", "bool", "int16", "uint16", "int32", "uint32",
                                         "float32", "string", "datetime" };
    static const char *const qualities[] = { "uninit", "good", "comm-error" };
    gw_dump_t *d = arg;
    gw_host_t *host = d->host;
    (void)fd;
    (void)what;
    /* Points are only ever added: ids below the count stay valid. */
    size_t n = gw_pointdb_count(host->points);
    gint64 until = g_get_monotonic_time() + GW_DUMP_SLICE_US;
    char text[600];
    while (d->at < n) {
        gw_point_info_t info = { .size = sizeof info };
        gw_value_t v;
        gw_point_id_t id = (gw_point_id_t)d->at++;
        gw_pointdb_info(host->points, id, &info);
        gw_pointdb_get(host->points, id, &v);
        gw_dump_value(&v, text, sizeof text);
        fprintf(d->out, "%s\t%s\t%s\t%s\n", info.name, types[info.type],
                info.quality <= 2 ? qualities[info.quality] : "?", text);
        if (d->at % GW_DUMP_CHECK_EVERY == 0 && g_get_monotonic_time() >= until) {
            static const struct timeval now = { 0, 0 };
            evtimer_add(d->next, &now); /* after the sockets had their turn */
            return;
        }
    }
    fprintf(d->out, "# %zu points\n", n);
    fflush(d->out);
    d->running = false;
    gw_eventbus_publish(host->events, NULL, "core.dump", NULL);
}

gw_dump_t *gw_dump_new(gw_host_t *host, FILE *out)
{
    gw_dump_t *d = g_new0(gw_dump_t, 1);
    d->host = host;
    d->out = out;
    d->next = evtimer_new(host->base, gw_dump_slice, d);
    return d;
}

void gw_dump_free(gw_dump_t *d)
{
    if (!d)
        return;
    event_free(d->next);
    g_free(d);
}

void gw_dump_start(gw_dump_t *d)
{
    if (d->running)
        return;
    d->running = true;
    d->at = 0;
    gw_dump_slice(-1, 0, d);
}
