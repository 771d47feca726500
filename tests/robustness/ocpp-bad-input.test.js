'use strict';
// Bad OCPP input from a charger (issue "Robustness" item 4): numbers the
// spec does not allow, message ids a C string cannot hold, frames a client
// must not send. Raw WebSocket peers send what ocpp-rpc refuses to; a
// strict ocpp-rpc client then shows that the registers checked are the
// right ones. Every refusal must be the CALLERROR OCPP-J §4.2.3 names, and
// nothing may reach the Modbus registers.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const crypto = require('node:crypto');
const { A, startCs } = require('../integration/lib/ocpp-cs');
const { rawCharger: rawAt, exchange } = require('../integration/lib/ws-peer');
const rawCharger = (site, id, protocols) => rawAt(`${site.url}/${id}`, protocols);

// gatewayd stopped cleanly: exit 0 on SIGTERM, and (under ASan/UBSan) no
// report on its standard error.
function assertCleanExit(gw) {
  assert.deepStrictEqual(gw.exited, { code: 0, signal: null }, gw.stderr.slice(-2000));
  assert.doesNotMatch(gw.stderr, /ERROR: (Address|Leak)Sanitizer|runtime error:/);
}

const status = (conn) => `{"connectorId":${conn},"errorCode":"NoError","status":"Charging"}`;
const meter = (conn) => `{"connectorId":${conn},"meterValue":[{"timestamp":"2024-01-01T00:00:00Z",` +
  '"sampledValue":[{"value":"7400","measurand":"Power.Active.Import","unit":"W"}]}]}';

test('out-of-range and negative integers get PropertyConstraintViolation and touch no register', async () => {
  const s = await startCs();
  try {
    const before = {
      status1: await s.bms.u16(A.conn.status(0, 1)),
      status0: await s.bms.u16(A.conn.status(0, 0)),
      power1: await s.bms.float(A.conn.meter(0, 1, 55)),
    };
    const ws = await rawCharger(s, 'CP0');
    const cases = [
      // 4294967297 = 2^32 + 1: json_object_get_int() made it connector 1
      ['StatusNotification', status('4294967297'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('-1'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('2147483648'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('-99999999999999999999999'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('18446744073709551617'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('1e400'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('4294967297.0'), 'PropertyConstraintViolation'],
      ['StatusNotification', status('1.5'), 'TypeConstraintViolation'],
      ['StatusNotification', status('"1"'), 'TypeConstraintViolation'],
      ['MeterValues', meter('4294967297'), 'PropertyConstraintViolation'],
      ['MeterValues', meter('-4294967295'), 'PropertyConstraintViolation'],
      // StartTransaction: connectorId > 0 (§6.45); nothing reaches the BMS
      ['StartTransaction', '{"connectorId":4294967297,"idTag":"T","meterStart":0,"timestamp":"2024-01-01T00:00:00Z"}',
        'PropertyConstraintViolation'],
      ['StartTransaction', '{"connectorId":1,"idTag":"T","meterStart":1e400,"timestamp":"2024-01-01T00:00:00Z"}',
        'PropertyConstraintViolation'],
      ['StopTransaction', '{"transactionId":4294967297,"meterStop":0,"timestamp":"2024-01-01T00:00:00Z"}',
        'PropertyConstraintViolation'],
    ];
    let n = 0;
    for (const [action, payload, code] of cases) {
      const id = `bad-${n++}`;
      const r = await exchange(ws, `[2,"${id}","${action}",${payload}]`);
      assert.deepStrictEqual(r.slice(0, 3), [4, id, code], `${action} ${payload}`);
    }
    assert.strictEqual(await s.bms.u16(A.conn.status(0, 1)), before.status1, 'connector 1 status untouched');
    assert.strictEqual(await s.bms.u16(A.conn.status(0, 0)), before.status0, 'connector 0 status untouched');
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 1, 55)), before.power1, 'connector 1 power untouched');
    assert.strictEqual(await s.bms.u16(A.start.flag(0)), 0, 'no StartTransaction for the BMS');
    await s.gw.waitForLog(/connectorId: out of range 0\.\.2147483647/);
    ws.close();

    // the same registers do move for a valid message (strict client)
    const c = await s.charger('CP0');
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    await c.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(),
      sampledValue: [{ value: '7400', measurand: 'Power.Active.Import', unit: 'W' }] }] });
    assert.notStrictEqual(await s.bms.u16(A.conn.status(0, 1)), before.status1, 'the status register is the one checked');
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 1, 55)), 7400, 'the power register is the one checked');
    // 0 is a valid StatusNotification connector (the charge point itself)
    await c.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
  } finally { await s.stop(); }
  assertCleanExit(s.gw);
});

