#!/usr/bin/env node
'use strict';
// bench/ocpp_cs: a real gatewayd (ocpp_cs + modbus_tcp serving every unit id
// the chargers need) with 20, 200 and 1,000 simulated chargers (raw
// WebSocket clients), every charger but the probe sending MeterValues once a
// second. Side by side in the same run, the same chargers against a
// baseline: a plain ocpp-rpc RPCServer (strict mode) in a child process that
// answers MeterValues and sends RemoteStartTransaction itself.
// Prints, per size:
//   - MeterValues round trip (send -> CALLRESULT), gatewayd vs baseline, ratio
//   - p50/p99 from a charger's send to the value being readable over Modbus
//     (the baseline has no Modbus: its figure is the round trip above)
//   - RemoteStartTransaction: gatewayd from the BMS's flag write (one FC16
//     with the parameters) to the result register; baseline from call() to
//     its result; the charger answers at once in both; ratio
//   - RSS: gatewayd's growth per connected charger, and its whole RSS per
//     configured+connected charger against an empty gatewayd
// against the targets (p99 <= 5 ms at 20 chargers; <= 32 KiB per charger).
// Usage: GW_BUILDDIR=... node bench/bench-ocpp-cs.js [sizes...] (default 20 200 1000)
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');
const WebSocket = require('ws');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort, SRCDIR } = require('../tests/integration/lib/gatewayd');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const POLL_DEADLINE_MS = 2000; // a probe value not readable by then is counted lost
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const pct = (a, p) => (a.length ? a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))] : NaN);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const strRegs = (s, n) => { const b = Buffer.alloc(2 * n); b.write(s); return Array.from({ length: n }, (_, i) => b.readUInt16BE(2 * i)); };
const f2 = (x) => x.toFixed(2);

// ------------------------------------------------------------- baseline server
// `node bench-ocpp-cs.js --baseline-server`: an ocpp-rpc RPCServer on a free
// port; tells the parent its port, then on {remoteStart: id, count} calls
// RemoteStartTransaction on that charger `count` times and reports latencies.
if (process.argv[2] === '--baseline-server') {
  const { RPCServer } = require('ocpp-rpc');
  const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
  const clients = new Map();
  server.on('client', (client) => {
    clients.set(client.identity, client);
    client.handle('MeterValues', () => ({}));
    client.on('close', () => clients.delete(client.identity));
  });
  process.on('message', async (m) => {
    if (m.remoteStart) {
      const c = clients.get(m.remoteStart);
      const lat = [];
      for (let k = 0; k < m.count; k++) {
        const t0 = process.hrtime.bigint();
        const r = await c.call('RemoteStartTransaction', { connectorId: 1, idTag: 'BENCH' });
        if (r.status !== 'Accepted') throw new Error(`baseline RemoteStart ${r.status}`);
        lat.push(ms(t0));
      }
      process.send({ remoteStartLat: lat });
    } else if (m.exit) {
      await server.close({ force: true });
      process.exit(0);
    }
  });
  server.listen(0, '127.0.0.1').then((http) => process.send({ port: http.address().port }));
  return;
}

// ------------------------------------------------------------------ chargers

