/*
 * mb_request.c - serve one Modbus request against the points (DESIGN §5):
 *   03/04 read the same registers; 01/02 read registers as bits (non-zero
 *   = 1); 06/16 write registers; 05/15 write 0/1.
 *   "Not used" registers inside a group read 0; any address outside the
 *   map, disabled or absent answers 02, and so does writing a read-only
 *   register or part of a multi-register signal; a value the point
 *   database refuses (outside the type, the range or the enumeration its
 *   owner declared) answers 03. A request touching one bad address fails
 *   whole, and a write request is one batch: every value is applied before
 *   any owner's handler runs.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <json-c/json.h>
#include "mb_engine_private.h"

#define EX_FUNCTION MODBUS_EXCEPTION_ILLEGAL_FUNCTION
#define EX_ADDRESS MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS
#define EX_VALUE MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE
#define EX_FAILURE MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE
#define EX_BUSY MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY
#define EX_GATEWAY_TARGET MODBUS_EXCEPTION_GATEWAY_TARGET

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* Encode one signal's current value into its registers. */
static int signal_encode(gw_mb_engine_t *e, const gw_mb_signal_t *s, uint16_t *regs)
{
    gw_value_t v;
    if (gw_point_get(e->ctx, s->point, &v) < 0)
        return EX_FAILURE;
    switch (s->row->format) {
    case GW_REGMAP_INTEGER:
        regs[0] = (uint16_t)(v.kind == GW_VALUE_FLOAT ? (int64_t)v.u.f
                             : v.kind == GW_VALUE_INT ? v.u.i : 0);
        break;
    case GW_REGMAP_FLOAT:
        gw_mb_codec_put_float(&e->codec,
                              (float)(v.kind == GW_VALUE_FLOAT ? v.u.f
                                      : v.kind == GW_VALUE_INT ? (double)v.u.i : 0.0),
                              regs);
        break;
    case GW_REGMAP_DATETIME: {
        int64_t t = v.kind == GW_VALUE_INT ? v.u.i : v.kind == GW_VALUE_FLOAT ? (int64_t)v.u.f : 0;
        gw_mb_codec_put_u32(&e->codec, t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t, regs);
        break;
    }
    case GW_REGMAP_STRING:
        gw_mb_codec_put_string(v.kind == GW_VALUE_STRING ? v.u.s : "",
                               v.kind == GW_VALUE_STRING ? v.len : 0, regs, s->row->registers);
        break;
    }
    return 0;
}

static int read_registers(gw_mb_engine_t *e, const uint32_t *cell, unsigned addr, unsigned cnt,
                          uint16_t *out)
{
    uint16_t enc[MODBUS_MAX_WRITE_REGISTERS];
    uint32_t last = 0;
    /* check every address before reading anything: the request fails whole */
    for (unsigned i = 0; i < cnt; i++)
        if (cell[addr + i] == GW_MB_CELL_OUTSIDE)
            return EX_ADDRESS;
    for (unsigned i = 0; i < cnt; i++) {
        uint32_t c = cell[addr + i];
        const gw_mb_signal_t *s;
        if (c == GW_MB_CELL_UNUSED) {
            out[i] = 0;
            continue;
        }
        s = &g_array_index(e->signals, gw_mb_signal_t, c - GW_MB_CELL_FIRST_SIGNAL);
        if (c != last) {
            int ex = signal_encode(e, s, enc);
            if (ex)
                return ex;
            last = c;
        }
        out[i] = enc[addr + i - s->address];
    }
    return 0;
}

/* Register words of one signal -> the value offered to its point. */
static int signal_decode(gw_mb_engine_t *e, const gw_mb_signal_t *s, const uint16_t *w,
                         char **text, gw_value_t *out)
{
    switch (s->row->format) {
    case GW_REGMAP_INTEGER:
        /* the enumeration is the point database's to check, for every
         * writer alike (gw_point_enum_set): -ERANGE below answers 03 */
        *out = gw_value_int(s->type == GW_TYPE_INT16 ? (int16_t)w[0] : (int64_t)w[0]);
        return 0;
    case GW_REGMAP_FLOAT: {
        float f = gw_mb_codec_get_float(&e->codec, w);
        if (!isfinite(f))
            return EX_VALUE;
        *out = gw_value_float(f);
        return 0;
    }
    case GW_REGMAP_DATETIME:
        *out = gw_value_int(gw_mb_codec_get_u32(&e->codec, w));
        return 0;
    case GW_REGMAP_STRING: {
        int len = gw_mb_codec_get_string(w, s->row->registers, *text);
        if (len < 0)
            return EX_VALUE;
        *out = gw_value_string_len(*text, (uint32_t)len);
        *text += len + 1;
        return 0;
    }
    }
    return EX_FAILURE;
}

