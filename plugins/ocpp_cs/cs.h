/*
 * cs.h - ocpp_cs: gatewayd as the OCPP 1.6J Central System, driven by the
 * BMS through the register map. Internal header shared by the plugin's
 * files; everything runs on the loop thread except the lookup the
 * WebSocket thread makes in the immutable charger table.
 */
#ifndef GW_OCPP_CS_H
#define GW_OCPP_CS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <gw/gw.h>
#include "modbus_common/regmap.h"
#include "ocpp_common/ocpp_chargers.h"
#include "ocpp_common/ocpp_frame.h"
#include "ocpp_common/ocpp_measurand.h"
#include "ocpp_common/ocpp_reported.h"
#include "ocpp_common/ocpp_scan_view.h"
#include "ocpp_common/ocpp_ws.h"

#define CS_MAX_CONNECTORS 7     /* yy 1..7; yy 0 is the charge point */
#define CS_MAX_INDEX 4096       /* charger indexes 0..4095 (Modbus units beyond the map's 20) */
#define CS_MAP_CHARGERS 20      /* charger blocks in the register map */

typedef struct cs cs_t;
typedef struct cs_charger cs_charger_t;

/* ----------------------------------------------------------- connectors */

typedef struct cs_connector {
    gw_point_id_t unlock, availability, status, error_code;
    gw_point_id_t value[GW_OCPP_N_MEASURANDS][3];
    gw_point_id_t unit[GW_OCPP_N_MEASURANDS];
    gw_point_id_t txn_id, txn_id_tag, txn_meter_start, txn_timestamp;
    int64_t availability_prev;
    bool unlock_busy, availability_busy;
} cs_connector_t;

/* ------------------------------------------------------- open transactions */

typedef struct cs_txn {
    int id;                     /* 1..65535 */
    int charger;                /* index */
    int connector;
    char id_tag[21];
    double meter_start;
    int64_t timestamp;          /* Unix s */
} cs_txn_t;

/* ------------------------------------------------------ the local list */

typedef struct cs_auth_entry {
    char id_tag[21];
    char parent_id_tag[21];
    int status;                 /* 0=Accepted 1=Blocked 2=Expired 3=Invalid 4=ConcurrentTx */
    int64_t expiry;             /* Unix s, 0 = none */
} cs_auth_entry_t;

/* -------------------------------------- charger -> CS requests (BMS handshakes) */

typedef enum cs_req_kind { CS_REQ_AUTHORIZE, CS_REQ_START, CS_REQ_STOP } cs_req_kind_t;

typedef struct cs_req {
    struct cs_req *next;
    cs_req_kind_t kind;
    uint32_t conn;              /* connection the request came on */
    char msg_id[GW_OCPP_ID_MAX + 1];
    json_object *payload;       /* owned */
} cs_req_t;

typedef struct cs_handshake_points {
    gw_point_id_t flag, processed, status, parent_id_tag, expiry_date;
} cs_handshake_points_t;

/* ------------------------------------------------- CS -> charger calls */

typedef void (*cs_call_done_fn)(cs_t *cs, cs_charger_t *ch, json_object *result,
                                const char *error_code, void *arg);

typedef struct cs_call {
    struct cs_call *next;
    char msg_id[GW_OCPP_ID_MAX + 1];
    char action[40];
    json_object *payload;       /* owned */
    cs_call_done_fn done;
    void *arg;
} cs_call_t;

/* ------------------------------------------- BMS-initiated operations */

typedef enum cs_op {
    CS_OP_REMOTE_START, CS_OP_REMOTE_STOP, CS_OP_RESET, CS_OP_CLEAR_CACHE,
    CS_OP_RESERVE_NOW, CS_OP_CANCEL_RESERVATION, CS_OP_CLEAR_PROFILE,
    CS_OP_GET_LIST_VERSION, CS_OP_SEND_LOCAL_LIST, CS_OP_TRIGGER, CS_N_OPS
} cs_op_t;

typedef struct cs_op_ctx {
    cs_charger_t *ch;
    cs_op_t op;
    int connector;              /* unlock / availability */
} cs_op_ctx_t;

/* --------------------------------------------------------------- charger */

struct cs_charger {
    cs_t *cs;
    int index;
    const gw_ocpp_charger_cfg_t *cfg;
    uint32_t conn;              /* 0 = not connected */
    char peer[64];

    gw_point_id_t comm_status, box_serial, point_serial, vendor, model;
    cs_connector_t connector[CS_MAX_CONNECTORS + 1];
    /* what the charger reported: comm_error while it is away */
    gw_ocpp_reported_t reported;

