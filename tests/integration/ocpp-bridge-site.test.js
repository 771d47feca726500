'use strict';
// ocpp_bridge at site level: wss:// upstream verified against a test CA
// (and refused against another CA), check_upstream (the "Check connection"
// button), configuration errors, and 20 chargers relayed at once.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const { A, until, startUpstream, startBridge, makeTestCa, MAP } = require('./lib/bridge-site');
const { runGatewayd, toKeyFile, tmpDir, freePort } = require('./lib/gatewayd');

test('wss upstream: verified against the configured CA; another CA is refused with 502', async () => {
  const ca = makeTestCa();
  const up = await startUpstream({ tls: { key: ca.key, cert: ca.cert } });
  try {
    const s = await startBridge(up.url, { bridge: { ca_file: ca.caFile } });
    try {
      const c = await s.charger('CP0');
      await c.call('BootNotification', { chargePointVendor: 'TLS', chargePointModel: 'M' });
      assert.ok(up.clients.has('CP0'));
      assert.strictEqual(await s.bms.str(A.vendor(0), 10), 'TLS');
    } finally { await s.stop(); }

    const s2 = await startBridge(up.url, { bridge: { ca_file: ca.otherCaFile } });
    try {
      await assert.rejects(s2.charger('CP1'), /Bad Gateway/);
      await s2.gw.waitForLog(/charger 'CP1' from 127\.0\.0\.1 refused with HTTP 502/);
    } finally { await s2.stop(); }
  } finally { await up.close(); fs.rmSync(ca.dir, { recursive: true, force: true }); }
});

function checkConfig(dir, bridge) {
  const conf = path.join(dir, 'check.conf');
  fs.writeFileSync(conf, toKeyFile({
    core: { state_dir: path.join(dir, 'state') },
    ocpp_bridge: { bind_address: '127.0.0.1', port: 0, register_map: MAP, chargers: ['CP0'], check_upstream: true, connect_timeout: 2, ...bridge },
  }));
  return conf;
}

test('check_upstream: exit 0 with OK when upstream accepts, non-zero with the reason when not', async () => {
  const dir = tmpDir();
  const up = await startUpstream();
  try {
    const ok = await runGatewayd(['-c', checkConfig(dir, { upstream_url: up.url })]);
    assert.strictEqual(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /check_upstream: ws:\/\/127\.0\.0\.1:\d+\/cs\/CP0 OK \(subprotocol ocpp1\.6\)/);
    assert.ok(up.handshakes.some((h) => h.identity === 'CP0'));

    const port = await freePort();
    const bad = await runGatewayd(['-c', checkConfig(dir, { upstream_url: `ws://127.0.0.1:${port}/cs` })]);
    assert.notStrictEqual(bad.code, 0);
    assert.match(bad.stderr, /check_upstream: .* FAILED: HTTP 502/);
  } finally { await up.close(); }
  const up2 = await startUpstream({ auth: (accept, reject) => reject(401) });
  try {
    const denied = await runGatewayd(['-c', checkConfig(dir, { upstream_url: up2.url })]);
    assert.notStrictEqual(denied.code, 0);
    assert.match(denied.stderr, /FAILED: HTTP 401/);
  } finally { await up2.close(); }
});

test('configuration errors: bad upstream URL, unknown credential charger, charger in both ocpp_cs and ocpp_bridge', async () => {
  const dir = tmpDir();
  const run = async (groups) => {
    const conf = path.join(dir, 'bad.conf');
    fs.writeFileSync(conf, toKeyFile({ core: { state_dir: path.join(dir, 'state') }, ...groups }));
    return runGatewayd(['-c', conf]);
  };
  const base = { bind_address: '127.0.0.1', port: 0, register_map: MAP, chargers: ['CP0'] };
  let r = await run({ ocpp_bridge: { ...base, upstream_url: 'http://x/cs' } });
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /upstream_url: 'http:\/\/x\/cs': the scheme must be ws:\/\/ or wss:\/\//);
  r = await run({ ocpp_bridge: { ...base, upstream_url: 'ws://127.0.0.1:1/cs', upstream_credentials: ['CPX=a:b'] } });
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /upstream_credentials: charger 'CPX' is not configured/);
  r = await run({ ocpp_bridge: { ...base } });
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /upstream_url/);
  r = await run({
    ocpp_cs: { bind_address: '127.0.0.1', port: 0, register_map: MAP, chargers: ['CP0'] },
    ocpp_bridge: { ...base, upstream_url: 'ws://127.0.0.1:1/cs' },
  });
  assert.strictEqual(r.code, 2, 'the same charger in both plugins must not start');
  // found before init from what each plugin claims; port 0 twice is no clash
  assert.match(r.stderr, /\[ocpp_bridge\] chargers: charger-index 0 is also claimed by \[ocpp_cs\] chargers\n/);
  assert.match(r.stderr, /\[ocpp_bridge\] chargers: charger-id CP0 is also claimed by \[ocpp_cs\] chargers\n/);
  assert.doesNotMatch(r.stderr, /\] port: /);
});

test('20 chargers relayed at once, each with its own upstream connection and registers', async () => {
  const up = await startUpstream();
  const ids = Array.from({ length: 20 }, (_, i) => `CP${String(i).padStart(2, '0')}`);
  const s = await startBridge(up.url, { chargers: ids.map((id) => `${id}:2`) });
  try {
    const chargers = await Promise.all(ids.map((id) => s.charger(id)));
    await Promise.all(chargers.map((c, i) => c.call('BootNotification', { chargePointVendor: `V${i}`, chargePointModel: 'M' })));
    await Promise.all(chargers.map((c, i) => c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Charging' : 'Available' })));
    assert.strictEqual(up.clients.size, 20);
    for (let i = 0; i < 20; i++) {
      assert.strictEqual(await s.bms.u16(A.comm(i)), 0, `comm ${i}`);
      assert.strictEqual(await s.bms.str(A.vendor(i), 10), `V${i}`);
      await until(async () => (await s.bms.u16(A.conn.status(i, 1))) === (i % 2 ? 2 : 0), 3000, `status ${i}`);
    }
    // every frame of every charger reached upstream unchanged
    for (let i = 0; i < 20; i++) {
      const sent = chargers[i].frames.filter((f) => f.outbound).map((f) => f.text);
      const got = up.frames.filter((f) => !f.outbound && f.id === ids[i]).map((f) => f.text);
      assert.deepStrictEqual(got, sent, ids[i]);
    }
  } finally { await s.stop(); await up.close(); }
});
