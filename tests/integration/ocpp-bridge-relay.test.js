'use strict';
// ocpp_bridge, the relay itself: frames arrive byte-identical in both
// directions (raw text compared on both peers), calls both ways, CALLERRORs
// pass through, and what passes becomes read-only Modbus registers; writes
// and BMS-only registers are refused. Upstream CS and chargers are ocpp-rpc
// in strict mode, the BMS is modbus-serial.
const test = require('node:test');
const assert = require('node:assert');
const { createRPCError } = require('ocpp-rpc');
const { A, until, iso, startUpstream, startBridge, rawCharger } = require('./lib/bridge-site');

test('frames are byte-identical both ways; calls in both directions', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    const c = await s.charger('CP0');
    c.handle('Reset', () => ({ status: 'Accepted' }));
    c.handle('DataTransfer', () => ({ status: 'Accepted', data: 'ünïcödé ✓' }));
    await c.call('BootNotification', { chargePointVendor: 'Vend', chargePointModel: 'Mod' });
    await c.call('Heartbeat', {});
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await until(() => up.clients.has('CP0'), 3000, 'upstream client');
    const cs = up.clients.get('CP0');
    assert.deepStrictEqual(await cs.call('Reset', { type: 'Soft' }), { status: 'Accepted' });
    const dt = await cs.call('DataTransfer', { vendorId: 'gw', data: 'x'.repeat(20000) });
    assert.strictEqual(dt.data, 'ünïcödé ✓');

    // Every frame the charger sent is what upstream received, in order, and
    // the other way round.
    const sentByCharger = c.frames.filter((f) => f.outbound).map((f) => f.text);
    const recvByUpstream = up.frames.filter((f) => !f.outbound).map((f) => f.text);
    const sentByUpstream = up.frames.filter((f) => f.outbound).map((f) => f.text);
    const recvByCharger = c.frames.filter((f) => !f.outbound).map((f) => f.text);
    assert.strictEqual(sentByCharger.length, 5);
    assert.deepStrictEqual(recvByUpstream, sentByCharger);
    assert.deepStrictEqual(recvByCharger, sentByUpstream);
  } finally { await s.stop(); await up.close(); }
});

test('nothing is re-serialised: odd spacing passes unchanged, a malformed frame too', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    const ws = await rawCharger(`${s.url}/CP1`);
    const odd = '[2 ,  "m-1","Heartbeat" , { } ]';
    const answer = new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send(odd);
    const text = await answer;
    await until(() => up.frames.some((f) => !f.outbound && f.id === 'CP1'), 3000, 'upstream got it');
    assert.strictEqual(up.frames.find((f) => !f.outbound && f.id === 'CP1').text, odd);
    assert.strictEqual(text, up.frames.find((f) => f.outbound && f.id === 'CP1').text);
    // a frame upstream would call malformed is still relayed; upstream answers it
    const bad = '[2,"m-2","BootNotification",{"chargePointVendor":12}]';
    const err = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws.send(bad);
    const e = await err;
    assert.strictEqual(e[0], 4);
    assert.strictEqual(e[1], 'm-2');
    assert.ok(up.frames.some((f) => !f.outbound && f.text === bad));
    ws.close();
  } finally { await s.stop(); await up.close(); }
});

test('CALLERRORs pass through in both directions', async () => {
  const up = await startUpstream({
    onClient: (client) => client.handle('Authorize', () => { throw createRPCError('SecurityError', 'no such card', { why: 'test' }); }),
  });
  const s = await startBridge(up.url);
  try {
    const c = await s.charger('CP0');
    await assert.rejects(c.call('Authorize', { idTag: 'TAG1' }), (e) => e.rpcErrorCode === 'SecurityError' && e.message === 'no such card');
    await until(() => up.clients.has('CP0'), 3000, 'upstream client');
    // the charger has no handler for UnlockConnector: its NotImplemented goes upstream
    await assert.rejects(up.clients.get('CP0').call('UnlockConnector', { connectorId: 1 }), (e) => e.rpcErrorCode === 'NotImplemented');
    const errUp = up.frames.find((f) => f.outbound && f.text.startsWith('[4,'));
    assert.ok(c.frames.some((f) => !f.outbound && f.text === errUp.text), 'the CALLERROR arrived byte for byte');
  } finally { await s.stop(); await up.close(); }
});

