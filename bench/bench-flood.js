#!/usr/bin/env node
'use strict';
// bench/flood (issue 10 items 1 and 10): what one flooding charger costs.
// A real gatewayd (ocpp_cs or ocpp_bridge, modbus_tcp, diag for the
// core.loop.* points), a well-behaved charger sending Heartbeats (raw
// `ws`, one at a time) and a Modbus master reading a register, side by
// side without a flood and with one: a charger in a child process sending
// Heartbeats as fast as TCP allows, reading its answers, then one that
// never reads. Prints per mode:
//   - gatewayd's RSS growth during each flood (MiB per flooding peer)
//   - the other charger's and the Modbus master's p50/p99 without and with
//     the flood, and the ratio of the p99s
//   - the loop's lag p99 (core.loop.lag_p99_ms) and longest callback
// and, in cs mode, 1,000 chargers reconnecting at once: the longest loop
// callback and the worst lag while they do.
// Targets: <= 1 MiB per flooding peer, p99 ratio <= 2, lag p99 <= 5 ms,
// no callback over 5 ms in the reconnect storm.
// Usage: GW_BUILDDIR=... node bench/bench-flood.js [cs|bridge|storm ...]
// Env: BENCH_PHASE_MS (default 8000), BENCH_STORM (default 1000).
const fs = require('node:fs');
const os = require('node:os');
const http = require('node:http');
const path = require('node:path');
const { fork } = require('node:child_process');
const WebSocket = require('ws');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort, SRCDIR } = require('../tests/integration/lib/gatewayd');
const { rssKiB, heartbeats, rawWs, flood, percentile, sleep } = require('../tests/robustness/lib/flood');
const { startUpstreamChild } = require('../tests/robustness/lib/upstream-child');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const PHASE_MS = Number(process.env.BENCH_PHASE_MS || 8000);
const STORM = Number(process.env.BENCH_STORM || 1000);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

// ------------------------------------------------- the flooder (a child)
// node bench-flood.js --flooder PORT PATH read|noread: flood until killed
if (process.argv[2] === '--flooder') {
  const [port, urlPath, mode] = process.argv.slice(3);
  rawWs(Number(port), urlPath, { read: mode === 'read' }).then(async (peer) => {
    process.send({ open: true });
    const burst = heartbeats(2000);
    for (;;) await flood(peer.socket, burst, 60000);
  }).catch((e) => { process.send({ error: String(e) }); process.exit(1); });
  return;
}

function startFlooder(port, urlPath, read) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--flooder', String(port), urlPath, read ? 'read' : 'noread'],
      { env: process.env });
    child.once('message', (m) => (m.open ? resolve(child) : reject(new Error(m.error))));
  });
}

