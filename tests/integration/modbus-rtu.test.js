'use strict';
// Modbus RTU against the real daemon over a socat pty pair: gatewayd's
// modbus_rtu opens one end, the masters the other. Masters: modbus-serial
// (npm, connectRTUBuffered), mbpoll (Debian, libmodbus) and raw frames
// written with `serialport` for broadcasts, other slave ids and bad CRCs.
// The mb_points test plugin owns the map's points for chargers 0 and 1.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFile } = require('node:child_process');
const ModbusRTU = require('modbus-serial');
const { SerialPort } = require('serialport');
const { startGatewayd, runGatewayd, freePort, tmpDir, waitFor, toKeyFile } = require('./lib/gatewayd');

const { MAP, A } = require('./lib/modbus-map');
const BAUD = 19200;

/** A pty pair: gatewayd gets `a`, the masters `b`. pair.restart() replaces
 *  socat (the device goes away and comes back under the same names). */
async function ptyPair(t) {
  const dir = tmpDir('gw-rtu-');
  const pair = { dir, a: path.join(dir, 'a'), b: path.join(dir, 'b'), socat: null };
  pair.start = async () => {
    pair.socat = spawn('socat', [`pty,raw,echo=0,link=${pair.a}`, `pty,raw,echo=0,link=${pair.b}`], { stdio: 'ignore' });
    await waitFor(() => fs.existsSync(pair.a) && fs.existsSync(pair.b), 5000, 'socat ptys');
  };
  pair.restart = async () => {
    const old = pair.socat;
    await new Promise((resolve) => { old.on('exit', resolve); old.kill(); });
    await waitFor(() => !fs.existsSync(pair.a), 5000, 'socat gone');
    await pair.start();
  };
  t.after(() => pair.socat.kill());
  await pair.start();
  return pair;
}

function gwConfig(pty, rtu = {}, extra = {}) {
  return {
    mb_points: { register_map: MAP, chargers: 2, refuse_point: 'charger.0.reserve_now.reservation_id' },
    modbus_rtu: { device: pty.a, baud: BAUD, parity: 'none', register_map: MAP, byte_timeout_ms: 200, ...rtu },
    ...extra,
  };
}

async function rtuClient(dev, id = 1) {
  const c = new ModbusRTU();
  await c.connectRTUBuffered(dev, { baudRate: BAUD, parity: 'none', dataBits: 8, stopBits: 1 });
  c.setID(id);
  c.setTimeout(1000);
  return c;
}

function closeClient(c) {
  return new Promise((resolve) => c.close(() => resolve()));
}

async function exceptionOf(p) {
  try { await p; } catch (e) { return e.modbusCode; }
  return 0;
}

function crc16(buf) {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function frame(bytes) {
  const body = Buffer.from(bytes);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

/** Raw RTU frames on a serial port: send, then collect until quiet. */
async function rawPort(dev) {
  const port = new SerialPort({ path: dev, baudRate: BAUD, autoOpen: false });
  await new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let got = Buffer.alloc(0);
  port.on('data', (d) => { got = Buffer.concat([got, d]); });
  return {
    async exchange(bytes, quietMs = 300) {
      got = Buffer.alloc(0);
      port.write(bytes);
      let last = got.length, since = Date.now();
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        if (got.length !== last) { last = got.length; since = Date.now(); }
        if (Date.now() - since >= quietMs) return got;
      }
    },
    close: () => new Promise((resolve) => port.close(() => resolve())),
  };
}

// mbpoll [options] device [values to write]
function mbpoll(dev, args, values = []) {
  return new Promise((resolve) => {
    execFile('mbpoll', ['-m', 'rtu', '-b', String(BAUD), '-P', 'none', '-1', '-0', '-o', '1', ...args, dev, ...values],
      { timeout: 10000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, out: stdout + stderr }));
  });
}

function text(buf) {
  return buf.toString('latin1').replace(/\0+$/, '');
}

