'use strict';
// Issue 10, item 5 (diag side): bytes from peers that used to break viewers
// and metrics. A client writes stray bytes into a string point, a charger
// knocks at /ocpp/EVIL%FF, a charger sends a 10 KB frame of two-byte
// characters, and junk action names (a TAB, 1,024 distinct names). Every
// answer of the API and every stream message must decode as UTF-8 with a
// fatal decoder, the viewer must stay connected, long console lines are cut
// between characters, and metric labels come from a fixed set.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startCs, until } = require('../integration/lib/ocpp-cs');
const { freePort } = require('../integration/lib/gatewayd');
const { rawCharger } = require('../integration/lib/bridge-site');

const strict = new TextDecoder('utf-8', { fatal: true });

async function startSite() {
  const port = await freePort();
  const site = await startCs({ groups: { diag: { port } } });
  site.base = `http://127.0.0.1:${port}`;
  site.diagPort = port;
  return site;
}

/** GET url; the body must be valid UTF-8. Returns the text. */
async function getText(site, url) {
  const r = await fetch(site.base + url);
  const bytes = new Uint8Array(await r.arrayBuffer());
  let text;
  assert.doesNotThrow(() => { text = strict.decode(bytes); }, `${url} answered invalid UTF-8`);
  return text;
}

/** A point's value as the SIGUSR1 dump prints it (name<TAB>type<TAB>quality<TAB>value);
 * the dump's bytes must be valid UTF-8. */
async function dumpValue(site, name) {
  const out = [];
  const take = (d) => out.push(d);
  site.gw.child.stdout.on('data', take);
  try {
    site.gw.child.kill('SIGUSR1');
    await until(() => /^# \d+ points$/m.test(Buffer.concat(out).toString('latin1')), 5000, 'the point dump');
  } finally { site.gw.child.stdout.off('data', take); }
  const bytes = Buffer.concat(out);
  let text;
  assert.doesNotThrow(() => { text = strict.decode(bytes); }, 'the dump is not valid UTF-8');
  const line = text.split('\n').find((l) => l.split('\t')[0] === name);
  assert.ok(line, `${name} not in the dump`);
  const fields = line.split('\t');
  assert.equal(fields.length, 4, `a value split the line into fields: ${line}`);
  return fields[3];
}

/** A viewer that checks every text frame with the fatal decoder. */
function viewer(site) {
  const ws = new WebSocket(`ws://127.0.0.1:${site.diagPort}/api/v1/stream`, { skipUTF8Validation: true });
  const v = { ws, values: new Map(), console: [], invalid: 0, closed: null };
  ws.on('message', (data, isBinary) => {
    assert.equal(isBinary, false);
    let text;
    try { text = strict.decode(data); } catch { v.invalid++; return; }
    const m = JSON.parse(text);
    if (m.t === 'values') for (const [id, value] of m.v) v.values.set(id, value);
    else if (m.t === 'console') v.console.push(...m.lines);
  });
  ws.on('close', (code) => { v.closed = code; });
  v.open = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return v;
}

/** A raw charger that can send any frame and await the answer to a CALL. */
async function junkCharger(site, id) {
  const ws = await rawCharger(`${site.url}/${id}`);
  const waiting = new Map();
  ws.on('message', (d) => {
    const m = JSON.parse(d);
    const w = waiting.get(m[1]);
    if (w) { waiting.delete(m[1]); w(m); }
  });
  let n = 0;
  return {
    ws,
    call(action, payload = {}) {
      const uid = `u${++n}`;
      return new Promise((resolve) => { waiting.set(uid, resolve); ws.send(JSON.stringify([2, uid, action, payload])); });
    },
    close() { ws.terminate(); },
  };
}

test('stray bytes written through the API and a knock at /ocpp/EVIL%FF: API and stream stay valid UTF-8, nothing dropped', async () => {
  const site = await startSite();
  try {
    const v = viewer(site);
    await v.open;
    // "E", 0xFF, "AB" written through the API itself (Modbus refuses
    // non-ASCII string registers; json-c passes raw bytes in a string)
    const w = await fetch(`${site.base}/api/v1/points/charger.0.remote_start.id_tag`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"value":"E'), Buffer.from([0xff]), Buffer.from('AB"}')]),
    });
    const wBytes = new Uint8Array(await w.arrayBuffer());
    assert.doesNotThrow(() => strict.decode(wBytes), 'the write answer is not valid UTF-8');
    assert.equal(w.status, 200);
    const knock = new WebSocket(`${site.url}/EVIL%FF`, ['ocpp1.6']);
    knock.on('error', () => {});
    await until(async () => (await getText(site, '/api/v1/scan')).includes('EVIL'), 8000, 'the knock in the scan list');

    const all = JSON.parse(await getText(site, '/api/v1/points'));
    const idTag = all.points.find((p) => p.name === 'charger.0.remote_start.id_tag');
    // the stray byte is escaped as the four characters \xFF, not dropped
    assert.equal(idTag.value, 'E\\xFFAB');
    const one = JSON.parse(await getText(site, '/api/v1/points/charger.0.remote_start.id_tag'));
    assert.equal(one.value, 'E\\xFFAB');
    const scan = JSON.parse(await getText(site, '/api/v1/scan')).scan;
    assert.ok(scan.some((e) => e.charger_id.startsWith('EVIL')));
    await getText(site, '/api/v1/chargers');
    await getText(site, '/metrics');

    await until(() => v.values.get(idTag.id) === 'E\\xFFAB', 8000, 'the escaped value on the stream');
    await until(() => v.console.some((l) => l.event === 'ocpp.scan'), 8000, 'the knock in the console');
    assert.equal(v.invalid, 0, 'a stream message was not valid UTF-8');
    assert.equal(v.closed, null, 'the viewer was disconnected');
    v.ws.close();

    // The SIGUSR1 dump escapes string values as plain text (common/text):
    // the stray byte as \xFF, a TAB (the dump's field separator) as \x09
    // and a backslash doubled, so that no value forges an escape or a field.
    assert.equal(await dumpValue(site, 'charger.0.remote_start.id_tag'), '"E\\xFFAB"');
    const w2 = await fetch(`${site.base}/api/v1/points/charger.0.remote_start.id_tag`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"value":"\\t\\\\x'), Buffer.from([0xfe]), Buffer.from('"}')]),
    });
    assert.equal(w2.status, 200);
    assert.equal(await dumpValue(site, 'charger.0.remote_start.id_tag'), '"\\x09\\\\x\\xFE"');
  } finally { await site.stop(); }
});

