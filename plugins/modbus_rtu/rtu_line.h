/* rtu_line.h - one modbus_rtu instance: a serial line, its thread, the
 * shared request engine, and the one request in flight between them. */
#ifndef GW_RTU_LINE_H
#define GW_RTU_LINE_H

#include <pthread.h>
#include <stdbool.h>
#include <glib.h>
#include <gw/gw.h>
#include <modbus/modbus.h>
#include "modbus_common/mb_engine.h"
#include "modbus_common/regmap.h"

typedef struct rtu_line {
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    gw_mb_engine_t *engine;      /* loop thread only */
    modbus_t *mb;                /* serial thread only, once started */
    char device[256];
    int slave;

    pthread_t thread;
    bool thread_running;
    int wake_fd;                 /* eventfd: stop() wakes the thread's poll */

    /* The exchange: RTU is half duplex, so at most one request is in
     * flight. The thread fills req, posts rtu_line_serve and waits on cond
     * until the loop has set `answered` (or `stopping`). */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;               /* under lock */
    bool answered;               /* under lock */
    bool closed;                 /* loop side: stop() ran, serve nothing */
    uint8_t req[MODBUS_RTU_MAX_ADU_LENGTH];
    int req_len;                 /* with slave and CRC */
    gw_mb_reply_t reply;
    gw_mb_request_info_t info;

    /* counters, written by the thread, read in logs */
    unsigned long served, ignored, bad_frames;
} rtu_line_t;

/** Start the serial thread on an opened line. @return 0 or a negative errno. */
int rtu_line_start(rtu_line_t *line);
/** Wake and join the thread; requests still queued are not served.
 *  Loop thread. */
void rtu_line_stop(rtu_line_t *line);

#endif
