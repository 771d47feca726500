'use strict';
// Shared by the ocpp-bridge-*.test.js files: an external Central System
// (ocpp-rpc RPCServer in strict mode, over ws:// or wss://), a real gatewayd
// running ocpp_bridge + modbus_tcp on the default register map, chargers as
// ocpp-rpc clients in strict mode, the BMS as a modbus-serial master.
// Both peers record the raw text of every frame they send and receive, so
// the tests can compare bytes across the bridge.
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { RPCServer, RPCClient } = require('ocpp-rpc');
const { SRCDIR, startGatewayd, freePort, tmpDir } = require('./gatewayd');
const { A, Bms, until } = require('./ocpp-cs');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const iso = (ms = Date.now()) => new Date(ms).toISOString();

/**
 * The external CS. opts.tls = { key, cert } serves wss://; opts.auth is an
 * ocpp-rpc auth callback. Records clients by identity and every raw frame.
 */
async function startUpstream(opts = {}) {
  const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true, ...(opts.server || {}) });
  const up = { server, clients: new Map(), frames: [], handshakes: [], nextTxn: 100, connections: 0 };
  if (opts.auth) server.auth(opts.auth);
  else server.auth((accept, reject, handshake) => { up.handshakes.push(handshake); accept(); });
  server.on('client', (client) => {
    up.connections++;
    up.clients.set(client.identity, client);
    client.on('message', ({ message, outbound }) => up.frames.push({ id: client.identity, text: message.toString(), outbound }));
    client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: iso(), interval: 300 }));
    client.handle('Heartbeat', () => ({ currentTime: iso() }));
    client.handle('StatusNotification', () => ({}));
    client.handle('MeterValues', () => ({}));
    client.handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
    client.handle('StartTransaction', () => ({ transactionId: up.nextTxn++, idTagInfo: { status: 'Accepted' } }));
    client.handle('StopTransaction', ({ params }) => { (up.stops = up.stops || []).push(params); return { idTagInfo: { status: 'Accepted' } }; });
    if (opts.onClient) opts.onClient(client);
  });
  up.port = opts.port || await freePort();
  if (opts.tls) {
    up.https = https.createServer({ key: opts.tls.key, cert: opts.tls.cert });
    up.https.on('upgrade', server.handleUpgrade);
    await new Promise((resolve) => up.https.listen(up.port, '127.0.0.1', resolve));
    up.url = `wss://127.0.0.1:${up.port}/cs`;
  } else {
    up.http = await server.listen(up.port, '127.0.0.1');
    up.url = `ws://127.0.0.1:${up.port}/cs`;
  }
  up.close = async () => {
    await server.close({ awaitPending: false, force: true });
    if (up.https) await new Promise((resolve) => up.https.close(resolve));
  };
  return up;
}

/** gatewayd with ocpp_bridge (opts.bridge overrides keys) and modbus_tcp;
 *  opts.groups adds configuration groups (e.g. diag). */
async function startBridge(upstreamUrl, opts = {}) {
  const wsPort = await freePort();
  const mbPort = await freePort();
  const config = {
    ocpp_bridge: {
      upstream_url: upstreamUrl, bind_address: '127.0.0.1', port: wsPort, register_map: MAP,
      chargers: opts.chargers || ['CP0:2', 'CP1:2'], ping_interval: 0, connect_timeout: 3,
      ...(opts.bridge || {}),
    },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP, max_clients: 16 },
    ...(opts.groups || {}),
  };
  const gw = await startGatewayd(config, { dir: opts.dir, wrapper: opts.wrapper });
  await gw.waitForLog(/ocpp_bridge.*listening on port/);
  const bms = await new Bms(mbPort).connect();
  const site = {
    gw, bms, wsPort, mbPort, url: `ws://127.0.0.1:${wsPort}/ocpp`, chargers: [],
    /** An ocpp-rpc charger in strict mode, connected through the bridge. */
    async charger(identity, o = {}) {
      const c = new RPCClient({
        endpoint: site.url, identity, protocols: ['ocpp1.6'], strictMode: true, reconnect: false,
        callTimeoutMs: 5000, ...o,
      });
      c.frames = [];
      c.on('message', ({ message, outbound }) => c.frames.push({ text: message.toString(), outbound }));
      site.chargers.push(c);
      await c.connect();
      return c;
    },
    async stop() {
      for (const c of site.chargers) await c.close({ force: true }).catch(() => {});
      await bms.close();
      await gw.stop();
    },
  };
  return site;
}

/** A test CA and a server certificate for 127.0.0.1 signed by it. */
function makeTestCa() {
  const dir = tmpDir('gw-bridge-ca-');
  const f = (n) => path.join(dir, n);
  const ossl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=gatewayd test CA',
    '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  // a second, unrelated CA: the upstream certificate does not chain to it
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=other CA',
    '-keyout', f('other.key'), '-out', f('other.pem'));
  return {
    dir, caFile: f('ca.pem'), otherCaFile: f('other.pem'),
    key: fs.readFileSync(f('server.key')), cert: fs.readFileSync(f('server.pem')),
  };
}

/** A raw WebSocket "charger" (the `ws` package) for byte-level checks;
 *  rejects with .status on an HTTP refusal. */
const { rawCharger } = require('./ws-peer');

module.exports = { A, Bms, until, iso, MAP, startUpstream, startBridge, makeTestCa, rawCharger };
