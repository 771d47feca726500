'use strict';
// The SDK's validate() through the real loader: a plugin's own refusal is
// printed as "FILE: [group] key: reason" by --check-config and start-up
// alike, before any init(); validate() cannot leave anything behind; a
// plugin built against ABI 1.0 (no validate in its descriptor) still loads.
const test = require('node:test');
const assert = require('node:assert');
const { expectRefused, run, writeConf } = require('./lib/config-errors');
const { startGatewayd, tmpDir } = require('../integration/lib/gatewayd');

test('a plugin\'s validate() refusal: same line from --check-config and start-up, exit 2, no init', async () => {
  const { start } = await expectRefused({ tp_good: { reject: 'the answer is not 42' } }, 'tp_good', 'reject',
    /^the answer is not 42$/);
  assert.doesNotMatch(start.stderr, /registered \d+ points/, 'init() must not run after a refusal');
});

test('validate() runs for every instance, even a second one of the same plugin', async () => {
  const { check } = await expectRefused({ tp_good: {}, 'tp_good:two': { prefix: 'two', reject: 'no' } },
    'tp_good:two', 'reject', /^no$/);
  assert.match(check.stderr, /1 configuration problem, nothing started/);
});

test('validate() cannot register points, add timers or create the state directory', async () => {
  await expectRefused({ tp_good: { probe_side_effects: true } }, 'tp_good', 'probe_side_effects',
    /^point_register refused, timer_add refused, state_dir refused$/);
});

test('a plugin built against ABI 1.0 without validate() loads, is checked by its key table and runs', async () => {
  const p = writeConf({ tp_abi10: { count: 3 } });
  const check = await run(['--check-config', '-c', p]);
  assert.strictEqual(check.code, 0, check.stderr);
  assert.match(check.stdout, /configuration OK \(1 plugin instance\)/);

  const list = await run(['--list-plugins', '-v']);
  assert.match(list.stdout, /tp_abi10\s+1\.0\s+test plugin: built against ABI 1\.0\n\s+module .*tp_abi10\.so \(SDK ABI 1\.0\)/);

  const gw = await startGatewayd({ core: { state_dir: tmpDir() }, tp_abi10: { count: 3 } });
  try {
    assert.match(gw.stderr, /\[tp_abi10\] ABI 1\.0 plugin initialised/);
    assert.match(gw.stderr, /running: 1 plugin instance, 3 of/);
  } finally {
    const e = await gw.stop();
    assert.strictEqual(e.code, 0);
  }

  await expectRefused({ tp_abi10: { count: 500 } }, 'tp_abi10', 'count', /^500 is out of range \[0, 100\]$/);
});

test('gw_config_claim: two instances claiming one resource are refused before init, naming both', async () => {
  const { start } = await expectRefused({ tp_good: { claims: 'serial=/dev/x;tcp=127.0.0.1:7' },
                                          'tp_good:b': { prefix: 'b', claims: 'tcp=0.0.0.0:8;serial=/dev/x' } },
  'tp_good:b', 'claims', /^serial \/dev\/x is also claimed by \[tp_good\] claims$/);
  assert.doesNotMatch(start.stderr, /registered \d+ points/, 'no init after a clash');
  assert.match(start.stderr, /1 configuration problem, nothing started/);
});

test('gw_config_claim: a bad kind is refused; one instance\'s own claims never clash; claims from init are ignored', async () => {
  await expectRefused({ tp_good: { claims: 'Bad Kind=1' } }, 'tp_good', 'claims',
    /^'Bad Kind=1': gw_config_claim: Invalid argument$/);
  // init() claims the same again (shared parsing): accepted and ignored
  const gw = await startGatewayd({ core: { state_dir: tmpDir() }, tp_good: { claims: 'charger-index=1;charger-index=1' },
                                   'tp_good:b': { prefix: 'b', claims: 'charger-index=2' } });
  try {
    assert.match(gw.stderr, /running: 2 plugin instances/);
  } finally {
    assert.strictEqual((await gw.stop()).code, 0);
  }
});
