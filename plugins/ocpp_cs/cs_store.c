/*
 * cs_store.c - what must survive a restart or a crash: open transactions,
 * the transaction id allocator, each charger's local list and its version.
 * One JSON file in the instance's state directory, replaced atomically
 * (write a temporary file, fsync, rename, fsync the directory) after every
 * change by cs_store_writer.c, off the loop, so a SIGKILL leaves either
 * the old or the new state. Answers that depend on a change wait for it
 * to be on disk (cs_reply_durable()); when the disk refuses, they are
 * refused too (cs_store_writer.c, cs_store_health.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cs.h"

#define CS_STORE_FILE "state.json"

static json_object *store_charger_json(cs_charger_t *ch)
{
    json_object *o = json_object_new_object();
    json_object *entries = json_object_new_array();
    json_object_object_add(o, "list_version", json_object_new_int(ch->list_version));
    for (size_t i = 0; i < ch->list_n; i++) {
        const cs_auth_entry_t *e = &ch->list[i];
        json_object *je = json_object_new_object();
        json_object_object_add(je, "id_tag", json_object_new_string(e->id_tag));
        json_object_object_add(je, "parent_id_tag", json_object_new_string(e->parent_id_tag));
        json_object_object_add(je, "status", json_object_new_int(e->status));
        json_object_object_add(je, "expiry", json_object_new_int64(e->expiry));
        json_object_array_add(entries, je);
    }
    json_object_object_add(o, "local_list", entries);
    return o;
}

void cs_store_save(cs_t *cs)
{
    if (cs->restoring || !cs->state_path)
        return;
    json_object *root = json_object_new_object();
    json_object *txns = json_object_new_array();
    json_object *chargers = json_object_new_object();
    json_object_object_add(root, "format", json_object_new_int(1));
    json_object_object_add(root, "next_transaction_id", json_object_new_int(cs->next_txn_id));
    for (size_t i = 0; i < cs->n_txns; i++) {
        const cs_txn_t *t = &cs->txns[i];
        const gw_ocpp_charger_cfg_t *cfg = gw_ocpp_chargers_at(cs->chargers_cfg, t->charger);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int(t->id));
        json_object_object_add(o, "charger", json_object_new_string(cfg ? cfg->id : ""));
        json_object_object_add(o, "connector", json_object_new_int(t->connector));
        json_object_object_add(o, "id_tag", json_object_new_string(t->id_tag));
        json_object_object_add(o, "meter_start", json_object_new_double(t->meter_start));
        json_object_object_add(o, "timestamp", json_object_new_int64(t->timestamp));
        json_object_array_add(txns, o);
    }
    json_object_object_add(root, "transactions", txns);
    for (int i = 0; i < cs->n_index; i++) {
        cs_charger_t *ch = cs->by_index[i];
        if (ch && (ch->list_n || ch->list_version))
            json_object_object_add(chargers, ch->cfg->id, store_charger_json(ch));
    }
    json_object_object_add(root, "chargers", chargers);

    char *text = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
    if (text && cs->store)
        cs_store_writer_put(cs->store, text);
    else
        free(text);
    json_object_put(root);
}

static const char *store_str(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : "";
}

static int64_t store_int(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

int cs_store_load(cs_t *cs)
{
    int rc = cs_store_health_register(cs);
    if (rc < 0)
        return rc;
    /* NULL: [core] persistence = false (a directory that cannot be made
     * fails start-up in the host) */
    const char *dir = gw_state_dir(cs->ctx);
    if (!dir) {
        gw_log(cs->ctx, GW_LOG_WARNING, "no state directory: transactions and local lists will "
               "not survive a restart, and transaction ids restart at 1");
        return 0;
    }
    cs->state_path = malloc(strlen(dir) + sizeof "/" CS_STORE_FILE);
    if (!cs->state_path)
        return -ENOMEM;
    sprintf(cs->state_path, "%s/%s", dir, CS_STORE_FILE);
    cs->store = cs_store_writer_start(cs->ctx, cs->state_path, cs_store_health_on_write, cs);
    if (!cs->store) {
        gw_log(cs->ctx, GW_LOG_ERROR, "cannot start the thread that writes %s", cs->state_path);
        return -ENOMEM;
    }
    if (access(cs->state_path, F_OK) != 0)
        return 0;
    json_object *root = json_object_from_file(cs->state_path);
    if (!root || !json_object_is_type(root, json_type_object)) {
        /* Starting empty would forget confirmed transactions and hand
         * their ids out again: the operator decides, knowing that. */
        char why[160];
        snprintf(why, sizeof why, "%s", root ? "not a JSON object"
                 : json_util_get_last_err() ? json_util_get_last_err() : "unreadable");
        why[strcspn(why, "\n")] = '\0'; /* json-c ends its message with one */
        gw_log(cs->ctx, GW_LOG_ERROR, "%s cannot be read as a state file (%s): not starting; "
               "move it away to start with no open transactions and ids from 1 again",
               cs->state_path, why);
        json_object_put(root);
        return -EINVAL;
    }
    cs->restoring = true;
    cs->next_txn_id = (int)store_int(root, "next_transaction_id");
    json_object *txns, *chargers;
    if (json_object_object_get_ex(root, "transactions", &txns) &&
        json_object_is_type(txns, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(txns); i++) {
            json_object *o = json_object_array_get_idx(txns, i);
            int index = gw_ocpp_chargers_find(cs->chargers_cfg, store_str(o, "charger"));
            json_object *ms;
            double meter = json_object_object_get_ex(o, "meter_start", &ms) ? json_object_get_double(ms) : 0;
            int id = (int)store_int(o, "id");
            /* A charger removed from the configuration keeps its open
             * transaction (index -1) so its StopTransaction is recognised
             * if it comes back. */
            cs_txn_t *t = cs_txn_open(cs, index, (int)store_int(o, "connector"), id,
                                      store_str(o, "id_tag"), meter, store_int(o, "timestamp"));
            if (t && t->id == id)
                cs_txn_show(cs, t, true);
        }
    }
    if (json_object_object_get_ex(root, "chargers", &chargers) &&
        json_object_is_type(chargers, json_type_object)) {
        json_object_object_foreach(chargers, id, o) {
            int index = gw_ocpp_chargers_find(cs->chargers_cfg, id);
            cs_charger_t *ch = index >= 0 && index < cs->n_index ? cs->by_index[index] : NULL;
            json_object *entries;
            if (!ch)
                continue;
            ch->list_version = (int)store_int(o, "list_version");
            if (json_object_object_get_ex(o, "local_list", &entries) &&
                json_object_is_type(entries, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(entries); i++) {
                    json_object *je = json_object_array_get_idx(entries, i);
                    cs_auth_entry_t e = { 0 };
                    snprintf(e.id_tag, sizeof e.id_tag, "%s", store_str(je, "id_tag"));
                    snprintf(e.parent_id_tag, sizeof e.parent_id_tag, "%s",
                             store_str(je, "parent_id_tag"));
                    e.status = (int)store_int(je, "status");
                    e.expiry = store_int(je, "expiry");
                    if (e.id_tag[0])
                        cs_list_apply(ch, 1, &e);
                }
            }
        }
    }
    cs->restoring = false;
    json_object_put(root);
    gw_log(cs->ctx, GW_LOG_INFO, "restored %zu open transaction(s) from %s", cs->n_txns,
           cs->state_path);
    return 0;
}
