'use strict';
// Issue 10 item 1 on the other listeners: a Modbus TCP client that
// pipelines requests as fast as TCP allows (reading or not), a diag viewer
// that never reads its stream while points and the console change as fast
// as a charger can make them, and an HTTP client that pipelines API
// requests without reading. gatewayd's memory stays bounded, the other
// peers are answered, and a Modbus client that does not read is closed.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { A, startCs, until } = require('../integration/lib/ocpp-cs');
const { freePort } = require('../integration/lib/gatewayd');
const { rssKiB, rssBoundKiB, serverHolds, meterValues, rawWs, flood, mbRead, mbConnect, sleep } = require('./lib/flood');

const FLOOD_MS = 4000;
const BOUND_KIB = 4 * 1024;

/** n reads of 125 registers at addr: 259-byte answers to 12-byte requests,
 *  so a client that does not read fills its socket within seconds. */
function pipelined(n, addr) {
  const reqs = [];
  for (let i = 0; i < n; i++) reqs.push(mbRead(i, addr, 125));
  return Buffer.concat(reqs);
}

/** The first address where 125 registers read without an exception. */
async function wideRange(bms) {
  for (let a = 100; a < 2100; a += 25) {
    try { await bms.regs(a, 125); return a; } catch { /* an undefined address inside */ }
  }
  throw new Error('no 125-register range without a gap in the default map');
}

/** Run fn (the flood) while the charger and the BMS keep asking; returns growth. */
async function whileAnswered(t, site, c, fn) {
  const before = rssKiB(site.gw.child.pid);
  let peak = before, hb = 0, reads = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(site.gw.child.pid)); }, 100);
  const end = Date.now() + FLOOD_MS;
  const flooding = fn();
  await Promise.all([
    (async () => { do { assert.ok((await c.call('Heartbeat', {})).currentTime); hb++; } while (Date.now() < end); })(),
    (async () => { do { await site.bms.u16(A.comm(0)); reads++; } while (Date.now() < end); })(),
  ]);
  await flooding;
  clearInterval(sampler);
  peak = Math.max(peak, rssKiB(site.gw.child.pid));
  t.diagnostic(`RSS ${before} -> peak ${peak} KiB; other charger: ${hb} Heartbeats, BMS: ${reads} reads answered`);
  assert.ok(hb > 0 && reads > 0);
  const bound = rssBoundKiB(site.gw.child.pid, BOUND_KIB);
  assert.ok(peak - before < bound, `RSS grew ${peak - before} KiB (bound ${bound} KiB)`);
}

test('modbus_tcp: a client pipelining requests as fast as TCP allows, reading or not; the one not reading is closed',
  { timeout: 90000 }, async (t) => {
    const site = await startCs();
    try {
      const { c } = await site.boot('CP0');
      const addr = await wideRange(site.bms);
      await sleep(300);
      for (const read of [true, false]) {
        const peer = await mbConnect(site.mbPort, { read });
        await whileAnswered(t, site, c, () => flood(peer.socket, pipelined(500, addr), FLOOD_MS));
        if (read) {
          assert.ok(peer.received > 0, 'the flooding client got answers');
        } else {
          await until(() => !serverHolds(site.mbPort, peer.localPort), 20000,
            'gatewayd to close the Modbus client that does not read');
          await site.gw.waitForLog(/not reading its answers/);
        }
        peer.socket.destroy();
      }
    } finally {
      await site.stop();
    }
  });

test('diag: a viewer that never reads its stream and an HTTP client that never reads its answers cost bounded memory',
  { timeout: 90000 }, async (t) => {
    const diagPort = await freePort();
    const site = await startCs({ chargers: ['CP0:2', 'CP1:2', 'MV:1'], groups: { diag: { port: diagPort } } });
    try {
      const { c } = await site.boot('CP0');
      // a viewer that subscribes and then never reads
      const viewer = await rawWs(diagPort, '/api/v1/stream', { read: false, protocol: null });
      // an HTTP client pipelining the whole point list, never reading
      const http = net.connect(diagPort, '127.0.0.1');
      http.on('error', () => {}); // gatewayd may reset it: fine
      await new Promise((r) => http.once('connect', r));
      http.pause();
      const get = Buffer.from(`GET /api/v1/points HTTP/1.1\r\nHost: 127.0.0.1:${diagPort}\r\n\r\n`.repeat(200));
      // a charger changing points (and the console) as fast as it can
      const mv = await rawWs(site.wsPort, '/ocpp/MV', { read: true });
      await sleep(300);
      await whileAnswered(t, site, c, () => Promise.all([
        flood(mv.socket, meterValues(500), FLOOD_MS),
        flood(http, get, FLOOD_MS),
      ]));
      // the page's API still answers a well-behaved client
      const r = await fetch(`http://127.0.0.1:${diagPort}/api/v1/points?prefix=charger.0.`);
      assert.strictEqual(r.status, 200);
      viewer.socket.destroy();
      http.destroy();
      mv.socket.destroy();
    } finally {
      await site.stop();
    }
  });
