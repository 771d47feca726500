/*
 * lws_loop.h - a libwebsockets context and the thread that services it
 * (ocpp_cs' server, ocpp_bridge's relay).
 *
 * Debian's lws 4.1.6 cannot join gatewayd's libevent loop (DESIGN.md §6),
 * so each context runs on a thread of its own. Without an event library
 * lws waits in poll() over every socket it holds: with 1,000 chargers
 * (2,000 sockets through the bridge) that scan is most of the cost of each
 * message. The context is therefore put on a libev loop (epoll, only the
 * sockets that are ready), through the libwebsockets-evlib_ev plugin
 * Debian ships with libwebsockets. When that plugin cannot be loaded, lws'
 * own poll() loop is used and the reason is reported.
 *
 * Rules: gw_lws_loop_new(), _start(), _stop() and _free() are called from
 * one thread (the plugin's loop thread). The pass callback runs on the
 * service thread. lws_cancel_service() on the context is the only call
 * other threads may make.
 */
#ifndef GW_LWS_LOOP_H
#define GW_LWS_LOOP_H

#include <stdbool.h>
#include <gw/gw.h>

struct lws_context;
struct lws_context_creation_info;

typedef struct gw_lws_loop gw_lws_loop_t;

/** What a pass did, as the pass callback reports it. */
typedef enum gw_lws_pass_result {
    GW_LWS_PASS_IDLE = 0,   /**< nothing moved */
    GW_LWS_PASS_MOVED,      /**< data moved: keep polling awake for spin_us */
    GW_LWS_PASS_MORE,       /**< input is held back to be written with more:
                                 run the next pass at once, without waiting */
} gw_lws_pass_result_t;

/**
 * Called on the service thread after every service pass (once the
 * callbacks of the sockets that were ready have run).
 */
typedef gw_lws_pass_result_t (*gw_lws_loop_pass_fn)(void *arg);

/**
 * Create the context described by info on a libev loop (info->options and
 * info->foreign_loops are set on a copy), or on lws' poll() when the libev
 * plugin is missing, which is logged as a warning through ctx.
 * @return the loop, or NULL when the context cannot be created
 */
gw_lws_loop_t *gw_lws_loop_new(gw_ctx_t *ctx, const struct lws_context_creation_info *info);

/** The context (for vhosts, client connections, lws_cancel_service()). */
struct lws_context *gw_lws_loop_context(const gw_lws_loop_t *l);

/**
 * Start servicing the context on a new thread.
 * @param pass     run after each pass, may be NULL
 * @param spin_us  after a pass that moved data, poll without sleeping for
 *                 this long before waiting again (0: always wait). A
 *                 sleeping thread costs a wake-up per message (tens of
 *                 microseconds on a virtual machine whose idle CPUs halt);
 *                 spinning trades CPU time for that latency while traffic
 *                 flows, and nothing when it does not. Ignored on a
 *                 single-CPU machine, where the answer cannot arrive
 *                 while the thread spins.
 * @return 0, or -errno when the thread cannot start
 */
int gw_lws_loop_start(gw_lws_loop_t *l, gw_lws_loop_pass_fn pass, void *arg, unsigned spin_us);

/** Stop and join the service thread; the context stays (its callbacks
 * then run on the caller's thread, e.g. inside gw_lws_loop_free()). */
void gw_lws_loop_stop(gw_lws_loop_t *l);

/** Stop, destroy the context (closing every connection), free. NULL is a
 * no-op. */
void gw_lws_loop_free(gw_lws_loop_t *l);

#endif