test('a console line over 8 KiB is cut between characters, says how much is missing, and the viewer stays', async () => {
  const site = await startSite();
  try {
    const v = viewer(site);
    await v.open;
    const c = await junkCharger(site, 'CP0');
    // Pad the vendor id so that byte 8192 of the frame falls inside an "é".
    let vendorId = 'x';
    const frameOf = (vid) => JSON.stringify([2, 'u1', 'DataTransfer', { vendorId: vid, data: 'é'.repeat(5000) }]);
    const prefix = (vid) => Buffer.byteLength(frameOf(vid).split('é')[0]);
    if ((8192 - prefix(vendorId)) % 2 === 0) vendorId = 'xy';
    assert.equal((8192 - prefix(vendorId)) % 2, 1);
    await c.call('DataTransfer', { vendorId, data: 'é'.repeat(5000) });
    await until(() => v.console.some((l) => l.event === 'ocpp.frame' && l.data.direction === 'in' && /DataTransfer/.test(l.data.frame)),
      8000, 'the long frame in the console');
    const line = v.console.find((l) => l.event === 'ocpp.frame' && l.data.direction === 'in' && /DataTransfer/.test(l.data.frame));
    const frame = line.data.frame;
    assert.match(frame, /… \(\d+ more bytes\)$/);
    assert.ok(!frame.includes('\ufffd'), 'a character was cut in two');
    const kept = frame.replace(/… \(\d+ more bytes\)$/, '');
    const missing = Number(/\((\d+) more bytes\)$/.exec(frame)[1]);
    assert.equal(Buffer.byteLength(kept) + missing, Buffer.byteLength(frameOf(vendorId)));
    assert.ok(Buffer.byteLength(kept) <= 8192);
    // the viewer still gets messages afterwards
    const before = v.console.length;
    await c.call('Heartbeat');
    await until(() => v.console.length > before, 8000, 'console lines after the long one');
    assert.equal(v.invalid, 0);
    assert.equal(v.closed, null, 'the viewer was disconnected');
    c.close();
    v.ws.close();
  } finally { await site.stop(); }
});

// The OCPP 1.6 actions and the Security Whitepaper's, plus "other".
const ACTIONS = new Set(['Authorize', 'BootNotification', 'CancelReservation', 'CertificateSigned',
  'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'ClearChargingProfile', 'DataTransfer',
  'DeleteCertificate', 'DiagnosticsStatusNotification', 'ExtendedTriggerMessage', 'FirmwareStatusNotification',
  'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics', 'GetInstalledCertificateIds',
  'GetLocalListVersion', 'GetLog', 'Heartbeat', 'InstallCertificate', 'LogStatusNotification', 'MeterValues',
  'RemoteStartTransaction', 'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SecurityEventNotification',
  'SendLocalList', 'SetChargingProfile', 'SignCertificate', 'SignedFirmwareStatusNotification',
  'SignedUpdateFirmware', 'StartTransaction', 'StatusNotification', 'StopTransaction', 'TriggerMessage',
  'UnlockConnector', 'UpdateFirmware', 'other']);

test('metrics: junk action names (a TAB, 1,024 distinct) count as "other"; real actions are still counted', async () => {
  const site = await startSite();
  try {
    const c = await junkCharger(site, 'CP0');
    await c.call('Boot\tNotification', {});
    for (let i = 0; i < 1024; i++) await c.call(`Junk${i}`, {});
    const hb = await c.call('Heartbeat');
    assert.equal(hb[0], 3);
    const text = await getText(site, '/metrics');
    const series = text.split('\n').filter((l) => l.startsWith('gatewayd_ocpp_frames_total{'));
    const seen = new Set();
    for (const l of series) {
      const m = /^gatewayd_ocpp_frames_total\{direction="(in|out)",action="([^"]*)"\} (\d+)$/.exec(l);
      assert.ok(m, `malformed series: ${JSON.stringify(l)}`);
      assert.ok(ACTIONS.has(m[2]), `action label outside the fixed set: ${JSON.stringify(m[2])}`);
      const key = `${m[1]} ${m[2]}`;
      assert.ok(!seen.has(key), `duplicate series ${key}`);
      seen.add(key);
    }
    const get = (dir, action) => Number((new RegExp(`^gatewayd_ocpp_frames_total\\{direction="${dir}",action="${action}"\\} (\\d+)$`, 'm').exec(text) || [])[1]);
    assert.equal(get('in', 'Heartbeat'), 1);
    assert.equal(get('out', 'Heartbeat'), 1);
    assert.equal(get('in', 'other'), 1025);
    c.close();
  } finally { await site.stop(); }
});
