/* sd_notify for systemd's Type=notify and watchdog, on libsystemd rather than
 * a hand-written datagram sender. */
#include "config.h"
#include "notify.h"
#include "log.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

struct gw_notify {
    struct event_base *base;
    struct event *ping;     /* NULL: no watchdog */
    uint64_t watchdog_usec; /* 0: no watchdog */
};

static void send_state(const char *state, const char *status)
{
#ifdef HAVE_SYSTEMD
    /* unset_environment=0: the watchdog pings need NOTIFY_SOCKET later. */
    int rc = status ? sd_notifyf(0, "%s\nSTATUS=%s", state, status) : sd_notify(0, state);
    if (rc < 0)
        gw_core_warn("sd_notify %s: %s", state, strerror(-rc));
#else
    (void)state;
    (void)status;
#endif
}

gw_notify_t *gw_notify_new(struct event_base *base)
{
    gw_notify_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->base = base;
#ifdef HAVE_SYSTEMD
    uint64_t usec = 0;
    /* > 0: WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is us). */
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        n->watchdog_usec = usec;
#endif
    return n;
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    send_state("WATCHDOG=1", NULL);
}

int gw_notify_ready(gw_notify_t *n, const char *status)
{
    send_state("READY=1", status);
    if (!n)
        return -ENOMEM;
    if (!n->watchdog_usec || n->ping)
        return 0;
    /* Half the timeout, as sd_watchdog_enabled(3) advises: one late tick
     * must not get a healthy daemon killed. */
    uint64_t half = n->watchdog_usec / 2;
    struct timeval tv = { .tv_sec = (time_t)(half / 1000000), .tv_usec = (suseconds_t)(half % 1000000) };
    n->ping = event_new(n->base, -1, EV_PERSIST, on_ping, n);
    if (!n->ping || event_add(n->ping, &tv) < 0)
        return -ENOMEM;
    send_state("WATCHDOG=1", NULL);
    return 0;
}

void gw_notify_stopping(gw_notify_t *n, const char *status)
{
    if (n && n->ping) {
        event_free(n->ping);
        n->ping = NULL;
    }
    send_state("STOPPING=1", status);
}

void gw_notify_status(const char *status)
{
#ifdef HAVE_SYSTEMD
    sd_notifyf(0, "STATUS=%s", status);
#else
    (void)status;
#endif
}

void gw_notify_free(gw_notify_t *n)
{
    if (!n)
        return;
    if (n->ping)
        event_free(n->ping);
    free(n);
}
