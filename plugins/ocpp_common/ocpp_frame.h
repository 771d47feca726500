/*
 * ocpp_frame.h - OCPP-J message frames: [2,id,action,payload] (CALL),
 * [3,id,payload] (CALLRESULT), [4,id,code,description,details] (CALLERROR).
 *
 * Parsing checks the frame's structure only; gw_ocpp_frame_check_call()
 * adds the action lookup and the payload validation and says which
 * CALLERROR to answer. Pure functions, any thread.
 */
#ifndef GW_OCPP_FRAME_H
#define GW_OCPP_FRAME_H

#include <stddef.h>
#include "ocpp_schema.h"

struct json_object;

#define GW_OCPP_CALL 2
#define GW_OCPP_CALLRESULT 3
#define GW_OCPP_CALLERROR 4

/** Message ids are at most 36 characters in OCPP-J (§4.1.3)... */
#define GW_OCPP_ID_CHARS 36
/** ...of up to 4 UTF-8 bytes each: GW_OCPP_ID_MAX is the size in bytes
 *  that every copy of an id must hold (+1 for the NUL). */
#define GW_OCPP_ID_MAX (4 * GW_OCPP_ID_CHARS)

typedef struct gw_ocpp_frame {
    int type;                          /**< GW_OCPP_CALL / CALLRESULT / CALLERROR */
    char id[GW_OCPP_ID_MAX + 1];       /**< "" when it could not be read */
    size_t id_len;                     /**< bytes of id: on a refusal the id may hold
                                            U+0000, so echo it with its length */
    const char *action;                /**< CALL: borrowed from root */
    struct json_object *payload;       /**< CALL/CALLRESULT payload, CALLERROR details; borrowed */
    const char *error_code;            /**< CALLERROR, borrowed */
    const char *error_description;     /**< CALLERROR, borrowed */
    struct json_object *root;          /**< owns everything; gw_ocpp_frame_free() */
} gw_ocpp_frame_t;

/**
 * Parse one text message.
 * @param why out: what is wrong, when not GW_OCPP_OK
 * @return GW_OCPP_OK (free the frame with gw_ocpp_frame_free), or the
 *         CALLERROR to answer: FormationViolation (not JSON, not an array,
 *         wrong element types), ProtocolError (too few elements, unknown
 *         message type). out->id is filled whenever it could be read, so
 *         the caller can address the CALLERROR (gw_ocpp_frame_error_for);
 *         the frame is freed already. A message id that is empty, longer
 *         than 36 characters or holds U+0000 is a FormationViolation (its
 *         bytes are still in out->id when they fit, for the echo).
 */
gw_ocpp_error_t gw_ocpp_frame_parse(const char *text, size_t len, gw_ocpp_frame_t *out,
                                    char *why, size_t why_len);

void gw_ocpp_frame_free(gw_ocpp_frame_t *frame);

/**
 * Check a parsed CALL arriving at a peer that plays `receiver`
 * (GW_OCPP_FROM_CS when we are the central system: the request must come
 * from the charge point). NotImplemented for unknown actions, NotSupported
 * for actions sent the wrong way, else the payload validation's code.
 * @param action_out the action found (may be NULL)
 */
gw_ocpp_error_t gw_ocpp_frame_check_call(const gw_ocpp_frame_t *frame, gw_ocpp_from_t receiver,
                                         const gw_ocpp_action_t **action_out, char *why,
                                         size_t why_len);

/**
 * The CALLERROR answering a frame that gw_ocpp_frame_parse() refused or a
 * CALL that failed its checks: the message id is echoed byte for byte
 * (frame->id, frame->id_len), "-1" when it could not be read.
 * @return malloc'd text, NULL when out of memory
 */
char *gw_ocpp_frame_error_for(const gw_ocpp_frame_t *frame, gw_ocpp_error_t code,
                              const char *description);

/** Build frames as text. Each returns a malloc'd NUL-terminated string, or
 *  NULL when out of memory. The payload is borrowed (not consumed). */
char *gw_ocpp_frame_call(const char *id, const char *action, struct json_object *payload);
char *gw_ocpp_frame_result(const char *id, struct json_object *payload);
char *gw_ocpp_frame_error(const char *id, gw_ocpp_error_t code, const char *description);

#endif
