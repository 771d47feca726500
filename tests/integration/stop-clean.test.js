'use strict';
// Issue 11 item 9: a normal stop (SIGTERM) says "going away" (1001) to
// every charger instead of dropping it (1006), ends Modbus TCP clients
// with a FIN, and a charger that never reads cannot hold the exit.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const crypto = require('node:crypto');
const WebSocket = require('ws');
const { startCs, until } = require('./lib/ocpp-cs');
const { freePort } = require('./lib/gatewayd');
const { startUpstream, startBridge } = require('./lib/bridge-site');

const EXIT_BOUND_MS = 8000; // generous: the stop itself waits at most ~1 s

function wsClosed(ws) {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

async function sigterm(site) {
  const t0 = Date.now();
  site.gw.child.kill('SIGTERM');
  const ex = await Promise.race([
    site.gw.exit,
    new Promise((r) => setTimeout(() => r({ timeout: true }), EXIT_BOUND_MS)),
  ]);
  if (ex.timeout) site.gw.child.kill('SIGKILL');
  return { ex, ms: Date.now() - t0 };
}

test('SIGTERM: chargers get close code 1001, Modbus clients a FIN, exit 0', async () => {
  const site = await startCs();
  try {
    const ws = new WebSocket(`${site.url}/CP0`, 'ocpp1.6');
    await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
    const closed = wsClosed(ws);
    const rpc = await site.charger('CP1');
    const rpcClosed = new Promise((resolve) => rpc.once('close', (e) => resolve(e.code)));

    const mb = net.connect(site.mbPort, '127.0.0.1');
    await new Promise((res, rej) => { mb.on('connect', res); mb.on('error', rej); });
    const mbEnd = new Promise((resolve) => {
      mb.on('end', () => resolve('end'));
      mb.on('error', (e) => resolve(e.code));
    });

    const { ex } = await sigterm(site);
    assert.deepStrictEqual(ex, { code: 0, signal: null }, site.gw.stderr);
    assert.strictEqual(await closed, 1001);
    assert.strictEqual(await rpcClosed, 1001);
    assert.strictEqual(await mbEnd, 'end');
    mb.destroy();
  } finally {
    await site.stop();
  }
});

test('SIGTERM: a charger that never reads does not hold the exit', async () => {
  const site = await startCs();
  try {
    // The WebSocket handshake by hand, then the socket is paused for good:
    // gatewayd's close frame (and anything else) is never read.
    const sock = net.connect(site.wsPort, '127.0.0.1');
    await new Promise((res, rej) => { sock.on('connect', res); sock.on('error', rej); });
    sock.on('error', () => {});
    const key = crypto.randomBytes(16).toString('base64');
    sock.write(`GET /ocpp/CP0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n`);
    const head = await new Promise((resolve) => {
      let got = '';
      const on = (d) => {
        got += d.toString('latin1');
        if (got.includes('\r\n\r\n')) { sock.off('data', on); resolve(got); }
      };
      sock.on('data', on);
    });
    assert.match(head, /^HTTP\/1\.1 101 /);
    sock.pause();
    // a well-behaved charger next to it still gets its 1001
    const ws = new WebSocket(`${site.url}/CP1`, 'ocpp1.6');
    await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
    const closed = wsClosed(ws);

    const { ex, ms } = await sigterm(site);
    assert.deepStrictEqual(ex, { code: 0, signal: null }, `after ${ms} ms\n${site.gw.stderr}`);
    assert.strictEqual(await closed, 1001);
    sock.destroy();
  } finally {
    await site.stop();
  }
});

test('SIGTERM on the bridge: the charger and the upstream CS both get 1001', async () => {
  const up = await startUpstream();
  const site = await startBridge(up.url);
  try {
    const c = await site.charger('CP0');
    const cpClosed = new Promise((resolve) => c.once('close', (e) => resolve(e.code)));
    await c.call('Heartbeat', {});
    await until(() => up.clients.has('CP0'), 5000, 'upstream connection of CP0');
    const upClosed = new Promise((resolve) => up.clients.get('CP0').once('close', (e) => resolve(e.code)));

    const { ex, ms } = await sigterm(site);
    assert.deepStrictEqual(ex, { code: 0, signal: null }, `after ${ms} ms\n${site.gw.stderr}`);
    assert.strictEqual(await cpClosed, 1001);
    assert.strictEqual(await upClosed, 1001);
  } finally {
    await site.stop();
    await up.close();
  }
});

test('SIGTERM: a diag viewer gets 1001', async () => {
  const port = await freePort();
  const site = await startCs({ groups: { diag: { port } } });
  try {
    await site.gw.waitForLog(/diag/);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
    await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
    const closed = wsClosed(ws);
    const { ex, ms } = await sigterm(site);
    assert.deepStrictEqual(ex, { code: 0, signal: null }, `after ${ms} ms\n${site.gw.stderr}`);
    assert.strictEqual(await closed, 1001);
  } finally {
    await site.stop();
  }
});
