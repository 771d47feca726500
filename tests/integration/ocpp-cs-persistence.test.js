'use strict';
// ocpp_cs persistence: gatewayd is killed with SIGKILL in the middle of a
// transaction, restarted on the same state directory, and the transaction
// stops cleanly with the right data in the registers. Local lists and
// their versions survive too.
const test = require('node:test');
const assert = require('node:assert');
const { tmpDir } = require('./lib/gatewayd');
const { A, startCs, strRegs, iso } = require('./lib/ocpp-cs');

test('SIGKILL mid-transaction: restart, the transaction stops cleanly', async () => {
  const dir = tmpDir('gw-ocpp-kill-');
  let s = await startCs({ dir, cs: { bms_timeout_ms: 300 } });
  let txn;
  const start = '2024-06-01T08:00:00Z';
  try {
    const { c } = await s.boot('CP0');
    c.handle('SendLocalList', () => ({ status: 'Accepted' }));
    const p = c.call('StartTransaction', { connectorId: 1, idTag: 'KILL-ME', meterStart: 1000, timestamp: start });
    await s.bms.waitU16(A.start.flag(0), (v) => v === 1, 'start flag');
    await s.bms.write(A.start.status(0), [0, 777]);
    await s.bms.write1(A.start.processed(0), 1);
    txn = (await p).transactionId;
    assert.strictEqual(txn, 777);
    await s.bms.write(A.sendLocalList.flag(0), [1, 1, ...strRegs('SAVED', 10), ...strRegs('', 10), 0, 0, 1]);
    await s.bms.waitU16(A.sendLocalList.flag(0), (v) => v === 0, 'list sent');
  } finally {
    await s.gw.stop('SIGKILL');
    for (const ch of s.chargers) await ch.close({ force: true }).catch(() => {});
    await s.bms.close();
  }
  assert.strictEqual(s.gw.exited.signal, 'SIGKILL');

  s = await startCs({ dir, cs: { bms_timeout_ms: 300 } });
  try {
    await s.gw.waitForLog(/restored 1 open transaction/);
    // the connector shows the open transaction before the charger is even back
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), 'KILL-ME');
    assert.strictEqual(await s.bms.float(A.conn.txMeterStart(0, 1)), 1000);
    assert.strictEqual(await s.bms.u32(A.conn.txTimestamp(0, 1)), Date.parse(start) / 1000);
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 1)), 777, 'current transaction id restored');
    const { c } = await s.boot('CP0');
    const p = c.call('StopTransaction', { transactionId: txn, idTag: 'KILL-ME', meterStop: 4321, timestamp: iso(), reason: 'Local' });
    await s.bms.waitU16(A.stop.flag(0), (v) => v === 1, 'stop flag');
    assert.strictEqual(await s.bms.u16(A.stop.txn(0)), 777);
    assert.strictEqual(await s.bms.float(A.stop.meter(0)), 4321);
    assert.strictEqual(await s.bms.str(A.stop.idTag(0), 10), 'KILL-ME');
    assert.strictEqual(await s.bms.u16(A.stop.reason(0)), 4);
    await s.bms.write(A.stop.status(0), 0);
    await s.bms.write1(A.stop.processed(0), 1);
    assert.strictEqual((await p).idTagInfo.status, 'Accepted');
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), '');
    assert.strictEqual(await s.bms.u16(A.conn.txId(0, 1)), 0);
    // the local list (and its version) came back too: the fallback uses it
    assert.strictEqual((await c.call('Authorize', { idTag: 'SAVED' })).idTagInfo.status, 'Blocked');
    c.handle('GetLocalListVersion', () => ({ listVersion: 1 }));
    c.handle('SendLocalList', (x) => ({ status: x.params.listVersion === 2 ? 'Accepted' : 'Failed' }));
    await s.bms.write(A.sendLocalList.flag(0), [1, 2, ...strRegs('SAVED', 10)]);
    await s.bms.waitU16(A.sendLocalList.flag(0), (v) => v === 0, 'list edit');
    assert.strictEqual(await s.bms.u16(A.sendLocalList.result(0)), 0, 'next version is 2');
  } finally { await s.stop(); }
});
