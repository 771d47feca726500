/*
 * cs_txn.c - open transactions and the 16-bit transaction id allocator.
 * Ids come from the BMS (register 128) when it assigns a free one, else
 * from a counter that skips every id still open, so an id is never reused
 * while its transaction is open. Persisted on every change.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "cs.h"

#define CS_TXN_MAX_ID 65535

cs_txn_t *cs_txn_find(cs_t *cs, int id)
{
    for (size_t i = 0; i < cs->n_txns; i++)
        if (cs->txns[i].id == id)
            return &cs->txns[i];
    return NULL;
}

cs_txn_t *cs_txn_find_on(cs_t *cs, int charger, int connector)
{
    for (size_t i = 0; i < cs->n_txns; i++)
        if (cs->txns[i].charger == charger && cs->txns[i].connector == connector)
            return &cs->txns[i];
    return NULL;
}

cs_txn_t *cs_txn_find_same(cs_t *cs, int charger, int connector, const char *id_tag,
                           double meter_start, int64_t timestamp)
{
    for (size_t i = 0; i < cs->n_txns; i++) {
        cs_txn_t *t = &cs->txns[i];
        if (t->charger == charger && t->connector == connector && t->meter_start == meter_start &&
            t->timestamp == timestamp && strcmp(t->id_tag, id_tag ? id_tag : "") == 0)
            return t;
    }
    return NULL;
}

cs_txn_t *cs_txn_open(cs_t *cs, int charger, int connector, int wanted_id, const char *id_tag,
                      double meter_start, int64_t timestamp)
{
    if (cs->n_txns >= CS_TXN_MAX_ID - 1)
        return NULL;
    int id = 0;
    if (wanted_id > 0 && wanted_id <= CS_TXN_MAX_ID && !cs_txn_find(cs, wanted_id)) {
        id = wanted_id;
    } else {
        if (wanted_id > 0)
            gw_log(cs->ctx, GW_LOG_WARNING, "transaction id %d from the BMS is in use: allocating",
                   wanted_id);
        int candidate = cs->next_txn_id;
        for (int tries = 0; tries < CS_TXN_MAX_ID && !id; tries++) {
            if (candidate < 1 || candidate > CS_TXN_MAX_ID)
                candidate = 1;
            if (!cs_txn_find(cs, candidate))
                id = candidate;
            candidate++;
        }
        cs->next_txn_id = candidate > CS_TXN_MAX_ID ? 1 : candidate;
    }
    if (!id)
        return NULL;
    if (cs->n_txns == cs->cap_txns) {
        size_t cap = cs->cap_txns ? cs->cap_txns * 2 : 16;
        cs_txn_t *n = realloc(cs->txns, cap * sizeof *n);
        if (!n)
            return NULL;
        cs->txns = n;
        cs->cap_txns = cap;
    }
    cs_txn_t *t = &cs->txns[cs->n_txns++];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->charger = charger;
    t->connector = connector;
    snprintf(t->id_tag, sizeof t->id_tag, "%s", id_tag ? id_tag : "");
    t->meter_start = meter_start;
    t->timestamp = timestamp;
    cs_store_save(cs);
    return t;
}

void cs_txn_close(cs_t *cs, int id)
{
    for (size_t i = 0; i < cs->n_txns; i++) {
        if (cs->txns[i].id == id) {
            cs->txns[i] = cs->txns[--cs->n_txns];
            cs_store_save(cs);
            return;
        }
    }
}

/* The connector's current-transaction registers follow the transaction. */
void cs_txn_show(cs_t *cs, const cs_txn_t *t, bool open)
{
    cs_charger_t *ch = t->charger >= 0 && t->charger < cs->n_index ? cs->by_index[t->charger] : NULL;
    if (!ch || t->connector < 0 || t->connector > ch->cfg->connectors)
        return;
    cs_connector_t *c = &ch->connector[t->connector];
    cs_set_int(cs, c->txn_id, open ? t->id : 0);
    cs_set_string(cs, c->txn_id_tag, open ? t->id_tag : "");
    cs_set_float(cs, c->txn_meter_start, open ? t->meter_start : 0);
    cs_set_int(cs, c->txn_timestamp, open ? t->timestamp : 0);
}
