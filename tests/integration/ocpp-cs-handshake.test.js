'use strict';
// ocpp_cs, messages to the CS through the BMS (SEQ_Authorize,
// SEQ_StartTransaction, SEQ_StopTransaction): request registers + flag, the
// BMS writes the results then "processed", the charger gets the answer,
// flag and processed return to 0. Also the per-charger FIFO, the
// bms_timeout fallback and transaction ids.
const test = require('node:test');
const assert = require('node:assert');
const { A, startCs, strRegs, u32Regs, iso } = require('./lib/ocpp-cs');

const flagUp = (s, addr) => s.bms.waitU16(addr, (v) => v === 1, `flag ${addr} = 1`);

test('SEQ_Authorize: registers, BMS answer in one FC16 (results then processed), flags back to 0', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    const pending = c.call('Authorize', { idTag: 'CARD-0001' });
    await flagUp(s, A.auth.flag(0));
    assert.strictEqual(await s.bms.str(A.auth.idTag(0), 10), 'CARD-0001');
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    // results (parent 78..87, expiry 88..89, status 90) in one FC16, then processed, as the reference asks
    await s.bms.write(A.auth.parent(0), [...strRegs('PARENT-7', 10), ...u32Regs(expiry), 0]);
    await s.bms.write1(A.auth.processed(0), 1);
    const r = await pending;
    assert.deepStrictEqual(r.idTagInfo.status, 'Accepted');
    assert.strictEqual(r.idTagInfo.parentIdTag, 'PARENT-7');
    assert.strictEqual(Date.parse(r.idTagInfo.expiryDate) / 1000, expiry);
    assert.match(r.idTagInfo.expiryDate, /Z$/);
    assert.strictEqual(await s.bms.u16(A.auth.flag(0)), 0);
    assert.strictEqual(await s.bms.u16(A.auth.processed(0)), 0);
    // processed written in the same FC16 as the results (77..90): the batch's values are all
    // applied before the gateway reacts, so the status is seen
    const p2 = c.call('Authorize', { idTag: 'CARD-0002' });
    await flagUp(s, A.auth.flag(0));
    await s.bms.write(A.auth.processed(0), [1, ...strRegs('', 10), 0, 0, 1]);
    assert.strictEqual((await p2).idTagInfo.status, 'Blocked');
  } finally { await s.stop(); }
});

test('SEQ_StartTransaction and SEQ_StopTransaction with a BMS-assigned transaction id', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    const ts = '2024-06-01T10:00:00.250+02:00';
    const p = c.call('StartTransaction', { connectorId: 2, idTag: 'TAG-A', meterStart: 1234, reservationId: 9, timestamp: ts });
    await flagUp(s, A.start.flag(0));
    assert.strictEqual(await s.bms.u16(A.start.connector(0)), 2);
    assert.strictEqual(await s.bms.str(A.start.idTag(0), 10), 'TAG-A');
    assert.strictEqual(await s.bms.float(A.start.meter(0)), 1234);
    assert.strictEqual(await s.bms.u16(A.start.reservation(0)), 9);
    assert.strictEqual(await s.bms.u32(A.start.timestamp(0)), Date.parse(ts) / 1000 | 0);
    await s.bms.write(A.start.status(0), [0, 4242]); // status Accepted, transaction id 4242
    await s.bms.write1(A.start.processed(0), 1);
    const r = await p;
    assert.strictEqual(r.transactionId, 4242);
    assert.strictEqual(r.idTagInfo.status, 'Accepted');
    assert.strictEqual(await s.bms.u16(A.start.flag(0)), 0);
    // the connector's current-transaction registers
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 2), 10), 'TAG-A');
    assert.strictEqual(await s.bms.float(A.conn.txMeterStart(0, 2)), 1234);
    assert.strictEqual(await s.bms.u32(A.conn.txTimestamp(0, 2)), Date.parse(ts) / 1000 | 0);

    const ps = c.call('StopTransaction', { transactionId: 4242, idTag: 'TAG-A', meterStop: 5678, timestamp: iso(), reason: 'EVDisconnected' });
    await flagUp(s, A.stop.flag(0));
    assert.strictEqual(await s.bms.u16(A.stop.txn(0)), 4242);
    assert.strictEqual(await s.bms.float(A.stop.meter(0)), 5678);
    assert.strictEqual(await s.bms.u16(A.stop.reason(0)), 2);
    assert.strictEqual(await s.bms.str(A.stop.idTag(0), 10), 'TAG-A');
    await s.bms.write(A.stop.status(0), 0);
    await s.bms.write1(A.stop.processed(0), 1);
    const rs = await ps;
    assert.strictEqual(rs.idTagInfo.status, 'Accepted');
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 2), 10), '', 'transaction registers cleared');
    assert.strictEqual(await s.bms.u16(A.stop.flag(0)), 0);
  } finally { await s.stop(); }
});

