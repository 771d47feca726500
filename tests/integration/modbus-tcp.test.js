'use strict';
// Modbus TCP against the real daemon: the mb_points test plugin owns the
// map's points for chargers 0 and 1; masters are modbus-serial (npm), mbpoll
// (Debian) and raw sockets for malformed frames.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { execFile } = require('node:child_process');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort } = require('./lib/gatewayd');

const { MAP, A } = require('./lib/modbus-map');

function gwConfig(port, tcp = {}, points = {}) {
  return {
    mb_points: { register_map: MAP, chargers: 2, refuse_point: 'charger.0.reserve_now.reservation_id', ...points },
    modbus_tcp: { bind_address: '127.0.0.1', port, register_map: MAP, frame_timeout_ms: 400, ...tcp },
  };
}

async function client(port, id = 1) {
  const c = new ModbusRTU();
  await c.connectTCP('127.0.0.1', { port });
  c.setID(id);
  c.setTimeout(2000);
  return c;
}

// A raw request: returns the whole answer ADU (or null when closed).
function rawRequest(port, pdu, unit = 1, tid = 7) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const mbap = Buffer.alloc(7);
    mbap.writeUInt16BE(tid, 0);
    mbap.writeUInt16BE(0, 2);
    mbap.writeUInt16BE(pdu.length + 1, 4);
    mbap[6] = unit;
    let got = Buffer.alloc(0);
    s.on('connect', () => s.write(Buffer.concat([mbap, Buffer.from(pdu)])));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 6 && got.length >= 6 + got.readUInt16BE(4)) { s.destroy(); resolve(got); }
    });
    s.on('close', () => resolve(got.length ? got : null));
    s.on('error', reject);
    s.setTimeout(3000, () => { s.destroy(); reject(new Error('raw request timed out')); });
  });
}

async function exceptionOf(p) {
  try { await p; } catch (e) { return e.modbusCode; }
  return 0;
}

function mbpoll(args) {
  return new Promise((resolve) => {
    execFile('mbpoll', ['-m', 'tcp', '-1', '-0', ...args], { timeout: 10000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, out: stdout + stderr }));
  });
}

