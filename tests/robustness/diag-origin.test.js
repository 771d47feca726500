'use strict';
// Issue 10, item 7: diag reachable from any web page. A page elsewhere must
// not read the stream (live idTags) or write through an operator's browser,
// and a DNS-rebound name (a foreign page made same-origin) is refused by its
// Host header. Chromium (Debian's, through playwright-core) loads a page from
// a node http server on another host name and port that tries the stream,
// the API and a write; raw HTTP sends foreign Host and Origin headers; the
// allowed names are configurable.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const WebSocket = require('ws');
const { startGatewayd, freePort } = require('../integration/lib/gatewayd');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

async function startDiag(extra = {}) {
  const port = await freePort();
  const gw = await startGatewayd({ diag_points: {}, diag: { port, ...extra } });
  gw.port = port;
  gw.base = `http://127.0.0.1:${port}`;
  return gw;
}

/** One raw HTTP request with exactly the headers given. */
function request(gw, { method = 'GET', path = '/api/v1/points/diagtest.setpoint', headers = {}, body } = {}) {
  if (body) headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Open the stream with these headers: 'open' or the refusal. */
function tryStream(gw, headers) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/api/v1/stream`, { headers });
    ws.once('open', () => { ws.close(); resolve('open'); });
    ws.once('unexpected-response', (req, res) => { resolve(`HTTP ${res.statusCode}`); ws.terminate(); });
    ws.once('error', (e) => resolve(`error ${e.message}`));
  });
}

const setpoint = async (gw) => JSON.parse((await request(gw, { headers: { Host: `127.0.0.1:${gw.port}` } })).text).value;

test('Host: a foreign name (DNS rebinding) is refused on every endpoint, writes and the stream included', async () => {
  const gw = await startDiag();
  try {
    const evil = { Host: `evil.example:${gw.port}` };
    for (const path of ['/', '/app.js', '/api/v1/points', '/api/v1/points/diagtest.setpoint', '/api/v1/chargers',
      '/api/v1/scan', '/api/v1/plugins', '/metrics']) {
      const r = await request(gw, { path, headers: evil });
      assert.equal(r.status, 403, `${path} with a foreign Host`);
      assert.equal(r.json().error, 'bad_host', path);
    }
    const before = await setpoint(gw);
    const w = await request(gw, { method: 'PUT', headers: { ...evil, 'Content-Type': 'application/json' }, body: JSON.stringify({ value: 77 }) });
    assert.equal(w.status, 403);
    assert.equal(await setpoint(gw), before, 'the refused write changed the point');
    assert.match(await tryStream(gw, evil), /^HTTP 4\d\d$|^error /);
    // no Host at all (HTTP/1.0 style) names nothing
    assert.equal((await request(gw, { path: '/api/v1/points' })).status, 403);

    // the daemon's own names pass, and address literals (rebinding needs a name)
    for (const host of [`127.0.0.1:${gw.port}`, `localhost:${gw.port}`, 'localhost', `LOCALHOST.:${gw.port}`, `${os.hostname()}:${gw.port}`,
      `203.0.113.9:${gw.port}`, '[2001:db8::1]']) {
      assert.equal((await request(gw, { path: '/api/v1/points', headers: { Host: host } })).status, 200, host);
    }
    assert.equal(await tryStream(gw, {}), 'open');
  } finally { await gw.stop(); }
});

test('Origin: another page (other host or port, null) cannot open the stream or write; diag\'s own origin can', async () => {
  const gw = await startDiag();
  try {
    const host = { Host: `127.0.0.1:${gw.port}` };
    for (const origin of ['http://evil.example', `http://evil.example:${gw.port}`, 'http://127.0.0.1:1', `https://localhost:${gw.port + 1}`, 'null']) {
      assert.match(await tryStream(gw, { Origin: origin }), /^HTTP 4\d\d$|^error /, `stream from ${origin}`);
      const w = await request(gw, { method: 'PUT', headers: { ...host, Origin: origin, 'Content-Type': 'application/json' }, body: JSON.stringify({ value: 55 }) });
      assert.equal(w.status, 403, `write from ${origin}`);
      assert.equal(w.json().error, 'bad_origin');
      const r = await request(gw, { path: '/api/v1/points', headers: { ...host, Origin: origin } });
      assert.equal(r.status, 403, `read from ${origin}`);
    }
    assert.notEqual(await setpoint(gw), 55);
    // an address literal is not enough for an Origin: another machine's page
    assert.match(await tryStream(gw, { Origin: `http://203.0.113.9:${gw.port}` }), /^HTTP 4\d\d$|^error /);
    // the machine's own addresses are diag's origins (a page opened by address)
    const own = Object.values(os.networkInterfaces()).flat().filter((a) => a.family === 'IPv4').map((a) => a.address);
    for (const origin of [`http://127.0.0.1:${gw.port}`, `http://localhost:${gw.port}`, ...own.map((a) => `http://${a}:${gw.port}`)]) {
      assert.equal(await tryStream(gw, { Origin: origin }), 'open', origin);
    }
    const w = await request(gw, { method: 'PUT', headers: { ...host, Origin: `http://127.0.0.1:${gw.port}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ value: 42 }) });
    assert.equal(w.status, 200);
    assert.equal(await setpoint(gw), 42);
  } finally { await gw.stop(); }
});

test('allowed_hosts and allowed_origins add names and origins (a reverse proxy)', async () => {
  const gw = await startDiag({ allowed_hosts: ['gw.example', '[fd00::1]'], allowed_origins: ['https://proxy.example'] });
  try {
    assert.equal((await request(gw, { path: '/api/v1/points', headers: { Host: 'gw.example' } })).status, 200);
    assert.equal((await request(gw, { path: '/api/v1/points', headers: { Host: `[fd00::1]:${gw.port}` } })).status, 200);
    assert.equal((await request(gw, { path: '/api/v1/points', headers: { Host: 'other.example' } })).status, 403);
    assert.equal(await tryStream(gw, { Origin: `http://gw.example:${gw.port}` }), 'open');
    assert.equal(await tryStream(gw, { Origin: 'https://proxy.example' }), 'open');
    assert.match(await tryStream(gw, { Origin: 'https://proxy.example:8443' }), /^HTTP 4\d\d$|^error /);
    assert.match(gw.stderr, /hosts: [^)]*gw\.example/);
  } finally { await gw.stop(); }
});