    /* charger -> CS handshakes */
    cs_handshake_points_t hs[3];
    gw_point_id_t auth_id_tag;
    gw_point_id_t start_connector, start_id_tag, start_meter, start_reservation,
        start_timestamp, start_txn_id;
    gw_point_id_t stop_id_tag, stop_meter, stop_timestamp, stop_txn_id, stop_reason;
    cs_req_t *fifo_head, *fifo_tail;  /* head is the one in progress */
    bool fifo_busy;
    gw_timer_id_t bms_timer;

    /* CS -> charger calls, one outstanding */
    cs_call_t *calls_head, *calls_tail;
    bool call_outstanding;
    gw_timer_id_t call_timer;

    /* BMS-initiated operations */
    gw_point_id_t op_flag[CS_N_OPS], op_result[CS_N_OPS];
    bool op_busy[CS_N_OPS];
    cs_op_ctx_t op_ctx[CS_N_OPS];
    cs_op_ctx_t conn_ctx[CS_MAX_CONNECTORS + 1][2];
    gw_point_id_t rs_connector, rs_id_tag, rstop_txn, reset_type, cr_reservation,
        cp_profile, cp_connector, cp_purpose, cp_stack, glv_version,
        rn_connector, rn_expiry, rn_id_tag, rn_parent, rn_reservation,
        sl_operation, sl_id_tag, sl_parent, sl_expiry, sl_status,
        tm_message, tm_connector;

    /* the gateway's copy of the charger's local authorisation list */
    cs_auth_entry_t *list;
    size_t list_n, list_cap;
    int list_version;
};

/* ------------------------------------------------------------- instance */

struct cs {
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    gw_ocpp_chargers_t *chargers_cfg;
    cs_charger_t **by_index;    /* index -> charger, NULL when not configured */
    int n_index;
    gw_ocpp_ws_t *ws;
    gw_ocpp_scan_view_t scan;   /* unknown chargers: list, points, event, dump */
    uint64_t next_msg_id;

    int heartbeat_interval;     /* s, sent in BootNotification.conf */
    uint32_t call_timeout_ms;
    uint32_t bms_timeout_ms;
    int fallback_status;        /* when neither BMS nor local list answer */
    bool fallback_local_list;

    /* transactions */
    cs_txn_t *txns;
    size_t n_txns, cap_txns;
    int next_txn_id;

    /* time: gateway clock = system clock + offset */
    int64_t clock_offset_ms;
    gw_point_id_t clock[6];     /* second minute hour day month year */
    int clock_written[6];
    unsigned clock_mask;
    int64_t clock_first_write_ms;
    gw_timer_id_t clock_timer;

    gw_point_id_t bms_heartbeat, bms_lost;
    int bms_heartbeat_s;
    gw_timer_id_t bms_hb_timer;
    bool bms_hb_seen_first;


    int point_error;            /* first registration failure (max_signals) */
    char *state_path;
    bool restoring;             /* loading state: do not save */
    struct cs_store_writer *store; /* writes state_path off the loop */
    bool state_failing;         /* the last write of state_path failed */
    uint32_t state_failed_writes;
    gw_point_id_t state_write_failed, state_write_errors, state_error;
};

/* cs_points.c: map-backed points. A point the map does not enable for the
 * bms mode is not registered: its id is -1 and setting it does nothing. */
gw_point_id_t cs_point_add(cs_t *cs, const char *name, gw_type_t type, gw_access_t access,
                           uint32_t max_len, gw_write_fn on_write, void *user);
gw_point_id_t cs_point_add_extra(cs_t *cs, const char *name, gw_type_t type, gw_access_t access,
                                 uint32_t max_len, const char *description);
void cs_set_int(cs_t *cs, gw_point_id_t id, int64_t v);
void cs_set_float(cs_t *cs, gw_point_id_t id, double v);
void cs_set_string(cs_t *cs, gw_point_id_t id, const char *s);
int64_t cs_get_int(cs_t *cs, gw_point_id_t id);
double cs_get_float(cs_t *cs, gw_point_id_t id);
/* copies into buf (NUL-terminated, trailing NULs dropped) */
const char *cs_get_string(cs_t *cs, gw_point_id_t id, char *buf, size_t len);
int cs_charger_points_register(cs_t *cs, cs_charger_t *ch);
int cs_global_points_register(cs_t *cs);
/* Every charger is away until it says something (start-up, after the
 * store restored what it holds). */
void cs_points_all_away(cs_t *cs);

/* cs_clock.c */
int64_t cs_now_ms(const cs_t *cs);
void cs_now_iso(const cs_t *cs, char *buf, size_t len);
int cs_clock_start(cs_t *cs);
void cs_clock_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user);
void cs_bms_heartbeat_start(cs_t *cs);

/* cs_conn.c: connections, dispatch, calls to the charger */
extern const gw_ocpp_ws_handlers_t cs_ws_handlers;
void cs_send_text(cs_t *cs, uint32_t conn, const char *text, const char *action, bool out);
void cs_reply(cs_t *cs, uint32_t conn, const char *msg_id, json_object *payload,
              const char *action);
