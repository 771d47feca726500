'use strict';
// ocpp_bridge under bursts: the relay packs every message queued for a side
// into one write of whole WebSocket frames (masked towards upstream), so
// these tests send many messages without waiting and check that each one
// arrives unchanged, whole and in order, at every length encoding
// (7-bit, 16-bit, 64-bit), as text and binary, and when the sender
// fragments it. The peers are plain `ws` endpoints because ocpp-rpc never
// sends binary, fragmented or back-to-back frames. The raw upstream never
// answers, so the chargers' CALLs go without waiting (call_hold_timeout = 0).
const test = require('node:test');
const assert = require('node:assert');
const WebSocket = require('ws');
const { freePort } = require('./lib/gatewayd');
const { until, startBridge } = require('./lib/bridge-site');

/** A raw upstream that records every message per charger path. */
async function rawUpstream() {
  const port = await freePort();
  const up = { got: new Map(), sockets: new Map() };
  up.wss = await new Promise((resolve) => {
    const wss = new WebSocket.WebSocketServer({
      host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 1 << 20,
      handleProtocols: (p) => (p.has('ocpp1.6') ? 'ocpp1.6' : false),
    }, () => resolve(wss));
  });
  up.wss.on('connection', (ws, req) => {
    const id = req.url.split('/').pop();
    up.sockets.set(id, ws);
    up.got.set(id, []);
    ws.on('message', (data, isBinary) => up.got.get(id).push({ data: Buffer.from(data), isBinary }));
  });
  up.url = `ws://127.0.0.1:${port}/cs`;
  up.close = () => new Promise((resolve) => {
    for (const ws of up.wss.clients) ws.terminate();
    up.wss.close(resolve);
  });
  return up;
}

function rawCharger(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { perMessageDeflate: false, maxPayload: 1 << 20 });
    ws.got = [];
    ws.on('message', (data, isBinary) => ws.got.push({ data: Buffer.from(data), isBinary }));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Messages of every length class, each unique so order is checked too. */
function burst(tag, n) {
  const sizes = [0, 1, 125, 126, 127, 1000, 65535, 65536, 70000];
  const out = [];
  for (let i = 0; i < n; i++) {
    const size = i < sizes.length ? sizes[i] : 20 + (i % 200);
    const head = `[2,"${tag}-${i}","DataTransfer",{"data":"`;
    const body = size > head.length + 4 ? 'x'.repeat(size - head.length - 4) : '';
    const text = size === 0 ? '' : `${head}${body}"}]`;
    out.push({ data: Buffer.from(text), isBinary: false });
  }
  // binary messages, including bytes that are not UTF-8
  out.push({ data: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f]), isBinary: true });
  out.push({ data: Buffer.alloc(70000, 0xa5), isBinary: true });
  return out;
}

const same = (got, sent) => {
  assert.strictEqual(got.length, sent.length, 'message count');
  for (let i = 0; i < sent.length; i++) {
    assert.strictEqual(got[i].isBinary, sent[i].isBinary, `message ${i} type`);
    assert.ok(got[i].data.equals(sent[i].data), `message ${i} bytes (${sent[i].data.length} sent, ${got[i].data.length} got)`);
  }
};

test('a burst both ways arrives whole, unchanged and in order at every frame length', async () => {
  const up = await rawUpstream();
  const s = await startBridge(up.url, { bridge: { max_message_size: 200000, call_hold_timeout: 0 } });
  try {
    const ws = await rawCharger(`${s.url}/CP0`);
    await until(() => up.sockets.has('CP0'), 3000, 'upstream connection');
    const fromCharger = burst('c', 2000);
    const fromCs = burst('s', 2000);
    for (const m of fromCharger) ws.send(m.data, { binary: m.isBinary });
    const cs = up.sockets.get('CP0');
    for (const m of fromCs) cs.send(m.data, { binary: m.isBinary });
    await until(() => up.got.get('CP0').length >= fromCharger.length && ws.got.length >= fromCs.length,
      15000, 'both bursts relayed');
    same(up.got.get('CP0'), fromCharger);
    same(ws.got, fromCs);
    ws.close();
  } finally { await s.stop(); await up.close(); }
});

test('a fragmented message is relayed as the same bytes; bursts on many chargers stay apart', async () => {
  const up = await rawUpstream();
  const ids = ['CP0', 'CP1', 'CP2', 'CP3'];
  const s = await startBridge(up.url, { chargers: ids.map((id) => `${id}:1`), bridge: { call_hold_timeout: 0 } });
  try {
    const socks = await Promise.all(ids.map((id) => rawCharger(`${s.url}/${id}`)));
    await until(() => ids.every((id) => up.sockets.has(id)), 3000, 'upstream connections');
    // CP0 sends one message in three fragments
    socks[0].send('[2,"f-1","Heart', { fin: false });
    socks[0].send('beat"', { fin: false });
    socks[0].send(',{}]', { fin: true });
    await until(() => up.got.get('CP0').length === 1, 3000, 'fragmented message');
    assert.strictEqual(up.got.get('CP0')[0].data.toString(), '[2,"f-1","Heartbeat",{}]');
    // then every charger and its CS interleave bursts
    const sent = new Map(ids.map((id) => [id, burst(id, 500).filter((m) => m.data.length <= 65536)]));
    for (let i = 0; i < 500; i++) {
      ids.forEach((id, k) => {
        const m = sent.get(id)[i];
        if (m) socks[k].send(m.data, { binary: m.isBinary });
        if (m) up.sockets.get(id).send(m.data, { binary: m.isBinary });
      });
    }
    const skip = (id) => (id === 'CP0' ? 1 : 0); // CP0's fragmented message came first
    await until(() => ids.every((id, k) => up.got.get(id).length === skip(id) + sent.get(id).length
      && socks[k].got.length === sent.get(id).length), 15000, 'all bursts relayed');
    ids.forEach((id, k) => {
      same(up.got.get(id).slice(skip(id)), sent.get(id));
      same(socks[k].got, sent.get(id));
    });
    socks.forEach((w) => w.close());
  } finally { await s.stop(); await up.close(); }
});
