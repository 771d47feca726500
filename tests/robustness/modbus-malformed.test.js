'use strict';
// Issue 10 item 5 (Modbus side): requests no honest master sends, from a raw
// socket. Function codes 0x80..0xFF (the exception range) used to get a
// malformed answer (libmodbus adds 0x80 to the function code in 8 bits, so
// 0x81 came back as 0x01 with a one-byte "reply"). The Modbus Application
// Protocol (v1.1b3, §7) answers a function the server does not implement
// with exception 01 and the function code with its high bit set: the reply
// is MBAP (transaction id echoed, protocol 0, length 3, unit echoed),
// fc | 0x80, 01. Also: a zero-length PDU, MBAP lengths that lie in both
// directions, unit ids 0 and 255 — none of them may hurt another client.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort } = require('../integration/lib/gatewayd');
const { MAP, A } = require('../integration/lib/modbus-map');

async function start(tcp = {}) {
  const port = await freePort();
  const gw = await startGatewayd({
    mb_points: { register_map: MAP, chargers: 2 },
    modbus_tcp: { bind_address: '127.0.0.1', port, register_map: MAP, frame_timeout_ms: 400, ...tcp },
  });
  return { gw, port };
}

/** One raw connection: send bytes, read whole ADUs (by the MBAP length). */
function rawClient(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const r = { s, buf: Buffer.alloc(0), waiters: [], closed: false };
    const pump = () => {
      while (r.waiters.length && r.buf.length >= 6 && r.buf.length >= 6 + r.buf.readUInt16BE(4)) {
        const n = 6 + r.buf.readUInt16BE(4);
        const adu = r.buf.subarray(0, n);
        r.buf = r.buf.subarray(n);
        r.waiters.shift().resolve(adu);
      }
    };
    s.on('data', (d) => { r.buf = Buffer.concat([r.buf, d]); pump(); });
    s.on('close', () => { r.closed = true; for (const w of r.waiters.splice(0)) w.resolve(null); });
    s.on('error', () => {});
    s.once('connect', () => resolve(r));
    s.once('error', reject);
    r.send = (bytes) => s.write(Buffer.from(bytes));
    /** The next ADU, or null when the server closed the connection. */
    r.next = (ms = 3000) => new Promise((res, rej) => {
      if (r.closed) return res(null);
      const t = setTimeout(() => rej(new Error('no answer')), ms);
      r.waiters.push({ resolve: (v) => { clearTimeout(t); res(v); } });
      pump();
    });
    r.request = (tid, unit, pdu) => {
      const mbap = [tid >> 8, tid & 0xff, 0, 0, (pdu.length + 1) >> 8, (pdu.length + 1) & 0xff, unit];
      r.send([...mbap, ...pdu]);
      return r.next();
    };
    r.close = () => s.destroy();
  });
}

/** A well-formed exception ADU for (tid, unit, fc, code). */
const exceptionAdu = (tid, unit, fc, code) => [tid >> 8, tid & 0xff, 0, 0, 0, 3, unit, fc | 0x80, code];

async function healthy(port) {
  const c = new ModbusRTU();
  await c.connectTCP('127.0.0.1', { port });
  c.setID(1);
  c.setTimeout(2000);
  const v = (await c.readHoldingRegisters(A.connStatus(0, 3), 1)).data;
  await new Promise((r) => c.close(r));
  return v;
}

test('function codes 0x80..0xFF answer a well-formed exception 01 with fc | 0x80', async () => {
  const { gw, port } = await start();
  try {
    const r = await rawClient(port);
    for (let fc = 0x80; fc <= 0xff; fc++) {
      const tid = 0x1200 + fc;
      const adu = await r.request(tid, 1, [fc, 0, 0, 0, 1]);
      assert.deepEqual([...adu], exceptionAdu(tid, 1, fc, 0x01), `fc 0x${fc.toString(16)}`);
    }
    // a bare function code (no data) in that range too
    assert.deepEqual([...await r.request(0x4242, 7, [0xab])], exceptionAdu(0x4242, 7, 0xab, 0x01));
    // and the usual unknown ones below 0x80 are unchanged
    assert.deepEqual([...await r.request(9, 1, [0x2b, 0x0e, 1, 0])], exceptionAdu(9, 1, 0x2b, 0x01));
    assert.deepEqual([...await r.request(10, 1, [0x7f])], exceptionAdu(10, 1, 0x7f, 0x01));
    r.close();
    assert.deepEqual(await healthy(port), [3]);
  } finally { await gw.stop(); }
});