// ------------------------------------------------------------- probes
function getJson(port, p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => { try { resolve(JSON.parse(b)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

// one point at a time: a prefix listing walks every point (450,000 with
// 1,000 chargers), which would be the longest callback measured
async function loopPoints(diagPort) {
  const out = {};
  for (const n of ['lag_ms', 'lag_p99_ms', 'callback_max_ms']) {
    const p = await getJson(diagPort, `/api/v1/points/core.loop.${n}`);
    out[n] = Number(p.value);
  }
  return out;
}

function wsCharger(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { perMessageDeflate: false });
    ws.waiters = new Map();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const w = ws.waiters.get(m[1]);
      if (w) { ws.waiters.delete(m[1]); w(m); }
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let seq = 0;
function call(ws, action, payload) {
  const id = `p${++seq}`;
  return new Promise((resolve) => { ws.waiters.set(id, resolve); ws.send(JSON.stringify([2, id, action, payload])); });
}

/** Both probes for PHASE_MS, one request at a time each; RSS sampled. */
async function measure(gw, charger, mb) {
  const hb = [], rd = [];
  let peak = rssKiB(gw.child.pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(gw.child.pid)); }, 50);
  const end = Date.now() + PHASE_MS;
  await Promise.all([
    (async () => { while (Date.now() < end) { const t0 = process.hrtime.bigint(); await call(charger, 'Heartbeat', {}); hb.push(ms(t0)); await sleep(5); } })(),
    (async () => { while (Date.now() < end) { const t0 = process.hrtime.bigint(); await mb.readHoldingRegisters(100, 1); rd.push(ms(t0)); await sleep(5); } })(),
  ]);
  clearInterval(sampler);
  return { hb, rd, peak: Math.max(peak, rssKiB(gw.child.pid)) };
}

async function site(mode) {
  const wsPort = await freePort(), mbPort = await freePort(), diagPort = await freePort();
  let up = null;
  const config = {
    core: { state_dir: fs.mkdtempSync('/tmp/gw-bench-') },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP },
    diag: { port: diagPort },
  };
  const chargers = ['CP0:1', 'FL:1', 'FL2:1'];
  if (mode === 'cs') {
    config.ocpp_cs = { bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers, ping_interval: 0 };
  } else {
    up = await startUpstreamChild();
    config.ocpp_bridge = { upstream_url: up.url, bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers, ping_interval: 0 };
  }
  const gw = await startGatewayd(config, { timeoutMs: 30000 });
  const mb = new ModbusRTU();
  await mb.connectTCP('127.0.0.1', { port: mbPort });
  mb.setID(1);
  mb.setTimeout(10000);
  const charger = await wsCharger(`ws://127.0.0.1:${wsPort}/ocpp/CP0`);
  await call(charger, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  return { gw, up, mb, charger, wsPort, diagPort,
    async stop() { charger.terminate(); mb.close(() => {}); await gw.stop(); if (up) await up.close(); } };
}

async function floodBench(mode) {
  const s = await site(mode);
  const rows = [];
  try {
    await sleep(11000); // a quiet 10-s lag window first
    const base = await measure(s.gw, s.charger, s.mb);
    const baseLoop = await loopPoints(s.diagPort);
    rows.push({ phase: 'no flood', ...base, loop: baseLoop, grow: 0 });
    for (const [read, id] of [[true, 'FL'], [false, 'FL2']]) {
      const rss0 = rssKiB(s.gw.child.pid);
      const f = await startFlooder(s.wsPort, `/ocpp/${id}`, read);
      await sleep(10000 - PHASE_MS > 0 ? 10000 - PHASE_MS : 500); // the lag window covers only the flood
      const r = await measure(s.gw, s.charger, s.mb);
      const loop = await loopPoints(s.diagPort);
      f.kill('SIGKILL');
      rows.push({ phase: read ? 'flood, reading' : 'flood, not reading', ...r, loop, grow: (r.peak - rss0) / 1024 });
      await sleep(12000); // let the window forget the flood
    }
  } finally {
    await s.stop();
  }
  const b = rows[0];
  console.log(`-- ${mode} mode: ${PHASE_MS} ms per phase; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} ` +
    `on ${os.cpus().length} CPUs (lag and callback times are wall clock: they include time the loop thread waited for a CPU)`);
  console.log('phase               | RSS +MiB | Heartbeat p50/p99 ms (ratio p99) | Modbus p50/p99 ms (ratio p99) | loop lag p99 ms | longest callback ms');
  for (const r of rows) {
    const hb99 = percentile(r.hb, 99), rd99 = percentile(r.rd, 99);
    console.log(`${r.phase.padEnd(19)} | ${f2(r.grow).padStart(8)} | ` +
      `${f2(percentile(r.hb, 50))}/${f2(hb99)} (${f2(hb99 / percentile(b.hb, 99))}x) n=${r.hb.length}`.padEnd(33) + ' | ' +
      `${f2(percentile(r.rd, 50))}/${f2(rd99)} (${f2(rd99 / percentile(b.rd, 99))}x) n=${r.rd.length}`.padEnd(30) + ' | ' +
      `${f2(r.loop.lag_p99_ms).padStart(15)} | ${f2(r.loop.callback_max_ms)}`);
  }
  return rows;
}

// ------------------------------------------------ 1,000 chargers at once
// The chargers live in a child process: the parent reads gatewayd's log
// (a line per connect and disconnect) and must stay idle, or a full stderr
// pipe would stall gatewayd's loop and be measured instead of the loop.
// node bench-flood.js --storm URL N: connect and boot N chargers, report;
// on 'again' drop them all at once and reconnect and boot them all at once.
if (process.argv[2] === '--storm') {
  const [url, n] = [process.argv[3], Number(process.argv[4])];
  const ids = Array.from({ length: n }, (_, i) => `S${i}`);
  let socks = [];
  const wave = async () => {
    const t0 = process.hrtime.bigint();
    socks = await Promise.all(ids.map(async (id) => {
      for (let k = 0; ; k++) {
        try { return await wsCharger(`${url}/${id}`); } catch (e) { if (k > 50) throw e; await sleep(50); }
      }
    }));
    await Promise.all(socks.map((w) => call(w, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })));
    return ms(t0);
  };
  process.on('message', async (m) => {
    if (m === 'again') {
      for (const w of socks) w.terminate(); // every charger drops at once ...
      process.send({ again: await wave() }); // ... and all come back at once
    } else if (m === 'exit') {
      for (const w of socks) w.terminate();
      process.exit(0);
    }
  });
  wave().then((t) => process.send({ first: t }));
  return;
}

async function stormBench() {
  const wsPort = await freePort(), mbPort = await freePort(), diagPort = await freePort();
  const ids = Array.from({ length: STORM }, (_, i) => `S${i}`);
  const gw = await startGatewayd({
    core: { max_signals: 1000000, state_dir: fs.mkdtempSync('/tmp/gw-bench-') },
    ocpp_cs: { bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers: ids, connectors: 1, ping_interval: 0 },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP, chargers: STORM },
    diag: { port: diagPort },
  }, { timeoutMs: 60000 });
  const child = fork(__filename, ['--storm', `ws://127.0.0.1:${wsPort}/ocpp`, String(STORM)], { env: process.env });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  try {
    await next();
    await sleep(11000);
    const quiet = await loopPoints(diagPort);
    let lagMax = 0;
    const sampler = setInterval(() => loopPoints(diagPort).then((p) => { lagMax = Math.max(lagMax, p.lag_ms); }).catch(() => {}), 250);
    child.send('again');
    const { again } = await next();
    await sleep(1500);
    clearInterval(sampler);
    const after = await loopPoints(diagPort);
    lagMax = Math.max(lagMax, after.lag_ms);
    console.log(`-- ${STORM} chargers reconnecting at once (each: WebSocket handshake + BootNotification); ` +
      `load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    console.log(`reconnect and boot took ${f2(again)} ms; longest loop callback ${f2(after.callback_max_ms)} ms ` +
      `(the 10 s before: ${f2(quiet.callback_max_ms)} ms); worst loop lag ${f2(lagMax)} ms; lag p99 ${f2(after.lag_p99_ms)} ms`);
  } finally {
    child.send('exit');
    await gw.stop();
  }
}

(async () => {
  const what = process.argv.slice(2).length ? process.argv.slice(2) : ['cs', 'bridge', 'storm'];
  for (const w of what) {
    if (w === 'storm') await stormBench();
    else await floodBench(w);
  }
})().catch((e) => { console.error(e); process.exit(1); });
