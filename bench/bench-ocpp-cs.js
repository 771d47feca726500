#!/usr/bin/env node
'use strict';
// bench/ocpp_cs: a real gatewayd (ocpp_cs + modbus_tcp) with 20, 200 and
// 1,000 simulated chargers (raw WebSocket clients) each sending MeterValues
// once a second. Prints, per size:
//   - p50/p99 from a charger's send to the value being readable over Modbus
//   - p50/p99 from the BMS's flag write (one FC16 with the parameters) to the
//     result register for RemoteStartTransaction, the charger answering at once
//   - RSS per connected charger (gatewayd's VmRSS growth / chargers)
// against the targets (p99 <= 5 ms at 20 chargers; <= 32 KiB per charger).
// Usage: GW_BUILDDIR=... node bench/bench-ocpp-cs.js [sizes...] (default 20 200 1000)
const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort, SRCDIR } = require('../tests/integration/lib/gatewayd');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const pct = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
const strRegs = (s, n) => { const b = Buffer.alloc(2 * n); b.write(s); return Array.from({ length: n }, (_, i) => b.readUInt16BE(2 * i)); };

function connect(url, id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${id}`, ['ocpp1.6'], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function meterFrame(n, value) {
  return JSON.stringify([2, `m${n}`, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(),
    sampledValue: [{ value: String(value), measurand: 'Power.Active.Import', unit: 'W' }] }] }]);
}

async function run(n) {
  const wsPort = await freePort();
  const mbPort = await freePort();
  const ids = Array.from({ length: n }, (_, i) => `B${i}`);
  const gw = await startGatewayd({
    core: { max_signals: 1000000, state_dir: fs.mkdtempSync('/tmp/gw-bench-') },
    ocpp_cs: { bind_address: '127.0.0.1', port: wsPort, register_map: MAP, chargers: ids, connectors: 1, ping_interval: 0 },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP },
  });
  const url = `ws://127.0.0.1:${wsPort}/ocpp`;
  const mb = new ModbusRTU();
  await mb.connectTCP('127.0.0.1', { port: mbPort });
  mb.setID(1);
  try {
    await sleep(300);
    const rss0 = rss(gw.child.pid);
    const socks = [];
    for (let i = 0; i < n; i += 50) socks.push(...await Promise.all(ids.slice(i, i + 50).map((id) => connect(url, id))));
    for (const s of socks) s.on('message', () => {});
    await sleep(500);
    const rss1 = rss(gw.child.pid);
    // background load: every charger sends MeterValues once a second, spread over the second
    let seq = 0;
    const timers = socks.map((s, i) => setTimeout(function tick() {
      if (s.readyState === WebSocket.OPEN) s.send(meterFrame(++seq, 1 + (seq % 1000)));
      timers[i] = setTimeout(tick, 1000);
    }, (1000 * i) / n));
    // probe: charger 0 (mapped: registers exist) sends a unique value; the BMS polls until it reads it
    const probe = socks[0];
    const meterAddr = 612 + 100 + 55; // charger 0, connector 1, power.active.import
    const meterLat = [];
    for (let k = 0; k < SAMPLES; k++) {
      const value = 100000 + k;
      const t0 = process.hrtime.bigint();
      probe.send(meterFrame(`p${k}`, value));
      for (;;) {
        const r = await mb.readHoldingRegisters(meterAddr, 2);
        if (r.buffer.readFloatBE(0) === value) break;
      }
      meterLat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(5);
    }
    // RemoteStartTransaction: the charger answers at once
    probe.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m[0] === 2) probe.send(JSON.stringify([3, m[1], { status: 'Accepted' }]));
    });
    const rsLat = [];
    for (let k = 0; k < Math.min(SAMPLES, 100); k++) {
      const t0 = process.hrtime.bigint();
      await mb.writeRegisters(100 + 376, [1, 1, ...strRegs('BENCH', 10)]);
      // the result (392) is written before the flag (376) returns to 0
      for (;;) {
        const r = await mb.readHoldingRegisters(100 + 376, 17);
        if (r.data[0] === 0) {
          if (r.data[16] !== 0) throw new Error(`RemoteStart result ${r.data[16]}`);
          break;
        }
      }
      rsLat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    timers.forEach(clearTimeout);
    const perCharger = ((rss1 - rss0) * 1024) / n;
    console.log(`chargers ${String(n).padStart(4)}: MeterValues->Modbus p50 ${pct(meterLat, 0.5).toFixed(2)} ms p99 ${pct(meterLat, 0.99).toFixed(2)} ms | ` +
      `RemoteStart flag->result p50 ${pct(rsLat, 0.5).toFixed(2)} ms p99 ${pct(rsLat, 0.99).toFixed(2)} ms | ` +
      `RSS ${(perCharger / 1024).toFixed(1)} KiB/charger (${rss0} -> ${rss1} KiB)`);
    for (const s of socks) s.terminate();
    return { n, p99: pct(meterLat, 0.99), perCharger };
  } finally {
    mb.close(() => {});
    await gw.stop();
  }
}

(async () => {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const results = [];
  for (const n of sizes.length ? sizes : [20, 200, 1000]) results.push(await run(n));
  const r20 = results.find((r) => r.n === 20);
  if (r20) console.log(`target p99 <= 5 ms at 20 chargers: ${r20.p99.toFixed(2)} ms (ratio ${(r20.p99 / 5).toFixed(2)})`);
  const big = results[results.length - 1];
  console.log(`target <= 32 KiB RSS per charger at ${big.n}: ${(big.perCharger / 1024).toFixed(1)} KiB (ratio ${(big.perCharger / 32768).toFixed(2)})`);
})().catch((e) => { console.error(e); process.exit(1); });
