'use strict';
// Issue 10, item 2: a state directory gatewayd cannot use stops start-up
// (exit 2, "FILE: [core] state_dir: reason"), the same from --check-config,
// unless persistence is switched off; a second daemon on the same state
// directory refuses to start and names the first one's pid.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { SRCDIR, startGatewayd, runGatewayd, tmpDir } = require('../integration/lib/gatewayd');
const { mountUnavailable, mountTmpfs } = require('./lib/state-disk');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const isRoot = process.getuid && process.getuid() === 0;

function config(core) {
  return {
    core,
    ocpp_cs: { bind_address: '127.0.0.1', port: 0, register_map: MAP, chargers: 'CP0:2', ping_interval: 0 },
  };
}

/** The daemon's exit, or a kill and an assertion failure if it keeps running. */
async function exitOf(gw, ms = 10000) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms, 'running'); });
  const r = await Promise.race([gw.exit, late]);
  clearTimeout(timer);
  if (r === 'running') {
    await gw.stop('SIGKILL');
    assert.fail(`gatewayd kept running:\n${gw.stderr}`);
  }
  return r;
}

/** Start and expect refusal: exit 2 and the line naming [core] state_dir. */
async function refused(core, reason) {
  const dir = tmpDir('gw-statedir-');
  const gw = await startGatewayd(config(core), { dir, wait: false });
  const exit = await exitOf(gw);
  assert.strictEqual(exit.code, 2, gw.stderr);
  const line = gw.stderr.split('\n').find((l) => l.startsWith(`${gw.confPath}: [core] state_dir: `));
  assert.ok(line, `no "FILE: [core] state_dir:" line in:\n${gw.stderr}`);
  assert.match(line, reason);
  assert.doesNotMatch(gw.stderr, /\] running: /);
  const check = await runGatewayd(['--check-config', '-c', gw.confPath]);
  assert.strictEqual(check.code, 2, check.stdout + check.stderr);
  assert.ok(check.stderr.split('\n').some((l) => l.startsWith(`${gw.confPath}: [core] state_dir: `) && reason.test(l)),
    check.stderr);
  return gw;
}

test('state_dir is a file: exit 2 from start-up and --check-config', async () => {
  const f = path.join(tmpDir(), 'a-file');
  fs.writeFileSync(f, 'x');
  await refused({ state_dir: f }, /a-file.*not a directory/i);
});

test('state_dir under a file: exit 2 from start-up and --check-config', async () => {
  const f = path.join(tmpDir(), 'a-file');
  fs.writeFileSync(f, 'x');
  await refused({ state_dir: path.join(f, 'state') }, /a-file.*not a directory/i);
});

const roSkip = isRoot ? mountUnavailable() : null;
test(`state_dir on a read-only file system: exit 2 from start-up and --check-config${roSkip ? ` (skipped: ${roSkip})` : ''}`,
  { skip: roSkip || false }, async (t) => {
    let dir;
    if (isRoot) {
      // root writes through file modes: only a read-only mount refuses it
      const disk = mountTmpfs('64k', 'ro');
      t.after(() => disk.umount());
      dir = disk.dir;
    } else {
      dir = tmpDir('gw-ro-');
      fs.chmodSync(dir, 0o555);
      t.after(() => fs.chmodSync(dir, 0o755));
    }
    await refused({ state_dir: dir }, /read-only file system|permission denied/i);
    await refused({ state_dir: path.join(dir, 'sub') }, /read-only file system|permission denied/i);
  });

test('persistence = false: an unusable state_dir is not used, start-up goes on', async () => {
  const f = path.join(tmpDir(), 'a-file');
  fs.writeFileSync(f, 'x');
  const gw = await startGatewayd(config({ state_dir: f, persistence: false }));
  try {
    assert.match(gw.stderr, /persistence is off/);
    assert.match(gw.stderr, /\[ocpp_cs\] .*no state directory/);
  } finally { await gw.stop(); }
  assert.strictEqual(gw.exited.code, 0, gw.stderr);
});

test('the state directory of an instance cannot be made: exit 2 naming it', async () => {
  const dir = tmpDir('gw-inst-');
  fs.writeFileSync(path.join(dir, 'ocpp_cs'), 'in the way');
  const gw = await startGatewayd(config({ state_dir: dir }), { wait: false });
  const exit = await exitOf(gw);
  assert.strictEqual(exit.code, 2, gw.stderr);
  assert.match(gw.stderr, /\[core\] state_dir: .*ocpp_cs.*(File exists|Not a directory)/);
});

test('a second daemon on the same state directory refuses to start, naming the first one\'s pid', async () => {
  const state = tmpDir('gw-lock-');
  const first = await startGatewayd(config({ state_dir: state }));
  try {
    const second = await startGatewayd(config({ state_dir: state }), { wait: false });
    const exit = await exitOf(second);
    assert.strictEqual(exit.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`\\[core\\] state_dir: ${state} is in use by gatewayd pid ${first.child.pid}\\b`));
    // --check-config on the running daemon's configuration is still fine (no lock taken)
    const check = await runGatewayd(['--check-config', '-c', first.confPath]);
    assert.strictEqual(check.code, 0, check.stderr);
    assert.ok(!first.exited, 'the first daemon kept running');
  } finally { await first.stop(); }
  // once the first has gone, the lock is free again
  const third = await startGatewayd(config({ state_dir: state }));
  await third.stop();
  assert.strictEqual(third.exited.code, 0);
});

test('the lock is released by SIGKILL too (the kernel drops it with the process)', async () => {
  const state = tmpDir('gw-lock-kill-');
  const first = await startGatewayd(config({ state_dir: state }));
  await first.stop('SIGKILL');
  const second = await startGatewayd(config({ state_dir: state }));
  await second.stop();
  assert.strictEqual(second.exited.code, 0, second.stderr);
});

test('an unreadable state file stops start-up instead of starting empty (ids would be reused)', async () => {
  const state = tmpDir('gw-corrupt-');
  fs.mkdirSync(path.join(state, 'ocpp_cs'));
  const file = path.join(state, 'ocpp_cs', 'state.json');
  const cut = '{"format":1,"next_transaction_id":41,"transac'; // cut short
  fs.writeFileSync(file, cut);
  const gw = await startGatewayd(config({ state_dir: state }), { wait: false });
  const exit = await exitOf(gw);
  assert.strictEqual(exit.code, 2, gw.stderr);
  assert.match(gw.stderr, new RegExp(`${file} cannot be read as a state file .*move it away`));
  assert.strictEqual(fs.readFileSync(file, 'utf8'), cut, 'the file is left as it was');
});