function connect(url, id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${id}`, ['ocpp1.6'], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function connectAll(url, ids) {
  const socks = [];
  for (let i = 0; i < ids.length; i += 50) socks.push(...await Promise.all(ids.slice(i, i + 50).map((id) => connect(url, id))));
  // Every charger answers CALLs at once; replies are routed to waiters by id.
  for (const s of socks) {
    s.waiters = new Map();
    s.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m[0] === 2) s.send(JSON.stringify([3, m[1], { status: 'Accepted' }]));
      else if (s.waiters.has(m[1])) { s.waiters.get(m[1])(m); s.waiters.delete(m[1]); }
    });
  }
  return socks;
}

function meterFrame(id, value) {
  return JSON.stringify([2, id, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(),
    sampledValue: [{ value: String(value), measurand: 'Power.Active.Import', unit: 'W' }] }] }]);
}

// Every charger but the probe (socks[0]) sends MeterValues once a second,
// spread over the second: the probe's values are never overwritten.
function backgroundLoad(socks) {
  let seq = 0;
  const timers = socks.map((s, i) => i && setTimeout(function tick() {
    if (s.readyState === WebSocket.OPEN) s.send(meterFrame(`b${++seq}`, 1 + (seq % 1000)));
    timers[i] = setTimeout(tick, 1000);
  }, (1000 * i) / socks.length));
  return () => timers.forEach((t) => t && clearTimeout(t));
}

// send -> CALLRESULT, for both servers
async function meterRoundTrips(probe, tag) {
  const lat = [];
  for (let k = 0; k < SAMPLES; k++) {
    const id = `${tag}${k}`;
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => { probe.waiters.set(id, resolve); probe.send(meterFrame(id, 200000 + k)); });
    lat.push(ms(t0));
    await sleep(2);
  }
  return lat;
}

// ------------------------------------------------------------------ gatewayd

async function runGatewayd(n, rssEmpty) {
  const wsPort = await freePort();
  const mbPort = await freePort();
  const ids = Array.from({ length: n }, (_, i) => `B${i}`);
  const t0 = process.hrtime.bigint();
  const gw = await startGatewayd({
    core: { max_signals: 1000000, state_dir: fs.mkdtempSync('/tmp/gw-bench-') },
    ocpp_cs: { bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers: ids, connectors: 1, ping_interval: 0 },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP, chargers: n },
  }, { timeoutMs: 60000 });
  const startMs = ms(t0);
  const url = `ws://127.0.0.1:${wsPort}/ocpp`;
  const mb = new ModbusRTU();
  await mb.connectTCP('127.0.0.1', { port: mbPort });
  mb.setID(1);
  mb.setTimeout(5000);
  try {
    await sleep(300);
    const rss0 = rss(gw.child.pid);
    const t1 = process.hrtime.bigint();
    const socks = await connectAll(url, ids);
    const connectMs = ms(t1);
    await sleep(500);
    const rss1 = rss(gw.child.pid);
    const stopLoad = backgroundLoad(socks);
    const probe = socks[0];
    const roundTrip = await meterRoundTrips(probe, 'r');
    // probe: charger 0 sends a unique value; the BMS polls until it reads it
    const meterAddr = 612 + 100 + 55; // charger 0, connector 1, power.active.import
    const meterLat = [];
    let lost = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const value = 100000 + k;
      const t2 = process.hrtime.bigint();
      probe.send(meterFrame(`p${k}`, value));
      for (;;) {
        const r = await mb.readHoldingRegisters(meterAddr, 2);
        if (r.buffer.readFloatBE(0) === value) { meterLat.push(ms(t2)); break; }
        if (ms(t2) > POLL_DEADLINE_MS) { lost++; break; }
      }
      await sleep(5);
    }
    const rsLat = [];
    for (let k = 0; k < Math.min(SAMPLES, 100); k++) {
      const t2 = process.hrtime.bigint();
      await mb.writeRegisters(100 + 376, [1, 1, ...strRegs('BENCH', 10)]);
      // the result (392) is written before the flag (376) returns to 0
      for (;;) {
        const r = await mb.readHoldingRegisters(100 + 376, 17);
        if (r.data[0] === 0) {
          if (r.data[16] !== 0) throw new Error(`RemoteStart result ${r.data[16]}`);
          break;
        }
      }
      rsLat.push(ms(t2));
    }
    // a charger past index 20 is served through its unit id too
    if (n > 20) {
      const last = n - 1;
      mb.setID(1 + Math.floor(last / 20));
      const addr = 612 + 2000 * (last % 20) + 100 + 55;
      socks[last].send(meterFrame('last', 4242));
      const t2 = process.hrtime.bigint();
      for (;;) {
        const r = await mb.readHoldingRegisters(addr, 2);
        if (r.buffer.readFloatBE(0) === 4242) break;
        if (ms(t2) > POLL_DEADLINE_MS) throw new Error(`charger ${last} not readable on unit ${1 + Math.floor(last / 20)}`);
      }
      mb.setID(1);
    }
    stopLoad();
    const rssEnd = rss(gw.child.pid);
    for (const s of socks) s.terminate();
    return {
      startMs, connectMs, roundTrip, meterLat, lost, rsLat,
      rss0, rss1, rssEnd, perConnected: ((rss1 - rss0) * 1024) / n, perCharger: ((rss1 - rssEmpty) * 1024) / n,
    };
  } finally {
    mb.close(() => {});
    await gw.stop();
  }
}

