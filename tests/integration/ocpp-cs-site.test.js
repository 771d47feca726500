'use strict';
// ocpp_cs on a site: a ChargerID given to both OCPP plugins is refused, the
// ocpp.frame events name the action of every answer, WebSocket pings, and
// chargers past index 20 served through the further Modbus unit ids.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const WebSocket = require('ws');
const { runGatewayd, tmpDir, toKeyFile, freePort } = require('./lib/gatewayd');
const { A, Bms, MAP, startCs, until, iso } = require('./lib/ocpp-cs');
const fs = require('node:fs');

test('the same ChargerID in ocpp_cs and ocpp_bridge is a configuration error (exit 2) naming it', async () => {
  const dir = tmpDir();
  const conf = path.join(dir, 'gatewayd.conf');
  fs.writeFileSync(conf, toKeyFile({
    core: { state_dir: path.join(dir, 'state') },
    ocpp_cs: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP, chargers: ['CP-A:1', 'SHARED-7:1'] },
    ocpp_bridge: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP, upstream_url: 'ws://127.0.0.1:1/ocpp',
      chargers: ['5=SHARED-7:1'] },
  }));
  const r = await runGatewayd(['-c', conf]);
  assert.strictEqual(r.code, 2, r.stderr);
  assert.match(r.stderr, /\[ocpp_bridge\] chargers: charger-id SHARED-7 is also claimed by \[ocpp_cs\] chargers/);
  assert.doesNotMatch(r.stderr, /running:/);
  // different ChargerIDs at different indexes are fine together
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('5=SHARED-7:1', '5=OTHER:1'));
  const ok = await runGatewayd(['-c', conf, '--check-config']);
  assert.strictEqual(ok.code, 0, ok.stderr);
});

/** A diag viewer collecting the console's events. */
async function viewer(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
  const events = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.t === 'console') events.push(...m.lines);
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, events, frames: () => events.filter((e) => e.event === 'ocpp.frame').map((e) => e.data) };
}

