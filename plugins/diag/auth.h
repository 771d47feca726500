/*
 * auth.h - who may write: a bearer token when one is configured, otherwise
 * only loopback peers. Pure functions, unit-tested.
 */
#ifndef GW_DIAG_AUTH_H
#define GW_DIAG_AUTH_H

#include <stdbool.h>
#include <sys/socket.h>

/**
 * Decide whether a write may proceed.
 * @param token          the configured token ("" or NULL: none)
 * @param authorization  the request's Authorization header or NULL
 * @param loopback       the peer is a loopback address
 * @param why            out: a static reason when refused
 * @return 0 to allow, or the HTTP status to answer (401, 403)
 */
int gw_diag_auth_check_write(const char *token, const char *authorization, bool loopback,
                             const char **why);

/** True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool gw_diag_auth_is_loopback(const struct sockaddr *sa, socklen_t len);

#endif
