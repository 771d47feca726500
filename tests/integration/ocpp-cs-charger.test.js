'use strict';
// ocpp_cs, messages the gateway answers itself: BootNotification (info and
// communication registers), Heartbeat, StatusNotification, MeterValues;
// unknown chargers (HTTP 404 + scan list), malformed and invalid frames
// (the right CALLERROR), a reconnect that replaces the connection.
const test = require('node:test');
const assert = require('node:assert');
const { A, startCs, until, iso } = require('./lib/ocpp-cs');
const { rawCharger: rawAt, exchange } = require('./lib/ws-peer');
const rawCharger = (site, id, protocols) => rawAt(`${site.url}/${id}`, protocols);

test('BootNotification fills the info registers; comm status follows the connection', async () => {
  const s = await startCs();
  try {
    assert.strictEqual(await s.bms.u16(A.comm(0)), 1, 'not connected yet');
    const { c, r } = await s.boot('CP0', { chargeBoxSerialNumber: 'BOX-123', chargePointSerialNumber: 'PT-9' });
    assert.strictEqual(r.status, 'Accepted');
    assert.strictEqual(r.interval, 300);
    assert.match(r.currentTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(r.currentTime) - Date.now()) < 5000);
    assert.strictEqual(await s.bms.u16(A.comm(0)), 0);
    assert.strictEqual(await s.bms.str(A.vendor(0), 10), 'Vend');
    assert.strictEqual(await s.bms.str(A.model(0), 10), 'Mod');
    assert.strictEqual(await s.bms.str(A.boxSerial(0), 13), 'BOX-123');
    assert.strictEqual(await s.bms.str(A.pointSerial(0), 13), 'PT-9');
    const hb = await c.call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(hb.currentTime) - Date.now()) < 5000);
    await c.close();
    await s.bms.waitU16(A.comm(0), (v) => v === 1, 'comm status back to 1');
  } finally { await s.stop(); }
});

test('StatusNotification sets status and error code, connector 0 is yy = 0', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP1');
    await c.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Unavailable' });
    await c.call('StatusNotification', { connectorId: 2, errorCode: 'GroundFailure', status: 'Faulted' });
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: iso() });
    assert.strictEqual(await s.bms.u16(A.conn.status(1, 0)), 7);
    assert.strictEqual(await s.bms.u16(A.conn.status(1, 2)), 8);
    assert.strictEqual(await s.bms.u16(A.conn.error(1, 2)), 2);
    assert.strictEqual(await s.bms.u16(A.conn.status(1, 1)), 2);
    assert.strictEqual(await s.bms.u16(A.conn.error(1, 1)), 6);
    // a connector beyond the configured ones is answered, not mapped
    await c.call('StatusNotification', { connectorId: 5, errorCode: 'NoError', status: 'Available' });
  } finally { await s.stop(); }
});

