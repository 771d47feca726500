/*
 * conf_net.c - listening addresses. A bind address that is not this
 * host's would make a server library listen nowhere (libwebsockets then
 * keeps running without a listener); validate() finds it from the list of
 * local addresses, and start() proves the bind right before listening.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "conf_check.h"

/* Parse a numeric address into ss; false when it is not one. */
static bool conf_addr_parse(const char *address, struct sockaddr_storage *ss, socklen_t *sl)
{
    struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, address, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        *sl = sizeof *in;
        return true;
    }
    if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        *sl = sizeof *in6;
        return true;
    }
    return false;
}

static bool conf_addr_wildcard(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ((const struct sockaddr_in *)(const void *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

static bool conf_addr_same(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (!b || a->ss_family != b->sa_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
                  sizeof(struct in6_addr)) == 0;
}

int gw_conf_addr_check(const char *address, bool allow_ifname, char **why)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    struct ifaddrs *ifs = NULL;
    bool numeric, found = false;

    if (!address || !*address)
        return 0; /* every address */
    numeric = conf_addr_parse(address, &ss, &sl);
    if (numeric && conf_addr_wildcard(&ss))
        return 0;
    if (!numeric && (!allow_ifname || strlen(address) >= IF_NAMESIZE ||
                     strpbrk(address, " /:"))) {
        *why = g_strdup_printf("'%s' is not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::)%s",
                               address, allow_ifname ? " or a network interface name" : "");
        return -EINVAL;
    }
    if (getifaddrs(&ifs) < 0) {
        int e = errno;
        *why = g_strdup_printf("cannot list this host's addresses: %s", g_strerror(e));
        return -e;
    }
    for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next)
        found = numeric ? conf_addr_same(&ss, i->ifa_addr) : strcmp(i->ifa_name, address) == 0;
    freeifaddrs(ifs);
    if (!found && numeric) {
        *why = g_strdup_printf("%s is not an address of this host", address);
        return -EADDRNOTAVAIL;
    }
    if (!found) {
        *why = g_strdup_printf("'%s' is not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::) or a "
                               "network interface of this host", address);
        return -EINVAL;
    }
    return 0;
}

/* The first address of an interface, for the probe. */
static bool conf_iface_addr(const char *name, struct sockaddr_storage *ss, socklen_t *sl)
{
    struct ifaddrs *ifs = NULL;
    bool found = false;
    if (getifaddrs(&ifs) < 0)
        return false;
    for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0 ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        *sl = i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                : sizeof(struct sockaddr_in6);
        memset(ss, 0, sizeof *ss);
        memcpy(ss, i->ifa_addr, *sl);
        found = true;
    }
    freeifaddrs(ifs);
    return found;
}

int gw_conf_listen_probe(const char *address, int port, char **why)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1, rc = 0;
    const char *shown = address && *address ? address : "*";

    if (port == 0)
        return 0;
    if (!address || !*address)
        conf_addr_parse("0.0.0.0", &ss, &sl);
    else if (!conf_addr_parse(address, &ss, &sl) && !conf_iface_addr(address, &ss, &sl)) {
        *why = g_strdup_printf("cannot listen on %s port %d: no such address or interface", shown,
                               port);
        return -EADDRNOTAVAIL;
    }
    if (ss.ss_family == AF_INET)
        ((struct sockaddr_in *)(void *)&ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)(void *)&ss)->sin6_port = htons((uint16_t)port);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) < 0)
        rc = -errno;
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        *why = g_strdup_printf("cannot listen on %s port %d: %s%s", shown, port, g_strerror(-rc),
                               rc == -EACCES && port < 1024
                                   ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
                                   : "");
    return rc;
}