test('modbus_tcp', async (t) => {
  const port = await freePort();
  const gw = await startGatewayd(gwConfig(port));
  t.after(() => gw.stop());
  const c = await client(port);
  t.after(() => c.close(() => {}));

  await t.test('start-up logs how many rows are served and why the rest are absent', () => {
    // served + absent = every enabled row of the default map; absent rows are
    // explained (no plugin provides them), not reported like a failure
    const m = gw.stderr.match(/register map: (\d+) signals served on 1 unit\(s\); (\d+) of 9467 enabled map rows have no point because no plugin provides it \(e\.g\. chargers or connectors not configured\)/);
    assert.ok(m, 'start-up line');
    assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0);
    assert.strictEqual(Number(m[1]) + Number(m[2]), 9467);
    assert.match(gw.stderr, / info +\[modbus_\w+\] register map: \d+ signals served/);
  });

  await t.test('FC03 and FC04 read the same registers: String, Integer, Float, DateTime', async () => {
    const h = await c.readHoldingRegisters(A.vendor0, 10);
    const i = await c.readInputRegisters(A.vendor0, 10);
    assert.deepStrictEqual(h.data, i.data);
    assert.strictEqual(h.buffer.toString('latin1').replace(/\0+$/, ''), 'ACME-0');
    const v1 = await c.readHoldingRegisters(A.vendor1, 10);
    assert.strictEqual(v1.buffer.toString('latin1').replace(/\0+$/, ''), 'ACME-1');
    const st = await c.readHoldingRegisters(A.connStatus(0, 3), 1);
    assert.deepStrictEqual(st.data, [3]);
    const f = await c.readHoldingRegisters(A.voltage(1, 2), 2);
    assert.strictEqual(f.buffer.readFloatBE(0), 231.5);
    const dt = await c.readInputRegisters(A.txTimestamp(1, 0), 2);
    assert.strictEqual(dt.buffer.readUInt32BE(0), 1700000001);
  });

  await t.test('"Not used" registers inside a group read 0; reads may span them', async () => {
    const r = await c.readHoldingRegisters(A.authStatus - 1, 4); // 189..192: expiry lo, status, 191, 192 unused
    assert.deepStrictEqual(r.data.slice(2), [0, 0]);
  });

  await t.test('FC01 and FC02 read registers as bits', async () => {
    const b = await c.readCoils(A.connUnlock(0, 1), 4); // unlock 0, availability 0, status 1, error 0
    assert.deepStrictEqual(b.data.slice(0, 4), [false, false, true, false]);
    const d = await c.readDiscreteInputs(A.connUnlock(0, 1), 4);
    assert.deepStrictEqual(d.data.slice(0, 4), [false, false, true, false]);
  });

  await t.test('FC05 and FC15 write 0/1', async () => {
    await c.writeCoil(A.connUnlock(0, 2), true);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 2), 1)).data, [1]);
    await c.writeCoils(A.connUnlock(0, 2), [false, true]);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 2), 2)).data, [0, 1]);
  });

  await t.test('FC06 writes a register; an enumerated value outside its list answers 03', async () => {
    await c.writeRegister(A.connAvail(1, 1), 0);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connAvail(1, 1), 1)).data, [0]);
    assert.strictEqual(await exceptionOf(c.writeRegister(A.connAvail(1, 1), 5)), 3);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connAvail(1, 1), 1)).data, [0]);
  });

  await t.test('FC16 is a batch: the flag written with its parameters acts after them', async () => {
    const tag = Buffer.alloc(20);
    tag.write('TAG-42');
    const regs = [1, 5];
    for (let i = 0; i < 10; i++) regs.push(tag.readUInt16BE(2 * i));
    await c.writeRegisters(A.remoteStartFlag, regs); // flag first in address order
    assert.deepStrictEqual((await c.readHoldingRegisters(A.remoteStartResult, 1)).data, [5]);
    const back = await c.readHoldingRegisters(A.remoteStartTag, 10);
    assert.strictEqual(back.buffer.toString('latin1').replace(/\0+$/, ''), 'TAG-42');
  });

  await t.test('String and DateTime writes round-trip; over-long/non-ASCII strings answer 03', async () => {
    const s = Buffer.alloc(20);
    s.write('PARENT-1');
    const words = [];
    for (let i = 0; i < 10; i++) words.push(s.readUInt16BE(2 * i));
    await c.writeRegisters(A.authParent, words);
    const r = await c.readHoldingRegisters(A.authParent, 10);
    assert.strictEqual(r.buffer.toString('latin1').replace(/\0+$/, ''), 'PARENT-1');
    // text after the NUL padding, or a non-ASCII byte, is not a string
    assert.strictEqual(await exceptionOf(c.writeRegisters(A.authParent, [0x4100, 0x4142, 0, 0, 0, 0, 0, 0, 0, 0])), 3);
    assert.strictEqual(await exceptionOf(c.writeRegisters(A.authParent, [0xC3A9, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 3);
    assert.strictEqual((await c.readHoldingRegisters(A.authParent, 10)).buffer.toString('latin1').replace(/\0+$/, ''), 'PARENT-1');
    await c.writeRegisters(A.authExpiry, [0x6553, 0xF100]); // 1700000000
    const d = await c.readHoldingRegisters(A.authExpiry, 2);
    assert.strictEqual(d.buffer.readUInt32BE(0), 0x6553F100);
  });

  await t.test('exception 02: outside the map, absent rows, read-only, partial signals, spans', async () => {
    assert.strictEqual(await exceptionOf(c.readHoldingRegisters(A.outside, 1)), 2);
    assert.strictEqual(await exceptionOf(c.readHoldingRegisters(100 + 2000 * 5, 1)), 2); // charger 5 absent
    assert.strictEqual(await exceptionOf(c.readHoldingRegisters(612 + 37, 2)), 2); // disabled row (interval energy)
    assert.strictEqual(await exceptionOf(c.readHoldingRegisters(140, 10)), 2); // offsets 40-46 valid, 47-49 not
    assert.strictEqual(await exceptionOf(c.readHoldingRegisters(60000, 10)), 2);
    assert.strictEqual(await exceptionOf(c.writeRegister(A.connStatus(0, 1), 1)), 2); // R
    assert.strictEqual(await exceptionOf(c.writeRegister(A.notUsed, 1)), 2);
    assert.strictEqual(await exceptionOf(c.writeRegister(A.authExpiry, 1)), 2); // half a DateTime
    assert.strictEqual(await exceptionOf(c.writeCoil(A.connStatus(0, 1), true)), 2);
    // a write touching one bad address changes nothing
    assert.strictEqual(await exceptionOf(c.writeRegisters(A.connUnlock(0, 3), [1, 1, 1])), 2);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 3), 2)).data, [0, 0]);
  });

  await t.test('an owner refusing a write (EBUSY) answers 06', async () => {
    // reserve_now: flag 396 (RW), connector 397, expiry 398-399, id_tag 400-409, parent 410-419, reservation_id 420
    assert.strictEqual(await exceptionOf(c.writeRegister(A.reserveId, 7)), 6);
  });

  await t.test('raw frames: illegal function 01, bad counts 03, bad MBAP closes', async () => {
    let r = await rawRequest(port, [0x11]);
    assert.deepStrictEqual([...r.subarray(7)], [0x91, 0x01]);
    r = await rawRequest(port, [0x03, 0x00, 0x7f, 0x00, 126]);
    assert.deepStrictEqual([...r.subarray(7)], [0x83, 0x03]);
    r = await rawRequest(port, [0x03, 0x00, 0x7f, 0x00, 0x00]);
    assert.deepStrictEqual([...r.subarray(7)], [0x83, 0x03]);
    r = await rawRequest(port, [0x10, 0x00, 0xb2, 0x00, 0x02, 0x03, 1, 2, 3]); // byte count mismatch
    assert.deepStrictEqual([...r.subarray(7)], [0x90, 0x03]);
    r = await rawRequest(port, [0x03, 0x00, 0x7f]); // truncated PDU
    assert.deepStrictEqual([...r.subarray(7)], [0x83, 0x03]);
    r = await rawRequest(port, [0x05, 0x02, 0x64, 0x12, 0x34]); // coil value neither 0 nor FF00
    assert.deepStrictEqual([...r.subarray(7)], [0x85, 0x03]);
    // protocol id 1: the connection is closed, the daemon lives on
    const closed = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from([0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1])));
      s.on('data', () => resolve(false));
      s.on('close', () => resolve(true));
    });
    assert.ok(closed);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connStatus(0, 3), 1)).data, [3]);
  });

  await t.test('mbpoll (libmodbus master) reads and writes', async () => {
    let r = await mbpoll(['-a', '1', '-r', String(A.connStatus(0, 4)), '-c', '1', '-p', String(port), '127.0.0.1']);
    assert.match(r.out, new RegExp(`\\[${A.connStatus(0, 4)}\\]:\\s+4`));
    r = await mbpoll(['-a', '1', '-r', String(A.voltage(0, 0)), '-t', '4:float', '-B', '-p', String(port), '127.0.0.1']);
    assert.match(r.out, /230\.5/);
    r = await mbpoll(['-a', '1', '-r', String(A.connAvail(1, 2)), '-p', String(port), '127.0.0.1', '1']);
    assert.strictEqual(r.code, 0, r.out);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connAvail(1, 2), 1)).data, [1]);
    r = await mbpoll(['-a', '1', '-r', String(A.connAvail(1, 2)), '-p', String(port), '127.0.0.1', '7']);
    assert.match(r.out, /Illegal data value/);
    r = await mbpoll(['-a', '1', '-r', String(A.outside), '-p', String(port), '127.0.0.1']);
    assert.match(r.out, /Illegal data address/);
    r = await mbpoll(['-a', '1', '-t', '0', '-r', String(A.connUnlock(1, 1)), '-p', String(port), '127.0.0.1', '1']);
    assert.strictEqual(r.code, 0, r.out);
    r = await mbpoll(['-a', '1', '-t', '1', '-r', String(A.connUnlock(1, 1)), '-c', '3', '-p', String(port), '127.0.0.1']);
    assert.match(r.out, new RegExp(`\\[${A.connUnlock(1, 1)}\\]:\\s+1`));
  });
});