test('modbus_rtu', async (t) => {
  const pty = await ptyPair(t);
  const gw = await startGatewayd(gwConfig(pty));
  t.after(() => gw.stop());

  await t.test('start-up logs the line and how many rows are served and why the rest are absent', () => {
    assert.match(gw.stderr, /\[modbus_rtu\] serial .* 19200 baud none 8\/1, slave id 1/);
    // served + absent = every enabled row of the default map; absent rows are
    // explained (no plugin provides them), not reported like a failure
    const m = gw.stderr.match(/\[modbus_rtu\] register map: (\d+) signals served on 1 unit\(s\); (\d+) of 9467 enabled map rows have no point because no plugin provides it \(e\.g\. chargers or connectors not configured\)/);
    assert.ok(m, 'start-up line');
    assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0);
    assert.strictEqual(Number(m[1]) + Number(m[2]), 9467);
    assert.match(gw.stderr, / info +\[modbus_\w+\] register map: \d+ signals served/);
  });

  await t.test('modbus-serial: every function code, every encoding, every exception rule', async () => {
    const c = await rtuClient(pty.b);
    try {
      // 03 = 04; String, Integer, Float, DateTime
      const h = await c.readHoldingRegisters(A.vendor0, 10);
      const i = await c.readInputRegisters(A.vendor0, 10);
      assert.deepStrictEqual(h.data, i.data);
      assert.strictEqual(text(h.buffer), 'ACME-0');
      assert.strictEqual(text((await c.readHoldingRegisters(A.vendor1, 10)).buffer), 'ACME-1');
      assert.deepStrictEqual((await c.readHoldingRegisters(A.connStatus(0, 3), 1)).data, [3]);
      assert.strictEqual((await c.readHoldingRegisters(A.voltage(1, 2), 2)).buffer.readFloatBE(0), 231.5);
      assert.strictEqual((await c.readInputRegisters(A.txTimestamp(1, 0), 2)).buffer.readUInt32BE(0), 1700000001);
      // "Not used" inside a group reads 0
      assert.deepStrictEqual((await c.readHoldingRegisters(A.authStatus - 1, 4)).data.slice(2), [0, 0]);
      // 01/02 read registers as bits
      assert.deepStrictEqual((await c.readCoils(A.connUnlock(0, 1), 4)).data.slice(0, 4), [false, false, true, false]);
      assert.deepStrictEqual((await c.readDiscreteInputs(A.connUnlock(0, 1), 4)).data.slice(0, 4), [false, false, true, false]);
      // 05/15 write 0/1
      await c.writeCoil(A.connUnlock(0, 2), true);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 2), 1)).data, [1]);
      await c.writeCoils(A.connUnlock(0, 2), [false, true]);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 2), 2)).data, [0, 1]);
      // 06; enumeration out of range -> 03, nothing changed
      await c.writeRegister(A.connAvail(1, 1), 0);
      assert.strictEqual(await exceptionOf(c.writeRegister(A.connAvail(1, 1), 5)), 3);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.connAvail(1, 1), 1)).data, [0]);
      // 16 is a batch: the flag acts after the parameters of the same request
      const tag = Buffer.alloc(20);
      tag.write('TAG-RTU');
      const regs = [1, 6];
      for (let k = 0; k < 10; k++) regs.push(tag.readUInt16BE(2 * k));
      await c.writeRegisters(A.remoteStartFlag, regs);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.remoteStartResult, 1)).data, [6]);
      assert.strictEqual(text((await c.readHoldingRegisters(A.remoteStartTag, 10)).buffer), 'TAG-RTU');
      // DateTime write round-trips; a non-ASCII string -> 03
      await c.writeRegisters(A.authExpiry, [0x6553, 0xf100]);
      assert.strictEqual((await c.readHoldingRegisters(A.authExpiry, 2)).buffer.readUInt32BE(0), 1700000000);
      assert.strictEqual(await exceptionOf(c.writeRegisters(A.authParent, [0xc3a9, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 3);
      // 02: outside, absent charger, disabled row, span, read-only, partial, not used
      assert.strictEqual(await exceptionOf(c.readHoldingRegisters(A.outside, 1)), 2);
      assert.strictEqual(await exceptionOf(c.readHoldingRegisters(100 + 2000 * 5, 1)), 2);
      assert.strictEqual(await exceptionOf(c.readHoldingRegisters(612 + 37, 2)), 2);
      assert.strictEqual(await exceptionOf(c.readHoldingRegisters(140, 10)), 2);
      assert.strictEqual(await exceptionOf(c.writeRegister(A.connStatus(0, 1), 1)), 2);
      assert.strictEqual(await exceptionOf(c.writeRegister(A.authExpiry, 1)), 2);
      assert.strictEqual(await exceptionOf(c.writeRegister(A.notUsed, 1)), 2);
      assert.strictEqual(await exceptionOf(c.writeRegisters(A.connUnlock(0, 3), [1, 1, 1])), 2);
      assert.deepStrictEqual((await c.readHoldingRegisters(A.connUnlock(0, 3), 2)).data, [0, 0]);
      // the owner refuses (EBUSY) -> 06
      assert.strictEqual(await exceptionOf(c.writeRegister(A.reserveId, 7)), 6);
    } finally {
      await closeClient(c);
    }
  });

  await t.test('raw frames: broadcast applied unanswered, other slave ids and bad CRCs ignored', async () => {
    const p = await rawPort(pty.b);
    try {
      // FC06 broadcast: connector 1.3 availability := 1, no answer
      let r = await p.exchange(frame([0, 0x06, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 1]));
      assert.strictEqual(r.length, 0);
      // FC16 broadcast: unlock of connectors 1.4 and 1.5 := 1 (one register each, apart)
      r = await p.exchange(frame([0, 0x10, A.connUnlock(1, 4) >> 8, A.connUnlock(1, 4) & 0xff, 0, 2, 4, 0, 1, 0, 1]));
      assert.strictEqual(r.length, 0);
      // a broadcast read is not answered either
      r = await p.exchange(frame([0, 0x03, 0, A.vendor0, 0, 1]));
      assert.strictEqual(r.length, 0);
      // slave 1 sees what the broadcasts wrote
      r = await p.exchange(frame([1, 0x03, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 1]));
      assert.deepStrictEqual([...r], [...frame([1, 0x03, 2, 0, 1])]);
      r = await p.exchange(frame([1, 0x03, A.connUnlock(1, 4) >> 8, A.connUnlock(1, 4) & 0xff, 0, 2]));
      assert.deepStrictEqual([...r], [...frame([1, 0x03, 4, 0, 1, 0, 1])]);
      // another slave id: silence, and a write to it changes nothing
      r = await p.exchange(frame([2, 0x03, 0, A.vendor0, 0, 1]));
      assert.strictEqual(r.length, 0);
      r = await p.exchange(frame([2, 0x06, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 0]));
      assert.strictEqual(r.length, 0);
      r = await p.exchange(frame([1, 0x03, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 1]));
      assert.deepStrictEqual([...r], [...frame([1, 0x03, 2, 0, 1])]);
      // a bad CRC: dropped; the next good frame is answered
      const bad = frame([1, 0x06, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 0]);
      bad[bad.length - 1] ^= 0xff;
      r = await p.exchange(bad);
      assert.strictEqual(r.length, 0);
      r = await p.exchange(frame([1, 0x03, A.connAvail(1, 3) >> 8, A.connAvail(1, 3) & 0xff, 0, 1]));
      assert.deepStrictEqual([...r], [...frame([1, 0x03, 2, 0, 1])]);
      // unknown function -> 01; bad count -> 03; half a frame then silence: dropped
      r = await p.exchange(frame([1, 0x11]));
      assert.deepStrictEqual([...r], [...frame([1, 0x91, 0x01])]);
      r = await p.exchange(frame([1, 0x03, 0, A.vendor0, 0, 126]));
      assert.deepStrictEqual([...r], [...frame([1, 0x83, 0x03])]);
      r = await p.exchange(frame([1, 0x03, 0, A.vendor0, 0, 1]).subarray(0, 4), 500);
      assert.strictEqual(r.length, 0);
      r = await p.exchange(frame([1, 0x03, 0, A.vendor0, 0, 1]));
      assert.deepStrictEqual([...r], [...frame([1, 0x03, 2, 0x41, 0x43])]); // "AC"
    } finally {
      await p.close();
    }
  });

  await t.test('mbpoll (libmodbus master) reads and writes over RTU', async () => {
    let r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.connStatus(0, 4)), '-c', '1']);
    assert.match(r.out, new RegExp(`\\[${A.connStatus(0, 4)}\\]:\\s+4`));
    r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.voltage(0, 0)), '-t', '4:float', '-B']);
    assert.match(r.out, /230\.5/);
    r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.connAvail(1, 2))], ['1']);
    assert.strictEqual(r.code, 0, r.out);
    r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.connAvail(1, 2)), '-c', '1']);
    assert.match(r.out, new RegExp(`\\[${A.connAvail(1, 2)}\\]:\\s+1`));
    r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.connAvail(1, 2))], ['7']);
    assert.match(r.out, /Illegal data value/);
    r = await mbpoll(pty.b, ['-a', '1', '-r', String(A.outside)]);
    assert.match(r.out, /Illegal data address/);
    r = await mbpoll(pty.b, ['-a', '1', '-t', '0', '-r', String(A.connUnlock(1, 1))], ['1']);
    assert.strictEqual(r.code, 0, r.out);
    r = await mbpoll(pty.b, ['-a', '1', '-t', '1', '-r', String(A.connUnlock(1, 1)), '-c', '3']);
    assert.match(r.out, new RegExp(`\\[${A.connUnlock(1, 1)}\\]:\\s+1`));
    r = await mbpoll(pty.b, ['-a', '3', '-r', String(A.connStatus(0, 4)), '-c', '1']);
    assert.match(r.out, /timed out/i);
  });
});