test('ocpp.frame names the action of answers both ways and of CALLERROR replies', async () => {
  const diagPort = await freePort();
  const s = await startCs({ groups: { diag: { bind: '127.0.0.1', port: diagPort, stream_interval_ms: 20 } } });
  const v = await viewer(diagPort);
  try {
    const { c } = await s.boot('CP0');
    c.handle('ClearCache', () => ({ status: 'Rejected' }));
    c.handle('Reset', () => { throw new (require('ocpp-rpc').RPCGenericError)('no'); });
    await s.bms.write(A.clearCache.flag(0), 1);
    await s.bms.waitU16(A.clearCache.flag(0), (x) => x === 0, 'clear cache done');
    await s.bms.write(A.reset.flag(0), [1, 0]);
    await s.bms.waitU16(A.reset.flag(0), (x) => x === 0, 'reset done');
    // a CALL the central system refuses (the strict client would not send it: raw)
    const raw = new WebSocket(`${s.url}/CP1`, ['ocpp1.6']);
    await new Promise((resolve) => raw.once('open', resolve));
    const reply = new Promise((resolve) => raw.once('message', (d) => resolve(JSON.parse(d.toString()))));
    raw.send(JSON.stringify([2, 'h1', 'Heartbeat', { unexpected: 1 }]));
    assert.strictEqual((await reply)[0], 4);
    raw.terminate();
    await until(() => v.frames().some((x) => x.charger === 'CP1' && x.direction === 'out'), 5000,
      `frames (seen ${JSON.stringify(v.events.map((e) => e.event))})`);
    const one = (dir, re) => v.frames().find((x) => x.direction === dir && re.test(x.frame));
    assert.strictEqual(one('in', /^\[2,.*"BootNotification"/).action, 'BootNotification');
    assert.strictEqual(one('out', /^\[3,.*"currentTime".*"interval"/).action, 'BootNotification');
    assert.strictEqual(one('out', /^\[2,.*"ClearCache"/).action, 'ClearCache');
    assert.strictEqual(one('in', /^\[3,.*"Rejected"/).action, 'ClearCache', 'CALLRESULT from the charger');
    assert.strictEqual(one('in', /^\[4,/).action, 'Reset', 'CALLERROR from the charger');
    assert.strictEqual(one('out', /^\[4,"h1"/).action, 'Heartbeat', 'our CALLERROR reply');
    assert.strictEqual(await s.bms.u16(A.clearCache.result(0)), 1);
  } finally { v.ws.terminate(); await s.stop(); }
});

test('WebSocket ping/pong: the server pings after ping_interval; a charger that never answers is dropped', async () => {
  const s = await startCs({ cs: { ping_interval: 1 } });
  try {
    const open = (autoPong) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${s.url}/CP${autoPong ? 0 : 1}`, ['ocpp1.6'], { autoPong });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const good = await open(true);
    const mute = await open(false);
    let pings = 0;
    good.on('ping', () => { pings++; });
    const muteClosed = new Promise((resolve) => mute.once('close', resolve));
    await until(() => pings >= 2, 8000, 'two pings');
    await s.bms.waitU16(A.comm(0), (x) => x === 0, 'CP0 connected');
    // hang-up after ping_interval * 2 + 5 s without a pong
    await Promise.race([muteClosed, new Promise((_, rej) => setTimeout(() => rej(new Error('mute charger not dropped')), 15000))]);
    await s.bms.waitU16(A.comm(1), (x) => x === 1, 'CP1 reported disconnected');
    assert.strictEqual(good.readyState, WebSocket.OPEN, 'the answering charger stays');
    assert.strictEqual(await s.bms.u16(A.comm(0)), 0);
    good.terminate();
  } finally { await s.stop(); }
});

test('chargers past index 20 are served through the further Modbus unit ids', async () => {
  const s = await startCs({ chargers: ['CP0:1', '25=FAR-25:1', '41=FAR-41:1'], tcp: { chargers: 45 } });
  const unit = (id) => { const b = new Bms(s.mbPort); return b.connect().then(() => { b.c.setID(id); return b; }); };
  const u2 = await unit(2); // chargers 20..39
  const u3 = await unit(3); // chargers 40..59
  try {
    const { c } = await s.boot('FAR-25', { chargePointVendor: 'FarVend' });
    assert.strictEqual(await u2.u16(A.comm(5)), 0);
    assert.strictEqual(await u2.str(A.vendor(5), 10), 'FarVend');
    assert.strictEqual(await u3.u16(A.comm(1)), 1, 'FAR-41 not connected');
    await c.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '4321', measurand: 'Power.Active.Import', unit: 'W' }] }] });
    assert.strictEqual(await u2.float(A.conn.meter(5, 1, 55)), 4321);
    // a BMS handshake on unit 2: Authorize answered from its registers
    const auth = c.call('Authorize', { idTag: 'FARTAG' });
    await u2.waitU16(A.auth.flag(5), (x) => x === 1, 'authorize flag on unit 2');
    assert.strictEqual(await u2.str(A.auth.idTag(5), 10), 'FARTAG');
    await u2.write(A.auth.status(5), 1); // Blocked
    await u2.write(A.auth.processed(5), 1);
    assert.strictEqual((await auth).idTagInfo.status, 'Blocked');
    await u2.waitU16(A.auth.flag(5), (x) => x === 0, 'flag back to 0');
    // unit 1 still carries chargers 0..19 and CP0 is not FAR-25
    assert.strictEqual(await s.bms.u16(A.comm(5)).catch((e) => e.modbusCode), 2, 'no charger 5 on unit 1');
    const b41 = await s.boot('FAR-41');
    await u3.waitU16(A.comm(1), (x) => x === 0, 'FAR-41 on unit 3');
    await b41.c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    assert.strictEqual(await u3.u16(A.conn.status(1, 1)), 2);
  } finally { await u2.close(); await u3.close(); await s.stop(); }
});
