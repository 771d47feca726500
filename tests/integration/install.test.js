'use strict';
// `make install` into a staging directory, as a site upgrades: the edited
// configuration stays and the new default lands beside it as .dist; the
// systemd unit, sysusers.d file and man pages are installed and valid; the
// SDK template's example plugin is not among the production plugins.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { BUILDDIR, SRCDIR, tmpDir } = require('./lib/gatewayd');

const PREFIX = '/usr/local'; // configure's default, what _build uses
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function make(target, destdir) {
  const r = spawnSync('make', ['-C', BUILDDIR, '-s', target, `DESTDIR=${destdir}`], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, `make ${target}: ${r.stderr}`);
  return r.stdout;
}

const dest = tmpDir('gw-install-');
const conf = path.join(dest, PREFIX, 'etc', 'gatewayd');
let first, second;

test.before(() => {
  // The build's prefix must be the default one for the paths below.
  const mk = fs.readFileSync(path.join(BUILDDIR, 'Makefile'), 'utf8');
  assert.match(mk, /^prefix = \/usr\/local$/m, 'the build tree must be configured with the default prefix');
  first = make('install', dest);
  fs.appendFileSync(path.join(conf, 'gatewayd.conf'), '\n# edited on site\n');
  second = make('install', dest);
});

test('a second install keeps the edited configuration, installs the new one as .dist and says so', () => {
  assert.match(first, /gatewayd: installed .*\/gatewayd\.conf$/m);
  assert.match(first, /gatewayd: installed .*\/register-map\.csv$/m);
  const edited = fs.readFileSync(path.join(conf, 'gatewayd.conf'), 'utf8');
  assert.match(edited, /# edited on site\n$/);
  assert.strictEqual(fs.readFileSync(path.join(conf, 'gatewayd.conf.dist'), 'utf8'),
    fs.readFileSync(path.join(SRCDIR, 'etc', 'gatewayd.conf'), 'utf8'));
  assert.match(second, /kept your .*\/gatewayd\.conf; the new default is .*\/gatewayd\.conf\.dist/);
  // the unedited map is left alone, with no .dist beside it
  assert.match(second, /register-map\.csv is the shipped one, unchanged/);
  assert.ok(!fs.existsSync(path.join(conf, 'register-map.csv.dist')));
});

test('uninstall removes the shipped files and .dist, keeps the edited configuration', () => {
  const d = tmpDir('gw-uninstall-');
  make('install', d);
  const c = path.join(d, PREFIX, 'etc', 'gatewayd');
  fs.appendFileSync(path.join(c, 'gatewayd.conf'), '# mine\n');
  make('install', d);
  const out = make('uninstall', d);
  assert.deepStrictEqual(fs.readdirSync(c), ['gatewayd.conf']);
  assert.match(out, /kept your edited .*gatewayd\.conf/);
});

test('the example plugin is not installed among the production plugins', () => {
  const plugins = fs.readdirSync(path.join(dest, PREFIX, 'lib', 'gatewayd', 'plugins'));
  assert.ok(plugins.includes('ocpp_cs.so') && plugins.includes('modbus_tcp.so'), plugins.join(' '));
  assert.deepStrictEqual(plugins.filter((p) => /example/.test(p)), []);
});

test('the systemd unit and the sysusers.d file are installed; systemd-analyze verify accepts the unit',
  { skip: !have('systemd-analyze') && 'systemd-analyze not found (apt-get install systemd)' }, () => {
    const unitPath = path.join(dest, PREFIX, 'lib', 'systemd', 'system', 'gatewayd.service');
    const unit = fs.readFileSync(unitPath, 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/gatewayd -c \/usr\/local\/etc\/gatewayd\/gatewayd\.conf$/m);
    assert.match(unit, /^User=gatewayd$/m);
    assert.match(unit, /^StateDirectory=gatewayd$/m);
    assert.match(unit, /^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
    const configH = fs.readFileSync(path.join(BUILDDIR, 'config.h'), 'utf8');
    if (/^#define HAVE_SYSTEMD 1$/m.test(configH)) {
      assert.match(unit, /^Type=notify$/m);
      assert.match(unit, /^WatchdogSec=\d+s$/m);
    } else {
      assert.match(unit, /^Type=exec$/m);
    }
    const sysusers = fs.readFileSync(path.join(dest, PREFIX, 'lib', 'sysusers.d', 'gatewayd.conf'), 'utf8');
    assert.match(sysusers, /^u gatewayd /m);
    assert.match(sysusers, /^m gatewayd dialout$/m);
    // verify checks that ExecStart= exists: point it into the staging tree.
    const staged = path.join(tmpDir('gw-unit-'), 'gatewayd.service');
    fs.writeFileSync(staged, unit.replaceAll(`${PREFIX}/`, `${path.join(dest, PREFIX)}/`));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', staged], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    // unknown keys and bad values are warnings only: none allowed
    assert.strictEqual(r.stderr.trim(), '');
  });

test('man pages gatewayd(8) and gatewayd.conf(5) are installed and render without warnings',
  { skip: !have('groff') && 'groff not found' }, () => {
    const pages = [path.join(dest, PREFIX, 'share', 'man', 'man8', 'gatewayd.8'),
      path.join(dest, PREFIX, 'share', 'man', 'man5', 'gatewayd.conf.5')];
    for (const p of pages) {
      assert.ok(fs.existsSync(p), p);
      const r = spawnSync('groff', ['-man', '-Tutf8', '-P-cbou', '-ww', p], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(r.stderr, '', `${p}: ${r.stderr}`);
      assert.match(r.stdout, /EXIT STATUS|\[core\] KEYS/);
    }
    // -P-cbou: plain text, no overstriking for bold and italics
    const r8 = spawnSync('groff', ['-man', '-Tutf8', '-P-cbou', pages[0]], { encoding: 'utf8' }).stdout;
    assert.match(r8, /--check-config/);
    assert.match(r8, /SIGTERM/);
    assert.match(r8, /^ {7}2 +A +configuration +or +command-line +error/m);
  });