test('modbus_rtu: float_order and first_charger', async (t) => {
  const pty = await ptyPair(t);
  // chargers 20 and 21 on this line, slave 7, words swapped
  const gw = await startGatewayd({
    mb_points: { register_map: MAP, chargers: 2, first_charger: 20 },
    modbus_rtu: { device: pty.a, baud: BAUD, parity: 'none', register_map: MAP, slave_id: 7,
      chargers: 2, first_charger: 20, float_order: 'cdab' },
  });
  t.after(() => gw.stop());
  const c = await rtuClient(pty.b, 7);
  try {
    assert.strictEqual(text((await c.readHoldingRegisters(A.vendor1, 10)).buffer), 'ACME-21');
    // 251.5 = 0x437B8000, 1700000021 = 0x6553F115, word-swapped
    assert.deepStrictEqual((await c.readHoldingRegisters(A.voltage(1, 0), 2)).data, [0x8000, 0x437b]);
    assert.deepStrictEqual((await c.readHoldingRegisters(A.txTimestamp(1, 0), 2)).data, [0xf115, 0x6553]);
  } finally {
    await closeClient(c);
  }
});

test('modbus_rtu: a device that goes away is reopened when it is back', async (t) => {
  const pty = await ptyPair(t);
  const gw = await startGatewayd(gwConfig(pty));
  t.after(() => gw.stop());
  let c = await rtuClient(pty.b);
  assert.deepStrictEqual((await c.readHoldingRegisters(A.connStatus(0, 5), 1)).data, [5]);
  await closeClient(c);
  await pty.restart();
  await gw.waitForLog(/line lost/);
  await gw.waitForLog(/line open again/, 5000);
  c = await rtuClient(pty.b);
  try {
    assert.deepStrictEqual((await c.readHoldingRegisters(A.connStatus(0, 6), 1)).data, [6]);
  } finally {
    await closeClient(c);
  }
  assert.strictEqual(gw.exited, null);
});

