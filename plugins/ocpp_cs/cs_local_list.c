/*
 * cs_local_list.c - the gateway's copy of each charger's local
 * authorisation list (what SendLocalList put there), used by the BMS
 * timeout fallback and persisted with its version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

const char *const cs_auth_status_names[5] = { "Accepted", "Blocked", "Expired", "Invalid",
                                               "ConcurrentTx" };

const cs_auth_entry_t *cs_list_find(const cs_charger_t *ch, const char *id_tag)
{
    for (size_t i = 0; i < ch->list_n; i++)
        if (strcasecmp(ch->list[i].id_tag, id_tag) == 0) /* IdToken is case-insensitive */
            return &ch->list[i];
    return NULL;
}

/* operation: 1 add, 2 delete, 3 modify (the map's enumeration). Add of an
 * existing entry and modify of a missing one both upsert. */
int cs_list_apply(cs_charger_t *ch, int operation, const cs_auth_entry_t *e)
{
    cs_auth_entry_t *found = (cs_auth_entry_t *)cs_list_find(ch, e->id_tag);
    if (operation == 2) {
        if (!found)
            return -ENOENT;
        *found = ch->list[--ch->list_n];
        return 0;
    }
    if (operation != 1 && operation != 3)
        return -EINVAL;
    if (found) {
        *found = *e;
        return 0;
    }
    if (ch->list_n == ch->list_cap) {
        size_t cap = ch->list_cap ? ch->list_cap * 2 : 8;
        cs_auth_entry_t *n = realloc(ch->list, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        ch->list = n;
        ch->list_cap = cap;
    }
    ch->list[ch->list_n++] = *e;
    return 0;
}

json_object *cs_auth_info_json(int status, const char *parent, int64_t expiry)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "status",
                           json_object_new_string(cs_auth_status_names[status < 0 || status > 4 ? 3 : status]));
    if (parent && *parent)
        json_object_object_add(o, "parentIdTag", json_object_new_string(parent));
    if (expiry > 0) {
        char iso[GW_OCPP_TIME_LEN];
        gw_ocpp_time_format(expiry * 1000, iso, sizeof iso);
        json_object_object_add(o, "expiryDate", json_object_new_string(iso));
    }
    return o;
}
