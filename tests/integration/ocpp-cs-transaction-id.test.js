'use strict';
// ocpp_cs: each connector's current-transaction-id register (1412 + 2000*xx
// + yy, read-only). StartTransaction's offset 128 only holds the id of the
// latest start, so a BMS that wants to RemoteStop a charge reads it here:
// the id of the open transaction, 0 when there is none.
const test = require('node:test');
const assert = require('node:assert');
const { A, startCs, iso } = require('./lib/ocpp-cs');

const exceptionOf = (p) => p.then(() => null, (e) => e.modbusCode);

test('current transaction id per connector: gateway-allocated id while open, 0 after stop', async () => {
  // a short bms_timeout: the fallback answers, so the gateway allocates the ids
  const s = await startCs({ cs: { bms_timeout_ms: 200 } });
  try {
    const { c } = await s.boot('CP0');
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 1)), 0, 'no transaction yet');
    const t1 = await c.call('StartTransaction', { connectorId: 1, idTag: 'TAG-1', meterStart: 10, timestamp: iso() });
    assert.ok(t1.transactionId >= 1 && t1.transactionId <= 65535);
    await s.bms.waitU16(A.conn.txId(0, 1), (v) => v === t1.transactionId, 'connector 1 id');
    // a start on connector 2 overwrites offset 128 but not connector 1's id
    const t2 = await c.call('StartTransaction', { connectorId: 2, idTag: 'TAG-2', meterStart: 20, timestamp: iso() });
    assert.notStrictEqual(t2.transactionId, t1.transactionId);
    await s.bms.waitU16(A.conn.txId(0, 2), (v) => v === t2.transactionId, 'connector 2 id');
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 1)), t1.transactionId);
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 0)), 0, 'connector 0 (the charge point) has none');
    assert.strictEqual(await s.bms.u16(A.conn.txId(1, 1)), 0, 'another charger has none');

    // the BMS stops connector 1's charge with the id read from its register
    c.handle('RemoteStopTransaction', ({ params }) => {
      assert.strictEqual(params.transactionId, t1.transactionId);
      return { status: 'Accepted' };
    });
    await s.bms.write(A.remoteStop.txn(0), await s.bms.u16(A.conn.txId(0, 1)));
    await s.bms.write1(A.remoteStop.flag(0), 1);
    await s.bms.waitU16(A.remoteStop.flag(0), (v) => v === 0, 'RemoteStop done');
    assert.strictEqual(await s.bms.u16(A.remoteStop.result(0)), 0, 'Accepted');

    // read-only: a BMS write answers exception 02
    assert.strictEqual(await exceptionOf(s.bms.write1(A.conn.txId(0, 1), 7)), 2);

    await c.call('StopTransaction', { transactionId: t1.transactionId, meterStop: 30, timestamp: iso() });
    await s.bms.waitU16(A.conn.txId(0, 1), (v) => v === 0, 'connector 1 id cleared');
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 2)), t2.transactionId);
    await c.call('StopTransaction', { transactionId: t2.transactionId, meterStop: 40, timestamp: iso() });
    await s.bms.waitU16(A.conn.txId(0, 2), (v) => v === 0, 'connector 2 id cleared');
  } finally { await s.stop(); }
});
