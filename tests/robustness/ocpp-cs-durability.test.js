'use strict';
// Issue 10, item 2: nothing ocpp_cs confirms to a charger may be lost, and
// no transaction id may be handed out twice, whatever the disk does. The
// state directory is a 64 KiB tmpfs that gets full; gatewayd is killed
// with SIGKILL and restarted on it; chargers are ocpp-rpc clients in
// strict mode, the BMS a modbus-serial master.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { tmpDir, waitFor } = require('../integration/lib/gatewayd');
const { A, startCs, iso } = require('../integration/lib/ocpp-cs');
const { mountUnavailable, mountTmpfs } = require('./lib/state-disk');

const noMount = mountUnavailable();
const diskTest = (name, fn) => (noMount ? test(`${name} (skipped: ${noMount})`, { skip: noMount }, () => {}) : test(name, fn));

const CS = { bms_timeout_ms: 200 }; // a silent BMS: the fallback answers (Accepted, gateway's ids)

/** A point's value from the SIGUSR1 dump (name<TAB>type<TAB>quality<TAB>value). */
async function dumpPoint(gw, name) {
  const from = gw.stdout.length;
  gw.child.kill('SIGUSR1');
  await waitFor(() => /^# \d+ points$/m.test(gw.stdout.slice(from)), 5000, 'point dump', gw);
  const line = gw.stdout.slice(from).split('\n').find((l) => l.split('\t')[0] === name);
  return line ? line.split('\t')[3] : undefined;
}

function startTxn(c, connectorId, idTag, meterStart = 100, timestamp = '2025-01-01T10:00:00Z') {
  return c.call('StartTransaction', { connectorId, idTag, meterStart, timestamp });
}
function stopTxn(c, transactionId, meterStop = 200) {
  return c.call('StopTransaction', { transactionId, meterStop, timestamp: iso(), reason: 'Local' });
}
async function rejects(p, code) {
  await assert.rejects(p, (e) => { assert.strictEqual(e.rpcErrorCode, code, e.message); return true; });
}

async function kill(s) {
  await s.gw.stop('SIGKILL');
  for (const ch of s.chargers) await ch.close({ force: true }).catch(() => {});
  await s.bms.close();
}

diskTest('disk full: Start/StopTransaction answered InternalError, kept once space returns, across SIGKILL', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const dir = tmpDir('gw-durable-full-');
  let s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  let t1, t2;
  try {
    const { c } = await s.boot('CP0');
    t1 = (await startTxn(c, 1, 'FIRST')).transactionId;
    assert.ok(t1 > 0);
    assert.strictEqual(await dumpPoint(s.gw, 'state.write_failed'), '0');

    disk.fill();
    // not confirmed: the charger keeps the messages and retries them (OCPP 1.6 §4.7)
    await rejects(startTxn(c, 2, 'SECOND', 300), 'InternalError');
    await rejects(stopTxn(c, t1), 'InternalError');
    await s.gw.waitForLog(/cannot save .*state\.json: No space left on device/);
    assert.strictEqual(await dumpPoint(s.gw, 'state.write_failed'), '1');
    assert.ok(Number(await dumpPoint(s.gw, 'state.write_errors')) >= 1);

    disk.free();
    await s.gw.waitForLog(/state saved again/, 5000);
    assert.strictEqual(await dumpPoint(s.gw, 'state.write_failed'), '0');
    // the charger's retries are confirmed now, with the same data
    t2 = (await startTxn(c, 2, 'SECOND', 300)).transactionId;
    assert.ok(t2 > 0 && t2 !== t1, `t2 ${t2}`);
    assert.strictEqual((await stopTxn(c, t1)).idTagInfo, undefined);
  } finally { await kill(s); }

  s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  try {
    await s.gw.waitForLog(/restored 1 open transaction/);
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), '', 'the confirmed stop stays done');
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 2), 10), 'SECOND');
    assert.strictEqual(await s.bms.float(A.conn.txMeterStart(0, 2)), 300);
    const { c } = await s.boot('CP0');
    const t3 = (await startTxn(c, 1, 'THIRD')).transactionId;
    assert.ok(![t1, t2].includes(t3), `id ${t3} handed out again (had ${t1}, ${t2})`);
  } finally { await s.stop(); }
});

diskTest('transaction ids are never handed out again after a full disk and SIGKILL', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const dir = tmpDir('gw-durable-ids-');
  const confirmed = [];
  let s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  try {
    const { c } = await s.boot('CP0');
    for (let i = 0; i < 10; i++) {
      const id = (await startTxn(c, 1, `T${i}`, i)).transactionId;
      confirmed.push(id);
      await stopTxn(c, id);
    }
    disk.fill();
    // whatever the gateway answers now, an id it gives must stay unique
    for (let i = 10; i < 20; i++) {
      try { confirmed.push((await startTxn(c, 2, `T${i}`, i)).transactionId); } catch (e) {
        assert.strictEqual(e.rpcErrorCode, 'InternalError');
      }
    }
  } finally { await kill(s); }
  disk.free();
  s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  try {
    const { c } = await s.boot('CP0');
    for (let i = 0; i < 10; i++) {
      const id = (await startTxn(c, 1, `U${i}`, 1000 + i)).transactionId;
      assert.ok(!confirmed.includes(id), `id ${id} handed out again (confirmed before: ${confirmed})`);
      confirmed.push(id);
      await stopTxn(c, id);
    }
  } finally { await s.stop(); }
});

