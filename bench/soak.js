#!/usr/bin/env node
'use strict';
// `make soak` (not in CI): a real gatewayd (ocpp_cs, modbus_tcp, diag) with
// 200 chargers for SOAK_MINUTES (default 30): every charger sends
// Heartbeats and MeterValues; every few seconds some drop and reconnect;
// every 45 s a charger floods Heartbeats for 10 s (reading, then not
// reading in turn); a Modbus master polls all the time. Every
// SOAK_REPORT_S (default 30) it prints gatewayd's RSS and open
// descriptors; at the end the first and last figures and the largest, so
// "flat" can be read off. Exits 1 if gatewayd died or stopped answering.
// Env: SOAK_MINUTES, SOAK_CHARGERS (200), SOAK_REPORT_S (30).
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');
const WebSocket = require('ws');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort, SRCDIR } = require('../tests/integration/lib/gatewayd');
const { rssKiB, fdCount, sleep } = require('../tests/robustness/lib/flood');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const MINUTES = Number(process.env.SOAK_MINUTES || 30);
const N = Number(process.env.SOAK_CHARGERS || 200);
const REPORT_S = Number(process.env.SOAK_REPORT_S || 30);
const FLOODER = path.join(__dirname, 'bench-flood.js');

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('error', () => {});
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m[0] === 2) ws.send(JSON.stringify([3, m[1], { status: 'Accepted' }]));
      else ws.answered = (ws.answered || 0) + 1;
    });
  });
}

(async () => {
  const wsPort = await freePort(), mbPort = await freePort(), diagPort = await freePort();
  const ids = Array.from({ length: N }, (_, i) => `K${i}`);
  const floodIds = ['FLOOD0', 'FLOOD1'];
  const gw = await startGatewayd({
    core: { max_signals: 1000000, state_dir: fs.mkdtempSync('/tmp/gw-soak-') },
    ocpp_cs: { bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers: [...ids, ...floodIds], connectors: 1, ping_interval: 30 },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP, chargers: N + 2 },
    diag: { port: diagPort },
  }, { timeoutMs: 60000 });
  const url = `ws://127.0.0.1:${wsPort}/ocpp`;
  const socks = new Array(N);
  let seq = 0, reconnects = 0, floods = 0, mbReads = 0, mbErrors = 0, stopping = false;
  const open = async (i) => {
    for (;;) {
      try {
        socks[i] = await connect(`${url}/${ids[i]}`);
        socks[i].send(JSON.stringify([2, `b${++seq}`, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]));
        return;
      } catch { await sleep(200); }
    }
  };
  for (let i = 0; i < N; i += 20) await Promise.all(ids.slice(i, i + 20).map((_, k) => open(i + k)));
  const traffic = setInterval(() => {
    for (let i = 0; i < N; i++) {
      const w = socks[i];
      if (!w || w.readyState !== WebSocket.OPEN) continue;
      w.send(JSON.stringify(seq % 2 ? [2, `h${++seq}`, 'Heartbeat', {}]
        : [2, `m${++seq}`, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(seq % 10000) }] }] }]));
    }
  }, 1000);
  const churn = setInterval(() => {
    for (let k = 0; k < 5; k++) {
      const i = Math.floor(Math.random() * N);
      if (socks[i]) socks[i].terminate();
      socks[i] = null;
      reconnects++;
      open(i);
    }
  }, 2000);
  let floodTurn = 0;
  const flooder = setInterval(() => {
    const read = floodTurn % 2 === 0;
    const child = fork(FLOODER, ['--flooder', String(wsPort), `/ocpp/${floodIds[floodTurn++ % 2]}`, read ? 'read' : 'noread'], { stdio: 'ignore' });
    child.on('message', () => {});
    floods++;
    setTimeout(() => child.kill('SIGKILL'), 10000);
  }, 45000);
  const mb = new ModbusRTU();
  await mb.connectTCP('127.0.0.1', { port: mbPort });
  mb.setID(1);
  mb.setTimeout(5000);
  const poller = (async () => {
    while (!stopping) {
      try { await mb.readHoldingRegisters(100, 1); mbReads++; } catch { mbErrors++; }
      await sleep(20);
    }
  })();

  const samples = [];
  const t0 = Date.now();
  const report = () => {
    const s = { min: (Date.now() - t0) / 60000, rss: rssKiB(gw.child.pid), fds: fdCount(gw.child.pid) };
    samples.push(s);
    console.log(`t=${s.min.toFixed(1).padStart(5)} min  RSS ${(s.rss / 1024).toFixed(1).padStart(6)} MiB  fds ${String(s.fds).padStart(5)}  ` +
      `reconnects ${reconnects}  floods ${floods}  Modbus reads ${mbReads} (errors ${mbErrors})`);
  };
  await sleep(5000);
  report();
  const reporter = setInterval(report, REPORT_S * 1000);
  await sleep(MINUTES * 60000);
  stopping = true;
  clearInterval(reporter); clearInterval(traffic); clearInterval(churn); clearInterval(flooder);
  await poller;
  report();
  const alive = !gw.exited;
  const first = samples[0], last = samples[samples.length - 1];
  const maxRss = Math.max(...samples.map((s) => s.rss)), maxFds = Math.max(...samples.map((s) => s.fds));
  console.log(`soak: ${MINUTES} min, ${N} chargers: RSS ${(first.rss / 1024).toFixed(1)} -> ${(last.rss / 1024).toFixed(1)} MiB ` +
    `(max ${(maxRss / 1024).toFixed(1)}), fds ${first.fds} -> ${last.fds} (max ${maxFds}); ` +
    `${reconnects} reconnects, ${floods} floods, ${mbReads} Modbus reads, ${mbErrors} errors; gatewayd ${alive ? 'alive' : 'DIED'}`);
  for (const w of socks) if (w) w.terminate();
  mb.close(() => {});
  await gw.stop();
  process.exit(alive && mbErrors === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
