'use strict';
// Issue 10, item 3: what no single plugin can see -- two instances on one
// port, one serial device, one charger -- is found by --check-config and
// start-up alike from the resources each validate() claims
// (gw_config_claim): the same "FILE: [group] key: reason" line naming both
// groups, exit 2, never a signal, before any init (nothing listens, no
// state file). What does not clash still starts.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { expectRefused, writeConf, run, MAP, freePort, tmpDir } = require('./lib/config-errors');
const { startGatewayd } = require('../integration/lib/gatewayd');

const UP = 'ws://127.0.0.1:1/ocpp';
const cs = (o) => ({ bind_address: '127.0.0.1', register_map: MAP, chargers: 'CP1', ...o });
const bridge = (o) => ({ bind_address: '127.0.0.1', register_map: MAP, upstream_url: UP, chargers: '5=BR5', ...o });
const tcp = (o) => ({ bind_address: '127.0.0.1', register_map: MAP, ...o });
const diag = (o) => ({ bind: '127.0.0.1', ...o });

/** expectRefused, and start-up reached no init (no plugin said a word). */
async function refused(groups, group, key, reason) {
  const r = await expectRefused(groups, group, key, reason);
  assert.match(r.start.stderr, /configuration problems?, nothing started/);
  assert.doesNotMatch(r.start.stderr, /listening on|viewer on|init failed|\] running: /);
  assert.ok(!fs.existsSync(path.join(path.dirname(r.path), 'state')), 'no state directory made');
  return r;
}

test('two listeners on one address and port: ocpp_cs and ocpp_bridge', async () => {
  const port = await freePort();
  await refused({ ocpp_cs: cs({ port }), ocpp_bridge: bridge({ port }) }, 'ocpp_bridge', 'port',
    new RegExp(`^tcp 127\\.0\\.0\\.1:${port} is also claimed by \\[ocpp_cs\\] port$`));
});

test('two instances of one plugin on one port: [modbus_tcp] and [modbus_tcp:b]', async () => {
  const port = await freePort();
  await refused({ modbus_tcp: tcp({ port }), 'modbus_tcp:b': tcp({ port }) }, 'modbus_tcp:b', 'port',
    new RegExp(`^tcp 127\\.0\\.0\\.1:${port} is also claimed by \\[modbus_tcp\\] port$`));
});

test('a wildcard address overlaps every address of its port: diag on 127.0.0.1 after modbus_tcp on 0.0.0.0', async () => {
  const port = await freePort();
  await refused({ modbus_tcp: tcp({ bind_address: '0.0.0.0', port }), diag: diag({ port }) }, 'diag', 'port',
    new RegExp(`^tcp 127\\.0\\.0\\.1:${port} overlaps 0\\.0\\.0\\.0:${port}, claimed by \\[modbus_tcp\\] port$`));
});

test(':: overlaps IPv4 addresses of its port too (dual stack): ocpp_cs on :: and diag on 127.0.0.1', async () => {
  const port = await freePort();
  await refused({ ocpp_cs: cs({ bind_address: '::', port }), diag: diag({ port }) }, 'diag', 'port',
    new RegExp(`^tcp 127\\.0\\.0\\.1:${port} overlaps \\[::\\]:${port}, claimed by \\[ocpp_cs\\] port$`));
});

test('the same charger index in ocpp_cs and ocpp_bridge, under other ChargerIDs', async () => {
  await refused({ ocpp_cs: cs({ port: await freePort(), chargers: '3=CP3;4=CP4' }),
                  ocpp_bridge: bridge({ port: await freePort(), chargers: '2=BR2;3=BR3;4=BR4' }) },
  'ocpp_bridge', 'chargers', /^charger-index 3, 4 are also claimed by \[ocpp_cs\] chargers$/);
});

test('the same ChargerID in ocpp_cs and ocpp_bridge, under other indexes', async () => {
  await refused({ ocpp_cs: cs({ port: await freePort(), chargers: '0=CP-A;1=SHARED-7' }),
                  ocpp_bridge: bridge({ port: await freePort(), chargers: '5=SHARED-7' }) },
  'ocpp_bridge', 'chargers', /^charger-id SHARED-7 is also claimed by \[ocpp_cs\] chargers$/);
});