static int write_exception(int rc)
{
    switch (rc) {
    case -ENOENT:
    case -EACCES:
    case -EPERM:
        return EX_ADDRESS;
    case -EINVAL:
    case -ERANGE:
    case -E2BIG:
        return EX_VALUE;
    case -EBUSY:
    case -EAGAIN:
        return EX_BUSY;
    default:
        return EX_FAILURE;
    }
}

static int write_registers(gw_mb_engine_t *e, const uint32_t *cell, unsigned addr, unsigned cnt,
                           const uint16_t *w)
{
    size_t n = 0;
    char *text = e->text;
    gw_write_error_t err = { 0, NULL };
    int rc;
    /* first every address (02), then every value (03): nothing is applied
     * unless the whole request is acceptable */
    for (unsigned i = 0; i < cnt;) {
        uint32_t c = cell[addr + i];
        const gw_mb_signal_t *s;
        if (c < GW_MB_CELL_FIRST_SIGNAL)
            return EX_ADDRESS;
        s = &g_array_index(e->signals, gw_mb_signal_t, c - GW_MB_CELL_FIRST_SIGNAL);
        if (s->address != addr + i || i + s->row->registers > cnt ||
            !(s->row->access & GW_ACCESS_W))
            return EX_ADDRESS;
        i += s->row->registers;
    }
    for (unsigned i = 0; i < cnt;) {
        const gw_mb_signal_t *s = &g_array_index(e->signals, gw_mb_signal_t,
                                                 cell[addr + i] - GW_MB_CELL_FIRST_SIGNAL);
        int ex = signal_decode(e, s, w + i, &text, &e->batch[n].value);
        if (ex)
            return ex;
        e->batch[n++].id = s->point;
        i += s->row->registers;
    }
    rc = gw_point_write(e->ctx, e->batch, n, &err);
    if (rc < 0) {
        gw_log(e->ctx, GW_LOG_DEBUG, "write refused at address %u: %s (%s)", addr,
               err.reason ? err.reason : "refused", strerror(-rc));
        return write_exception(rc);
    }
    return 0;
}

/* Check the PDU's shape; fill address, count and the written words. */
static int parse_pdu(gw_mb_engine_t *e, const uint8_t *pdu, int plen, gw_mb_request_info_t *info)
{
    unsigned fc = pdu[0], bytes;
    if (plen < 5)
        return fc == 1 || fc == 2 || fc == 3 || fc == 4 || fc == 5 || fc == 6 || fc == 15 ||
                       fc == 16
                   ? EX_VALUE
                   : EX_FUNCTION;
    info->address = be16(pdu + 1);
    info->count = be16(pdu + 3);
    switch (fc) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_READ_DISCRETE_INPUTS:
        if (plen != 5 || info->count < 1 || info->count > MODBUS_MAX_READ_BITS)
            return EX_VALUE;
        return 0;
    case MODBUS_FC_READ_HOLDING_REGISTERS:
    case MODBUS_FC_READ_INPUT_REGISTERS:
        if (plen != 5 || info->count < 1 || info->count > MODBUS_MAX_READ_REGISTERS)
            return EX_VALUE;
        return 0;
    case MODBUS_FC_WRITE_SINGLE_COIL: {
        unsigned v = info->count;
        info->count = 1;
        if (plen != 5 || (v != 0xFF00 && v != 0))
            return EX_VALUE;
        e->words[0] = v ? 1 : 0;
        return 0;
    }
    case MODBUS_FC_WRITE_SINGLE_REGISTER:
        e->words[0] = (uint16_t)info->count;
        info->count = 1;
        return plen == 5 ? 0 : EX_VALUE;
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
        bytes = plen > 5 ? pdu[5] : 0;
        if (info->count < 1 || info->count > MODBUS_MAX_WRITE_BITS ||
            bytes != (info->count + 7) / 8 || (unsigned)plen != 6 + bytes)
            return EX_VALUE;
        for (unsigned i = 0; i < info->count; i++)
            e->words[i] = (pdu[6 + i / 8] >> (i % 8)) & 1;
        return 0;
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
        bytes = plen > 5 ? pdu[5] : 0;
        if (info->count < 1 || info->count > MODBUS_MAX_WRITE_REGISTERS ||
            bytes != 2 * info->count || (unsigned)plen != 6 + bytes)
            return EX_VALUE;
        for (unsigned i = 0; i < info->count; i++)
            e->words[i] = (uint16_t)be16(pdu + 6 + 2 * i);
        return 0;
    default:
        return EX_FUNCTION;
    }
}

static void reply_reset(gw_mb_reply_t *r, bool silent)
{
    r->exception = 0;
    r->silent = silent;
    memset(&r->mapping, 0, sizeof r->mapping);
    r->mapping.tab_bits = r->bits;
    r->mapping.tab_input_bits = r->bits;
    r->mapping.tab_registers = r->regs;
    r->mapping.tab_input_registers = r->regs;
}

