'use strict';
// The diagnostics API through node's fetch and the ws client, against the
// real daemon with the diag_points test plugin and the example plugin.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startGatewayd, freePort, waitFor } = require('./lib/gatewayd');

async function startDiag(extra = {}, points = {}) {
  const port = await freePort();
  const gw = await startGatewayd({
    diag_points: points,
    example: { interval_ms: 100000 },
    diag: { port, ...extra },
  });
  gw.base = `http://127.0.0.1:${port}`;
  gw.port = port;
  return gw;
}

const put = (gw, name, body, headers = {}) => fetch(`${gw.base}/api/v1/points/${encodeURIComponent(name)}`, {
  method: 'PUT', headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const getPoint = async (gw, name) => (await fetch(`${gw.base}/api/v1/points/${name}`)).json();

/** A viewer on /api/v1/stream collecting what it is sent. */
function viewer(gw) {
  const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/api/v1/stream`);
  const v = { ws, values: new Map(), console: [], site: 0, messages: 0 };
  ws.on('message', (data) => {
    const m = JSON.parse(data);
    v.messages++;
    if (m.t === 'values') for (const [id, value, q, changed] of m.v) v.values.set(id, { value, q, changed });
    else if (m.t === 'console') v.console.push(...m.lines);
    else if (m.t === 'site') v.site++;
  });
  v.open = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return v;
}

async function metrics(gw) {
  const r = await fetch(`${gw.base}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  const get = (re) => { const m = re.exec(text); return m ? Number(m[1]) : undefined; };
  return { text, get };
}

test('points: list with Modbus address, enum, prefix filter; one point; unknown point is a JSON 404', async () => {
  const gw = await startDiag();
  try {
    const all = await (await fetch(`${gw.base}/api/v1/points`)).json();
    const names = all.points.map((p) => p.name);
    assert.ok(names.includes('diagtest.status') && names.includes('example.counter'));
    assert.equal(all.count, all.points.length);
    const status = all.points.find((p) => p.name === 'diagtest.status');
    assert.equal(status.modbus_address, 9000);
    assert.equal(status.enum, '0=Available;1=Preparing;2=Charging');
    assert.equal(status.type, 'uint16');
    assert.equal(status.access, 'R');
    assert.equal(status.quality, 'good');

    const some = await (await fetch(`${gw.base}/api/v1/points?prefix=example.`)).json();
    assert.deepEqual(some.points.map((p) => p.name).sort(), ['example.counter', 'example.setpoint']);

    const power = await getPoint(gw, 'diagtest.power');
    assert.equal(power.value, 7.4); // float32 printed as stored, not 7.400000095367432
    assert.equal(power.unit, 'kW');

    const r = await fetch(`${gw.base}/api/v1/points/no.such.point`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /application\/json/);
    assert.equal((await r.json()).error, 'not_found');
  } finally { await gw.stop(); }
});

test('writes: accepted and read back; refusals say why and change nothing', async () => {
  const gw = await startDiag();
  try {
    let r = await put(gw, 'diagtest.setpoint', { value: 42 });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).value, 42);
    assert.equal((await getPoint(gw, 'diagtest.setpoint')).value, 42);

    r = await put(gw, 'diagtest.bump', { value: 2 }); // the owner reacts
    assert.equal(r.status, 200);
    assert.equal((await getPoint(gw, 'diagtest.status')).value, 2);
    assert.equal((await getPoint(gw, 'diagtest.label')).value, 'bump 2');

    const refusals = [
      [{ value: 13 }, 422, 'invalid_value', /13 is refused by the test plugin/],
      [{ value: 101 }, 422, 'out_of_range', /./],
      [{ value: 'abc' }, 422, 'invalid_value', /integer/],
      ['{"value":', 400, 'bad_request', /JSON/],
      [{ nothing: 1 }, 400, 'bad_request', /value/],
      ['[1,2]', 400, 'bad_request', /JSON/],
    ];
    for (const [body, status, code, msg] of refusals) {
      r = await put(gw, 'diagtest.setpoint', body);
      const j = await r.json();
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(j.error, code);
      assert.match(j.message, msg);
    }
    r = await put(gw, 'diagtest.status', { value: 1 });
    assert.equal(r.status, 403);
    assert.equal((await r.json()).error, 'not_writable');
    assert.equal((await getPoint(gw, 'diagtest.setpoint')).value, 42);
    assert.equal((await getPoint(gw, 'diagtest.status')).value, 2);

    r = await put(gw, 'no.such.point', { value: 1 });
    assert.equal(r.status, 404);
    r = await fetch(`${gw.base}/api/v1/points`, { method: 'DELETE' });
    assert.equal(r.status, 405);
    r = await fetch(`${gw.base}/api/v1/chargers`, { method: 'PUT', body: '{}' });
    assert.equal(r.status, 405);
  } finally { await gw.stop(); }
});

