'use strict';
// bench/diag-stall (issue 10, item 10): how long the loop stalls while a
// viewer opens on ~9,400 signals (what the page fetches: the point list,
// plugins, chargers, scan; then the stream's snapshot of every value) and
// while a SIGUSR1 dump runs. Measured from outside: a probe in a worker thread asks GET /api/v1/points/diagtest.status
// back to back (a request goes through the loop, so its latency is the
// loop's stall plus the round trip), one every ~1 ms. Printed side by side:
// idle (the baseline, same daemon, same run), viewers opening, dumps; the
// ratio is each phase's longest latency over idle's.
// On a shared machine other tenants' load preempts the daemon mid-slice and
// shows up as stalls too; BENCH_PRIORITY=-10 (root only) runs the daemon and
// the probe at that nice value to see the daemon's own stalls.
// Usage: GW_BUILDDIR=... node bench/bench-diag-stall.js  (BENCH_REPEAT=5, BENCH_PRIORITY)
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

if (!isMainThread) {
  // ------------------------------------------------------------ the probe
  const http = require('node:http');
  if (workerData.priority !== undefined) require('node:os').setPriority(0, workerData.priority); // this thread
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let lat = [];
  let running = true;
  const once = () => new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    http.get({ host: '127.0.0.1', port: workerData.port, path: '/api/v1/points/diagtest.status', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    }).on('error', () => resolve(NaN));
  });
  parentPort.on('message', (m) => {
    if (m === 'reset') lat = [];
    else if (m === 'take') parentPort.postMessage(lat.splice(0));
    else if (m === 'stop') running = false;
  });
  (async () => {
    while (running) {
      lat.push(await once());
      await new Promise((r) => setTimeout(r, 1));
    }
    agent.destroy();
    parentPort.close();
  })();
  return;
}

const WebSocket = require('ws');
const { startGatewayd, freePort, waitFor } = require('../tests/integration/lib/gatewayd');

const REPEAT = Number(process.env.BENCH_REPEAT || 5);
const PRIORITY = process.env.BENCH_PRIORITY === undefined ? undefined : Number(process.env.BENCH_PRIORITY);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function stats(lat) {
  const s = lat.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const over = s.filter((x) => x > 5).length;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1], over, failed: lat.length - s.length };
}

async function openViewer(port, count) {
  const base = `http://127.0.0.1:${port}`;
  // what the page asks for when it opens
  const [list] = await Promise.all(['/api/v1/points', '/api/v1/plugins', '/api/v1/chargers', '/api/v1/scan']
    .map(async (u) => (await fetch(base + u)).json()));
  if (list.count !== count) throw new Error(`list has ${list.count} points, not ${count}`);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
  const seen = new Set();
  ws.on('message', (d) => {
    const m = JSON.parse(d);
    if (m.t === 'values') for (const [id] of m.v) seen.add(id);
  });
  await waitFor(() => seen.size === count, 30000, 'the snapshot');
  ws.close();
}

(async () => {
  const port = await freePort();
  const COUNT = 9400;
  const gw = await startGatewayd({ diag_points: { count: COUNT - 6 }, diag: { port } },
    PRIORITY === undefined ? {} : { wrapper: ['nice', '-n', String(PRIORITY)] });
  const probe = new Worker(__filename, { workerData: { port, priority: PRIORITY } });
  const take = () => new Promise((r) => { probe.once('message', r); probe.postMessage('take'); });
  const rows = [];
  try {
    await sleep(1000);
    await take(); // warm-up
    await sleep(3000);
    rows.push(['idle (baseline)', stats(await take())]);

    for (let i = 0; i < REPEAT; i++) await openViewer(port, COUNT);
    rows.push([`${REPEAT} viewers opening`, stats(await take())]);

    for (let i = 0; i < REPEAT; i++) {
      const before = (gw.stdout.match(/^# \d+ points$/gm) || []).length;
      gw.child.kill('SIGUSR1');
      await waitFor(() => (gw.stdout.match(/^# \d+ points$/gm) || []).length > before, 30000, 'the dump');
      gw.stdout = ''; // keep the test harness' copy small
    }
    rows.push([`${REPEAT} SIGUSR1 dumps`, stats(await take())]);
    const lag = /^gatewayd_loop_lag_max_seconds ([\d.]+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());

    const idleMax = rows[0][1].max;
    console.log(`bench/diag-stall: ${COUNT} signals, probe = GET one point back to back (~1 ms apart), latency in ms` +
      (PRIORITY === undefined ? '' : `; daemon and probe at nice ${PRIORITY}`));
    console.log('phase                    requests    p50     p99     max   max/idle-max   >5 ms');
    for (const [name, s] of rows) {
      console.log(`${name.padEnd(24)} ${String(s.n).padStart(8)} ${s.p50.toFixed(2).padStart(6)} ${s.p99.toFixed(2).padStart(7)} ` +
        `${s.max.toFixed(2).padStart(7)} ${(s.max / idleMax).toFixed(1).padStart(8)}x ${(100 * s.over / s.n).toFixed(1).padStart(8)} %${s.failed ? `  (${s.failed} failed)` : ''}`);
    }
    console.log('(the probe shares the CPUs with the daemon and everything else: idle shows the noise floor)');
    console.log(`gatewayd_loop_lag_max_seconds (diag's own 100 ms probe, whole run): ${lag ? (Number(lag[1]) * 1000).toFixed(1) : '?'} ms`);
  } finally {
    probe.postMessage('stop');
    await gw.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
