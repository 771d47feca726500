/* auth.c - write authorisation for the diagnostics API. */
#include "auth.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>

/* Compare without an early exit so the time taken does not tell an attacker
 * how many leading characters of a guess were right. */
static bool gw_diag_auth_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0 && lb > 0;
}

int gw_diag_auth_check_write(const char *token, const char *authorization, bool loopback,
                             const char **why)
{
    if (!token || !*token) {
        if (loopback)
            return 0;
        *why = "writes are accepted only from loopback when no token is configured";
        return 403;
    }
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0) {
        *why = "this server requires Authorization: Bearer <token> for writes";
        return 401;
    }
    const char *given = authorization + 7;
    while (*given == ' ')
        given++;
    if (!gw_diag_auth_equal(given, token)) {
        *why = "wrong token";
        return 401;
    }
    return 0;
}

bool gw_diag_auth_is_loopback(const struct sockaddr *sa, socklen_t len)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            return in6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}
