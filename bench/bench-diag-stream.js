'use strict';
// bench/diag: 10,000 points changing at 1,000 changes/s, one viewer on
// /api/v1/stream. Prints the updates delivered per second, the stream
// queue's memory over time (gatewayd_diag_stream_queue_bytes), and the
// daemon's CPU with the viewer attached divided by without (the baseline,
// measured in the same run on the same daemon).
// Usage: GW_BUILDDIR=... node bench/bench-diag-stream.js  (BENCH_SECONDS=5)
const fs = require('node:fs');
const WebSocket = require('ws');
const { startGatewayd, freePort } = require('../tests/integration/lib/gatewayd');

const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const RATE = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const HZ = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function queueBytes(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^gatewayd_diag_stream_queue_bytes (\d+)$/m.exec(text)[1]);
}

async function cpuOver(pid, seconds, during) {
  const t0 = process.hrtime.bigint(), c0 = cpuTicks(pid);
  await during(seconds);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return (cpuTicks(pid) - c0) / HZ / wall;
}

(async () => {
  const port = await freePort();
  const gw = await startGatewayd({
    diag_points: { count: 9994, rate: RATE }, // + 6 own points = 10,000
    diag: { port },
  });
  const base = `http://127.0.0.1:${port}`;
  const pid = gw.child.pid;
  try {
    await sleep(1000);
    const idle = await cpuOver(pid, SECONDS, (s) => sleep(s * 1000));

    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
    let values = 0, messages = 0;
    ws.on('message', (d) => {
      const m = JSON.parse(d);
      messages++;
      if (m.t === 'values') values += m.v.length;
    });
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    await sleep(1500); // the initial 10,000 values
    const v0 = values, m0 = messages;
    const samples = [];
    const watched = await cpuOver(pid, SECONDS, async (s) => {
      for (let i = 0; i < s * 2; i++) {
        await sleep(500);
        samples.push(await queueBytes(base));
      }
    });
    const rate = (values - v0) / SECONDS;
    ws.close();

    // A stalled viewer: the queue must stay bounded while it does not read.
    const slow = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
    await new Promise((r, j) => { slow.once('open', r); slow.once('error', j); });
    slow._socket.pause();
    const stalled = [];
    for (let i = 0; i < SECONDS * 2; i++) {
      await sleep(500);
      stalled.push(await queueBytes(base));
    }
    slow.terminate();

    console.log(`points: 10000, changes/s: ${RATE}, ${SECONDS} s per phase`);
    console.log(`updates delivered to the viewer: ${rate.toFixed(0)}/s in ${((messages - m0) / SECONDS).toFixed(1)} messages/s`);
    console.log(`stream queue bytes, attached viewer (every 0.5 s): ${samples.join(' ')}`);
    console.log(`stream queue bytes, stalled viewer  (every 0.5 s): ${stalled.join(' ')} (max ${Math.max(...stalled)})`);
    console.log(`daemon RSS: ${rssKiB(pid)} KiB`);
    console.log(`daemon CPU without viewer: ${(idle * 100).toFixed(2)}%  with viewer: ${(watched * 100).toFixed(2)}%`);
    console.log(`ratio CPU with viewer / without: ${(watched / Math.max(idle, 0.0001)).toFixed(2)}`);
  } finally {
    await gw.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