test('chromium: a page from another origin can neither read the stream nor the API nor write; a rebound name gets nothing', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 60000 }, async () => {
  const { chromium } = require('playwright-core');
  const gw = await startDiag();
  // the foreign page: another host name (mapped to 127.0.0.1 in chromium) and port
  const page = `<!doctype html><title>elsewhere</title><script>
    window.result = { ws: 'pending', get: 'pending', put: 'pending' };
    const ws = new WebSocket('ws://127.0.0.1:${gw.port}/api/v1/stream');
    ws.onmessage = (ev) => { window.result.ws = 'read: ' + ev.data.slice(0, 40); };
    ws.onerror = () => { if (window.result.ws === 'pending') window.result.ws = 'refused'; };
    fetch('http://127.0.0.1:${gw.port}/api/v1/points').then((r) => r.text()).then((t) => { window.result.get = 'read: ' + t.slice(0, 40); }, () => { window.result.get = 'refused'; });
    fetch('http://127.0.0.1:${gw.port}/api/v1/points/diagtest.setpoint', { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: '{"value":66}' })
      .then((r) => { window.result.put = 'status ' + r.status; }, () => { window.result.put = 'refused'; });
  </script>`;
  const srv = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(page); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP elsewhere.test 127.0.0.1, MAP rebound.test 127.0.0.1'] });
  try {
    const p = await browser.newPage();
    await p.goto(`http://elsewhere.test:${srv.address().port}/`);
    await p.waitForFunction(() => Object.values(window.result).every((v) => v !== 'pending'), null, { timeout: 20000 });
    const result = await p.evaluate(() => window.result);
    assert.equal(result.ws, 'refused');
    assert.equal(result.get, 'refused');
    assert.equal(result.put, 'refused');
    assert.notEqual(await setpoint(gw), 66);
    assert.match(gw.stderr, /./); // the daemon is still running
    assert.equal(gw.exited, null);

    // DNS rebinding: a foreign name now resolving to diag's address makes
    // its page same-origin for the browser; diag refuses it by its Host
    const rebound = await browser.newPage();
    const resp = await rebound.goto(`http://rebound.test:${gw.port}/`);
    assert.equal(resp.status(), 403);
    const api = await rebound.evaluate(async () => {
      const r = await fetch('/api/v1/points');
      return [r.status, (await r.json()).error];
    });
    assert.deepEqual(api, [403, 'bad_host']);

    // the same browser on diag's own page is live
    const own = await browser.newPage();
    await own.goto(gw.base + '/');
    await own.waitForFunction(() => document.querySelector('#conn')?.textContent === 'live', null, { timeout: 20000 });
  } finally {
    await browser.close();
    srv.close();
    await gw.stop();
  }
});
