/*
 * ocpp_frame.c - OCPP-J frame parsing and building with json-c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "ocpp_frame.h"

static gw_ocpp_error_t frame_fail(gw_ocpp_frame_t *f, gw_ocpp_error_t code, char *why,
                                  size_t why_len, const char *msg)
{
    if (why && why_len)
        snprintf(why, why_len, "%s", msg);
    json_object_put(f->root);
    f->root = NULL;
    f->payload = NULL;
    f->action = f->error_code = f->error_description = NULL;
    return code;
}

/* Characters, not bytes: ids are limited to 36 characters. */
static size_t frame_utf8_chars(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

gw_ocpp_error_t gw_ocpp_frame_parse(const char *text, size_t len, gw_ocpp_frame_t *out,
                                    char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    if (why && why_len)
        why[0] = '\0';
    if (!text || len == 0 || len > INT32_MAX)
        return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len, "empty message");

    json_tokener *tok = json_tokener_new_ex(32);
    if (!tok)
        return frame_fail(out, GW_OCPP_INTERNAL_ERROR, why, why_len, "out of memory");
    /* OCPP-J is UTF-8 (and lws checks text frames already): no string
     * that is not can reach a point, a register or a viewer. */
    json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    /* Trailing bytes after the array are a malformed message too. */
    size_t used = (size_t)json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    out->root = root;
    if (!root || jerr != json_tokener_success)
        return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len, "not valid JSON");
    while (used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\r' ||
                          text[used] == '\t'))
        used++;
    if (used != len)
        return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                          "trailing data after the frame");
    if (!json_object_is_type(root, json_type_array))
        return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                          "a frame must be a JSON array");
    size_t n = json_object_array_length(root);
    if (n < 1 || !json_object_is_type(json_object_array_get_idx(root, 0), json_type_int))
        return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                          "the first element must be the message type");
    out->type = json_object_get_int(json_object_array_get_idx(root, 0));
    if (n >= 2) {
        json_object *jid = json_object_array_get_idx(root, 1);
        if (!json_object_is_type(jid, json_type_string))
            return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                              "the message id must be a string");
        const char *id = json_object_get_string(jid);
        size_t id_len = (size_t)json_object_get_string_len(jid);
        /* Keep the exact bytes, even the ones refused below, so that the
         * CALLERROR names the message the charger sent. */
        if (id_len <= GW_OCPP_ID_MAX) {
            memcpy(out->id, id, id_len);
            out->id[id_len] = '\0';
            out->id_len = id_len;
        }
        if (id_len == 0 || frame_utf8_chars(id, id_len) > GW_OCPP_ID_CHARS)
            return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                              "the message id must be 1 to 36 characters");
        /* Ids travel as C strings through the BMS queue and the call
         * table: one with U+0000 would be answered cut short. */
        if (memchr(id, '\0', id_len))
            return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                              "the message id must not contain U+0000");
    }
    switch (out->type) {
    case GW_OCPP_CALL:
        if (n != 4)
            return frame_fail(out, n < 4 ? GW_OCPP_PROTOCOL_ERROR : GW_OCPP_FORMATION_VIOLATION,
                              why, why_len, "a CALL has 4 elements");
        if (!json_object_is_type(json_object_array_get_idx(root, 2), json_type_string))
            return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                              "the action must be a string");
        out->action = json_object_get_string(json_object_array_get_idx(root, 2));
        out->payload = json_object_array_get_idx(root, 3);
        break;
    case GW_OCPP_CALLRESULT:
        if (n != 3)
            return frame_fail(out, n < 3 ? GW_OCPP_PROTOCOL_ERROR : GW_OCPP_FORMATION_VIOLATION,
                              why, why_len, "a CALLRESULT has 3 elements");
        out->payload = json_object_array_get_idx(root, 2);
        break;
    case GW_OCPP_CALLERROR:
        if (n < 4 || n > 5)
            return frame_fail(out, n < 4 ? GW_OCPP_PROTOCOL_ERROR : GW_OCPP_FORMATION_VIOLATION,
                              why, why_len, "a CALLERROR has 5 elements");
        if (!json_object_is_type(json_object_array_get_idx(root, 2), json_type_string) ||
            !json_object_is_type(json_object_array_get_idx(root, 3), json_type_string))
            return frame_fail(out, GW_OCPP_FORMATION_VIOLATION, why, why_len,
                              "error code and description must be strings");
        out->error_code = json_object_get_string(json_object_array_get_idx(root, 2));
        out->error_description = json_object_get_string(json_object_array_get_idx(root, 3));
        out->payload = n == 5 ? json_object_array_get_idx(root, 4) : NULL;
        break;
    default:
        return frame_fail(out, GW_OCPP_PROTOCOL_ERROR, why, why_len, "unknown message type");
    }
    if (n < 2)
        return frame_fail(out, GW_OCPP_PROTOCOL_ERROR, why, why_len, "no message id");
    return GW_OCPP_OK;
}