test('read-only registers from what passes: boot, status, measurands with units, transaction', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    assert.strictEqual(await s.bms.u16(A.comm(0)), 1, 'not connected yet');
    const c = await s.charger('CP0');
    await c.call('BootNotification', { chargePointVendor: 'Vend', chargePointModel: 'Mod', chargeBoxSerialNumber: 'BOX-1', chargePointSerialNumber: 'PT-2' });
    await s.bms.waitU16(A.comm(0), (v) => v === 0, 'comm status 0');
    assert.strictEqual(await s.bms.str(A.vendor(0), 10), 'Vend');
    assert.strictEqual(await s.bms.str(A.model(0), 10), 'Mod');
    assert.strictEqual(await s.bms.str(A.boxSerial(0), 13), 'BOX-1');
    assert.strictEqual(await s.bms.str(A.pointSerial(0), 13), 'PT-2');

    await c.call('StatusNotification', { connectorId: 2, errorCode: 'GroundFailure', status: 'Faulted' });
    await c.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Unavailable' });
    await s.bms.waitU16(A.conn.status(0, 2), (v) => v === 8, 'Faulted');
    assert.strictEqual(await s.bms.u16(A.conn.error(0, 2)), 2);
    assert.strictEqual(await s.bms.u16(A.conn.status(0, 0)), 7);

    await c.call('MeterValues', {
      connectorId: 1,
      meterValue: [{ timestamp: iso(), sampledValue: [
        { value: '6.5', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: '7.25', measurand: 'Current.Import', phase: 'L2' },
        { value: '12.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
        { value: '230.5', measurand: 'Voltage', phase: 'L3-N', unit: 'V' },
        { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
      ] }],
    });
    const m = (off) => A.conn.meter(0, 1, off);
    await until(async () => (await s.bms.float(m(11))) === 6.5, 3000, 'current L1');
    assert.strictEqual(await s.bms.float(m(13)), 7.25);
    assert.strictEqual(await s.bms.u16(m(17)), 10, 'unit A');
    assert.strictEqual(await s.bms.float(m(28)), 12.5);
    assert.strictEqual(await s.bms.u16(m(30)), 1, 'unit kWh');
    assert.strictEqual(await s.bms.float(m(83)), 230.5);
    assert.strictEqual(await s.bms.u16(m(85)), 11, 'unit V');
    assert.strictEqual(await s.bms.float(m(55)), 7400);
    assert.strictEqual(await s.bms.u16(m(57)), 4, 'unit W');

    const ts = '2024-05-01T10:00:00.000Z';
    const st = await c.call('StartTransaction', { connectorId: 1, idTag: 'CARD-42', meterStart: 1234, timestamp: ts });
    assert.strictEqual(st.transactionId, 100);
    await until(async () => (await s.bms.str(A.conn.txIdTag(0, 1), 10)) === 'CARD-42', 3000, 'txn id tag');
    assert.strictEqual(await s.bms.float(A.conn.txMeterStart(0, 1)), 1234);
    assert.strictEqual(await s.bms.u32(A.conn.txTimestamp(0, 1)), Date.parse(ts) / 1000);
    // the bridge's transaction.id is the upstream CS's int32: the map's
    // 16-bit current-transaction-id register (ocpp_cs's) does not serve it
    await assert.rejects(s.bms.u16(A.conn.txId(0, 1)), /Illegal data address/i);
    assert.match(s.gw.stderr, /register map: \d+ more rows not served \(exception 02\): their point is wider/);
    await c.call('StopTransaction', { transactionId: st.transactionId, meterStop: 2000, timestamp: iso() });
    await until(async () => (await s.bms.str(A.conn.txIdTag(0, 1), 10)) === '', 3000, 'txn cleared');

    // nothing is writable; BMS-only registers do not exist in bridge mode
    await assert.rejects(s.bms.write1(A.conn.status(0, 1), 3), /Illegal data address|exception/i);
    await assert.rejects(s.bms.write1(A.comm(0), 0), /Illegal data address|exception/i);
    await assert.rejects(s.bms.u16(A.auth.flag(0)), /Illegal data address/i);
    await assert.rejects(s.bms.u16(A.remoteStart.flag(0)), /Illegal data address/i);
    await assert.rejects(s.bms.u16(A.heartbeat), /Illegal data address/i);

    await c.close();
    await s.bms.waitU16(A.comm(0), (v) => v === 1, 'comm status back to 1');
  } finally { await s.stop(); await up.close(); }
});

test('unknown chargers are refused with 404 and recorded; wrong paths too', async () => {
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    await assert.rejects(rawCharger(`${s.url}/NOPE`), (e) => e.status === 404);
    await assert.rejects(rawCharger(`${s.url}/NOPE`), (e) => e.status === 404);
    await assert.rejects(rawCharger(`ws://127.0.0.1:${s.wsPort}/other/CP0`), (e) => e.status === 404);
    await assert.rejects(rawCharger(`${s.url}/CP0`, ['ocpp2.0.1']), (e) => e.status === 400);
    await s.gw.waitForLog(/unknown charger 'NOPE' from 127\.0\.0\.1 refused/);
    assert.strictEqual(up.connections, 0, 'nothing reached upstream');
    // the scan list is dumped on SIGUSR1 by the host's dump hook (when any)
    const c = await s.charger('CP0');
    await c.call('Heartbeat', {});
  } finally { await s.stop(); await up.close(); }
});
