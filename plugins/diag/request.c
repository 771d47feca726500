/* request.c - an HTTP exchange between the lws thread and the loop. */
#include <json-c/json.h>
#include <string.h>
#include "diag.h"
#include "text/gw_text.h"

gw_diag_request_t *gw_diag_request_new(gw_diag_t *diag)
{
    gw_diag_request_t *req = g_new0(gw_diag_request_t, 1);
    req->diag = diag;
    req->body = g_byte_array_new();
    return req;
}

void gw_diag_request_free(gw_diag_request_t *req)
{
    if (!req)
        return;
    g_free(req->path);
    g_free(req->prefix);
    g_free(req->authorization);
    g_byte_array_free(req->body, TRUE);
    if (req->reply)
        g_bytes_unref(req->reply);
    g_free(req);
}

void gw_diag_request_reply_utf8(gw_diag_request_t *req, int status, const char *ctype,
                                char *text, size_t len)
{
    if (req->reply)
        g_bytes_unref(req->reply);
    req->status = status;
    req->content_type = ctype;
    req->reply = g_bytes_new_take(text, len);
}

void gw_diag_request_reply_text(gw_diag_request_t *req, int status, const char *ctype,
                                char *text, size_t len)
{
    if (req->reply)
        g_bytes_unref(req->reply);
    req->status = status;
    req->content_type = ctype;
    /* Every API answer and /metrics pass here: the one place their text
     * is made valid UTF-8 (text/gw_text.h, JSON mode:
     * /metrics label values escape a backslash as JSON does). */
    if (!g_utf8_validate_len(text, len, NULL)) {
        GString *s = g_string_sized_new(len + 16);
        gw_text_append_escaped(s, text, len, GW_TEXT_JSON);
        g_free(text);
        len = s->len;
        text = g_string_free(s, FALSE);
    }
    req->reply = g_bytes_new_take(text, len);
}

void gw_diag_request_reply_json(gw_diag_request_t *req, int status, json_object *o)
{
    size_t len;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *copy = g_malloc(len + 1);
    memcpy(copy, text, len + 1);
    /* newline-terminated for people using curl */
    copy[len] = '\n';
    gw_diag_request_reply_text(req, status, "application/json", copy, len + 1);
    json_object_put(o);
}

void gw_diag_request_fail(gw_diag_request_t *req, int status, const char *code,
                          const char *message)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(code));
    json_object_object_add(o, "message", json_object_new_string(message ? message : code));
    json_object_object_add(o, "status", json_object_new_int(status));
    gw_diag_request_reply_json(req, status, o);
}
