'use strict';
// Issue 10 item 6: a write the register map's enumeration forbids is refused
// by the point database for every writer. Before, the diag API accepted
// availability = 9 and sent ChangeAvailability to the charger while Modbus
// refused the same write with exception 03. Now both refuse, nothing reaches
// the charger and the register keeps its value; values in the list work
// through both. The charger is an ocpp-rpc client in strict mode counting
// every ChangeAvailability it gets.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freePort } = require('../integration/lib/gatewayd');
const { A, startCs, until } = require('../integration/lib/ocpp-cs');

const AVAIL = 'charger.0.connector.1.availability';

async function siteWithDiag() {
  const diagPort = await freePort();
  const s = await startCs({ groups: { diag: { port: diagPort } } });
  s.api = `http://127.0.0.1:${diagPort}/api/v1`;
  s.put = (name, value) => fetch(`${s.api}/points/${encodeURIComponent(name)}`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ value }),
  });
  s.point = async (name) => (await fetch(`${s.api}/points/${encodeURIComponent(name)}`)).json();
  return s;
}

async function bootedCharger(s) {
  const { c } = await s.boot('CP0');
  const calls = [];
  c.handle('ChangeAvailability', ({ params }) => { calls.push(params); return { status: 'Accepted' }; });
  return { c, calls };
}

async function exceptionOf(p) {
  try { await p; } catch (e) { return e.modbusCode; }
  return 0;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

test('diag API: availability = 9 is refused with a 4xx and its reason; nothing is sent; in-list values work', async () => {
  const s = await siteWithDiag();
  try {
    const { calls } = await bootedCharger(s);
    const before = await s.point(AVAIL);
    assert.equal(before.value, 1);
    assert.equal(before.enum, '0=Inoperative;1=Operative', 'the list the point database enforces');

    const r = await s.put(AVAIL, 9);
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    const body = await r.json();
    assert.equal(body.error, 'out_of_range');
    assert.match(body.message || body.reason || JSON.stringify(body), /enumerated/);
    await settle();
    assert.equal(calls.length, 0, 'no ChangeAvailability for a refused write');
    assert.equal((await s.point(AVAIL)).value, 1);
    assert.equal(await s.bms.u16(A.conn.availability(0, 1)), 1, 'register unchanged');

    // by number and by label, both in the list
    let ok = await s.put(AVAIL, 0);
    assert.equal(ok.status, 200);
    await until(() => calls.length === 1, 5000, 'ChangeAvailability Inoperative');
    assert.deepEqual(calls[0], { connectorId: 1, type: 'Inoperative' });
    ok = await s.put(AVAIL, 'Operative');
    assert.equal(ok.status, 200);
    await until(() => calls.length === 2, 5000, 'ChangeAvailability Operative');
    assert.deepEqual(calls[1], { connectorId: 1, type: 'Operative' });
  } finally { await s.stop(); }
});

test('Modbus: the same write answers exception 03 from the point database; FC16 with one bad value applies nothing', async () => {
  const s = await siteWithDiag();
  try {
    const { calls } = await bootedCharger(s);
    assert.equal(await exceptionOf(s.bms.write1(A.conn.availability(0, 1), 9)), 3);
    // availability (ok) + status (read-only) is 02; unlock (ok) + availability 9 is 03 whole
    assert.equal(await exceptionOf(s.bms.write(A.conn.unlock(0, 1), [0, 9])), 3);
    await settle();
    assert.equal(calls.length, 0);
    assert.equal(await s.bms.u16(A.conn.availability(0, 1)), 1);

    await s.bms.write1(A.conn.availability(0, 1), 0);
    await until(() => calls.length === 1, 5000, 'ChangeAvailability');
    assert.deepEqual(calls[0], { connectorId: 1, type: 'Inoperative' });
    assert.equal(await s.bms.u16(A.conn.availability(0, 1)), 0);

    // other enumerated BMS registers: reset.type (0=Soft;1=Hard), start.status (0..4)
    assert.equal(await exceptionOf(s.bms.write(A.reset.flag(0), [1, 2])), 3);
    assert.equal(await exceptionOf(s.bms.write1(A.start.status(0), 5)), 3);
    assert.equal((await s.put('charger.0.start.status', 5)).status, 422);
    await s.bms.write1(A.start.status(0), 4);
    assert.equal((await s.point('charger.0.start.status')).value, 4);
  } finally { await s.stop(); }
});

test('ranges the owner declares: a connector id the charger does not have is refused by both writers', async () => {
  const s = await siteWithDiag(); // CP0 has 2 connectors
  try {
    const { c } = await bootedCharger(s);
    const starts = [];
    c.handle('RemoteStartTransaction', ({ params }) => { starts.push(params); return { status: 'Accepted' }; });
    const p = await s.point('charger.0.remote_start.connector_id');
    assert.equal(p.min, 0);
    assert.equal(p.max, 2);
    // flag + connector 3 + idTag in one FC16: 03, the flag never rises
    const tag = [0x4142, 0x4300, 0, 0, 0, 0, 0, 0, 0, 0];
    assert.equal(await exceptionOf(s.bms.write(A.remoteStart.flag(0), [1, 3, ...tag])), 3);
    const r = await s.put('charger.0.remote_start.connector_id', 3);
    assert.equal(r.status, 422);
    assert.match((await r.json()).message, /range/);
    await settle();
    assert.equal(starts.length, 0);
    assert.equal(await s.bms.u16(A.remoteStart.flag(0)), 0);
    // in range: sent
    await s.bms.write(A.remoteStart.flag(0), [1, 2, ...tag]);
    await until(() => starts.length === 1, 5000, 'RemoteStartTransaction');
    assert.deepEqual(starts[0], { connectorId: 2, idTag: 'ABC' });
  } finally { await s.stop(); }
});
