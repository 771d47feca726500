'use strict';
// Issue 10 item 1 on diag: a viewer that never reads its stream and an HTTP
// client that never reads its answers are closed after slow_client_timeout
// (logged, counted in /metrics), while a viewer that reads stays connected
// and live; connections beyond max_clients get 503.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startCs, until } = require('../integration/lib/ocpp-cs');
const { freePort } = require('../integration/lib/gatewayd');
const { serverHolds, meterValues, rawWs, flood } = require('./lib/flood');

async function metrics(port) {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.strictEqual(r.status, 200);
  return r.text();
}

function counter(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** A raw HTTP connection that sends `reqs` and never reads; its local port. */
async function nonReadingHttp(port, reqs) {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {}); // gatewayd drops it: that is the point
  await new Promise((r) => s.once('connect', r));
  s.pause();
  s.write(reqs);
  return s;
}

test('diag: a viewer and an HTTP client that do not read are closed; a viewer that reads stays live',
  { timeout: 120000 }, async (t) => {
    const diagPort = await freePort();
    const site = await startCs({
      chargers: ['CP0:2', 'CP1:2', 'MV:1'],
      groups: { diag: { port: diagPort, slow_client_timeout: 2 } },
    });
    try {
      const before = await metrics(diagPort);
      assert.strictEqual(counter(before, 'gatewayd_diag_slow_clients_closed_total{kind="viewer"}'), 0);
      assert.strictEqual(counter(before, 'gatewayd_diag_slow_clients_closed_total{kind="http"}'), 0);
      const reader = await rawWs(diagPort, '/api/v1/stream', { read: true, protocol: null });
      const viewer = await rawWs(diagPort, '/api/v1/stream', { read: false, protocol: null });
      const get = Buffer.from(`GET /api/v1/points HTTP/1.1\r\nHost: 127.0.0.1:${diagPort}\r\n\r\n`.repeat(200));
      const http = await nonReadingHttp(diagPort, get);
      // a charger changing points and the console as fast as it can, until
      // both non-readers are gone (their sockets fill, then the bound runs)
      const mv = await rawWs(site.wsPort, '/ocpp/MV', { read: true });
      const gone = () => !serverHolds(diagPort, viewer.localPort) && !serverHolds(diagPort, http.localPort);
      const end = Date.now() + 60000;
      while (!gone() && Date.now() < end) await flood(mv.socket, meterValues(200), 500);
      assert.ok(!serverHolds(diagPort, viewer.localPort), 'gatewayd closed the viewer that does not read');
      assert.ok(!serverHolds(diagPort, http.localPort), 'gatewayd closed the HTTP client that does not read');
      await site.gw.waitForLog(/viewer \S+ does not read for 2 s, closing/);
      await site.gw.waitForLog(/HTTP client \S+ does not read for 2 s, closing/);

      // the viewer that reads is still connected and still gets updates
      assert.ok(!reader.closed && serverHolds(diagPort, reader.localPort), 'the reading viewer is still connected');
      const got = reader.received;
      await flood(mv.socket, meterValues(50), 300);
      await until(() => reader.received > got, 10000, 'the reading viewer to get more updates');

      const after = await metrics(diagPort);
      t.diagnostic(after.split('\n').filter((l) => l.includes('slow_clients')).join('; '));
      assert.strictEqual(counter(after, 'gatewayd_diag_slow_clients_closed_total{kind="viewer"}'), 1);
      assert.ok(counter(after, 'gatewayd_diag_slow_clients_closed_total{kind="http"}') >= 1);
      // logged once per connection
      assert.strictEqual(site.gw.stderr.match(/viewer \S+ does not read/g).length, 1);
      viewer.socket.destroy();
      http.destroy();
      reader.socket.destroy();
      mv.socket.destroy();
    } finally {
      await site.stop();
    }
  });

/** An HTTP keep-alive connection that has had one answer: it counts. */
async function keptAlive(port) {
  const s = net.connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  let got = '';
  const answered = new Promise((r) => s.on('data', (d) => { got += d; if (/\r\n\r\n/.test(got)) r(); }));
  s.write(`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  await answered;
  assert.match(got, /^HTTP\/1\.1 200/);
  return s;
}

test('diag: connections beyond max_clients get 503, and a freed place is taken again',
  { timeout: 60000 }, async () => {
    const diagPort = await freePort();
    const site = await startCs({ groups: { diag: { port: diagPort, max_clients: 3 } } });
    try {
      const held = [await keptAlive(diagPort), await keptAlive(diagPort)];
      const viewer = await rawWs(diagPort, '/api/v1/stream', { read: true, protocol: null });
      const r = await fetch(`http://127.0.0.1:${diagPort}/api/v1/points`);
      assert.strictEqual(r.status, 503);
      assert.strictEqual((await r.json()).error, 'busy');
      await assert.rejects(rawWs(diagPort, '/api/v1/stream', { read: true, protocol: null }),
        (e) => e.status === '503');
      held[0].destroy();
      let text = '';
      await until(async () => {
        const x = await fetch(`http://127.0.0.1:${diagPort}/metrics`, { headers: { connection: 'close' } });
        text = await x.text();
        return x.status === 200;
      }, 10000, 'a place once a connection left');
      assert.ok(counter(text, 'gatewayd_diag_clients_refused_total') >= 2);
      held[1].destroy();
      viewer.socket.destroy();
    } finally {
      await site.stop();
    }
  });