test('modbus_rtu: serial timing stays off the loop (TCP answered promptly while RTU frames trickle)', async (t) => {
  const pty = await ptyPair(t);
  const port = await freePort();
  const gw = await startGatewayd(gwConfig(pty, { byte_timeout_ms: 1000 },
    { modbus_tcp: { bind_address: '127.0.0.1', port, register_map: MAP } }));
  t.after(() => gw.stop());
  const tcp = new ModbusRTU();
  await tcp.connectTCP('127.0.0.1', { port });
  tcp.setID(1);
  tcp.setTimeout(2000);
  t.after(() => tcp.close(() => {}));
  const p = await rawPort(pty.b);
  t.after(() => p.close());
  // the RTU thread sits inside modbus_receive for up to byte_timeout_ms per
  // partial frame; keep it there with a byte every 600 ms while TCP polls
  const partial = frame([1, 0x03, 0, A.vendor0, 0, 10]);
  let stop = false;
  const trickle = (async () => {
    for (let i = 0; !stop; i = (i + 1) % 3) await p.exchange(partial.subarray(i, i + 1), 600);
  })();
  const lat = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 2500) {
    const s = process.hrtime.bigint();
    assert.strictEqual(text((await tcp.readHoldingRegisters(A.vendor0, 10)).buffer), 'ACME-0');
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  stop = true;
  await trickle;
  lat.sort((a, b) => a - b);
  const max = lat[lat.length - 1];
  // generous: a loop blocked by serial timing would show >= 600 ms
  assert.ok(max < 300, `TCP latency max ${max.toFixed(1)} ms over ${lat.length} requests`);
});