/* cs_reply() once the state as it is now is on disk: an answer that a
 * crash must not contradict (a transactionId given, a stop acknowledged). */
void cs_reply_durable(cs_t *cs, uint32_t conn, const char *msg_id, json_object *payload,
                      const char *action);
/* action: of the CALL being refused (for the ocpp.frame event), or NULL */
void cs_reply_error(cs_t *cs, uint32_t conn, const char *msg_id, const char *action,
                    gw_ocpp_error_t code, const char *why);
void cs_call(cs_t *cs, cs_charger_t *ch, const char *action, json_object *payload,
             cs_call_done_fn done, void *arg);
void cs_calls_fail_all(cs_t *cs, cs_charger_t *ch);
void cs_publish_frame(cs_t *cs, int index, const char *dir, const char *action,
                      const char *text);

/* cs_from_cp.c: requests the gateway answers by itself */
void cs_handle_call(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *msg_id,
                    const char *action, json_object *payload);

/* cs_handshake.c: Authorize / StartTransaction / StopTransaction via the BMS */
void cs_handshake_enqueue(cs_t *cs, cs_charger_t *ch, cs_req_kind_t kind, uint32_t conn,
                          const char *msg_id, json_object *payload);
void cs_handshake_processed(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user);
void cs_handshake_clear(cs_t *cs, cs_charger_t *ch);

/* cs_txn.c: open transactions and the id allocator */
cs_txn_t *cs_txn_find(cs_t *cs, int id);
/* The open transaction on a charger's connector (at most one: the map has
 * one set of current-transaction registers per connector). */
cs_txn_t *cs_txn_find_on(cs_t *cs, int charger, int connector);
/* An open transaction with exactly these start data: a charger repeating a
 * StartTransaction whose answer it never got (e.g. across a reconnect). */
cs_txn_t *cs_txn_find_same(cs_t *cs, int charger, int connector, const char *id_tag,
                           double meter_start, int64_t timestamp);
cs_txn_t *cs_txn_open(cs_t *cs, int charger, int connector, int wanted_id, const char *id_tag,
                      double meter_start, int64_t timestamp);
void cs_txn_close(cs_t *cs, int id);
void cs_txn_show(cs_t *cs, const cs_txn_t *t, bool open);

/* cs_local_list.c */
const cs_auth_entry_t *cs_list_find(const cs_charger_t *ch, const char *id_tag);
int cs_list_apply(cs_charger_t *ch, int operation, const cs_auth_entry_t *e);
json_object *cs_auth_info_json(int status, const char *parent, int64_t expiry);
extern const char *const cs_auth_status_names[5];

/* cs_to_cp.c: operations the BMS starts */
void cs_op_on_flag(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user);
void cs_connector_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user);

/* cs_config.c: what the key table cannot check, parsed once for both
 * validate() and init(); problems are reported with gw_config_error(). */
typedef struct cs_config {
    gw_regmap_t *map;
    gw_ocpp_chargers_t *chargers;
} cs_config_t;
int cs_config_parse(gw_ctx_t *ctx, cs_config_t *out);
void cs_config_clear(cs_config_t *cfg);

/* cs_store.c: persistence under gw_state_dir() */
int cs_store_load(cs_t *cs);
void cs_store_save(cs_t *cs);

/* cs_store_health.c: the state file's write failures as points, events, log */
int cs_store_health_register(cs_t *cs);
void cs_store_health_on_write(void *user, int rc); /* a cs_store_status_fn */

/* cs_store_writer.c: the state file written on a thread of its own */
typedef struct cs_store_writer cs_store_writer_t;
/* rc: 0 once the state is on disk, -errno when its write failed */
typedef void (*cs_store_after_fn)(void *arg, int rc);
/* on the loop after every write attempt: 0 or -errno */
typedef void (*cs_store_status_fn)(void *user, int rc);
cs_store_writer_t *cs_store_writer_start(gw_ctx_t *ctx, const char *path,
                                         cs_store_status_fn on_status, void *user);
/* Hand over a snapshot (malloc'd, taken); a newer one replaces it if its
 * write has not started. A failed one is retried until one succeeds. Loop
 * thread. */
void cs_store_writer_put(cs_store_writer_t *w, char *text);
/* fn(arg, 0) on the loop once every snapshot handed over so far is on
 * disk, at once when it already is or w is NULL; fn(arg, -errno) when the
 * write of that state failed: say nothing that depends on it. */
void cs_store_writer_after(cs_store_writer_t *w, cs_store_after_fn fn, void *arg);
/* Try what is pending once more, join the thread, settle the waiters
 * left. Idempotent. */
void cs_store_writer_stop(cs_store_writer_t *w);
void cs_store_writer_free(cs_store_writer_t *w);

#endif