test('MeterValues: every mapped measurand, per phase, with units; strings parsed', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    const sv = [
      { value: '6.5', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
      { value: '7.25', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
      { value: '8', measurand: 'Current.Import', phase: 'L3', unit: 'A' },
      { value: '1.5', measurand: 'Current.Export', phase: 'L2' },
      { value: '16', measurand: 'Current.Offered', phase: 'L1', unit: 'A' },
      { value: '12.345', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
      { value: '100', measurand: 'Energy.Active.Export.Register', unit: 'Wh' },
      { value: '10', measurand: 'Energy.Reactive.Import.Register', unit: 'kvarh' },
      { value: '11', measurand: 'Energy.Reactive.Export.Register', unit: 'varh' },
      { value: '49.98', measurand: 'Frequency' },
      { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
      { value: '0', measurand: 'Power.Active.Export', unit: 'kW' },
      { value: '0.97', measurand: 'Power.Factor' },
      { value: '11000', measurand: 'Power.Offered', unit: 'W' },
      { value: '12', measurand: 'Power.Reactive.Import', unit: 'var' },
      { value: '13', measurand: 'Power.Reactive.Export', unit: 'kvar' },
      { value: '55', measurand: 'SoC', unit: 'Percent' },
      { value: '31.5', measurand: 'Temperature', unit: 'Celsius' },
      { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
      { value: '231.2', measurand: 'Voltage', phase: 'L2-N', unit: 'V' },
      { value: '232.3', measurand: 'Voltage', phase: 'L3-N', unit: 'V' },
      { value: '99', measurand: 'Voltage', phase: 'L1-L2', unit: 'V' }, // no register: ignored
      { value: '1' }, // no measurand: Energy.Active.Import.Register in Wh... then overwritten below
    ];
    // default measurand first, then the explicit one wins (same register)
    await c.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: iso(), sampledValue: sv.slice(-1) }] });
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 1, 28)), 1);
    assert.strictEqual(await s.bms.u16(A.conn.meter(0, 1, 30)), 0, 'Wh');
    await c.call('MeterValues', { connectorId: 1, transactionId: 5, meterValue: [{ timestamp: iso(), sampledValue: sv.slice(0, -1) }] });
    const f = (off) => s.bms.float(A.conn.meter(0, 1, off));
    const u = (off) => s.bms.u16(A.conn.meter(0, 1, off));
    assert.strictEqual(await f(11), 6.5);
    assert.strictEqual(await f(13), 7.25);
    assert.strictEqual(await f(15), 8);
    assert.strictEqual(await u(17), 10, 'A');
    assert.strictEqual(await f(6), 1.5);
    assert.strictEqual(await u(10), 10, 'current without unit shows A');
    assert.strictEqual(await f(18), 16);
    assert.ok(Math.abs((await f(28)) - 12.345) < 1e-3);
    assert.strictEqual(await u(30), 1, 'kWh');
    assert.strictEqual(await f(25), 100);
    assert.strictEqual(await f(34), 10);
    assert.strictEqual(await u(36), 3, 'kvarh');
    assert.strictEqual(await f(31), 11);
    assert.ok(Math.abs((await f(49)) - 49.98) < 1e-3);
    assert.strictEqual(await f(55), 7200);
    assert.strictEqual(await u(57), 4, 'W');
    assert.strictEqual(await u(54), 5, 'kW');
    assert.ok(Math.abs((await f(58)) - 0.97) < 1e-6);
    assert.strictEqual(await f(61), 11000);
    assert.strictEqual(await f(67), 12);
    assert.strictEqual(await u(69), 8, 'var');
    assert.strictEqual(await f(64), 13);
    assert.strictEqual(await u(66), 9, 'kvar');
    assert.strictEqual(await f(73), 55);
    assert.strictEqual(await u(75), 15, 'Percent');
    assert.strictEqual(await f(76), 31.5);
    assert.strictEqual(await u(78), 12, 'Celsius');
    assert.ok(Math.abs((await f(79)) - 230.1) < 1e-3);
    assert.ok(Math.abs((await f(81)) - 231.2) < 1e-3);
    assert.ok(Math.abs((await f(83)) - 232.3) < 1e-3);
    assert.strictEqual(await u(85), 11, 'V');
    // connector 0 (the charge point's own meter)
    await c.call('MeterValues', { connectorId: 0, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '42', measurand: 'Power.Active.Import', unit: 'kW' }] }] });
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 0, 55)), 42);
  } finally { await s.stop(); }
});

test('measurands the map does not carry and signed values are ignored without error', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    const r = await c.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: iso(), sampledValue: [
      { value: '1500', measurand: 'RPM' }, // disabled in the default map
      { value: '3', measurand: 'Energy.Active.Import.Interval', unit: 'kWh' }, // disabled too
      { value: 'AB12CD', format: 'SignedData', measurand: 'Power.Active.Import' },
      { value: '4', measurand: 'Power.Active.Import', phase: 'L1', unit: 'kW' }, // per phase of a total
    ] }] });
    assert.deepStrictEqual(r, {});
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 1, 55)), 0);
  } finally { await s.stop(); }
});