test('transaction ids allocated by the gateway are unique while open; unknown stop answered', async () => {
  const s = await startCs({ cs: { bms_timeout_ms: 200 } });
  try {
    const { c } = await s.boot('CP0');
    const ids = new Set();
    for (let i = 0; i < 5; i++) {
      const r = await c.call('StartTransaction', { connectorId: 1, idTag: `T${i}`, meterStart: i, timestamp: iso() });
      assert.ok(r.transactionId >= 1 && r.transactionId <= 65535);
      assert.ok(!ids.has(r.transactionId));
      ids.add(r.transactionId);
    }
    // each of those superseded the one before on connector 1 (one open
    // transaction per connector); the BMS asks for the id still open there:
    // the gateway allocates another
    const used = [...ids].pop();
    const p = c.call('StartTransaction', { connectorId: 2, idTag: 'DUP', meterStart: 0, timestamp: iso() });
    await flagUp(s, A.start.flag(0));
    await s.bms.write(A.start.status(0), [0, used]);
    await s.bms.write1(A.start.processed(0), 1);
    const r = await p;
    assert.notStrictEqual(r.transactionId, used);
    assert.ok(!ids.has(r.transactionId));
    // StopTransaction for an unknown transaction is answered (fallback, no idTag: no idTagInfo)
    const rs = await c.call('StopTransaction', { transactionId: 65000, meterStop: 1, timestamp: iso() });
    assert.deepStrictEqual(rs, {});
    await s.gw.waitForLog(/StopTransaction for unknown transaction 65000 answered/);
  } finally { await s.stop(); }
});

test('a StartTransaction repeated (its answer lost to a reconnect) gets the same transaction again', async () => {
  const s = await startCs({ cs: { bms_timeout_ms: 200 } });
  try {
    const start = { connectorId: 1, idTag: 'AGAIN', meterStart: 4321, timestamp: '2026-01-02T03:04:05Z' };
    const { c } = await s.boot('CP0');
    const first = await c.call('StartTransaction', start);
    await c.close({ force: true });
    const { c: again } = await s.boot('CP0');
    const second = await again.call('StartTransaction', start);
    assert.strictEqual(second.transactionId, first.transactionId);
    await s.gw.waitForLog(new RegExp(`StartTransaction repeated: transaction ${first.transactionId} again`));
    // a different start on the same connector is a different transaction
    const other = await again.call('StartTransaction', { ...start, meterStart: 5000 });
    assert.notStrictEqual(other.transactionId, first.transactionId);
  } finally { await s.stop(); }
});

test('bms_timeout fallback: local list first, then fallback_status; nothing unanswered', async () => {
  const s = await startCs({ cs: { bms_timeout_ms: 300, fallback_status: 'Invalid' } });
  try {
    const { c } = await s.boot('CP0');
    const t0 = Date.now();
    const r = await c.call('Authorize', { idTag: 'NOBODY' });
    assert.strictEqual(r.idTagInfo.status, 'Invalid');
    assert.ok(Date.now() - t0 >= 250, 'waited for the BMS first');
    assert.strictEqual(await s.bms.u16(A.auth.flag(0)), 0, 'flag cleared after the timeout');
    await s.gw.waitForLog(/BMS did not process Authorize within 300 ms: fallback Invalid/);
    // a StartTransaction still gets a transaction id
    const st = await c.call('StartTransaction', { connectorId: 1, idTag: 'NOBODY', meterStart: 0, timestamp: iso() });
    assert.ok(st.transactionId > 0);
    assert.strictEqual(st.idTagInfo.status, 'Invalid');
    const sp = await c.call('StopTransaction', { transactionId: st.transactionId, meterStop: 10, timestamp: iso() });
    assert.deepStrictEqual(sp, {});
  } finally { await s.stop(); }
});

test('FIFO: two connectors authorising at once are handled one after the other', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    const p1 = c.call('Authorize', { idTag: 'FIRST' });
    const p2 = c.call('Authorize', { idTag: 'SECOND' });
    await flagUp(s, A.auth.flag(0));
    assert.strictEqual(await s.bms.str(A.auth.idTag(0), 10), 'FIRST');
    await s.bms.write(A.auth.status(0), 0);
    await s.bms.write1(A.auth.processed(0), 1);
    assert.strictEqual((await p1).idTagInfo.status, 'Accepted');
    // the second request appears in the registers once the first is done
    await flagUp(s, A.auth.flag(0));
    assert.strictEqual(await s.bms.str(A.auth.idTag(0), 10), 'SECOND');
    await s.bms.write(A.auth.status(0), 3);
    await s.bms.write1(A.auth.processed(0), 1);
    assert.strictEqual((await p2).idTagInfo.status, 'Invalid');
  } finally { await s.stop(); }
});