test('float_order: every byte order of Float and DateTime', async (t) => {
  // 231.5 = 0x43678000, 1700000001 = 0x6553F101
  const cases = { abcd: [0x4367, 0x8000, 0x6553, 0xf101], dcba: [0x0080, 0x6743, 0x01f1, 0x5365],
    cdab: [0x8000, 0x4367, 0xf101, 0x6553], badc: [0x6743, 0x0080, 0x5365, 0x01f1],
    little: [0x0080, 0x6743, 0x01f1, 0x5365] };
  for (const [order, want] of Object.entries(cases)) {
    const port = await freePort();
    const gw = await startGatewayd(gwConfig(port, { float_order: order }));
    const c = await client(port);
    try {
      const f = await c.readHoldingRegisters(A.voltage(1, 0), 2);
      const d = await c.readHoldingRegisters(A.txTimestamp(1, 0), 2);
      assert.deepStrictEqual([...f.data, ...d.data], want, order);
      // DateTime written in the same order reads back the same
      await c.writeRegisters(A.authExpiry, d.data);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.authExpiry, 2)).data, d.data);
    } finally {
      c.close(() => {});
      await gw.stop();
    }
  }
});

test('unit ids: one configured id; further ids carry chargers 20-39', async (t) => {
  let port = await freePort();
  let gw = await startGatewayd(gwConfig(port, { unit_id: 5 }));
  try {
    let r = await rawRequest(port, [0x03, 0x00, A.vendor0, 0x00, 0x01], 5);
    assert.strictEqual(r[7], 0x03);
    r = await rawRequest(port, [0x03, 0x00, A.vendor0, 0x00, 0x01], 6);
    assert.deepStrictEqual([...r.subarray(7)], [0x83, 0x0b]);
  } finally { await gw.stop(); }

  port = await freePort();
  gw = await startGatewayd(gwConfig(port, { chargers: 21 }, { chargers: 1, first_charger: 20 }));
  try {
    const c1 = await client(port, 1);
    const c2 = await client(port, 2);
    assert.match(gw.stderr, /on 2 unit\(s\)/);
    const v = await c2.readHoldingRegisters(A.vendor0, 10);
    assert.strictEqual(v.buffer.toString('latin1').replace(/\0+$/, ''), 'ACME-20');
    assert.strictEqual(await exceptionOf(c1.readHoldingRegisters(A.vendor0, 10)), 2); // charger 0 absent
    assert.strictEqual(await exceptionOf(c2.readHoldingRegisters(A.vendor1, 10)), 2); // charger 21 not exposed
    const r = await rawRequest(port, [0x03, 0x00, A.vendor0, 0x00, 0x01], 3);
    assert.deepStrictEqual([...r.subarray(7)], [0x83, 0x0b]);
    c1.close(() => {});
    c2.close(() => {});
  } finally { await gw.stop(); }
});