test('modbus_rtu: start-up errors are clear', async () => {
  const dir = tmpDir('gw-rtu-');
  const conf = path.join(dir, 'gw.conf');
  fs.writeFileSync(conf, toKeyFile({
    core: { state_dir: path.join(dir, 'state') },
    modbus_rtu: { device: path.join(dir, 'no-such-tty'), register_map: MAP },
  }));
  let r = await runGatewayd(['-c', conf]);
  assert.strictEqual(r.signal, null, r.stderr);
  assert.strictEqual(r.code, 2, r.stderr);
  // found by validate(), before anything starts
  assert.match(r.stderr, /\[modbus_rtu\] device: .*no-such-tty: No such file or directory/);
  assert.match(r.stderr, /1 configuration problem, nothing started/);

  fs.writeFileSync(conf, toKeyFile({
    core: { state_dir: path.join(dir, 'state') },
    modbus_rtu: { device: '/dev/null', register_map: MAP, chargers: 21 },
  }));
  r = await runGatewayd(['-c', conf]);
  assert.strictEqual(r.signal, null, r.stderr);
  assert.notStrictEqual(r.code, 0);
  assert.strictEqual(r.code, 2, r.stderr);
  assert.match(r.stderr, /\[modbus_rtu\] chargers: 21: one RTU line \(one slave id\) carries at most 20; add a \[modbus_rtu:NAME\] instance with first_charger = 20/);
  assert.match(r.stderr, /\[modbus_rtu\] device: \/dev\/null: not a serial port/);

  fs.writeFileSync(conf, toKeyFile({
    core: { state_dir: path.join(dir, 'state') },
    modbus_rtu: { device: '/dev/null', register_map: MAP, parity: 'mark' },
  }));
  r = await runGatewayd(['-c', conf, '--check-config']);
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /\[modbus_rtu\] parity/);
});