/* Point libmodbus' mapping at exactly the registers or bits of the request,
 * so that modbus_reply builds the normal answer (for writes it stores the
 * values in the scratch buffers and echoes the request). */
static void reply_map(gw_mb_reply_t *r, int fc, unsigned addr, unsigned cnt)
{
    modbus_mapping_t *m = &r->mapping;
    switch (fc) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_WRITE_SINGLE_COIL:
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
        m->start_bits = (int)addr;
        m->nb_bits = (int)cnt;
        break;
    case MODBUS_FC_READ_DISCRETE_INPUTS:
        m->start_input_bits = (int)addr;
        m->nb_input_bits = (int)cnt;
        break;
    case MODBUS_FC_READ_INPUT_REGISTERS:
        m->start_input_registers = (int)addr;
        m->nb_input_registers = (int)cnt;
        break;
    default:
        m->start_registers = (int)addr;
        m->nb_registers = (int)cnt;
        break;
    }
}

static int serve(gw_mb_engine_t *e, const uint8_t *pdu, int plen, int page,
                 gw_mb_reply_t *reply, gw_mb_request_info_t *info)
{
    int fc = pdu[0];
    int ex = parse_pdu(e, pdu, plen, info);
    const uint32_t *cell;
    if (ex)
        return ex;
    if (page < 0 || (unsigned)page >= e->n_pages)
        return EX_GATEWAY_TARGET;
    if (info->address + info->count > 65536u)
        return EX_ADDRESS;
    cell = e->pages[page];
    switch (fc) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_READ_DISCRETE_INPUTS:
        ex = read_registers(e, cell, info->address, info->count, e->words);
        for (unsigned i = 0; !ex && i < info->count; i++)
            reply->bits[i] = e->words[i] != 0;
        break;
    case MODBUS_FC_READ_HOLDING_REGISTERS:
    case MODBUS_FC_READ_INPUT_REGISTERS:
        ex = read_registers(e, cell, info->address, info->count, reply->regs);
        break;
    default:
        ex = write_registers(e, cell, info->address, info->count, e->words);
        break;
    }
    if (!ex)
        reply_map(reply, fc, info->address, info->count);
    return ex;
}

void gw_mb_engine_eval(gw_mb_engine_t *e, const uint8_t *req, int len, int header_length,
                       int page, bool broadcast, gw_mb_reply_t *reply,
                       gw_mb_request_info_t *info)
{
    memset(info, 0, sizeof *info);
    reply_reset(reply, broadcast);
    if (header_length < 1 || len <= header_length) {
        /* nothing to answer: not even a function code */
        reply->silent = true;
        info->exception = EX_FUNCTION;
        return;
    }
    info->unit = req[header_length - 1];
    info->function = req[header_length];
    reply->exception = serve(e, req + header_length, len - header_length, page, reply, info);
    info->exception = reply->exception;
}

int gw_mb_reply_send(modbus_t *mb, const uint8_t *req, int len, gw_mb_reply_t *reply)
{
    if (reply->silent)
        return 0;
    if (reply->exception) {
        /* libmodbus answers fc + 0x80 in 8 bits: for a request in the
         * exception range (0x80..0xFF) that wraps to fc - 0x80, a normal
         * function code. The spec's answer is fc | 0x80, so hand it the
         * function code without its high bit. */
        int hl = modbus_get_header_length(mb);
        if (hl > 0 && hl < len && len <= MODBUS_MAX_ADU_LENGTH && (req[hl] & 0x80)) {
            uint8_t copy[MODBUS_MAX_ADU_LENGTH];
            memcpy(copy, req, (size_t)len);
            copy[hl] &= 0x7f;
            return modbus_reply_exception(mb, copy, (unsigned)reply->exception) < 0 ? -1 : 0;
        }
        return modbus_reply_exception(mb, req, (unsigned)reply->exception) < 0 ? -1 : 0;
    }
    return modbus_reply(mb, req, len, &reply->mapping) < 0 ? -1 : 0;
}

void gw_mb_request_publish(gw_ctx_t *ctx, const char *transport, const char *client,
                           const gw_mb_request_info_t *info)
{
    json_object *o;
    if (!gw_event_wanted(ctx, "modbus.request"))
        return;
    o = json_object_new_object();
    json_object_object_add(o, "transport", json_object_new_string(transport));
    json_object_object_add(o, "client", json_object_new_string(client ? client : ""));
    json_object_object_add(o, "unit", json_object_new_int(info->unit));
    json_object_object_add(o, "function", json_object_new_int(info->function));
    json_object_object_add(o, "address", json_object_new_int((int)info->address));
    json_object_object_add(o, "count", json_object_new_int((int)info->count));
    json_object_object_add(o, "exception", json_object_new_int(info->exception));
    json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
    gw_event_publish(ctx, "modbus.request", o);
}
