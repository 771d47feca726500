/*
 * diag.h - the diag plugin's instance and the contracts between its files.
 *
 * Two threads meet here. The loop thread owns points, events and all the
 * bookkeeping (metrics, chargers, viewers' dirty sets). The lws service
 * thread owns the sockets. They exchange only:
 *   - requests (lws -> loop, with gw_post) and their answers
 *     (loop -> lws, the `answers` queue + lws_cancel_service);
 *   - stream messages (loop -> lws, each viewer's outbox).
 * Everything crossing is guarded by `lock`.
 */
#ifndef GW_DIAG_H
#define GW_DIAG_H

#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <gw/gw.h>

struct lws_context;
struct lws;

typedef struct gw_diag gw_diag_t;
typedef struct gw_diag_metrics gw_diag_metrics_t;
typedef struct gw_diag_site gw_diag_site_t;
typedef struct gw_diag_stream gw_diag_stream_t;

typedef enum gw_diag_method {
    GW_DIAG_GET = 1,
    GW_DIAG_PUT,
    GW_DIAG_HEAD,
    GW_DIAG_OTHER,
} gw_diag_method_t;

/** One HTTP exchange: filled by the lws thread, answered by the loop. */
typedef struct gw_diag_request {
    uint64_t id;                 /* the session waiting for it */
    gw_diag_t *diag;
    gw_diag_method_t method;
    char *path;                  /* decoded by lws, no query */
    char *prefix;                /* ?prefix= or NULL */
    char *authorization;         /* the header or NULL */
    bool loopback;               /* peer address is 127.0.0.0/8 or ::1 */
    GByteArray *body;
    /* the answer */
    int status;
    const char *content_type;    /* static */
    const char *www_authenticate;/* static or NULL */
    GBytes *reply;
} gw_diag_request_t;

struct gw_diag {
    gw_ctx_t *ctx;
    /* configuration */
    char *bind;
    int port;
    char *token;
    size_t max_request;
    uint32_t stream_interval_ms;
    uint32_t stream_batch;
    uint32_t console_depth;
    gint64 slow_timeout_us;      /* slow_client_timeout */
    unsigned max_clients;
    struct gw_diag_origin *origin; /* Host/Origin rules; read-only after init */
    char *boot_id;               /* random per process: pages notice a restart */

    gw_diag_metrics_t *metrics;  /* loop only */
    gw_diag_site_t *site;        /* loop only */
    struct gw_diag_calls *calls; /* loop only: CALLs in flight, to name answers */
    gw_diag_stream_t *stream;    /* loop side + outboxes under lock */
    gw_sub_id_t event_sub;
    GList *snapshots;            /* loop only: point lists being written */
    GQueue snapshot_waiting;     /* loop only: requests for a list, waiting */
    GArray *configured;          /* loop only: configured charger indices (api.c) */
    GArray *configured_points;   /* loop only: their comm_status points, same order */
    size_t configured_scanned;   /* loop only: points looked at for them */

    /* the lws side */
    struct lws_context *lws;
    pthread_t thread;
    bool thread_started;
    volatile int stopping;
    gint going_away;             /* atomic: stop() wants viewers closed with 1001 */
    bool went_away;              /* lws thread only: ... and they were told */
    gint viewers;                /* atomic: open stream viewers (stop() waits) */
    pthread_mutex_t lock;
    GQueue answers;              /* gw_diag_request_t*, loop -> lws */
    GHashTable *sessions;        /* lws thread only: request id -> struct lws* */
    uint64_t next_request_id;    /* lws thread only */
    GHashTable *clients;         /* lws thread only: struct lws* counted for max_clients */
    /* written on the lws thread, read by /metrics on the loop: atomics */
    guint slow_closed_viewer;    /* viewers closed for not reading */
    guint slow_closed_http;      /* HTTP clients closed for not reading */
    guint clients_refused;       /* 503 for max_clients */
};

/* request.c */
gw_diag_request_t *gw_diag_request_new(gw_diag_t *diag);
void gw_diag_request_free(gw_diag_request_t *req);
/** Set the answer: status and a JSON body ({"error": msg, ...}). */
void gw_diag_request_fail(gw_diag_request_t *req, int status, const char *code,
                          const char *message);
/** Set the answer from a json-c object (consumed). */
void gw_diag_request_reply_json(gw_diag_request_t *req, int status, struct json_object *o);
void gw_diag_request_reply_text(gw_diag_request_t *req, int status, const char *ctype,
                                char *text, size_t len);
/** As reply_text for text the caller already made valid UTF-8 (snapshot.c). */
void gw_diag_request_reply_utf8(gw_diag_request_t *req, int status, const char *ctype,
                                char *text, size_t len);

/* api.c - runs on the loop */
/** Answer req now, or later for a long answer (then it calls
 *  gw_diag_server_answered itself); true when answered now. */
bool gw_diag_api_handle(gw_diag_t *diag, gw_diag_request_t *req);
/** One point as the API shows it. */
struct json_object *gw_diag_api_point(gw_ctx_t *ctx, gw_point_id_t id,
                                      const gw_point_info_t *info);

/* server.c */
int gw_diag_server_start(gw_diag_t *diag);
void gw_diag_server_stop(gw_diag_t *diag);
/** Loop -> lws: req is answered (loop thread; req is consumed). */
void gw_diag_server_answered(gw_diag_request_t *req);
/** Loop -> lws: a viewer's outbox has a message (any thread). */
void gw_diag_server_wake(gw_diag_t *diag);
/** Loop: the lws thread's counters for /metrics. */
void gw_diag_server_render_metrics(gw_diag_t *diag, GString *out);

#endif
