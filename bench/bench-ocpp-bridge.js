'use strict';
// bench/bench-ocpp-bridge.js - ocpp_bridge against the same charger talking
// to the same Central System directly, in the same run:
//   1. round-trip latency of a CALL (p50/p99, bridged vs direct, the added
//      time); samples alternate between the two paths so machine noise hits
//      both alike;
//   2. frames/s with a window of outstanding CALLs over several chargers,
//      bridged vs direct;
//   3. 1,000 bridged chargers connected at once, each answering a CALL, then
//      one charger's round trip while the others stay connected;
//   4. gatewayd's CPU with those chargers idle and at 100 and 1,000 CALLs/s.
// BUSY_POLL_US=N sets the bridge's busy_poll_us (default: the plugin's).
// The Central System is a minimal `ws` server answering every CALL with an
// empty CALLRESULT, so the numbers are the relay's, not a CS's.
// Run: GW_BUILDDIR=$PWD/_build node bench/bench-ocpp-bridge.js [--quick]
const path = require('node:path');
const WebSocket = require('ws');
const { startGatewayd, freePort } = require('../tests/integration/lib/gatewayd');

const QUICK = process.argv.includes('--quick');
const LAT_SAMPLES = QUICK ? 500 : 5000;
const TPUT_MS = QUICK ? 500 : 1000;     // one round
const TPUT_ROUNDS = QUICK ? 3 : 7;      // direct and bridged rounds alternate
const TPUT_CHARGERS = 4;
const WINDOW = 64;
const MANY = QUICK ? 200 : 1000;
const LOADED_SAMPLES = QUICK ? 200 : 1000;
const PACED_MS = QUICK ? 1000 : 3000;
const MAP = path.join(__dirname, '..', 'etc', 'register-map.csv');

function startCs(port) {
  return new Promise((resolve) => {
    const wss = new WebSocket.WebSocketServer({
      host: '127.0.0.1', port, perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('ocpp1.6') ? 'ocpp1.6' : false),
    }, () => resolve(wss));
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const text = data.toString();
        const m = /^\[2,"([^"]+)"/.exec(text);
        if (m) ws.send(`[3,"${m[1]}",{}]`);
      });
    });
  });
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** One CALL, resolved with its round trip in ms. */
function call(ws, id) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    ws.once('message', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    ws.send(`[2,"${id}","Heartbeat",{}]`);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function throughput(sockets, ms) {
  let done = 0;
  let stop = false;
  const runs = sockets.map((ws, k) => new Promise((resolve) => {
    let inflight = 0, n = 0;
    const pump = () => {
      while (!stop && inflight < WINDOW) { inflight++; ws.send(`[2,"t${k}-${n++}","Heartbeat",{}]`); }
      if (stop && inflight === 0) { ws.off('message', onMsg); resolve(); }
    };
    const onMsg = () => { inflight--; done++; pump(); };
    ws.on('message', onMsg);
    pump();
  }));
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  stop = true;
  const counted = done;
  const elapsed = (Date.now() - t0) / 1000;
  await Promise.all(runs);
  return counted / elapsed;
}

/** gatewayd's CPU time so far (user + system), in microseconds. */
function cpuUs(pid) {
  const f = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100); // clock ticks of 10 ms
}

