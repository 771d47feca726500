'use strict';
// gatewayd under a service manager: the sd_notify messages (READY=1 once
// every plugin started, WATCHDOG=1 from the loop, STOPPING=1 on SIGTERM) and
// journal priority prefixes when stderr is the journal. A python3 script
// stands in for systemd's notify socket (node has no unix datagram sockets).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { BUILDDIR, GATEWAYD, startGatewayd, tmpDir, toKeyFile, waitFor } = require('./lib/gatewayd');

const configH = fs.readFileSync(path.join(BUILDDIR, 'config.h'), 'utf8');
const haveSystemd = /^#define HAVE_SYSTEMD 1$/m.test(configH);
const havePython = spawnSync('python3', ['-c', 'import socket'], { stdio: 'ignore' }).status === 0;
const skip = !haveSystemd ? 'gatewayd built without libsystemd (configure --with-systemd)'
  : !havePython ? 'python3 not found (stands in for the notify socket)' : false;

// Prints one JSON line per datagram, with the time it arrived (ms).
const RECEIVER = `
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    d = s.recv(4096)
    print(json.dumps({"t": time.monotonic() * 1000, "msg": d.decode()}), flush=True)
`;

function notifySocket() {
  const dir = tmpDir('gw-notify-');
  const sock = path.join(dir, 'notify.sock');
  const child = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const r = { child, sock, bound: false, msgs: [] };
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === 'bound') r.bound = true;
      else r.msgs.push(JSON.parse(line));
    }
  });
  r.ready = () => waitFor(() => r.bound, 5000, 'notify socket');
  r.close = () => child.kill();
  r.has = (re) => r.msgs.findIndex((m) => re.test(m.msg));
  return r;
}

test('READY=1 after start-up, WATCHDOG=1 pings at half WATCHDOG_USEC, STOPPING=1 on SIGTERM', { skip }, async (t) => {
  const n = notifySocket();
  t.after(() => n.close());
  await n.ready();
  const gw = await startGatewayd({ example: { interval_ms: 10 } },
    { env: { NOTIFY_SOCKET: n.sock, WATCHDOG_USEC: '400000' } });
  try {
    await waitFor(() => n.has(/^READY=1$/m) >= 0, 5000, 'READY=1', gw);
    const ready = n.msgs[n.has(/^READY=1$/m)];
    assert.match(ready.msg, /^STATUS=running: 1 plugin instance, 2 points$/m);
    // 400 ms watchdog: a ping every 200 ms, so at least 4 within a second.
    await new Promise((r) => setTimeout(r, 1000));
    const pings = n.msgs.filter((m) => m.msg === 'WATCHDOG=1');
    assert.ok(pings.length >= 4 && pings.length <= 8, `${pings.length} pings in ~1 s`);
    for (let i = 1; i < pings.length; i++) {
      const gap = pings[i].t - pings[i - 1].t;
      assert.ok(gap < 350, `pings ${gap} ms apart`); // well inside the 400 ms timeout
    }
    assert.strictEqual(n.has(/STOPPING=1/), -1);
  } finally {
    const ex = await gw.stop('SIGTERM');
    assert.deepStrictEqual(ex, { code: 0, signal: null });
  }
  await waitFor(() => n.has(/^STOPPING=1$/m) >= 0, 2000, 'STOPPING=1');
  // no ping after STOPPING=1: the watchdog timer is gone with the loop
  const stop = n.has(/^STOPPING=1$/m);
  assert.ok(n.msgs.slice(stop + 1).every((m) => m.msg !== 'WATCHDOG=1'));
});

test('no watchdog pings without WATCHDOG_USEC, and no READY=1 when start-up fails', { skip }, async (t) => {
  const n = notifySocket();
  t.after(() => n.close());
  await n.ready();
  const gw = await startGatewayd({ example: {} }, { env: { NOTIFY_SOCKET: n.sock } });
  await waitFor(() => n.has(/^READY=1$/m) >= 0, 5000, 'READY=1', gw);
  await new Promise((r) => setTimeout(r, 300));
  await gw.stop();
  await waitFor(() => n.has(/^STOPPING=1$/m) >= 0, 2000, 'STOPPING=1');
  assert.strictEqual(n.has(/WATCHDOG=1/), -1);

  n.msgs.length = 0;
  const bad = await startGatewayd({ example: {}, tp_fail_init: {} },
    { env: { NOTIFY_SOCKET: n.sock }, wait: false });
  const ex = await bad.exit;
  assert.strictEqual(ex.code, 2, bad.stderr);
  await new Promise((r) => setTimeout(r, 200));
  assert.strictEqual(n.has(/READY=1/), -1, JSON.stringify(n.msgs));
  assert.ok(n.has(/^STATUS=start-up failed$/) >= 0, JSON.stringify(n.msgs));
});

test('stderr that is the journal (JOURNAL_STREAM) gets <N> priority prefixes, no time stamps', async () => {
  const dir = tmpDir();
  const conf = path.join(dir, 'gw.conf');
  fs.writeFileSync(conf, toKeyFile({ core: { state_dir: path.join(dir, 'st') }, example: {} }));
  const logPath = path.join(dir, 'stderr.log');
  const run = (env) => {
    const fd = fs.openSync(logPath, 'w');
    const st = fs.fstatSync(fd, { bigint: true });
    const child = spawn(GATEWAYD, ['-c', conf], {
      env: { ...process.env, ...env(st) }, stdio: ['ignore', 'ignore', fd] });
    fs.closeSync(fd);
    return child;
  };
  const stopWhenRunning = async (child) => {
    await waitFor(() => / running: /.test(fs.readFileSync(logPath, 'utf8')), 10000, 'running');
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    return fs.readFileSync(logPath, 'utf8');
  };
  const journal = await stopWhenRunning(run((st) => ({ JOURNAL_STREAM: `${st.dev}:${st.ino}` })));
  assert.match(journal, /^<6>\[gatewayd\] running: /m);   // info = LOG_INFO
  assert.match(journal, /^<6>\[gatewayd\] stopped$/m);
  assert.doesNotMatch(journal, /^\d{4}-/m);
  // JOURNAL_STREAM naming another file (inherited, stderr redirected): plain lines
  const plain = await stopWhenRunning(run((st) => ({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` })));
  assert.match(plain, /^\d{4}-\d\d-\d\dT[\d:.]+Z info +\[gatewayd\] running: /m);
  assert.doesNotMatch(plain, /^<\d>/m);
  // configuration errors, printed before logging is set up: error priority
  fs.writeFileSync(conf, '[core]\nmax_signals = lots\n');
  const bad = run((st) => ({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }));
  const code = await new Promise((r) => bad.on('exit', r));
  assert.strictEqual(code, 2);
  const lines = fs.readFileSync(logPath, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 2 && lines.every((l) => l.startsWith('<3>')), lines.join('\n'));
  assert.match(lines.join('\n'), /^<3>.*gw\.conf: \[core\] max_signals: /m);
});

test('an empty state_dir means $STATE_DIRECTORY (systemd StateDirectory=), its first entry', async () => {
  const dir = tmpDir();
  const state = path.join(dir, 'state-from-systemd');
  fs.mkdirSync(state);
  const gw = await startGatewayd('[core]\nlog_level = info\n\n[example]\n',
    { dir, env: { STATE_DIRECTORY: `${state}:${path.join(dir, 'other')}` } });
  try {
    assert.ok(fs.existsSync(path.join(state, 'gatewayd.lock')), fs.readdirSync(state).join(' '));
    assert.ok(!fs.existsSync(path.join(dir, 'other')));
  } finally {
    await gw.stop();
  }
});
