'use strict';
// ocpp_bridge, connection coupling: a charger is admitted only while its
// upstream connection is open (502 otherwise), an upstream drop closes the
// charger (which keeps its offline queue and delivers it after reconnect),
// a charger drop closes upstream, close codes pass on, Authorization passes
// through (or per-charger credentials replace it).
const test = require('node:test');
const assert = require('node:assert');
const { once } = require('node:events');
const { RPCClient } = require('ocpp-rpc');
const { A, until, iso, startUpstream, startBridge, rawCharger } = require('./lib/bridge-site');
const { freePort } = require('./lib/gatewayd');

test('upstream down at connect: the charger handshake is refused with 502 and recorded', async () => {
  const port = await freePort(); // nobody listens there
  const s = await startBridge(`ws://127.0.0.1:${port}/cs`);
  let up;
  try {
    await assert.rejects(rawCharger(`${s.url}/CP0`), (e) => e.status === 502);
    await s.gw.waitForLog(/charger 'CP0' from 127\.0\.0\.1 refused with HTTP 502/);
    assert.strictEqual(await s.bms.u16(A.comm(0)), 1);
    // once upstream is there, the same charger is admitted
    up = await startUpstream({ port });
    const c = await s.charger('CP0');
    await c.call('Heartbeat', {});
    assert.ok(up.clients.has('CP0'));
  } finally { await s.stop(); if (up) await up.close(); }
});

test('upstream refusing the handshake: its HTTP status reaches the charger', async () => {
  const up = await startUpstream({ auth: (accept, reject) => reject(401, 'nope') });
  const s = await startBridge(up.url);
  try {
    await assert.rejects(rawCharger(`${s.url}/CP0`), (e) => e.status === 401);
  } finally { await s.stop(); await up.close(); }
});

test('basic auth passes through unchanged; configured credentials replace it', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url, { bridge: { upstream_credentials: ['CP1=CP1:s3cr3t:with:colons'] } });
  try {
    const c0 = await s.charger('CP0', { password: 'charger-pass' });
    await c0.call('Heartbeat', {});
    const c1 = await s.charger('CP1', { password: 'ignored' });
    await c1.call('Heartbeat', {});
    const h0 = up.handshakes.find((h) => h.identity === 'CP0');
    const h1 = up.handshakes.find((h) => h.identity === 'CP1');
    assert.strictEqual(h0.password.toString(), 'charger-pass');
    assert.strictEqual(h0.headers.authorization, `Basic ${Buffer.from('CP0:charger-pass').toString('base64')}`);
    assert.strictEqual(h1.password.toString(), 's3cr3t:with:colons');
    assert.deepStrictEqual([...h0.protocols], ['ocpp1.6']);
    assert.strictEqual(h0.endpoint, '/cs');
  } finally { await s.stop(); await up.close(); }
});

test('close codes pass on: upstream closing closes the charger with the same code, and back', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    const ws = await rawCharger(`${s.url}/CP0`);
    await until(() => up.clients.has('CP0'), 3000, 'upstream client');
    const closed = once(ws, 'close');
    // the longest reason a close frame holds (123 bytes), in two-byte characters
    const longReason = `maintenance ${'é'.repeat(55)}`;
    assert.strictEqual(Buffer.byteLength(longReason), 122);
    await up.clients.get('CP0').close({ code: 4002, reason: `${longReason}!` });
    const [code, reason] = await closed;
    assert.strictEqual(code, 4002);
    assert.strictEqual(reason.toString(), `${longReason}!`);

    // charger drops: the upstream connection is closed with its code
    const ws1 = await rawCharger(`${s.url}/CP1`);
    await until(() => up.clients.has('CP1') && up.clients.get('CP1').state === 1, 3000, 'upstream CP1');
    const upClosed = once(up.clients.get('CP1'), 'close');
    ws1.close(4005, 'charger\u0000bye'); // a NUL is valid UTF-8: the reason is bytes, not a C string
    const [ev] = await upClosed;
    assert.strictEqual(ev.code, 4005);
    assert.strictEqual(ev.reason.toString(), 'charger\u0000bye');

    // charger vanishes without a close frame: upstream still goes (going away)
    const ws2 = await rawCharger(`${s.url}/CP0`);
    await until(() => up.clients.get('CP0').state === 1, 3000, 'upstream CP0 again');
    const upClosed2 = once(up.clients.get('CP0'), 'close');
    ws2.terminate();
    const [ev2] = await upClosed2;
    assert.strictEqual(ev2.code, 1001);
    await s.bms.waitU16(A.comm(0), (v) => v === 1, 'comm status 1 after the drop');
  } finally { await s.stop(); await up.close(); }
});

test('upstream dropped mid-transaction: charger closed, its queued StopTransaction delivered after reconnect', async () => {
  const port = await freePort();
  let up = await startUpstream({ port });
  const s = await startBridge(up.url);
  let c;
  try {
    c = new RPCClient({
      endpoint: s.url, identity: 'CP0', protocols: ['ocpp1.6'], strictMode: true, reconnect: true,
      backoff: { initialDelay: 100, maxDelay: 300, factor: 1.5, randomisationFactor: 0 }, callTimeoutMs: 15000,
    });
    await c.connect();
    await c.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    const st = await c.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 10, timestamp: iso() });
    await until(async () => (await s.bms.str(A.conn.txIdTag(0, 1), 10)) === 'TAG', 3000, 'transaction shown');

    const disconnected = once(c, 'disconnect');
    await up.close();
    const [d] = await disconnected;
    assert.ok(d.code >= 1000, `charger closed (code ${d.code})`);
    await s.bms.waitU16(A.comm(0), (v) => v === 1, 'comm status 1 while upstream is gone');
    // the charger queues its StopTransaction while it cannot reach the CS
    const stop = c.call('StopTransaction', { transactionId: st.transactionId, meterStop: 99, timestamp: iso() });
    await new Promise((r) => setTimeout(r, 500));
    up = await startUpstream({ port });
    const res = await stop;
    assert.strictEqual(res.idTagInfo.status, 'Accepted');
    assert.strictEqual(up.stops.length, 1);
    assert.strictEqual(up.stops[0].transactionId, st.transactionId);
    assert.strictEqual(up.stops[0].meterStop, 99);
    await s.bms.waitU16(A.comm(0), (v) => v === 0, 'comm status 0 again');
  } finally {
    if (c) await c.close({ force: true }).catch(() => {});
    await s.stop(); await up.close();
  }
});

test('a charger reconnecting replaces its old connection', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    const ws1 = await rawCharger(`${s.url}/CP0`);
    const closed = once(ws1, 'close');
    const ws2 = await rawCharger(`${s.url}/CP0`);
    const [code] = await closed;
    assert.strictEqual(code, 1001);
    const answer = new Promise((resolve) => ws2.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws2.send('[2,"x","Heartbeat",{}]');
    assert.strictEqual((await answer)[0], 3);
    assert.strictEqual(await s.bms.u16(A.comm(0)), 0);
    ws2.close();
  } finally { await s.stop(); await up.close(); }
});
