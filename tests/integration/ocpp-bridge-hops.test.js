'use strict';
// ocpp_bridge, each hop on its own: WebSocket pings are answered and sent
// per hop, never relayed; a charger that stops answering pings is dropped
// and its upstream connection with it. And the sockets a large site needs:
// started with a soft open-file limit of 1,024 (a Debian user's default),
// gatewayd raises it and relays 600 chargers (1,200 sockets), waiting in
// epoll (lws' libev plugin).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const WebSocket = require('ws');
const { until, startBridge, rawCharger } = require('./lib/bridge-site');
const { freePort, tmpDir } = require('./lib/gatewayd');

/** A bare upstream (the `ws` package) that answers every CALL and records
 *  the pings and pongs each connection sees. */
async function startRawUpstream() {
  const port = await freePort();
  const up = { conns: new Map(), closed: new Set() };
  up.wss = await new Promise((resolve) => {
    const wss = new WebSocket.WebSocketServer({ host: '127.0.0.1', port, handleProtocols: () => 'ocpp1.6' },
      () => resolve(wss));
  });
  up.wss.on('connection', (ws, req) => {
    const id = req.url.split('/').pop();
    const rec = { ws, pings: [], pongs: [] };
    up.conns.set(id, rec);
    ws.on('ping', (d) => rec.pings.push(d.toString()));
    ws.on('pong', (d) => rec.pongs.push(d.toString()));
    ws.on('close', () => up.closed.add(id));
    ws.on('message', (m) => {
      const call = /^\[2,"([^"]+)"/.exec(m.toString());
      if (call) ws.send(`[3,"${call[1]}",{}]`);
    });
  });
  up.url = `ws://127.0.0.1:${port}/cs`;
  up.close = () => new Promise((resolve) => { for (const c of up.wss.clients) c.terminate(); up.wss.close(resolve); });
  return up;
}

test('pings are per hop: the bridge pings both sides, answers both, relays none; a mute charger is dropped with its upstream', async () => {
  const up = await startRawUpstream();
  let s;
  try {
    s = await startBridge(up.url, { bridge: { ping_interval: 1 } });
    const good = await rawCharger(`${s.url}/CP0`);
    const goodPings = [], goodPongs = [];
    good.on('ping', (d) => goodPings.push(d.toString()));
    good.on('pong', (d) => goodPongs.push(d.toString()));
    const mute = new WebSocket(`${s.url}/CP1`, ['ocpp1.6'], { autoPong: false });
    await new Promise((resolve, reject) => { mute.once('open', resolve); mute.once('error', reject); });
    const muteClosed = new Promise((resolve) => mute.once('close', resolve));
    await until(() => up.conns.has('CP0') && up.conns.has('CP1'), 5000, 'both upstream connections');
    const upGood = up.conns.get('CP0');

    // each side's own ping is answered by the bridge and goes no further
    good.ping('from-charger');
    upGood.ws.ping('from-cs');
    await until(() => goodPongs.includes('from-charger') && upGood.pongs.includes('from-cs'), 5000, 'pongs from the bridge');
    // the bridge's own pings reach both sides of the answering charger
    await until(() => goodPings.length >= 2 && upGood.pings.length >= 2, 8000, 'two pings on each hop');
    assert.ok(!upGood.pings.includes('from-charger'), 'a charger ping is not relayed upstream');
    assert.ok(!goodPings.includes('from-cs'), 'an upstream ping is not relayed to the charger');

    // a charger that never answers is dropped (after ping_interval * 2 + 10 s), and its upstream goes too
    await Promise.race([muteClosed, new Promise((_, rej) => setTimeout(() => rej(new Error('mute charger not dropped')), 20000))]);
    await until(() => up.closed.has('CP1'), 5000, 'the mute charger\'s upstream closed');
    // the answering charger is still relayed
    const answer = new Promise((resolve) => good.once('message', (m) => resolve(m.toString())));
    good.send('[2,"h1","Heartbeat",{}]');
    assert.strictEqual(await answer, '[3,"h1",{}]');
    assert.ok(!up.closed.has('CP0'));
    good.terminate();
  } finally { if (s) await s.stop(); await up.close(); }
});

test('started with a soft open-file limit of 1,024, gatewayd raises it and relays 600 chargers', async () => {
  const N = 600;
  const up = await startRawUpstream();
  const ids = Array.from({ length: N }, (_, i) => `M${i}`);
  const sockets = [];
  let s;
  try {
    s = await startBridge(up.url, {
      chargers: ids.map((id) => `${id}:1`),
      groups: { core: { max_signals: 1000000, state_dir: tmpDir('gw-hops-state-') } },
      wrapper: ['sh', '-c', 'ulimit -Sn 1024 && exec "$0" "$@"'],
    });
    // the relay waits in epoll through lws' libev plugin, not in poll() over 1,200 sockets
    const maps = fs.readFileSync(`/proc/${s.gw.child.pid}/maps`, 'utf8');
    assert.match(maps, /libwebsockets-evlib_ev\.so/);
    assert.doesNotMatch(s.gw.stderr, /poll\(\) over every socket/);
    const limits = fs.readFileSync(`/proc/${s.gw.child.pid}/limits`, 'utf8');
    const soft = Number(/Max open files\s+(\d+)/.exec(limits)[1]);
    assert.ok(soft > 2 * N + 100, `soft limit raised (now ${soft})`);
    for (let i = 0; i < N; i += 100) {
      sockets.push(...await Promise.all(ids.slice(i, i + 100).map((id) => rawCharger(`${s.url}/${id}`))));
    }
    const answers = await Promise.all(sockets.map((ws, i) => new Promise((resolve) => {
      ws.once('message', (m) => resolve(m.toString()));
      ws.send(`[2,"m${i}","Heartbeat",{}]`);
    })));
    answers.forEach((a, i) => assert.strictEqual(a, `[3,"m${i}",{}]`));
    assert.strictEqual(up.conns.size, N);
  } finally {
    sockets.forEach((ws) => ws.terminate());
    if (s) await s.stop();
    await up.close();
  }
});

test('sockets that connect and say nothing: past 1,024 pending handshakes the next gets 503; chargers connect once they go', async () => {
  const net = require('node:net');
  const up = await startRawUpstream();
  const silent = [];
  let s;
  try {
    s = await startBridge(up.url);
    const open = () => new Promise((resolve, reject) => {
      const c = net.connect(s.wsPort, '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    });
    for (let i = 0; i < 1024; i += 128) silent.push(...await Promise.all(Array.from({ length: 128 }, open)));
    await until(async () => {
      const probe = await open();
      const answer = await new Promise((resolve) => {
        let text = '';
        probe.on('data', (d) => { text += d; });
        probe.on('close', () => resolve(text));
        probe.write('GET /ocpp/CP0 HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      return /^HTTP\/1\.1 503 /.test(answer);
    }, 5000, 'a 503 for the 1,025th pending handshake');
    await s.gw.waitForLog(/1024 connections are still sending their handshake/);
    silent.forEach((c) => c.destroy());
    silent.length = 0;
    await until(async () => {
      try { (await rawCharger(`${s.url}/CP0`)).terminate(); return true; } catch { return false; }
    }, 5000, 'a charger admitted again');
  } finally {
    silent.forEach((c) => c.destroy());
    if (s) await s.stop();
    await up.close();
  }
});
