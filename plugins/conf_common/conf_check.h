/*
 * conf_check.h - checks that several plugins make on configuration values
 * that name something outside the daemon: a file to read, an address to
 * listen on. Each check is side-effect free (validate() runs them) except
 * gw_conf_listen_probe(), which start() uses right before it listens.
 *
 * Every function returns 0 or a negative errno and, on failure, sets *why
 * to a reason fit for "FILE: [group] key: reason" (g_free it).
 */
#ifndef GW_CONF_CHECK_H
#define GW_CONF_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/** The largest file a configuration key may name (register map, CA bundle):
 *  far above any real one, far below what would hurt the daemon. */
#define GW_CONF_FILE_MAX ((size_t)16 << 20)

/**
 * Read a whole file named by a configuration value: it must be a regular
 * file (not a directory, device or FIFO: /dev/zero would never end) of at
 * most max bytes. The text is NUL-terminated.
 * @param text out: the contents (g_free), NULL on failure
 * @param len  out, may be NULL: its length
 */
int gw_conf_file_read(const char *path, size_t max, char **text, size_t *len, char **why);

/** Check, without reading it, that path is a readable regular file of at
 *  most max bytes. */
int gw_conf_file_check(const char *path, size_t max, char **why);

/**
 * Check a listening address: empty, a numeric IPv4 or IPv6 address, or
 * (with allow_ifname: libwebsockets servers take one) the name of a
 * network interface; and, unless it is a wildcard (0.0.0.0, ::), that it
 * is an address of this host (or the interface exists), so that listening
 * on it can work. Opens nothing.
 */
int gw_conf_addr_check(const char *address, bool allow_ifname, char **why);

/**
 * Try to bind address:port the way a listener will (SO_REUSEADDR), then
 * close the socket at once: a port in use or an address that cannot be
 * bound is found before a server library hides it. Port 0 always binds.
 * Only for start(): this is a side effect.
 * @return 0, or -EADDRINUSE, -EADDRNOTAVAIL, -EACCES, ... with *why
 */
int gw_conf_listen_probe(const char *address, int port, char **why);

#endif