async function emptyGatewaydRss() {
  const gw = await startGatewayd({
    core: { state_dir: fs.mkdtempSync('/tmp/gw-bench-') },
    ocpp_cs: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP, ping_interval: 0 },
    modbus_tcp: { bind_address: '127.0.0.1', port: await freePort(), register_map: MAP },
  });
  try { await sleep(300); return rss(gw.child.pid); } finally { await gw.stop(); }
}

// ------------------------------------------------------------------ baseline

async function runBaseline(n) {
  const child = fork(__filename, ['--baseline-server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  try {
    const { port } = await next();
    const ids = Array.from({ length: n }, (_, i) => `B${i}`);
    const socks = await connectAll(`ws://127.0.0.1:${port}`, ids);
    await sleep(500);
    const stopLoad = backgroundLoad(socks);
    const roundTrip = await meterRoundTrips(socks[0], 'r');
    child.send({ remoteStart: 'B0', count: Math.min(SAMPLES, 100) });
    const { remoteStartLat } = await next();
    stopLoad();
    for (const s of socks) s.terminate();
    return { roundTrip, rsLat: remoteStartLat };
  } finally {
    child.send({ exit: true });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

(async () => {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const rssEmpty = await emptyGatewaydRss();
  console.log(`gatewayd with no charger configured: ${rssEmpty} KiB RSS`);
  const results = [];
  for (const n of sizes.length ? sizes : [20, 200, 1000]) {
    const g = await runGatewayd(n, rssEmpty);
    const b = await runBaseline(n);
    const ratio = (x, y) => f2(x / y);
    console.log(`chargers ${n}: started in ${g.startMs.toFixed(0)} ms, ${n} connected in ${g.connectMs.toFixed(0)} ms`);
    console.log(`  MeterValues round trip   gatewayd p50 ${f2(pct(g.roundTrip, 0.5))} p99 ${f2(pct(g.roundTrip, 0.99))} ms | ` +
      `baseline p50 ${f2(pct(b.roundTrip, 0.5))} p99 ${f2(pct(b.roundTrip, 0.99))} ms | ratio p50 ${ratio(pct(g.roundTrip, 0.5), pct(b.roundTrip, 0.5))} p99 ${ratio(pct(g.roundTrip, 0.99), pct(b.roundTrip, 0.99))}`);
    console.log(`  MeterValues->Modbus      gatewayd p50 ${f2(pct(g.meterLat, 0.5))} p99 ${f2(pct(g.meterLat, 0.99))} ms` +
      `${g.lost ? ` (${g.lost} lost)` : ''} | vs baseline round trip ratio p50 ${ratio(pct(g.meterLat, 0.5), pct(b.roundTrip, 0.5))} p99 ${ratio(pct(g.meterLat, 0.99), pct(b.roundTrip, 0.99))}`);
    console.log(`  RemoteStart -> result    gatewayd p50 ${f2(pct(g.rsLat, 0.5))} p99 ${f2(pct(g.rsLat, 0.99))} ms | ` +
      `baseline p50 ${f2(pct(b.rsLat, 0.5))} p99 ${f2(pct(b.rsLat, 0.99))} ms | ratio p50 ${ratio(pct(g.rsLat, 0.5), pct(b.rsLat, 0.5))} p99 ${ratio(pct(g.rsLat, 0.99), pct(b.rsLat, 0.99))}`);
    console.log(`  RSS ${g.rss0} KiB configured -> ${g.rss1} KiB connected -> ${g.rssEnd} KiB after load: ` +
      `${f2(g.perConnected / 1024)} KiB per connection, ${f2(g.perCharger / 1024)} KiB per configured+connected charger`);
    results.push({ n, ...g });
  }
  const r20 = results.find((r) => r.n === 20);
  if (r20) console.log(`target p99 <= 5 ms at 20 chargers: ${f2(pct(r20.meterLat, 0.99))} ms (ratio ${f2(pct(r20.meterLat, 0.99) / 5)})`);
  const big = results[results.length - 1];
  console.log(`target <= 32 KiB RSS per charger at ${big.n}: ${f2(big.perConnected / 1024)} KiB per connection (ratio ${f2(big.perConnected / 32768)}), ` +
    `${f2(big.perCharger / 1024)} KiB with its points (ratio ${f2(big.perCharger / 32768)})`);
  if (results.some((r) => r.lost)) process.exitCode = 1;
})().catch((e) => { console.error(e); process.exit(1); });