test('max_clients: the next client is refused cleanly, the others do not notice', async (t) => {
  const port = await freePort();
  const gw = await startGatewayd(gwConfig(port, { max_clients: 2 }));
  t.after(() => gw.stop());
  const a = await client(port);
  const b = await client(port);
  await a.readHoldingRegisters(A.connStatus(0, 1), 1);
  await b.readHoldingRegisters(A.connStatus(0, 1), 1);
  const refused = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 2, 0x66, 0, 1])));
    s.on('data', () => resolve('answered'));
    s.on('close', () => resolve('closed'));
    s.on('error', () => resolve('closed'));
  });
  assert.strictEqual(refused, 'closed');
  await gw.waitForLog(/refused 127\.0\.0\.1:\d+: max_clients \(2\)/); // logged by the log writer thread
  assert.deepStrictEqual((await a.readHoldingRegisters(A.connStatus(0, 1), 1)).data, [1]);
  assert.deepStrictEqual((await b.readHoldingRegisters(A.connStatus(0, 2), 1)).data, [2]);
  a.close(() => {});
  await new Promise((r) => setTimeout(r, 100));
  const c = await client(port); // a slot is free again
  assert.deepStrictEqual((await c.readHoldingRegisters(A.connStatus(0, 3), 1)).data, [3]);
  b.close(() => {});
  c.close(() => {});
});