test('message ids: U+0000 and over 36 characters are refused and echoed exactly', async () => {
  const s = await startCs();
  try {
    const ws = await rawCharger(s, 'CP0');
    // JSON "a\u0000b": the answer used to carry "a"
    let r = await exchange(ws, '[2,"a\\u0000b","Heartbeat",{}]');
    assert.strictEqual(r[0], 4);
    assert.strictEqual(r[1], 'a\u0000b');
    assert.strictEqual(r[2], 'FormationViolation');
    const long = 'x'.repeat(37);
    r = await exchange(ws, `[2,"${long}","Heartbeat",{}]`);
    assert.deepStrictEqual(r.slice(0, 3), [4, long, 'FormationViolation']);
    // 36 characters of two bytes each are 36 characters: served
    const wide = '\u00e9'.repeat(36);
    r = await exchange(ws, `[2,"${wide}","Heartbeat",{}]`);
    assert.strictEqual(r[0], 3);
    assert.strictEqual(r[1], wide);
    // ...also when the answer waits for the BMS (queued with its id; no
    // BMS here, so the bms_timeout fallback answers)
    const wide2 = '\u00e8'.repeat(36);
    r = await exchange(ws, `[2,"${wide2}","Authorize",{"idTag":"T1"}]`);
    assert.strictEqual(r[0], 3);
    assert.strictEqual(r[1], wide2);
    // an id far too long to keep: "-1", as for an id that cannot be read
    r = await exchange(ws, `[2,"${'y'.repeat(500)}","Heartbeat",{}]`);
    assert.deepStrictEqual(r.slice(0, 3), [4, '-1', 'FormationViolation']);
    // the connection still serves
    r = await exchange(ws, '[2,"ok","Heartbeat",{}]');
    assert.deepStrictEqual(r.slice(0, 2), [3, 'ok']);
    ws.close();
  } finally { await s.stop(); }
  assertCleanExit(s.gw);
});