test('unit ids 0 and 255 are answered (unit_id = 0: every unit), the unit echoed', async () => {
  const { gw, port } = await start();
  try {
    const r = await rawClient(port);
    for (const unit of [0, 255]) {
      const adu = await r.request(0x0a0b, unit, [0x03, A.connStatus(0, 3) >> 8, A.connStatus(0, 3) & 0xff, 0, 1]);
      assert.deepEqual([...adu], [0x0a, 0x0b, 0, 0, 0, 5, unit, 0x03, 2, 0, 3], `unit ${unit}`);
      const ex = await r.request(0x0c0d, unit, [0x9c]);
      assert.deepEqual([...ex], exceptionAdu(0x0c0d, unit, 0x9c, 0x01));
    }
    r.close();
  } finally { await gw.stop(); }
  // with one configured unit, 0 and 255 are other units: 0x0B, well-formed
  const b = await start({ unit_id: 5 });
  try {
    const r = await rawClient(b.port);
    for (const unit of [0, 255]) {
      const adu = await r.request(0x0e0f, unit, [0x03, 0, 100, 0, 1]);
      assert.deepEqual([...adu], exceptionAdu(0x0e0f, unit, 0x03, 0x0b));
      // the function is checked before the unit (as for any bad PDU): 01
      const ex = await r.request(0x0e10, unit, [0x85]);
      assert.deepEqual([...ex], exceptionAdu(0x0e10, unit, 0x85, 0x01));
    }
    r.close();
  } finally { await b.gw.stop(); }
});

test('zero-length PDU and MBAP lengths that lie: the stream is closed, others never notice', async () => {
  // a frame timeout long enough that the healthy client's answer comes
  // first even on a loaded machine
  const { gw, port } = await start({ frame_timeout_ms: 2000 });
  try {
    // length 1 = a unit id and no function code: nothing to answer, no way to resync
    let r = await rawClient(port);
    r.send([0, 1, 0, 0, 0, 1, 1]);
    assert.equal(await r.next(), null, 'zero-length PDU closes');
    // length 0
    r = await rawClient(port);
    r.send([0, 1, 0, 0, 0, 0]);
    r.send([1]);
    assert.equal(await r.next(), null, 'length 0 closes');
    // length over the 260-byte ADU
    r = await rawClient(port);
    r.send([0, 1, 0, 0, 0x01, 0x00, 1, 3, 0, 0, 0, 1]);
    assert.equal(await r.next(), null, 'length 256 closes');

    // a length shorter than the PDU: the truncated PDU answers 03 (its tid
    // and unit echoed), the rest is a broken header and the stream closes
    r = await rawClient(port);
    r.send([0x33, 0x44, 0, 0, 0, 3, 9, 0x03, 0x00, 0x7f, 0x00, 0x01]);
    assert.deepEqual([...await r.next()], exceptionAdu(0x3344, 9, 0x03, 0x03));
    assert.equal(await r.next(6000), null, 'the left-over bytes time out as a partial frame');

    // a length longer than what comes: the frame times out (frame_timeout_ms),
    // meanwhile another client is served at once
    r = await rawClient(port);
    r.send([0, 5, 0, 0, 0, 20, 1, 3, 0, 0, 0, 1]);
    assert.deepEqual(await healthy(port), [3]);
    // answered while the lying client's partial frame still waits: nobody
    // waited for its timeout (an order, not a timing)
    assert.equal(r.closed, false, 'not held up by the lying client');
    assert.equal(await r.next(6000), null, 'closed after the frame timeout');
    await gw.waitForLog(/incomplete frame timed out/);

    assert.equal(gw.exited, null);
    assert.deepEqual(await healthy(port), [3]);
  } finally { await gw.stop(); }
});
