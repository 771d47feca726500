/*
 * origin.h - which web pages may talk to diag.
 *
 * Reads carry live data (idTags in OCPP frames) and loopback writes need no
 * token, so a page elsewhere must not reach diag through an operator's
 * browser:
 *   - Host must name this daemon (or be an address literal: rebinding
 *     needs a name): a DNS-rebound name (evil.example pointed at 127.0.0.1)
 *     makes a foreign page same-origin, but its requests still say
 *     `Host: evil.example`.
 *   - Origin, when a browser sends one (every WebSocket upgrade, every
 *     cross-origin request, same-origin writes), must be diag's own:
 *     http(s)://NAME:PORT with NAME allowed and PORT diag's port, or one of
 *     the configured allowed_origins verbatim.
 * Allowed names: localhost, 127.0.0.1, ::1, the bind address (unless a
 * wildcard), the machine's host name and addresses (the caller passes them
 * in `hosts`), and the allowed_hosts list ("*" there
 * turns the Host check off, not the Origin check). Names compare case-insensitively, a trailing
 * dot ignored. Pure functions, unit-tested.
 */
#ifndef GW_DIAG_ORIGIN_H
#define GW_DIAG_ORIGIN_H

#include <stdbool.h>

typedef struct gw_diag_origin gw_diag_origin_t;

/**
 * @param bind      diag's bind address
 * @param port      diag's port
 * @param hostname  the machine's host name or NULL
 * @param hosts     extra allowed names (NULL-terminated) or NULL
 * @param origins   extra allowed origins, verbatim (NULL-terminated) or NULL
 */
gw_diag_origin_t *gw_diag_origin_new(const char *bind, int port, const char *hostname,
                                     const char *const *hosts, const char *const *origins);
void gw_diag_origin_free(gw_diag_origin_t *o);

/** The Host header (NULL: absent) names this daemon. */
bool gw_diag_origin_host_ok(const gw_diag_origin_t *o, const char *host);

/** The Origin header (NULL: absent, allowed) is diag's own or configured. */
bool gw_diag_origin_origin_ok(const gw_diag_origin_t *o, const char *origin);

/** The allowed names, ";"-separated, for the start-up log line (caller frees). */
char *gw_diag_origin_describe(const gw_diag_origin_t *o);

#endif