test('a configured token is required for writes; reads stay open', async () => {
  const gw = await startDiag({ token: 's3cret-token' });
  try {
    let r = await put(gw, 'diagtest.setpoint', { value: 5 });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    r = await put(gw, 'diagtest.setpoint', { value: 5 }, { Authorization: 'Bearer wrong' });
    assert.equal(r.status, 401);
    r = await put(gw, 'diagtest.setpoint', { value: 5 }, { Authorization: 'Basic czNjcmV0LXRva2Vu' });
    assert.equal(r.status, 401);
    assert.equal((await getPoint(gw, 'diagtest.setpoint')).value, 16);
    r = await put(gw, 'diagtest.setpoint', { value: 5 }, { Authorization: 'Bearer s3cret-token' });
    assert.equal(r.status, 200);
    assert.equal((await getPoint(gw, 'diagtest.setpoint')).value, 5);
  } finally { await gw.stop(); }
});

test('request size limit, no path traversal, unknown paths', async () => {
  const gw = await startDiag({ max_request: 1024 });
  try {
    const big = JSON.stringify({ value: 'x'.repeat(5000) });
    let r = await put(gw, 'diagtest.setpoint', big);
    assert.equal(r.status, 413);
    assert.equal((await r.json()).error, 'too_large');
    // the server is still fine
    r = await put(gw, 'diagtest.setpoint', { value: 7 });
    assert.equal(r.status, 200);

    const net = require('node:net');
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/app.js/../../etc/passwd',
      '/..%2f..%2fetc%2fpasswd', '/web/index.html', '/diag.c']) {
      // raw request: fetch would normalise the path before sending
      const text = await new Promise((resolve, reject) => {
        const s = net.connect(gw.port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let out = '';
        s.on('data', (d) => { out += d; });
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
      assert.doesNotMatch(text, /root:/, path);
      assert.match(text, /^HTTP\/1\.1 (404|403|400)/, path);
    }
    r = await fetch(`${gw.base}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(await r.text(), /<script src="\/app.js">/);
    r = await fetch(`${gw.base}/app.js`);
    assert.match(r.headers.get('content-type'), /javascript/);
    r = await fetch(`${gw.base}/api/v2/points`);
    assert.equal(r.status, 404);
  } finally { await gw.stop(); }
});

test('stream: every value on connect, then live changes and console lines', async () => {
  const gw = await startDiag();
  try {
    const all = await (await fetch(`${gw.base}/api/v1/points`)).json();
    const id = (n) => all.points.find((p) => p.name === n).id;
    const v = viewer(gw);
    await v.open;
    await waitFor(() => v.values.size === all.count, 5000, 'initial values');
    assert.equal(v.values.get(id('diagtest.label')).value, 'idle');

    assert.equal((await put(gw, 'diagtest.bump', { value: 1 })).status, 200);
    await waitFor(() => v.values.get(id('diagtest.status')).value === 1, 5000, 'live status');
    assert.equal(v.values.get(id('diagtest.label')).value, 'bump 1');

    // the example plugin logs each set-point write: a log line in the console
    assert.equal((await put(gw, 'example.setpoint', { value: 20.5 })).status, 200);
    await waitFor(() => v.console.some((l) => l.event === 'log' && /set-point is now 20.5/.test(l.data.message)), 5000, 'log line');

    const m = await metrics(gw);
    assert.equal(m.get(/^gatewayd_diag_viewers (\d+)$/m), 1);
    v.ws.close();
  } finally { await gw.stop(); }
});

test('events: chargers, scan list, console and metrics per function and action', async () => {
  const gw = await startDiag();
  try {
    const v = viewer(gw);
    await v.open;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await put(gw, 'diagtest.emit', { value: 3 })).status, 200);

    const { chargers } = await (await fetch(`${gw.base}/api/v1/chargers`)).json();
    assert.equal(chargers.length, 1);
    assert.equal(chargers[0].charger, 'CP-3');
    assert.equal(chargers[0].connected, true);
    assert.equal(chargers[0].vendor, 'Acme');
    assert.equal(chargers[0].model, 'Volt');
    assert.equal(chargers[0].last_message_action, 'BootNotification');
    assert.equal(chargers[0].last_message_direction, 'out');
    const { scan } = await (await fetch(`${gw.base}/api/v1/scan`)).json();
    assert.deepEqual(scan.map((s) => [s.charger_id, s.attempts]), [['ROGUE-3', 3]]);

    await waitFor(() => v.site > 0 && v.console.filter((l) => l.event === 'ocpp.frame').length === 2 &&
      v.console.some((l) => l.event === 'modbus.request' && l.data.exception === 2) &&
      v.console.some((l) => l.event === 'ocpp.charger' && l.data.event === 'boot' && l.data.vendor === 'Acme'), 5000, 'console events');

    const m = await metrics(gw);
    assert.equal(m.get(/^gatewayd_ocpp_frames_total\{direction="in",action="BootNotification"\} (\d+)$/m), 1);
    assert.equal(m.get(/^gatewayd_ocpp_frames_total\{direction="out",action="BootNotification"\} (\d+)$/m), 1);
    assert.equal(m.get(/^gatewayd_modbus_requests_total\{transport="tcp",function="3"\} (\d+)$/m), 2);
    assert.equal(m.get(/^gatewayd_modbus_exceptions_total\{transport="tcp",function="3",code="2"\} (\d+)$/m), 1);
    assert.equal(m.get(/^gatewayd_chargers_connected (\d+)$/m), 1);
    assert.equal(m.get(/^gatewayd_ocpp_scan_unknown_chargers (\d+)$/m), 1);
    assert.ok(m.get(/^gatewayd_loop_lag_seconds ([\d.]+)$/m) >= 0);
    assert.ok(m.get(/^gatewayd_points\{quality="good"\} (\d+)$/m) >= 5);
    v.ws.close();
  } finally { await gw.stop(); }
});

test('a viewer that stops reading gets coalesced updates, not a growing queue', async () => {
  const gw = await startDiag({}, { count: 2000, rate: 20000 });
  try {
    const v = viewer(gw);
    await v.open;
    v.ws._socket.pause(); // a browser tab that stopped reading
    const samples = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      samples.push((await metrics(gw)).get(/^gatewayd_diag_stream_queue_bytes (\d+)$/m));
    }
    // 2000 points x ~30 bytes per value: the queue holds at most about one
    // message plus the dirty set, however long the viewer stalls.
    const late = samples.slice(5);
    assert.ok(Math.max(...samples) > 0, 'the stalled viewer has something pending');
    if (process.env.GW_TEST_VERBOSE) console.error('queue bytes while stalled', samples);
    assert.ok(Math.max(...samples) < 1_000_000, `queue bytes ${samples}`);
    assert.ok(Math.max(...late) <= Math.max(...samples.slice(0, 5)) * 1.5 + 10000, `queue grows: ${samples}`);
    const dirty = (await metrics(gw)).get(/^gatewayd_diag_stream_dirty_points (\d+)$/m);
    assert.ok(dirty <= 2000, `dirty ${dirty}`);

    // The daemon kept serving others meanwhile.
    assert.equal((await put(gw, 'diagtest.bump', { value: 2 })).status, 200);
    v.ws._socket.resume();
    const all = await (await fetch(`${gw.base}/api/v1/points?prefix=diagtest.status`)).json();
    await waitFor(() => v.values.get(all.points[0].id)?.value === 2, 10000, 'latest value after resume');
    v.ws.close();
  } finally { await gw.stop(); }
});
