'use strict';
// The gatewayd command line, configuration errors, the loader's refusals and
// orderly shut-down, through the real binary.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { runGatewayd, startGatewayd, tmpDir, toKeyFile, SRCDIR } = require('./lib/gatewayd');

function confFile(groups) {
  const p = path.join(tmpDir(), 'gw.conf');
  fs.writeFileSync(p, typeof groups === 'string' ? groups : toKeyFile(groups));
  return p;
}

test('--version names the SDK ABI', async () => {
  const r = await runGatewayd(['--version']);
  assert.strictEqual(r.code, 0);
  assert.match(r.stdout, /^gatewayd \d+\.\d+\.\d+ \(plugin SDK ABI 1\.\d+\)/);
});

test('--list-plugins -v shows each plugin and every key with type, default and description', async () => {
  const r = await runGatewayd(['--list-plugins', '-v']);
  assert.match(r.stdout, /^example\s+1\.0\.0\s+Template plugin/m);
  assert.match(r.stdout, /interval_ms\s+int\s+default 1000 \[10\.\.3600000\]\n\s+how often the counter ticks/);
  assert.match(r.stdout, /max_signals\s+int\s+default 10000/);
  assert.match(r.stdout, /tp_bad_abi\s+\(unusable: .*ABI mismatch/);
  // the minor each plugin was built for and the one it needs
  assert.match(r.stdout, /^tp_abi10 .*\n\s+module \S+ \(SDK ABI: built for 1\.0, requires 1\.0\)$/m);
  assert.match(r.stdout, /^tp_newer_built .*\n\s+module \S+ \(SDK ABI: built for 1\.(\d+), requires 1\.(?!\1)\d+\)$/m);
  assert.match(r.stdout, /tp_new_minor\s+\(unusable: .*requires SDK ABI 1\.\d+ or later/);
  // GW_PLUGIN_REQUIRES_MINOR 0 with the current headers
  assert.match(r.stdout, /^tp_stopset .*\n\s+module \S+ \(SDK ABI: built for 1\.[1-9]\d*, requires 1\.0\)$/m);
  const short = await runGatewayd(['--list-plugins']);
  assert.match(short.stdout, /^tp_good\s+1\.0\s+test plugin: points$/m);
  assert.doesNotMatch(short.stdout, /interval_ms/);
});

test('--check-config accepts the shipped configuration', async () => {
  const r = await runGatewayd(['--check-config', '-c', path.join(SRCDIR, 'etc', 'gatewayd.conf')]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, /configuration OK/);
});

test('--check-config prints every problem as FILE: [group] key: reason and exits 2', async () => {
  const p = confFile('[core]\nmax_signals = lots\nlog_level = chatty\n[tp_good]\ncount = -5\nratio = 7\nbogus = 1\n[no_such_plugin]\n');
  const r = await runGatewayd(['--check-config', '-c', p]);
  assert.strictEqual(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.includes(`${p}: [core] max_signals: 'lots' is not an integer`), r.stderr);
  assert.ok(lines.includes(`${p}: [core] log_level: 'chatty' is not one of error|warning|notice|info|debug`));
  assert.ok(lines.includes(`${p}: [tp_good] count: -5 is out of range [0, 10000000]`));
  assert.ok(lines.includes(`${p}: [tp_good] ratio: 7 is out of range [0, 1]`));
  assert.ok(lines.includes(`${p}: [tp_good] bogus: unknown key`));
  assert.ok(lines.some((l) => l.startsWith(`${p}: [no_such_plugin]: plugin 'no_such_plugin': not found (searched: `)));
  assert.match(r.stderr, /6 configuration problems, nothing started/);
});

test('a syntax error names the file and line', async () => {
  const p = confFile('[core\nlog_level=info\n');
  const r = await runGatewayd(['-c', p]);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${p}: .*line 1`, 'm'));
});

for (const [plugin, why] of [
  ['tp_bad_abi', /ABI mismatch: built for SDK ABI 2\.0, this gatewayd provides 1\.\d+/],
  ['tp_new_minor', /requires SDK ABI 1\.(\d+) or later \(built for 1\.\1\), this gatewayd provides 1\.(?!\1)\d+/],
  ['tp_no_symbol', /not a gatewayd plugin \(no gw_plugin_descriptor symbol\)/],
  ['missing_plugin', /not found \(searched: /],
]) {
  test(`the loader refuses ${plugin} with one clear line, exit 2, nothing started`, async () => {
    const p = confFile({ example: {}, [plugin]: {} });
    const r = await runGatewayd(['-c', p]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /running:/);
  });
}

test('a failing init stops start-up naming the plugin, and started ones are stopped', async () => {
  const p = confFile({ core: { state_dir: tmpDir() }, example: {}, tp_fail_init: {} });
  const r = await runGatewayd(['-c', p]);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /plugin tp_fail_init: init failed: Input\/output error/);
  assert.doesNotMatch(r.stderr, /running:/);
});

test('max_signals is enforced with the count and the limit; 100,000 points work when raised', async () => {
  const over = confFile({ core: { max_signals: 10000, state_dir: tmpDir() }, tp_good: { count: 10000 } });
  const r = await runGatewayd(['-c', over]);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /too many points: 'tp\.9999' would be point 10001, over the limit of 10000/);
  assert.match(r.stderr, /plugin tp_good: init failed: too many points for \[core\] max_signals/);

  const gw = await startGatewayd({ core: { max_signals: 100001, state_dir: tmpDir() }, tp_good: { count: 100000 } });
  assert.match(gw.stderr, /100001 of 100001 points/);
  const exit = await gw.stop();
  assert.deepStrictEqual(exit, { code: 0, signal: null });
});

test('SIGINT and SIGTERM stop plugins in reverse order and exit 0; SIGUSR1 dumps points', async () => {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    const gw = await startGatewayd({ example: { interval_ms: 10 }, 'tp_good:b': { prefix: 'b', count: 2 } },
      { args: ['--log-level', 'debug'] });
    await new Promise((r) => setTimeout(r, 100));
    gw.child.kill('SIGUSR1');
    await gw.waitForLog(/./);
    // the plugins' 5 points and the core's 3 core.loop.* points and core.log.dropped
    await require('./lib/gatewayd').waitFor(() => /# 9 points/.test(gw.stdout), 5000, 'dump');
    assert.match(gw.stdout, /^core\.loop\.lag_ms\tfloat32\tgood\t/m);
    assert.match(gw.stdout, /^example\.counter\tuint16\tgood\t[1-9]\d*$/m);
    assert.match(gw.stdout, /^b\.1\tuint16\tgood\t1$/m);
    const exit = await gw.stop(sig);
    assert.deepStrictEqual(exit, { code: 0, signal: null });
    const order = [...gw.stderr.matchAll(/stopping (\S+)/g)].map((m) => m[1]);
    assert.deepStrictEqual(order, ['tp_good:b', 'example']);
  }
});

test('a plugin built for a newer minor that requires only this one loads and runs', async () => {
  const gw = await startGatewayd({ core: { state_dir: tmpDir() }, tp_newer_built: {} }, { args: ['--log-level', 'info'] });
  await gw.waitForLog(/host lacks the next minor's entry: falling back/);
  const exit = await gw.stop();
  assert.deepStrictEqual(exit, { code: 0, signal: null });
});

test('no callback reaches an instance after its stop(), while older instances still get them', async () => {
  const gw = await startGatewayd({
    core: { state_dir: tmpDir() },
    'tp_stopsub:early': { prefix: 'early' },
    tp_stopset: { write_to: 'late.cmd' },
    'tp_stopsub:late': { prefix: 'late' },
  }, { args: ['--log-level', 'debug'] });
  const exit = await gw.stop();
  assert.deepStrictEqual(exit, { code: 0, signal: null });
  const order = [...gw.stderr.matchAll(/stopping (\S+)/g)].map((m) => m[1]);
  assert.deepStrictEqual(order, ['tp_stopsub:late', 'tp_stopset', 'tp_stopsub:early']);
  // the stopped subscriber's point was refused to the writer; nothing reached it
  assert.match(gw.stderr, /write to late\.cmd in stop\(\): -\d+ \(its owner has stopped\)/);
  assert.doesNotMatch(gw.stderr, /after its stop\(\)/);
});

test('bad command lines are refused with exit 2', async () => {
  assert.strictEqual((await runGatewayd(['--no-such-option'])).code, 2);
  assert.strictEqual((await runGatewayd(['stray'])).code, 2);
  const r = await runGatewayd(['--log-level', 'loud', '-c', confFile({ example: {} })]);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /--log-level: 'loud' is not one of/);
});