test('every clash is reported at once, each naming both groups', async () => {
  const port = await freePort();
  const { check } = await refused({ ocpp_cs: cs({ port, chargers: '1=CP1' }), ocpp_bridge: bridge({ port, chargers: '1=CP1' }),
                                    diag: diag({ port }) }, 'diag', 'port', /also claimed by \[ocpp_cs\] port$/);
  for (const re of [/\[ocpp_bridge\] port: tcp .* also claimed by \[ocpp_cs\] port$/m,
                    /\[ocpp_bridge\] chargers: charger-index 1 is also claimed by \[ocpp_cs\] chargers$/m,
                    /\[ocpp_bridge\] chargers: charger-id CP1 is also claimed by \[ocpp_cs\] chargers$/m])
    assert.match(check.stderr, re);
  assert.match(check.stderr, /4 configuration problems, nothing started/);
});

test('two RTU instances on one serial device, also through a symlink to it', async () => {
  await refused({ modbus_rtu: { device: '/dev/ptmx', register_map: MAP },
                  'modbus_rtu:b': { device: '/dev/ptmx', register_map: MAP, first_charger: 20 } },
  'modbus_rtu:b', 'device', /^serial \/dev\/ptmx is also claimed by \[modbus_rtu\] device$/);
  const link = path.join(tmpDir('gw-serial-'), 'ttyLINK');
  fs.symlinkSync('/dev/ptmx', link);
  await refused({ modbus_rtu: { device: '/dev/ptmx', register_map: MAP },
                  'modbus_rtu:b': { device: link, register_map: MAP, first_charger: 20 } },
  'modbus_rtu:b', 'device', /^serial \/dev\/ptmx is also claimed by \[modbus_rtu\] device$/);
});

test('a clash sits beside a plugin\'s own refusal: both lines, one verdict', async () => {
  const port = await freePort();
  const { check } = await refused({ modbus_tcp: tcp({ port }), 'modbus_tcp:b': tcp({ port, register_map: '/nonexistent.csv' }) },
    'modbus_tcp:b', 'port', /also claimed by \[modbus_tcp\] port$/);
  assert.match(check.stderr, /\[modbus_tcp:b\] register_map: /);
});

/** Start the configuration, see it running, stop it cleanly. */
async function starts(groups) {
  const p = writeConf(groups);
  const check = await run(['--check-config', '-c', p]);
  assert.strictEqual(check.code, 0, check.stderr);
  assert.match(check.stdout, /configuration OK/);
  const gw = await startGatewayd(fs.readFileSync(p, 'utf8'), { dir: tmpDir('gw-ok-') });
  try {
    assert.match(gw.stderr, /\] running: /, gw.stderr);
  } finally {
    const e = await gw.stop();
    assert.deepStrictEqual(e, { code: 0, signal: null }, gw.stderr);
  }
}

test('no clash: every listener on its own port, two modbus_tcp instances, other chargers', async () => {
  await starts({ ocpp_cs: cs({ port: await freePort(), chargers: '0=CP0;1=CP1' }),
                 ocpp_bridge: bridge({ port: await freePort(), chargers: '2=BR2;3=BR3' }),
                 modbus_tcp: tcp({ port: await freePort() }), 'modbus_tcp:b': tcp({ port: await freePort(), unit_id: 2 }),
                 diag: diag({ port: await freePort() }) });
});

test('no clash: port 0 (any free port) twice', async () => {
  await starts({ ocpp_cs: cs({ port: 0, chargers: '0=CP0' }), ocpp_bridge: bridge({ port: 0, chargers: '1=BR1' }) });
});

test('no clash: one port on two different addresses (127.0.0.1 and ::1)', async () => {
  const port = await freePort();
  await starts({ modbus_tcp: tcp({ port }), 'modbus_tcp:b': tcp({ port, bind_address: '::1', unit_id: 2 }) });
});