// A raw TCP client speaking RFC 6455 by hand: the upgrade, then frames
// with or without the mask every client frame must carry (§5.1).
function rawTcpCharger(port, path) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    sock.once('error', reject);
    sock.on('data', function onHead(d) {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onHead);
      const head = buf.subarray(0, end).toString();
      if (!/^HTTP\/1\.1 101/.test(head)) return reject(new Error(head.split('\r\n')[0]));
      sock.rest = buf.subarray(end + 4);
      resolve(sock);
    });
    sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n`);
  });
}

function textFrame(text, masked) {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126);
  const head = Buffer.from([0x81, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = crypto.randomBytes(4);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

// What the server sends next: a text message, a close (with its code) or
// the end of the connection.
function nextFromServer(sock, timeoutMs = 3000) {
  return new Promise((resolve) => {
    let buf = sock.rest || Buffer.alloc(0);
    const done = (v) => { clearTimeout(t); sock.removeAllListeners('data'); sock.removeAllListeners('close'); resolve(v); };
    const t = setTimeout(() => done({ kind: 'nothing' }), timeoutMs);
    const look = () => {
      if (buf.length < 2) return;
      const op = buf[0] & 0x0f, len = buf[1] & 0x7f;
      if (buf.length < 2 + len) return;
      const body = buf.subarray(2, 2 + len);
      if (op === 8) done({ kind: 'close', code: body.length >= 2 ? body.readUInt16BE(0) : 1005 });
      else done({ kind: 'text', text: body.toString() });
    };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); look(); });
    sock.on('close', () => done({ kind: 'end' }));
    look();
  });
}

test('a masked frame is served (the raw client is right)', async () => {
  const s = await startCs();
  try {
    const sock = await rawTcpCharger(s.wsPort, '/ocpp/CP0');
    sock.write(textFrame('[2,"m1","Heartbeat",{}]', true));
    const r = await nextFromServer(sock);
    assert.strictEqual(r.kind, 'text');
    assert.deepStrictEqual(JSON.parse(r.text).slice(0, 2), [3, 'm1']);
    sock.destroy();
  } finally { await s.stop(); }
  assertCleanExit(s.gw);
});

// RFC 6455 §5.1: a server MUST close the connection on an unmasked client
// frame (1002). libwebsockets 4.1.6 (Debian 12) accepts such frames and
// offers no way to see the mask bit (docs/reliability.md); lws 5.0 closes
// with 1002 by itself. Kept as a todo so that it passes once lws does.
test('an unmasked client frame closes the connection with 1002', {
  todo: 'libwebsockets 4.1.6 accepts unmasked client frames and does not expose the mask bit',
}, async () => {
  const s = await startCs();
  try {
    const sock = await rawTcpCharger(s.wsPort, '/ocpp/CP0');
    sock.write(textFrame('[2,"u1","Heartbeat",{}]', false));
    const r = await nextFromServer(sock);
    sock.destroy();
    assert.ok(r.kind === 'end' || (r.kind === 'close' && r.code === 1002), JSON.stringify(r));
  } finally { await s.stop(); }
  assertCleanExit(s.gw);
});

// ocpp_bridge relays a charger's frames untouched, and the Central System
// answers them; its read-only registers take only what OCPP 1.6 allows.
test('ocpp_bridge: an out-of-range connectorId is relayed but lands on no register', async () => {
  const { startBridge, startUpstream } = require('../integration/lib/bridge-site');
  const up = await startUpstream();
  const s = await startBridge(up.url);
  try {
    const before1 = await s.bms.u16(A.conn.status(0, 1));
    const ws = await rawCharger({ url: s.url }, 'CP0');
    const bad = [
      `[2,"b1","StatusNotification",${status('4294967297')}]`,
      `[2,"b2","StatusNotification",${status('-1')}]`,
      '[2,"b3","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging","x":1}]',
      `[2,"b4","MeterValues",${meter('4294967297')}]`,
    ];
    for (const text of bad) {
      // the test CS (ocpp-rpc) checks the JSON schemas only, which have
      // no ranges: whatever it answers comes back
      const r = await exchange(ws, text);
      assert.ok(r[0] === 3 || r[0] === 4, `answered: ${text}`);
    }
    for (const text of bad) assert.ok(up.frames.some((f) => !f.outbound && f.text === text), `relayed byte for byte: ${text}`);
    assert.strictEqual(await s.bms.u16(A.conn.status(0, 1)), before1, 'connector 1 status untouched');
    assert.strictEqual(await s.bms.float(A.conn.meter(0, 1, 55)), 0, 'connector 1 power untouched');
    // a valid one does land (the registers checked are the right ones)
    const r = await exchange(ws, `[2,"g1","StatusNotification",${status('1')}]`);
    assert.strictEqual(r[0], 3);
    await s.bms.waitU16(A.conn.status(0, 1), (v) => v !== before1, 'connector 1 status');
    ws.close();
  } finally { await s.stop(); await up.close(); }
  assertCleanExit(s.gw);
});

// The Central System's answers are read on the side too: a transactionId
// no OCPP integer can hold shows no transaction (and is no int64 cast).
test('ocpp_bridge: a StartTransaction.conf with an out-of-range transactionId shows no transaction', async () => {
  const { startBridge, startUpstream } = require('../integration/lib/bridge-site');
  const ids = [1e30, 4294967297, 7];
  const up = await startUpstream({
    onClient: (client) => client.handle('StartTransaction', () => ({ transactionId: ids.shift(), idTagInfo: { status: 'Accepted' } })),
  });
  const s = await startBridge(up.url);
  try {
    const ws = await rawCharger({ url: s.url }, 'CP0');
    const start = (id) => exchange(ws, `[2,"${id}","StartTransaction",{"connectorId":1,"idTag":"CARD-${id}",` +
      `"meterStart":5,"timestamp":"2024-01-01T00:00:00Z"}]`);
    assert.match(JSON.stringify(await start('s1')), /1e\+30/);
    assert.match(JSON.stringify(await start('s2')), /4294967297/);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(await s.bms.str(A.conn.txIdTag(0, 1), 10), '', 'no transaction shown');
    // a valid answer does show (the register checked is the right one)
    await start('s3');
    await s.bms.waitU16(A.conn.txIdTag(0, 1), (v) => v !== 0, 'transaction shown');
    ws.close();
  } finally { await s.stop(); await up.close(); }
  assertCleanExit(s.gw);
});
