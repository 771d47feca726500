'use strict';
// A third party builds a plugin out of tree against the *installed* SDK with
// pkg-config alone, and the installed gatewayd loads it and runs it.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { BUILDDIR, SRCDIR, tmpDir, waitFor } = require('./lib/gatewayd');

test('the SDK template builds against a DESTDIR install and the installed gatewayd runs it', { timeout: 600000 }, async () => {
  const root = tmpDir('gw-sdk-');
  const dest = path.join(root, 'dest');
  const sh = (cmd, cwd, env = {}) => execFileSync('sh', ['-c', cmd], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

  sh(`make install DESTDIR=${dest} >/dev/null`, BUILDDIR);
  const prefix = sh('sed -n "s/^prefix = //p" Makefile', BUILDDIR).trim();
  const sysroot = path.join(dest);
  const pcdir = path.join(dest, prefix, 'lib', 'pkgconfig');
  assert.ok(fs.existsSync(path.join(pcdir, 'gw-sdk.pc')), 'gw-sdk.pc installed');
  assert.ok(fs.existsSync(path.join(dest, prefix, 'include', 'gw-1', 'gw', 'gw.h')), 'headers under include/gw-1');

  // The template, copied away from the source tree: nothing but pkg-config ties it to the SDK.
  const tpl = path.join(root, 'template');
  fs.cpSync(path.join(SRCDIR, 'sdk', 'template'), tpl, { recursive: true });
  const pcenv = { PKG_CONFIG_PATH: pcdir, PKG_CONFIG_SYSROOT_DIR: sysroot, PKG_CONFIG_LIBDIR: '/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig' };
  // pkgconf applies the sysroot to variables too: plugins install into the staged tree.
  assert.strictEqual(sh("pkg-config --variable=plugindir gw-sdk", tpl, pcenv).trim(), `${sysroot}${prefix}/lib/gatewayd/plugins`);
  // one ABI number for authors, the one the installed headers define
  const gwh = fs.readFileSync(path.join(dest, prefix, 'include', 'gw-1', 'gw', 'gw.h'), 'utf8');
  const abi = `${gwh.match(/^#define GW_ABI_MAJOR (\d+)/m)[1]}.${gwh.match(/^#define GW_ABI_MINOR (\d+)/m)[1]}`;
  assert.strictEqual(sh('pkg-config --variable=abi_version gw-sdk', tpl, pcenv).trim(), abi);
  sh('./autogen.sh >/dev/null 2>&1 && ./configure >/dev/null && make >/dev/null', tpl, pcenv);
  const so = path.join(tpl, '.libs', 'example.so');
  assert.ok(fs.existsSync(so), 'template plugin built');
  const syms = sh(`nm -D --defined-only ${so} | awk '{print $3}'`, tpl).trim().split('\n').filter((s) => s && !s.startsWith('_'));
  assert.deepStrictEqual(syms, ['gw_plugin_descriptor'], 'only the descriptor is exported');

  // The installed daemon (outside the build tree: it only sees what we point it at).
  const gatewayd = path.join(dest, prefix, 'bin', 'gatewayd');
  const conf = path.join(root, 'gw.conf');
  fs.writeFileSync(conf, `[core]\nplugin_dir = ${path.join(tpl, '.libs')}\nstate_dir = ${root}/state\n\n[example]\ninterval_ms = 20\n`);
  const env = { ...process.env };
  delete env.GATEWAYD_PLUGIN_PATH;
  const list = execFileSync(gatewayd, ['--list-plugins', '-v', '-c', conf], { env }).toString();
  // built against the installed SDK's ABI, which has validate() (1.1 and later)
  assert.match(list, new RegExp(`module ${so.replace(/[.]/g, '\\.')} \\(SDK ABI: built for ${abi.replace('.', '\\.')}, requires 1\\.[1-9]\\d*\\)`));

  // The template's validate(): the installed daemon refuses a bad prefix before starting anything.
  const bad = path.join(root, 'bad.conf');
  fs.writeFileSync(bad, `[core]\nplugin_dir = ${path.join(tpl, '.libs')}\nstate_dir = ${root}/state\n\n[example]\nprefix = Not Valid\n`);
  for (const args of [['--check-config', '-c', bad], ['-c', bad]]) {
    const r = spawnSync(gatewayd, args, { env, encoding: 'utf8', timeout: 20000 });
    assert.strictEqual(r.signal, null, r.stderr);
    assert.strictEqual(r.status, 2, r.stderr);
    assert.ok(r.stderr.split('\n').includes(`${bad}: [example] prefix: 'Not Valid': only a-z, 0-9, '_' and '.'`), r.stderr);
  }

  const child = spawn(gatewayd, ['-c', conf], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  try {
    await waitFor(() => /running: 1 plugin instance/.test(err), 10000, 'start');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGUSR1');
    await waitFor(() => /# 6 points/.test(out), 5000, 'dump'); // 2 of the plugin, 3 core.loop.*, core.log.dropped
    const m = out.match(/^example\.counter\tuint16\tgood\t(\d+)$/m);
    assert.ok(m && Number(m[1]) > 0, `the plugin set its point:\n${out}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
});
