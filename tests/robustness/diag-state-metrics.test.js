'use strict';
// Issue 10, item 2: a full or read-only state disk is reported as a metric
// too. diag's /metrics shows, per ocpp_cs instance, the failed writes of
// its state file (a counter) and whether writing fails now (a gauge),
// labelled with the configured instance name. The state directory is a
// 64 KiB tmpfs (tests/robustness/lib/state-disk.js) that gets full, then
// emptied.
const test = require('node:test');
const assert = require('node:assert');
const { tmpDir, freePort } = require('../integration/lib/gatewayd');
const { startCs, until } = require('../integration/lib/ocpp-cs');
const { mountUnavailable, mountTmpfs } = require('./lib/state-disk');

const noMount = mountUnavailable();
const diskTest = (name, fn) => (noMount ? test(`${name} (skipped: ${noMount})`, { skip: noMount }, () => {}) : test(name, fn));

const CS = { bms_timeout_ms: 200 }; // a silent BMS: the fallback answers

async function metrics(port) {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.strictEqual(r.status, 200);
  return r.text();
}

/** The value of one series, or undefined when it is absent. */
function series(text, name, instance) {
  const re = new RegExp(`^${name}\\{instance="${instance}"\\} (\\d+)$`, 'm');
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

function startTxn(c, connectorId, idTag) {
  return c.call('StartTransaction', { connectorId, idTag, meterStart: 100, timestamp: '2025-01-01T10:00:00Z' });
}

diskTest('disk full: /metrics counts the failed state writes and shows ocpp_cs failing, then ok once space returns', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const diagPort = await freePort();
  const s = await startCs({ dir: tmpDir('gw-state-metrics-'), core: { state_dir: disk.dir }, cs: CS,
                            groups: { diag: { bind: '127.0.0.1', port: diagPort } } });
  try {
    const { c } = await s.boot('CP0');
    assert.ok((await startTxn(c, 1, 'FIRST')).transactionId > 0);
    let m = await metrics(diagPort);
    assert.match(m, /^# TYPE gatewayd_state_write_errors_total counter$/m);
    assert.match(m, /^# TYPE gatewayd_state_write_failing gauge$/m);
    assert.strictEqual(series(m, 'gatewayd_state_write_errors_total', 'ocpp_cs'), 0, m);
    assert.strictEqual(series(m, 'gatewayd_state_write_failing', 'ocpp_cs'), 0, m);
    // only instances that keep a state file have series
    assert.doesNotMatch(m, /gatewayd_state_write_\w+\{instance="(modbus_tcp|diag)"\}/);

    disk.fill();
    await assert.rejects(startTxn(c, 2, 'SECOND'), (e) => e.rpcErrorCode === 'InternalError');
    await until(async () => series(await metrics(diagPort), 'gatewayd_state_write_failing', 'ocpp_cs') === 1,
      5000, 'the failing gauge at 1');
    m = await metrics(diagPort);
    const failed = series(m, 'gatewayd_state_write_errors_total', 'ocpp_cs');
    assert.ok(failed >= 1, m);

    disk.free();
    await s.gw.waitForLog(/state saved again/, 5000);
    m = await metrics(diagPort);
    assert.strictEqual(series(m, 'gatewayd_state_write_failing', 'ocpp_cs'), 0, m);
    // a counter never goes back
    assert.ok(series(m, 'gatewayd_state_write_errors_total', 'ocpp_cs') >= failed, m);
    assert.ok((await startTxn(c, 2, 'SECOND')).transactionId > 0);
  } finally { await s.stop(); }
});

diskTest('a read-only state disk shows as failing in /metrics and recovers when writable again', async (t) => {
  const disk = mountTmpfs('64k');
  t.after(() => disk.umount());
  const diagPort = await freePort();
  const s = await startCs({ dir: tmpDir('gw-state-metrics-ro-'), core: { state_dir: disk.dir }, cs: CS,
                            groups: { diag: { bind: '127.0.0.1', port: diagPort } } });
  try {
    const { c } = await s.boot('CP0');
    disk.remount('ro');
    await assert.rejects(startTxn(c, 1, 'RO'), (e) => e.rpcErrorCode === 'InternalError');
    await until(async () => series(await metrics(diagPort), 'gatewayd_state_write_failing', 'ocpp_cs') === 1,
      5000, 'the failing gauge at 1');
    disk.remount('rw');
    await until(async () => series(await metrics(diagPort), 'gatewayd_state_write_failing', 'ocpp_cs') === 0,
      5000, 'the failing gauge back at 0');
  } finally { await s.stop(); }
});
