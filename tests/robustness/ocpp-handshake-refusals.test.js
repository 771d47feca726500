'use strict';
// Refused WebSocket handshakes (issue "Robustness" items 8 and 5): a
// charger at the wrong path, with no or another subprotocol, or with an
// unknown ChargerID is refused with a status that does not depend on
// whether the id is configured, logged once per peer and window, and
// listed in the scan list with the reason -- in ocpp_cs and in
// ocpp_bridge alike. Bytes that are not UTF-8 in a path reach the scan
// list escaped ("\xFF"), and every viewer keeps working.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const WebSocket = require('ws');
const { startCs, until } = require('../integration/lib/ocpp-cs');
const { startBridge, startUpstream } = require('../integration/lib/bridge-site');
const { freePort } = require('../integration/lib/gatewayd');

// gatewayd stopped cleanly: exit 0 on SIGTERM, and (under ASan/UBSan) no
// report on its standard error.
function assertCleanExit(gw) {
  assert.deepStrictEqual(gw.exited, { code: 0, signal: null }, gw.stderr.slice(-2000));
  assert.doesNotMatch(gw.stderr, /ERROR: (Address|Leak)Sanitizer|runtime error:/);
}

// The HTTP status of a handshake, or 101.
function knock(url, protocols) {
  return new Promise((resolve, reject) => {
    const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
    ws.once('open', () => { ws.terminate(); resolve(101); });
    ws.once('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
    ws.once('error', reject);
  });
}

// A handshake written byte for byte (a path no WebSocket library sends).
function rawKnock(port, pathBytes, protocol = 'ocpp1.6') {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let head = '';
    sock.once('error', reject);
    sock.on('data', (d) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d+)/.exec(head);
      if (m) { sock.destroy(); resolve(Number(m[1])); }
    });
    sock.on('close', () => resolve(0));
    sock.write(Buffer.concat([Buffer.from('GET '), pathBytes, Buffer.from(' HTTP/1.1\r\nHost: x\r\n' +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`)]));
  });
}

const refusedLines = (gw) => gw.stderr.split('\n').filter((l) => / refused.*\(HTTP \d+\)/.test(l) && !/with HTTP 50/.test(l));

async function diagScan(port) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/scan`);
  assert.strictEqual(r.status, 200);
  // fetch's text() would replace invalid UTF-8; check the bytes themselves
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.ok(isUtf8(bytes), 'the API answers valid UTF-8');
  return JSON.parse(bytes.toString()).scan;
}

function isUtf8(buf) {
  try { new TextDecoder('utf-8', { fatal: true }).decode(buf); return true; } catch { return false; }
}

async function dump(gw) {
  const before = gw.stdout.length;
  gw.child.kill('SIGUSR1');
  await until(() => /scan list: \d+ refused/.test(gw.stdout.slice(before)), 5000, 'scan dump');
  await new Promise((r) => setTimeout(r, 100));
  return gw.stdout.slice(before);
}

// The same checks on both plugins. site: { url, wsPort, gw, prefix, diagPort }.
async function checkRefusals(site, name) {
  // the status tells nothing about which ids exist
  assert.strictEqual(await knock(`${site.url}/CP0`, []), 400, 'configured id, no subprotocol');
  assert.strictEqual(await knock(`${site.url}/NOBODY`, []), 400, 'unknown id, no subprotocol');
  assert.strictEqual(await knock(`${site.url}/CP0`, ['ocpp2.0.1']), 400, 'configured id, other subprotocol');
  assert.strictEqual(await knock(`${site.url}/NOBODY`, ['ocpp2.0.1']), 400, 'unknown id, other subprotocol');
  assert.strictEqual(await knock(`${site.url}/NOBODY`, ['ocpp1.6']), 404, 'unknown id');
  assert.strictEqual(await knock(`ws://127.0.0.1:${site.wsPort}/elsewhere/CP0`, ['ocpp1.6']), 404, 'wrong path');
  assert.strictEqual(await knock(`ws://127.0.0.1:${site.wsPort}/elsewhere/NOBODY`, ['ocpp1.6']), 404, 'wrong path');
  // one spelling per id: the path is percent-decoded once ("CP%2530" is
  // "CP%30", not CP0; "CP0%3Fx" is "CP0?x", not CP0 with a query)
  assert.strictEqual(await knock(`${site.url}/CP%2530`, ['ocpp1.6']), 404, 'double decoding');
  assert.strictEqual(await knock(`${site.url}/CP0%3Fx`, ['ocpp1.6']), 404, 'encoded ?');
  // invalid UTF-8, percent-encoded and raw
  assert.strictEqual(await knock(`${site.url}/EVIL%FF`, ['ocpp1.6']), 404);
  const raw = await rawKnock(site.wsPort, Buffer.from([...Buffer.from('/ocpp/RAW'), 0xfe, 0x41]));
  assert.ok(raw === 404 || raw === 400 || raw === 0, `raw bytes: ${raw}`);
  // ten more from the same peer
  for (let i = 0; i < 10; i++) assert.strictEqual(await knock(`${site.url}/NOBODY`, ['ocpp1.6']), 404);

  // logged: once for this peer in this window, whatever followed
  await site.gw.waitForLog(/'CP0' from 127\.0\.0\.1 refused \(offered none|no subprotocol offered\) \(HTTP 400\)|subprotocol: charger 'CP0' from 127\.0\.0\.1 refused/);
  await new Promise((r) => setTimeout(r, 300));
  const lines = refusedLines(site.gw);
  assert.strictEqual(lines.length, 1, `${name}: one log line per peer and window:\n${lines.join('\n')}`);

  // the scan list: every refusal with its reason, all valid UTF-8
  const text = await dump(site.gw);
  const rows = text.split('\n').filter((l) => l.startsWith(`${site.prefix}.scan\t`)).map((l) => l.split('\t'));
  const reasonOf = (id) => (rows.find((r) => r[1] === id) || [])[6];
  assert.strictEqual(reasonOf('CP0'), 'subprotocol', `${name}: ${text}`);
  assert.strictEqual(reasonOf('NOBODY') !== undefined, true);
  assert.deepStrictEqual(rows.filter((r) => r[1] === 'NOBODY').map((r) => r[6]).sort(), ['subprotocol', 'unknown id']);
  assert.strictEqual(rows.find((r) => r[1] === 'NOBODY' && r[6] === 'unknown id')[5], '11');
  assert.ok(rows.some((r) => /\/elsewhere\/CP0$/.test(r[1]) && r[6] === 'wrong path'), `${name}: ${text}`);
  assert.ok(rows.some((r) => r[1] === 'EVIL\\xFF'), `${name}: invalid UTF-8 escaped: ${text}`);
  assert.ok(rows.some((r) => r[1] === 'CP%30' && r[6] === 'unknown id'), `${name}: ${text}`);
  assert.ok(rows.some((r) => r[1] === 'CP0?x' && r[6] === 'unknown id'), `${name}: ${text}`);
  assert.ok(isUtf8(Buffer.from(site.gw.stdout, 'latin1')) || !/\xff/.test(site.gw.stdout));

  // the viewers: the API answers valid UTF-8 and keeps answering
  const scan = await diagScan(site.diagPort);
  const evil = scan.find((e) => e.charger_id === 'EVIL\\xFF');
  assert.ok(evil, JSON.stringify(scan));
  assert.strictEqual(evil.reason, 'unknown id');
  assert.ok(scan.some((e) => e.reason === 'wrong path'));
  await diagScan(site.diagPort);
}

test('ocpp_cs: refusals answer by reason, logged once per peer, listed with the reason, valid UTF-8', async () => {
  const diagPort = await freePort();
  const s = await startCs({ cs: { scan_list_size: 32 }, groups: { diag: { enabled: true, bind: '127.0.0.1', port: diagPort } } });
  try {
    await checkRefusals({ url: s.url, wsPort: s.wsPort, gw: s.gw, prefix: 'ocpp_cs', diagPort }, 'ocpp_cs');
    // a configured charger still gets in
    const c = await s.charger('CP0');
    await c.call('Heartbeat', {});
  } finally { await s.stop(); }
  assertCleanExit(s.gw);
});

test('ocpp_bridge: the same, and nothing reaches upstream', async () => {
  const up = await startUpstream();
  const diagPort = await freePort();
  const s = await startBridge(up.url, { bridge: { scan_list_size: 32 }, groups: { diag: { enabled: true, bind: '127.0.0.1', port: diagPort } } });
  try {
    await checkRefusals({ url: s.url, wsPort: s.wsPort, gw: s.gw, prefix: 'ocpp_bridge', diagPort }, 'ocpp_bridge');
    assert.strictEqual(up.connections, 0, 'no refused charger reached upstream');
    const c = await s.charger('CP0');
    await c.call('Heartbeat', {});
  } finally { await s.stop(); await up.close(); }
  assertCleanExit(s.gw);
});
