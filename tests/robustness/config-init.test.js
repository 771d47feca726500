'use strict';
// The init and start error paths that validation cannot see in advance
// (too many points for max_signals, a port taken after the check), for
// every plugin and with other plugins already initialised or started:
// exit 2, never a signal, and nothing leaked (run under ASan: ./dev.sh
// sanitize, or GW_BUILDDIR=_build-asan).
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { run, writeConf, MAP, freePort, tmpDir } = require('./lib/config-errors');

function assertStopped(r, re) {
  const ctx = `${JSON.stringify({ code: r.code, signal: r.signal, timedOut: r.timedOut })}\n${r.stderr}`;
  assert.strictEqual(r.signal, null, ctx);
  assert.strictEqual(r.code, 2, ctx);
  assert.match(r.stderr, re, ctx);
  assert.doesNotMatch(r.stderr, /\] running: /, ctx);
  assert.doesNotMatch(r.stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, ctx);
}

async function groups() {
  return {
    ocpp_cs: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP, chargers: '0=CP1:2;1=CP2:2' },
    ocpp_bridge: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP, chargers: '0=CP1:2',
                   upstream_url: 'ws://127.0.0.1:1/ocpp' },
    modbus_tcp: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP },
    modbus_rtu: { device: '/dev/ptmx', register_map: MAP },
    diag: { bind: '127.0.0.1', port: await freePort() },
  };
}

for (const plugin of ['ocpp_cs', 'ocpp_bridge']) {
  test(`${plugin}: too many points for max_signals fails init cleanly, after diag initialised`, async () => {
    const g = await groups();
    const p = writeConf({ core: { max_signals: 20, state_dir: tmpDir('gw-state-') },
                          diag: g.diag, [plugin]: g[plugin] });
    assertStopped(await run(['-c', p]), new RegExp(`plugin ${plugin}: init failed: too many points for \\[core\\] max_signals`));
  });
}

test('modbus_rtu: a terminal that cannot be opened fails init naming [modbus_rtu] device, exit 2', async () => {
  // /dev/tty is a terminal (validate() passes) that cannot be opened by a
  // process without a controlling terminal: init's open fails
  const g = await groups();
  const p = writeConf({ diag: g.diag, modbus_rtu: { ...g.modbus_rtu, device: '/dev/tty' } });
  const r = await run(['-c', p], 20000, { detached: true });
  assertStopped(r, /\[modbus_rtu\] device: cannot open serial device \/dev\/tty: /);
  assert.match(r.stderr, /plugin modbus_rtu: init failed/);
});

test('a point name taken at init by a plugin that claims nothing stops start-up cleanly, exit 2', async () => {
  // ocpp_cs and ocpp_bridge claim their chargers (config-conflicts.test.js
  // finds their clash before init); a plugin that does not can still
  // collide at init: the host then tears down what already initialised
  const g = await groups();
  const p = writeConf({ ocpp_cs: g.ocpp_cs, tp_good: { prefix: 'same' }, 'tp_good:b': { prefix: 'same' } });
  assertStopped(await run(['-c', p]), /plugin tp_good:b: init failed: a point name is already taken/);
});

test('a later listener whose port is taken stops start-up after earlier plugins started: all torn down, exit 2', async () => {
  const g = await groups();
  const squatter = net.createServer();
  await new Promise((resolve) => squatter.listen(g.diag.port, '127.0.0.1', resolve));
  try {
    const bridge = { ...g.ocpp_bridge, chargers: '5=CP5:2' }; // not ocpp_cs's indexes
    const p = writeConf({ ocpp_cs: g.ocpp_cs, modbus_tcp: g.modbus_tcp, ocpp_bridge: bridge, diag: g.diag });
    const r = await run(['-c', p]);
    assertStopped(r, new RegExp(`\\[diag\\] port: cannot listen on 127\\.0\\.0\\.1 port ${g.diag.port}: Address already in use`));
    assert.match(r.stderr, /start-up failed, exiting/);
  } finally {
    squatter.close();
  }
});

test('modbus_tcp\'s port taken fails its init after ocpp_cs initialised: exit 2, the line names [modbus_tcp] port', async () => {
  const g = await groups();
  const squatter = net.createServer();
  await new Promise((resolve) => squatter.listen(g.modbus_tcp.port, '127.0.0.1', resolve));
  try {
    const p = writeConf({ ocpp_cs: g.ocpp_cs, modbus_tcp: g.modbus_tcp });
    const r = await run(['-c', p]);
    assertStopped(r, new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\[modbus_tcp\\] port: cannot listen on 127\\.0\\.0\\.1 port ${g.modbus_tcp.port}: Address already in use$`, 'm'));
  } finally {
    squatter.close();
  }
});
