/*
 * rtu_thread.c - the serial side of modbus_rtu.
 *
 * RTU frames are delimited by silence, so libmodbus' modbus_receive() has
 * to sit on the line with its byte timeouts. That happens here, on the
 * line's own thread, never on the loop. Each whole request (CRC checked,
 * addressed to our slave id or broadcast) is handed to the loop with
 * gw_post(); the loop evaluates it through the shared engine (points are
 * loop-only) and hands the reply plan back through a condition variable;
 * this thread then frames and sends it. RTU is half duplex: one request is
 * in flight at a time, so the exchange needs no queue.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "rtu_line.h"

#define RTU_CHECKSUM 2
#define RTU_REOPEN_MS 1000       /* retry a lost device this often */

static bool line_stopping(rtu_line_t *line)
{
    bool s;
    pthread_mutex_lock(&line->lock);
    s = line->stopping;
    pthread_mutex_unlock(&line->lock);
    return s;
}

/* Loop thread: evaluate the request the serial thread posted. */
static void line_serve(gw_ctx_t *ctx, void *arg)
{
    rtu_line_t *line = arg;
    bool broadcast;
    if (line->closed)
        return;     /* stop() ran: the thread is gone, serve nothing */
    broadcast = line->req[0] == MODBUS_BROADCAST_ADDRESS;
    /* the engine wants slave + PDU: the CRC was checked by libmodbus */
    gw_mb_engine_eval(line->engine, line->req, line->req_len - RTU_CHECKSUM, 1, 0, broadcast,
                      &line->reply, &line->info);
    gw_mb_request_publish(ctx, "rtu", line->device, &line->info);
    pthread_mutex_lock(&line->lock);
    line->answered = true;
    pthread_cond_signal(&line->cond);
    pthread_mutex_unlock(&line->lock);
}

/* Hand req to the loop and wait for its reply. @return false: stopping. */
static bool line_exchange(rtu_line_t *line, int len)
{
    bool ok;
    int rc;
    pthread_mutex_lock(&line->lock);
    line->req_len = len;
    line->answered = false;
    pthread_mutex_unlock(&line->lock);
    rc = gw_post(line->ctx, line_serve, line);
    if (rc < 0) {
        if (rc != -ESHUTDOWN)
            gw_log(line->ctx, GW_LOG_ERROR, "cannot hand a request to the loop: %s",
                   strerror(-rc));
        return false;
    }
    pthread_mutex_lock(&line->lock);
    while (!line->answered && !line->stopping)
        pthread_cond_wait(&line->cond, &line->lock);
    ok = line->answered && !line->stopping;
    pthread_mutex_unlock(&line->lock);
    return ok;
}

/* Wait for bytes on the line or for stop(). @return 1 bytes, 0 stop,
 * -1 the device hung up. */
static int line_wait(rtu_line_t *line)
{
    struct pollfd p[2] = {
        { .fd = modbus_get_socket(line->mb), .events = POLLIN },
        { .fd = line->wake_fd, .events = POLLIN },
    };
    for (;;) {
        int n = poll(p, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (p[1].revents & POLLIN))
            return 0;
        if (p[0].revents & POLLIN)
            return 1;
        if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            return -1;
    }
}

/* Sleep up to ms unless stop() wakes us. @return false when stopping. */
static bool line_nap(rtu_line_t *line, int ms)
{
    struct pollfd p = { .fd = line->wake_fd, .events = POLLIN };
    int n = poll(&p, 1, ms);
    return !(n > 0 && (p.revents & POLLIN)) && !line_stopping(line);
}

/* The device went away (USB unplugged, pty peer gone): close it and open
 * it again every RTU_REOPEN_MS until it is back. @return false: stopping. */
static bool line_reopen(rtu_line_t *line)
{
    gw_log(line->ctx, GW_LOG_WARNING, "%s: line lost (%s); reopening every %d ms", line->device,
           modbus_strerror(errno), RTU_REOPEN_MS);
    modbus_close(line->mb);
    do {
        if (!line_nap(line, RTU_REOPEN_MS))
            return false;
    } while (modbus_connect(line->mb) < 0);
    gw_log(line->ctx, GW_LOG_INFO, "%s: line open again", line->device);
    return true;
}

static void *line_main(void *arg)
{
    rtu_line_t *line = arg;
    while (!line_stopping(line)) {
        int len, w = line_wait(line);
        if (w == 0)
            break;
        if (w < 0) {
            if (!line_reopen(line))
                break;
            continue;
        }
        len = modbus_receive(line->mb, line->req);
        if (len == 0) {
            line->ignored++;     /* another slave's frame */
            continue;
        }
        if (len < 0) {
            int err = errno;
            if (err == ECONNRESET || err == EIO || err == EBADF) {
                if (!line_reopen(line))
                    break;
                continue;
            }
            /* bad CRC, a frame cut short (byte timeout), garbage: drop
             * what is buffered so the next frame starts clean */
            line->bad_frames++;
            gw_log(line->ctx, GW_LOG_DEBUG, "%s: frame dropped: %s", line->device,
                   modbus_strerror(err));
            modbus_flush(line->mb);
            continue;
        }
        if (len < 1 + 1 + RTU_CHECKSUM)
            continue;
        if (!line_exchange(line, len))
            break;
        line->served++;
        if (gw_mb_reply_send(line->mb, line->req, len, &line->reply) < 0)
            gw_log(line->ctx, GW_LOG_DEBUG, "%s: reply not sent: %s", line->device,
                   modbus_strerror(errno));
    }
    return NULL;
}

int rtu_line_start(rtu_line_t *line)
{
    int rc;
    line->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (line->wake_fd < 0)
        return -errno;
    line->closed = false;
    line->stopping = false;
    rc = pthread_create(&line->thread, NULL, line_main, line);
    if (rc != 0) {
        close(line->wake_fd);
        line->wake_fd = -1;
        return -rc;
    }
    line->thread_running = true;
    return 0;
}

void rtu_line_stop(rtu_line_t *line)
{
    uint64_t one = 1;
    line->closed = true;
    if (!line->thread_running)
        return;
    pthread_mutex_lock(&line->lock);
    line->stopping = true;
    pthread_cond_broadcast(&line->cond);
    pthread_mutex_unlock(&line->lock);
    if (write(line->wake_fd, &one, sizeof one) < 0)
        gw_log(line->ctx, GW_LOG_WARNING, "cannot wake the serial thread: %s", strerror(errno));
    pthread_join(line->thread, NULL);
    line->thread_running = false;
    close(line->wake_fd);
    line->wake_fd = -1;
}
