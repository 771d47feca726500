'use strict';
// A listener that cannot bind at start-up (its port taken after
// --check-config said OK) stops start-up: exit 2, no signal, and the line
// "FILE: [group] port: cannot listen on ADDRESS port N: Address already in
// use"; nothing keeps running without its listener.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { run, writeConf, MAP, freePort } = require('./lib/config-errors');

function occupy(port) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

const GROUPS = {
  ocpp_cs: (port) => ({ bind_address: '127.0.0.1', port, register_map: MAP, chargers: 'CP1' }),
  ocpp_bridge: (port) => ({ bind_address: '127.0.0.1', port, register_map: MAP, chargers: 'CP1',
                            upstream_url: 'ws://127.0.0.1:1/ocpp' }),
  modbus_tcp: (port) => ({ bind_address: '127.0.0.1', port, register_map: MAP }),
  diag: (port) => ({ bind: '127.0.0.1', port }),
};

for (const [plugin, group] of Object.entries(GROUPS)) {
  test(`${plugin}: a port in use at start-up stops start-up with exit 2 naming [${plugin}] port`, async () => {
    const port = await freePort();
    const p = writeConf({ [plugin]: group(port) });
    const check = await run(['--check-config', '-c', p]);
    assert.strictEqual(check.code, 0, check.stderr); // free when checked
    const squatter = await occupy(port);
    try {
      const r = await run(['-c', p]);
      const ctx = `${JSON.stringify({ code: r.code, signal: r.signal, timedOut: r.timedOut })}\n${r.stderr}`;
      assert.strictEqual(r.signal, null, ctx);
      assert.strictEqual(r.code, 2, ctx);
      const line = `${p}: [${plugin}] port: cannot listen on 127.0.0.1 port ${port}: Address already in use`;
      assert.ok(r.stderr.split('\n').includes(line), `no line "${line}"\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\] running: /);
    } finally {
      squatter.close();
    }
  });
}
