'use strict';
// Issue 10 item 6: a disconnected charger's values stayed quality `good`.
// Now the values that came from the charger (boot information, connector
// status and error code, meter values and units, the running transaction's
// id tag / meter start / timestamp) read `comm_error` in the API while it is
// away, keep their last value (Modbus has no quality: the registers keep
// the value and charger.N.info.comm_status says 1), and are `good` again on
// the charger's next message. What the BMS wrote and what the gateway
// itself states (comm_status) stay `good`. BMS mode (ocpp_cs) and bridge
// mode (ocpp_bridge) alike.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freePort } = require('../integration/lib/gatewayd');
const { A, startCs, until } = require('../integration/lib/ocpp-cs');
const { startUpstream, startBridge } = require('../integration/lib/bridge-site');

const FROM_CHARGER = [
  'charger.0.info.vendor', 'charger.0.info.model',
  'charger.0.connector.1.status', 'charger.0.connector.1.error_code',
  'charger.0.connector.1.meter.energy_active_import_register',
  'charger.0.connector.1.meter.energy_active_import_register.unit',
];

async function diagGroup() {
  const port = await freePort();
  return { port, group: { diag: { port } } };
}

function api(port) {
  return async (name) => (await fetch(`http://127.0.0.1:${port}/api/v1/points/${encodeURIComponent(name)}`)).json();
}

async function qualities(point, names) {
  const out = {};
  for (const n of names) out[n] = (await point(n)).quality;
  return out;
}

const all = (names, q) => Object.fromEntries(names.map((n) => [n, q]));
const iso = () => new Date().toISOString();

async function report(c) {
  await c.call('BootNotification', { chargePointVendor: 'Vend', chargePointModel: 'Mod' });
  await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: iso() });
  await c.call('MeterValues', {
    connectorId: 1,
    meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
  });
}

async function waitQualities(point, names, q, what) {
  let last;
  try {
    await until(async () => {
      last = await qualities(point, names);
      return names.every((n) => last[n] === q);
    }, 8000, what);
  } catch (e) { throw new Error(`${e.message}: ${JSON.stringify(last)}`); }
}

test('ocpp_cs: a charger away reads comm_error, values kept; its next message makes them good', async () => {
  const d = await diagGroup();
  const s = await startCs({ groups: d.group });
  const point = api(d.port);
  try {
    let c = await s.charger('CP0');
    await report(c);
    await waitQualities(point, FROM_CHARGER, 'good', 'after the reports');
    await s.bms.write1(A.start.status(0), 3); // BMS-written parameter
    await c.close({ force: true });
    await waitQualities(point, FROM_CHARGER, 'comm_error', 'while away');
    assert.equal((await point('charger.0.connector.1.status')).value, 2, 'last value kept (Charging)');
    assert.equal((await point('charger.0.info.vendor')).value, 'Vend');
    assert.equal(await s.bms.u16(A.conn.status(0, 1)), 2, 'Modbus keeps the value');
    assert.equal(await s.bms.u16(A.comm(0)), 1, 'Modbus says: communication error');
    assert.deepEqual(await qualities(point, ['charger.0.info.comm_status', 'charger.0.start.status',
      'charger.0.connector.1.availability']), all(['charger.0.info.comm_status', 'charger.0.start.status',
      'charger.0.connector.1.availability'], 'good'), 'BMS-written and gateway-stated points stay good');
    assert.equal((await point('charger.0.start.status')).value, 3);

    // reconnecting is not enough: the charger must say something
    c = await s.charger('CP0');
    await until(async () => (await point('charger.0.info.comm_status')).value === 0, 5000, 'connected');
    assert.deepEqual(await qualities(point, FROM_CHARGER), all(FROM_CHARGER, 'comm_error'));
    await c.call('Heartbeat', {});
    await waitQualities(point, FROM_CHARGER, 'good', 'after its Heartbeat');
    assert.equal((await point('charger.0.connector.1.status')).value, 2);

    // a charger that never connected since start-up is away too
    assert.equal((await point('charger.1.connector.1.status')).quality, 'comm_error');
  } finally { await s.stop(); }
});

test('ocpp_bridge: a relayed charger away reads comm_error; its next message makes them good', async () => {
  const up = await startUpstream();
  const d = await diagGroup();
  const s = await startBridge(up.url, { groups: d.group });
  const point = api(d.port);
  try {
    let c = await s.charger('CP0');
    await report(c);
    await waitQualities(point, FROM_CHARGER, 'good', 'after the reports');
    await c.close({ force: true });
    await waitQualities(point, FROM_CHARGER, 'comm_error', 'while away');
    assert.equal((await point('charger.0.connector.1.status')).value, 2);
    assert.equal(await s.bms.u16(A.conn.status(0, 1)), 2, 'Modbus keeps the value');
    assert.equal(await s.bms.u16(A.comm(0)), 1);
    assert.equal((await point('charger.0.info.comm_status')).quality, 'good');

    c = await s.charger('CP0');
    await until(async () => (await point('charger.0.info.comm_status')).value === 0, 5000, 'connected');
    await c.call('Heartbeat', {});
    await waitQualities(point, FROM_CHARGER, 'good', 'after its Heartbeat');
  } finally { await s.stop(); await up.close(); }
});