async function main() {
  const csPort = await freePort();
  const cs = await startCs(csPort);
  const ids = Array.from({ length: MANY }, (_, i) => `B${i}`);
  const gw = await startGatewayd({
    core: { max_signals: 2000000, persistence: false },
    ocpp_bridge: {
      upstream_url: `ws://127.0.0.1:${csPort}/cs`, bind_address: '127.0.0.1', port: await freePort(),
      register_map: MAP, chargers: ids.map((id) => `${id}:1`), ping_interval: 0,
      ...(process.env.BUSY_POLL_US ? { busy_poll_us: Number(process.env.BUSY_POLL_US) } : {}),
    },
  }, { timeoutMs: 60000 });
  const portMatch = /listening on port (\d+)/.exec(gw.stderr);
  const bridgeUrl = `ws://127.0.0.1:${portMatch ? portMatch[1] : 0}/ocpp`;
  const directUrl = `ws://127.0.0.1:${csPort}/cs`;
  try {
    // 1. latency, alternating
    const direct = await connect(`${directUrl}/B0`);
    const bridged = await connect(`${bridgeUrl}/B1`);
    for (let i = 0; i < 200; i++) { await call(direct, `w${i}`); await call(bridged, `w${i}`); } // warm-up
    const d = [], b = [];
    for (let i = 0; i < LAT_SAMPLES; i++) { d.push(await call(direct, `d${i}`)); b.push(await call(bridged, `b${i}`)); }
    d.sort((x, y) => x - y);
    b.sort((x, y) => x - y);
    const lat = {
      direct_p50_ms: pct(d, 50), direct_p99_ms: pct(d, 99),
      bridged_p50_ms: pct(b, 50), bridged_p99_ms: pct(b, 99),
    };
    lat.added_p50_ms = lat.bridged_p50_ms - lat.direct_p50_ms;
    lat.added_p99_ms = lat.bridged_p99_ms - lat.direct_p99_ms;
    direct.close();
    bridged.close();

    // 2. throughput: the same node process drives both paths (its chargers
    //    and the CS), rounds alternate direct/bridged so that load from
    //    elsewhere on the machine hits both alike; medians are reported.
    const ds = await Promise.all(Array.from({ length: TPUT_CHARGERS }, (_, i) => connect(`${directUrl}/B${10 + i}`)));
    const bs = await Promise.all(Array.from({ length: TPUT_CHARGERS }, (_, i) => connect(`${bridgeUrl}/B${10 + i}`)));
    await throughput(ds, 200); // warm-up
    await throughput(bs, 200);
    const dRounds = [], bRounds = [];
    let cpu = 0, frames = 0;
    const node = { direct: 0, directFrames: 0, bridged: 0 };
    const nodeUs = () => { const u = process.cpuUsage(); return u.user + u.system; };
    for (let r = 0; r < TPUT_ROUNDS; r++) {
      let n0 = nodeUs(), t0r = Date.now();
      const dfps = await throughput(ds, TPUT_MS);
      node.direct += nodeUs() - n0;
      node.directFrames += dfps * ((Date.now() - t0r) / 1000);
      dRounds.push(dfps);
      const c0 = cpuUs(gw.child.pid);
      n0 = nodeUs();
      t0r = Date.now();
      const fps = await throughput(bs, TPUT_MS);
      cpu += cpuUs(gw.child.pid) - c0;
      node.bridged += nodeUs() - n0;
      frames += fps * ((Date.now() - t0r) / 1000);
      bRounds.push(fps);
    }
    const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
    const directFps = median(dRounds);
    const bridgedFps = median(bRounds);
    ds.forEach((w) => w.close());
    bs.forEach((w) => w.close());

    // 3. many bridged chargers at once
    const t0 = Date.now();
    const many = [];
    for (let i = 0; i < MANY; i += 100) {
      many.push(...await Promise.all(ids.slice(i, i + 100).map((id) => connect(`${bridgeUrl}/${id}`))));
    }
    const connectS = (Date.now() - t0) / 1000;
    const rtts = await Promise.all(many.map((ws, i) => call(ws, `m${i}`)));
    rtts.sort((x, y) => x - y);
    // one charger's CALL round trip while all the others are connected and
    // idle: what the relay's cost per connection adds to every frame
    const loaded = [];
    for (let i = 0; i < LOADED_SAMPLES; i++) loaded.push(await call(many[0], `l${i}`));
    loaded.sort((x, y) => x - y);

    // 4. what the relay costs in CPU on an ordinary site: the 1,000
    //    chargers idle, then CALLs spread evenly at 100/s and 1,000/s
    //    (the spin after each relayed frame is paid per frame here)
    const cpuPercent = async (rate) => {
      let k = 0;
      const timer = rate ? setInterval(() => {
        for (let j = 0; j < rate / 100; j++, k++) {
          const ws = many[k % many.length];
          ws.once('message', () => {});
          ws.send(`[2,"p${k}","Heartbeat",{}]`);
        }
      }, 10) : null;
      await new Promise((r) => setTimeout(r, 300));
      const c0 = cpuUs(gw.child.pid), t0c = Date.now();
      await new Promise((r) => setTimeout(r, PACED_MS));
      const pc = (cpuUs(gw.child.pid) - c0) / ((Date.now() - t0c) * 10);
      if (timer) clearInterval(timer);
      await new Promise((r) => setTimeout(r, 200));
      return +pc.toFixed(2);
    };
    const paced = { idle_cpu_percent: await cpuPercent(0), calls_100_s_cpu_percent: await cpuPercent(100),
      calls_1000_s_cpu_percent: await cpuPercent(1000) };
    many.forEach((w) => w.terminate());

    const out = {
      latency: lat,
      throughput: {
        direct_frames_s: Math.round(directFps), bridged_frames_s: Math.round(bridgedFps), ratio: +(bridgedFps / directFps).toFixed(3),
        gatewayd_cpu_us_per_call: +(cpu / frames).toFixed(2),
        // the load generator (chargers and CS in this process) per CALL
        node_cpu_us_per_call_direct: +(node.direct / node.directFrames).toFixed(2),
        node_cpu_us_per_call_bridged: +(node.bridged / frames).toFixed(2),
        rounds: TPUT_ROUNDS, direct_rounds: dRounds.map(Math.round), bridged_rounds: bRounds.map(Math.round),
      },
      many: { chargers: many.length, connect_s: connectS, all_answered: rtts.length === MANY, burst_p50_ms: pct(rtts, 50), burst_p99_ms: pct(rtts, 99),
        call_p50_ms_while_connected: pct(loaded, 50), call_p99_ms_while_connected: pct(loaded, 99), ...paced },
      targets: { added_p50_le_0_1ms: lat.added_p50_ms <= 0.1, throughput_ge_0_9: bridgedFps / directFps >= 0.9, chargers_1000: many.length >= 1000 },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await gw.stop();
    cs.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