test('unknown ChargerID: HTTP 404 at the handshake, recorded in the scan list', async () => {
  const s = await startCs();
  try {
    await assert.rejects(rawCharger(s, 'INTRUDER'), (e) => e.status === 404);
    await assert.rejects(rawCharger(s, 'INTRUDER'), (e) => e.status === 404);
    await assert.rejects(rawCharger(s, 'Other%20One'), (e) => e.status === 404);
    // logged once per peer and minute: the first refusal from 127.0.0.1
    await s.gw.waitForLog(/unknown charger 'INTRUDER' from 127\.0\.0\.1 refused \(HTTP 404\)/);
    // SIGUSR1 prints the points (the scan list is points too) and the list
    s.gw.child.kill('SIGUSR1');
    await until(() => /# ocpp_cs scan list: 2 refused/.test(s.gw.stdout), 5000, 'scan dump');
    assert.match(s.gw.stdout, /ocpp_cs\.scan\tINTRUDER\t127\.0\.0\.1\t\S+Z\t\S+Z\t2\tunknown id\n/);
    assert.match(s.gw.stdout, /ocpp_cs\.scan\tOther One\t127\.0\.0\.1\t\S+\t\S+\t1\tunknown id\n/);
    assert.match(s.gw.stdout, /ocpp_cs\.scan\.count\t\S+\t\S+\t2\n/);
    assert.match(s.gw.stdout, /ocpp_cs\.scan\.0\.charger_id\t\S+\t\S+\t"?INTRUDER/);
    // a wrong path or a missing subprotocol is refused too
    await assert.rejects(rawCharger(s, 'CP0', ['ocpp2.0.1']), (e) => e.status >= 400 || e);
    // encoded control bytes do not make a configured ChargerID ("CP0%00x"
    // is not CP0): refused by lws or by the gateway
    for (const id of ['CP0%00x', 'CP0%01', 'CP%0A0']) {
      await assert.rejects(rawCharger(s, id), (e) => e.status >= 400 || /hang up|ECONNRESET/.test(e.message));
    }
    assert.strictEqual(await s.bms.u16(A.comm(0)), 1, 'CP0 was never connected');
  } finally { await s.stop(); }
});

test('malformed and invalid frames are answered with the right CALLERROR', async () => {
  const s = await startCs();
  try {
    const ws = await rawCharger(s, 'CP0');
    const cases = [
      ['not json', '-1', 'FormationViolation'],
      ['{"a":1}', '-1', 'FormationViolation'],
      ['[2,"a1","Heartbeat"]', 'a1', 'ProtocolError'],
      ['[2,"a2","Heartbeat",[]]', 'a2', 'FormationViolation'],
      ['[2,"a3","NoSuchAction",{}]', 'a3', 'NotImplemented'],
      ['[2,"a4","RemoteStartTransaction",{"idTag":"X"}]', 'a4', 'NotSupported'],
      ['[2,"a5","BootNotification",{"chargePointVendor":"V"}]', 'a5', 'OccurenceConstraintViolation'],
      ['[2,"a6","Authorize",{"idTag":42}]', 'a6', 'TypeConstraintViolation'],
      ['[2,"a7","Authorize",{"idTag":"123456789012345678901"}]', 'a7', 'PropertyConstraintViolation'],
      ['[2,"a8","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Dancing"}]', 'a8', 'PropertyConstraintViolation'],
      ['[2,"a9","Heartbeat",{"extra":1}]', 'a9', 'PropertyConstraintViolation'],
      ['[2,"a10","StartTransaction",{"connectorId":1,"idTag":"T","meterStart":0,"timestamp":"noon"}]', 'a10', 'PropertyConstraintViolation'],
    ];
    for (const [text, id, code] of cases) {
      const ans = await exchange(ws, text);
      assert.strictEqual(ans[0], 4, text);
      assert.strictEqual(ans[1], id, text);
      assert.strictEqual(ans[2], code, text);
      assert.strictEqual(ans.length, 5);
    }
    // a result for an unknown message id is ignored and logged; the link stays up
    ws.send('[3,"never-sent",{}]');
    await s.gw.waitForLog(/answer to unknown message id 'never-sent' ignored/);
    // a malformed answer is logged, never answered (OCPP-J answers only CALLs)
    let answered = false;
    const spy = () => { answered = true; };
    ws.on('message', spy);
    ws.send('[3,"broken"]');
    ws.send('[4,"broken2","GenericError"]');
    await s.gw.waitForLog(/malformed frame: a CALLERROR has 5 elements/);
    await new Promise((r) => setTimeout(r, 200));
    ws.off('message', spy);
    assert.strictEqual(answered, false, 'a malformed CALLRESULT/CALLERROR got an answer');
    // timestamps with fractions and offsets are accepted
    const ok = await exchange(ws, JSON.stringify([2, 'b1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: '2024-05-01T12:00:00.123456+02:00' }]));
    assert.deepStrictEqual(ok, [3, 'b1', {}]);
    ws.close();
  } finally { await s.stop(); }
});

test('a message over max_message_size closes the connection', async () => {
  const s = await startCs({ cs: { max_message_size: 2048 } });
  try {
    const ws = await rawCharger(s, 'CP0');
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(4000) }]));
    assert.strictEqual(await closed, 1009);
  } finally { await s.stop(); }
});

test('a charger that sends but never reads is closed instead of queueing answers without end', async () => {
  const s = await startCs({ cs: { max_message_size: 1024 } });
  try {
    const ws = await rawCharger(s, 'CP0');
    let code = null;
    ws.once('close', (c) => { code = c; });
    ws._socket.pause(); // stop reading: answers pile up in gatewayd
    const hb = JSON.stringify([2, 'hb', 'Heartbeat', {}]);
    const t0 = Date.now();
    for (let i = 0; i < 400000 && code === null && Date.now() - t0 < 30000; i++) {
      ws.send(hb);
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    await s.gw.waitForLog(/the peer does not read its answers \(\d+ bytes waiting\), closing/, 30000);
    await s.gw.waitForLog(/CP0 disconnected/, 30000);
    ws._socket.resume();
    await until(() => code !== null, 10000, 'close seen by the charger');
    // 1008 when the close frame gets through; 1006 when the peer's full
    // socket keeps even that from being delivered
    assert.ok(code === 1008 || code === 1006, `close code ${code}`);
    // and the daemon serves everybody else as before
    const { r } = await s.boot('CP1');
    assert.strictEqual(r.status, 'Accepted');
  } finally { await s.stop(); }
});

test('a charger pipelining requests past the BMS queue limit gets GenericError for the excess', async () => {
  const s = await startCs({ cs: { bms_timeout_ms: 60000 } });
  try {
    const ws = await rawCharger(s, 'CP0');
    const answers = [];
    ws.on('message', (d) => answers.push(JSON.parse(d.toString())));
    for (let i = 0; i < 20; i++) ws.send(JSON.stringify([2, `p${i}`, 'Authorize', { idTag: `TAG${i}` }]));
    await until(() => answers.length >= 4, 5000, 'refusals');
    await new Promise((r) => setTimeout(r, 200));
    // the BMS is silent: only the 4 over the limit of 16 are answered, at once
    assert.deepStrictEqual(answers.map((a) => [a[0], a[1], a[2]]),
      [16, 17, 18, 19].map((i) => [4, `p${i}`, 'GenericError']));
    ws.terminate();
  } finally { await s.stop(); }
});

test('a second connection for the same ChargerID replaces the first, state kept', async () => {
  const s = await startCs();
  try {
    const { c: first } = await s.boot('CP0', { chargeBoxSerialNumber: 'KEEP' });
    await first.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const firstClosed = new Promise((resolve) => first.once('close', resolve));
    const second = await s.charger('CP0');
    await firstClosed;
    await s.gw.waitForLog(/CP0: new connection from 127\.0\.0\.1 replaces the old one/);
    assert.strictEqual(await s.bms.u16(A.comm(0)), 0, 'still connected');
    assert.strictEqual(await s.bms.str(A.boxSerial(0), 13), 'KEEP');
    assert.strictEqual(await s.bms.u16(A.conn.status(0, 1)), 2);
    const hb = await second.call('Heartbeat', {});
    assert.ok(hb.currentTime);
  } finally { await s.stop(); }
});

test('DataTransfer, DiagnosticsStatusNotification and FirmwareStatusNotification are answered', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    assert.deepStrictEqual(await c.call('DataTransfer', { vendorId: 'acme', messageId: 'x', data: 'hello' }), { status: 'UnknownVendorId' });
    assert.deepStrictEqual(await c.call('DiagnosticsStatusNotification', { status: 'Uploaded' }), {});
    assert.deepStrictEqual(await c.call('FirmwareStatusNotification', { status: 'Installed' }), {});
  } finally { await s.stop(); }
});
