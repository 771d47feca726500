/* Telling the service manager how the daemon is doing (systemd's sd_notify
 * protocol): READY=1 once every plugin started, STOPPING=1 on the way out,
 * STATUS= lines, and WATCHDOG=1 pings from a loop timer. Every call is a
 * no-op when NOTIFY_SOCKET is unset or gatewayd was built without libsystemd. */
#ifndef GW_CORE_NOTIFY_H
#define GW_CORE_NOTIFY_H

#include <event2/event.h>

typedef struct gw_notify gw_notify_t;

/** Prepare for base's loop; reads WATCHDOG_USEC (through sd_watchdog_enabled).
 *  NULL only when out of memory. */
gw_notify_t *gw_notify_new(struct event_base *base);
/** READY=1 with a STATUS= line, and start the watchdog pings: they are sent
 *  from a timer on the loop, so they stop when the loop stalls or stops
 *  running. @return 0 or a negative errno (the pings could not be scheduled). */
int gw_notify_ready(gw_notify_t *n, const char *status);
/** STOPPING=1 with a STATUS= line; the watchdog pings stop. */
void gw_notify_stopping(gw_notify_t *n, const char *status);
/** A STATUS= line alone. */
void gw_notify_status(const char *status);
void gw_notify_free(gw_notify_t *n);

#endif