diskTest('a read-only state disk at run time is reported and recovers when writable again', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const dir = tmpDir('gw-durable-ro-');
  const s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  try {
    const { c } = await s.boot('CP0');
    disk.remount('ro');
    await rejects(startTxn(c, 1, 'RO'), 'InternalError');
    await s.gw.waitForLog(/cannot save .*Read-only file system/);
    assert.strictEqual(await dumpPoint(s.gw, 'state.write_failed'), '1');
    disk.remount('rw');
    await s.gw.waitForLog(/state saved again/, 5000);
    assert.ok((await startTxn(c, 1, 'RO')).transactionId > 0);
  } finally { await s.stop(); }
});

test('ids stay unique across SIGKILL right after each confirmation', async () => {
  const dir = tmpDir('gw-durable-kill-');
  const seen = new Set();
  for (let round = 0; round < 3; round++) {
    const s = await startCs({ dir, cs: CS });
    try {
      const { c } = await s.boot('CP0');
      for (let i = 0; i < 4; i++) {
        const id = (await startTxn(c, 1 + (i % 2), `K${round}-${i}`, round * 10 + i)).transactionId;
        assert.ok(!seen.has(id), `id ${id} handed out twice`);
        seen.add(id);
        if (i % 2 === 1) await stopTxn(c, id);
      }
      // stop the transaction on connector 1 too so the next round starts free
      await c.call('StopTransaction', { transactionId: [...seen][seen.size - 2], meterStop: 1, timestamp: iso() });
    } finally { await kill(s); }
  }
});

test('a StartTransaction on a connector that does not exist: PropertyConstraintViolation, nothing stored', async () => {
  const dir = tmpDir('gw-durable-conn-');
  const s = await startCs({ dir, cs: CS });
  try {
    const { c } = await s.boot('CP0'); // two connectors
    for (const connectorId of [0, -1, 3, 99, 4294967297]) {
      await rejects(startTxn(c, connectorId, 'NOWHERE'), 'PropertyConstraintViolation');
      assert.strictEqual(await s.bms.u16(A.start.flag(0)), 0, `connector ${connectorId}: the BMS was not asked`);
    }
    for (const y of [1, 2]) assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, y), 10), '');
    const file = path.join(dir, 'state', 'ocpp_cs', 'state.json');
    if (fs.existsSync(file)) assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, 'utf8')).transactions, []);
    // the counter did not move either
    assert.strictEqual((await startTxn(c, 1, 'REAL')).transactionId, 1);
  } finally { await s.stop(); }
});

test('a second StartTransaction on a busy connector supersedes the open one (its Stop cannot come any more)', async () => {
  const dir = tmpDir('gw-durable-busy-');
  const s = await startCs({ dir, cs: CS });
  try {
    const { c } = await s.boot('CP0');
    const first = (await startTxn(c, 1, 'OLD', 100, '2025-01-01T10:00:00Z')).transactionId;
    // the very same StartTransaction again (its answer was lost): same id
    assert.strictEqual((await startTxn(c, 1, 'OLD', 100, '2025-01-01T10:00:00Z')).transactionId, first);
    const second = await startTxn(c, 1, 'NEW', 500, '2025-01-01T11:00:00Z');
    assert.notStrictEqual(second.transactionId, first);
    assert.strictEqual(second.idTagInfo.status, 'Accepted');
    await s.gw.waitForLog(new RegExp(`CP0: connector 1: transaction ${first} superseded by ${second.transactionId}`));
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), 'NEW');
    assert.strictEqual(await s.bms.float(A.conn.txMeterStart(0, 1)), 500);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'ocpp_cs', 'state.json'), 'utf8'));
    assert.deepStrictEqual(state.transactions.map((t) => t.id), [second.transactionId]);
    // a late Stop for the superseded one is still acknowledged
    await stopTxn(c, first);
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), 'NEW');
  } finally { await s.stop(); }
});

diskTest('SIGTERM while the state disk is full: a prompt, orderly exit, and the state on disk is the last one saved', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const dir = tmpDir('gw-durable-term-');
  let s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  let t1;
  try {
    const { c } = await s.boot('CP0');
    t1 = (await startTxn(c, 1, 'KEPT')).transactionId;
    disk.fill();
    await rejects(startTxn(c, 2, 'NOT-SAVED'), 'InternalError');
    const t0 = Date.now();
    await s.gw.stop('SIGTERM');
    assert.strictEqual(s.gw.exited.code, 0, s.gw.stderr);
    assert.ok(Date.now() - t0 < 5000, `exit took ${Date.now() - t0} ms`);
  } finally { await kill(s); }
  disk.free();
  s = await startCs({ dir, core: { state_dir: disk.dir }, cs: CS });
  try {
    await s.gw.waitForLog(/restored 1 open transaction/);
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), 'KEPT');
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 2), 10), '', 'never confirmed, never stored');
    const { c } = await s.boot('CP0');
    // the charger retries the start it was refused: it is recorded now, with a fresh id
    const t2 = (await startTxn(c, 2, 'NOT-SAVED')).transactionId;
    assert.notStrictEqual(t2, t1);
  } finally { await s.stop(); }
});