void gw_ocpp_frame_free(gw_ocpp_frame_t *frame)
{
    if (!frame)
        return;
    json_object_put(frame->root);
    frame->root = NULL;
    frame->payload = NULL;
}

gw_ocpp_error_t gw_ocpp_frame_check_call(const gw_ocpp_frame_t *frame, gw_ocpp_from_t receiver,
                                         const gw_ocpp_action_t **action_out, char *why,
                                         size_t why_len)
{
    const gw_ocpp_action_t *a = gw_ocpp_action_find(frame->action);
    if (action_out)
        *action_out = a;
    if (!a) {
        if (why && why_len)
            snprintf(why, why_len, "unknown action %.40s", frame->action ? frame->action : "");
        return GW_OCPP_NOT_IMPLEMENTED;
    }
    /* A request the receiver would itself send is not something it serves. */
    if (!(a->from & (receiver == GW_OCPP_FROM_CS ? GW_OCPP_FROM_CP : GW_OCPP_FROM_CS))) {
        if (why && why_len)
            snprintf(why, why_len, "%s is not sent in this direction", a->name);
        return GW_OCPP_NOT_SUPPORTED;
    }
    return gw_ocpp_validate(a->req, frame->payload, why, why_len);
}

static char *frame_dump(json_object *arr)
{
    char *s = NULL;
    if (arr) {
        const char *t = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
        s = t ? strdup(t) : NULL;
    }
    json_object_put(arr);
    return s;
}

char *gw_ocpp_frame_call(const char *id, const char *action, json_object *payload)
{
    json_object *a = json_object_new_array();
    if (!a)
        return NULL;
    json_object_array_add(a, json_object_new_int(GW_OCPP_CALL));
    json_object_array_add(a, json_object_new_string(id));
    json_object_array_add(a, json_object_new_string(action));
    json_object_array_add(a, payload ? json_object_get(payload) : json_object_new_object());
    return frame_dump(a);
}

char *gw_ocpp_frame_result(const char *id, json_object *payload)
{
    json_object *a = json_object_new_array();
    if (!a)
        return NULL;
    json_object_array_add(a, json_object_new_int(GW_OCPP_CALLRESULT));
    json_object_array_add(a, json_object_new_string(id));
    json_object_array_add(a, payload ? json_object_get(payload) : json_object_new_object());
    return frame_dump(a);
}

static char *frame_error_n(const char *id, size_t id_len, gw_ocpp_error_t code,
                           const char *description)
{
    json_object *a = json_object_new_array();
    if (!a)
        return NULL;
    json_object_array_add(a, json_object_new_int(GW_OCPP_CALLERROR));
    /* OCPP-J: a message whose id could not be read is answered with "-1". */
    json_object_array_add(a, id && id_len ? json_object_new_string_len(id, (int)id_len)
                                          : json_object_new_string("-1"));
    json_object_array_add(a, json_object_new_string(gw_ocpp_error_name(code)));
    json_object_array_add(a, json_object_new_string(description ? description : ""));
    json_object_array_add(a, json_object_new_object());
    return frame_dump(a);
}

char *gw_ocpp_frame_error(const char *id, gw_ocpp_error_t code, const char *description)
{
    return frame_error_n(id, id ? strlen(id) : 0, code, description);
}

char *gw_ocpp_frame_error_for(const gw_ocpp_frame_t *frame, gw_ocpp_error_t code,
                              const char *description)
{
    return frame_error_n(frame->id, frame->id_len, code, description);
}
