'use strict';
// Start a real gatewayd from the build tree with a generated configuration,
// wait until it is running, and stop it. Shared by every integration test.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const SRCDIR = path.resolve(__dirname, '..', '..', '..');
const BUILDDIR = process.env.GW_BUILDDIR || path.join(SRCDIR, '_build');
const GATEWAYD = path.join(BUILDDIR, 'core', 'gatewayd');

/** A TCP port that is free right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Turn { core: {...}, 'modbus_tcp': {...} } into key-file text. */
function toKeyFile(groups) {
  let out = '';
  for (const [group, keys] of Object.entries(groups)) {
    out += `[${group}]\n`;
    for (const [k, v] of Object.entries(keys || {})) out += `${k} = ${Array.isArray(v) ? v.join(';') : v}\n`;
    out += '\n';
  }
  return out;
}

function tmpDir(prefix = 'gw-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Start gatewayd. `config` is an object of groups (see toKeyFile) or a
 * string of key-file text. Resolves once the daemon logs "running:".
 * Options: args (extra argv), env, dir (where config and state go),
 * pluginPath (extra plugin dirs, e.g. the test plugins), timeoutMs.
 */
async function startGatewayd(config, opts = {}) {
  const dir = opts.dir || tmpDir();
  const confPath = path.join(dir, 'gatewayd.conf');
  let text = typeof config === 'string' ? config : toKeyFile(config);
  if (!/^\[core\]/m.test(text)) text = `[core]\nstate_dir = ${path.join(dir, 'state')}\n\n` + text;
  fs.writeFileSync(confPath, text);
  const pluginPath = [path.join(BUILDDIR, 'tests', 'plugins'), ...(opts.pluginPath || [])];
  const env = {
    ...process.env,
    GATEWAYD_PLUGIN_PATH: pluginPath.join(':'),
    ...(opts.env || {}),
  };
  // opts.wrapper: a command line gatewayd runs under (e.g. a shell that lowers a limit first)
  const argv = [...(opts.wrapper || []), GATEWAYD, '-c', confPath, ...(opts.args || [])];
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const gw = { child, dir, confPath, stdout: '', stderr: '', exited: null };
  child.stdout.on('data', (d) => { gw.stdout += d; });
  child.stderr.on('data', (d) => { gw.stderr += d; if (process.env.GW_TEST_VERBOSE) process.stderr.write(d); });
  gw.exit = new Promise((resolve) => child.on('exit', (code, signal) => { gw.exited = { code, signal }; resolve(gw.exited); }));
  gw.waitForLog = (re, timeoutMs = 10000) => waitFor(() => re.test(gw.stderr), timeoutMs, `log ${re}`, gw);
  gw.stop = async (signal = 'SIGTERM') => {
    if (!gw.exited) child.kill(signal);
    return gw.exit;
  };
  if (opts.wait === false) return gw;
  try {
    await waitFor(() => /\] running: /.test(gw.stderr) || gw.exited, opts.timeoutMs || 15000, 'gatewayd start', gw);
  } catch (e) {
    await gw.stop('SIGKILL');
    throw e;
  }
  if (gw.exited) throw new Error(`gatewayd exited early (${JSON.stringify(gw.exited)}):\n${gw.stderr}`);
  return gw;
}

/** Run gatewayd to completion (e.g. --check-config); resolves { code, stdout, stderr }. */
function runGatewayd(args, opts = {}) {
  return new Promise((resolve) => {
    const env = { ...process.env, GATEWAYD_PLUGIN_PATH: path.join(BUILDDIR, 'tests', 'plugins'), ...(opts.env || {}) };
    const child = spawn(GATEWAYD, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function waitFor(pred, timeoutMs, what, gw) {
  const t0 = Date.now();
  for (;;) {
    if (await pred()) return;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (gw ? `\n--- gatewayd stderr ---\n${gw.stderr}` : ''));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

module.exports = { SRCDIR, BUILDDIR, GATEWAYD, freePort, toKeyFile, tmpDir, startGatewayd, runGatewayd, waitFor };
