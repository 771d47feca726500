'use strict';
// ocpp_bridge's scan list, as ocpp_cs keeps it: an unknown ChargerID is
// refused with 404 and recorded (address, first/last seen, attempts); the
// list is shown as read-only points ocpp_bridge.scan.*, published as
// ocpp.scan events (seen here through the diag plugin's /api/v1/scan) and
// printed on stdout on SIGUSR1. Known chargers and wrong paths are not
// recorded.
const test = require('node:test');
const assert = require('node:assert');
const WebSocket = require('ws');
const { freePort } = require('./lib/gatewayd');
const { until, startUpstream, startBridge } = require('./lib/bridge-site');

function knock(url, protocols = ['ocpp1.6']) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => { ws.close(); reject(new Error('admitted')); });
    ws.once('unexpected-response', (req, res) => resolve(res.statusCode));
    ws.once('error', reject);
  });
}

test('unknown chargers go to the scan list: points, ocpp.scan events, SIGUSR1 dump', async () => {
  const up = await startUpstream();
  const diagPort = await freePort();
  const s = await startBridge(up.url, {
    bridge: { scan_list_size: 2 },
    groups: { diag: { enabled: true, bind: '127.0.0.1', port: diagPort } },
  });
  try {
    assert.strictEqual(await knock(`${s.url}/ROGUE-1`), 404);
    assert.strictEqual(await knock(`${s.url}/ROGUE-1`), 404);
    assert.strictEqual(await knock(`${s.url}/Other%20One`), 404);
    const c = await s.charger('CP0'); // a known charger is not recorded
    await c.call('Heartbeat', {});
    // logged once per peer and minute: the first refusal from 127.0.0.1
    // (wrong paths and subprotocols: tests/robustness/ocpp-handshake-refusals)
    await s.gw.waitForLog(/unknown charger 'ROGUE-1' from 127\.0\.0\.1 refused \(HTTP 404\)/);
    assert.strictEqual(up.connections, 1, 'only CP0 reached upstream');

    // ocpp.scan events, as the diag plugin collects them
    const scan = async () => (await (await fetch(`http://127.0.0.1:${diagPort}/api/v1/scan`)).json()).scan;
    await until(async () => (await scan()).length === 2, 5000, 'diag scan list');
    const byId = Object.fromEntries((await scan()).map((e) => [e.charger_id, e]));
    assert.strictEqual(byId['ROGUE-1'].attempts, 2);
    assert.strictEqual(byId['ROGUE-1'].address, '127.0.0.1');
    assert.ok(byId['ROGUE-1'].last_seen >= byId['ROGUE-1'].first_seen);
    assert.strictEqual(byId['Other One'].attempts, 1);

    // the points and the list itself on SIGUSR1
    s.gw.child.kill('SIGUSR1');
    await until(() => /# ocpp_bridge scan list: 2 refused/.test(s.gw.stdout), 5000, 'scan dump');
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\tROGUE-1\t127\.0\.0\.1\t\S+Z\t\S+Z\t2\tunknown id\n/);
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\tOther One\t127\.0\.0\.1\t\S+Z\t\S+Z\t1\tunknown id\n/);
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\.count\t\S+\t\S+\t2\n/);
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\.0\.charger_id\t\S+\t\S+\t"?ROGUE-1/);
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\.0\.attempts\t\S+\t\S+\t2\n/);
    assert.match(s.gw.stdout, /ocpp_bridge\.scan\.1\.charger_id\t\S+\t\S+\t"?Other One/);

    // a full list (scan_list_size 2) makes room by dropping the entry seen longest ago
    await new Promise((r) => setTimeout(r, 5));
    assert.strictEqual(await knock(`${s.url}/ROGUE-1`), 404);
    assert.strictEqual(await knock(`${s.url}/NEWCOMER`), 404);
    const before = s.gw.stdout.length;
    s.gw.child.kill('SIGUSR1');
    await until(() => /# ocpp_bridge scan list: 2 refused/.test(s.gw.stdout.slice(before)), 5000, 'second dump');
    const dump = s.gw.stdout.slice(before);
    assert.match(dump, /ocpp_bridge\.scan\tNEWCOMER\t/);
    assert.match(dump, /ocpp_bridge\.scan\tROGUE-1\t[^\n]*\t3\tunknown id\n/);
    assert.doesNotMatch(dump, /ocpp_bridge\.scan\tOther One\t/);
  } finally { await s.stop(); await up.close(); }
});
