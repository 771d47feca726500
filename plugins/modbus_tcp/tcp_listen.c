/*
 * tcp_listen.c - the listening socket and max_clients: a connection past
 * the limit is accepted and closed at once, so the client sees a clean
 * close instead of hanging in the backlog, and nobody else notices.
 */
#define _GNU_SOURCE 1 /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tcp_server.h"

#define ACCEPTS_PER_WAKEUP 16    /* keep a connection flood from hogging the loop */

int tcp_listen_open(gw_ctx_t *ctx, const char *address, int port)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    int fd = -1, one = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(service, sizeof service, "%d", port);
    rc = getaddrinfo(*address ? address : NULL, service, &hints, &res);
    if (rc != 0) {
        gw_config_error(ctx, "bind_address", "'%s': %s", address, gai_strerror(rc));
        return -EINVAL;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = -errno;
        goto fail;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
        rc = -errno;
        goto fail;
    }
    freeaddrinfo(res);
    return fd;
fail:
    gw_config_error(ctx, rc == -EADDRNOTAVAIL ? "bind_address" : "port",
                    "cannot listen on %s port %d: %s%s", *address ? address : "*", port,
                    strerror(-rc),
                    rc == -EACCES && port < 1024
                        ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
                        : "");
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return rc;
}

static void peer_name(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
    }
    snprintf(buf, len, "%s:%d", host, port);
}

void tcp_listen_accept(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user)
{
    tcp_server_t *srv = user;
    (void)id;
    (void)events;
    for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        char peer[64];
        int one = 1;
        int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                gw_log(ctx, GW_LOG_WARNING, "accept: %s", strerror(errno));
            return;
        }
        peer_name(&ss, peer, sizeof peer);
        if (srv->clients->len >= srv->max_clients) {
            gw_log(ctx, GW_LOG_NOTICE, "refused %s: max_clients (%u) connected", peer,
                   srv->max_clients);
            close(cfd);
            continue;
        }
        /* answers are single small writes: do not let Nagle hold them */
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (tcp_client_add(srv, cfd, peer) < 0)
            close(cfd);
    }
}
