'use strict';
// Configuration errors through both doors: `gatewayd --check-config` and a
// real start-up. Both must print the same "FILE: [group] key: reason" line
// and exit 2, never die of a signal (issue 10, item 3).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert');
const { GATEWAYD, BUILDDIR, SRCDIR, tmpDir, toKeyFile, freePort } = require('../../integration/lib/gatewayd');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');

/** Run gatewayd with args; kill it (and say so) if it is still running
 *  after timeoutMs: a bad configuration must never reach "running". */
function run(args, timeoutMs = 20000, opts = {}) {
  return new Promise((resolve) => {
    const env = { ...process.env, GATEWAYD_PLUGIN_PATH: path.join(BUILDDIR, 'tests', 'plugins') };
    // opts.detached: a session of its own, without a controlling terminal
    const child = spawn(GATEWAYD, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: !!opts.detached });
    let stdout = '', stderr = '', timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, timedOut }); });
  });
}

/** Write a configuration (object of groups or key-file text) with a
 *  private state_dir; returns its path. */
function writeConf(groups) {
  const dir = tmpDir('gw-conf-');
  let text = typeof groups === 'string' ? groups : toKeyFile(groups);
  if (!/^\[core\]/m.test(text)) text = `[core]\nstate_dir = ${path.join(dir, 'state')}\n\n` + text;
  const p = path.join(dir, 'gw.conf');
  fs.writeFileSync(p, text);
  return p;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Assert that --check-config and start-up both refuse the configuration
 * with exit 2, no signal, and a line "FILE: [group] key: <reason>" whose
 * reason matches `reason` (a RegExp); the line must be the same from both.
 */
async function expectRefused(groups, group, key, reason) {
  const p = writeConf(groups);
  const check = await run(['--check-config', '-c', p]);
  const start = await run(['-c', p]);
  const prefix = `${p}: [${group}] ${key}: `;
  const lineOf = (r) => r.stderr.split('\n').find((l) => l.startsWith(prefix));
  for (const [what, r] of [['--check-config', check], ['start-up', start]]) {
    const ctx = `${what}: ${JSON.stringify({ code: r.code, signal: r.signal, timedOut: r.timedOut })}\n${r.stderr}`;
    assert.strictEqual(r.signal, null, ctx);
    assert.strictEqual(r.timedOut, false, ctx);
    assert.strictEqual(r.code, 2, ctx);
    const line = lineOf(r);
    assert.ok(line, `${what}: no line starting ${prefix}\n${r.stderr}`);
    assert.match(line.slice(prefix.length), reason, ctx);
  }
  assert.strictEqual(lineOf(check), lineOf(start), 'the same line from --check-config and start-up');
  assert.doesNotMatch(check.stdout, /configuration OK/);
  return { check, start, path: p };
}

module.exports = { run, writeConf, expectRefused, escapeRe, MAP, freePort, tmpDir };
