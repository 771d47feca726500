'use strict';
// The guides' enumeration tables against etc/register-map.csv, the one
// source of truth for codes: tools/gen-map-enums.js --check passes, every
// values list of the map is in both docs' tables (and nothing else is),
// each named point has its own list, a change in the map makes the docs
// stale, and the guides explain 0-based addresses for mbpoll and 1-based
// tools.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { SRCDIR } = require('./lib/gatewayd');

const TOOL = path.join(SRCDIR, 'tools', 'gen-map-enums.js');
const gen = require(TOOL);
const DOCS = ['docs/bms-guide.md', 'docs/modbus.md'];

// The map's values per point, read here without the tool's parser.
function mapValues() {
  const lines = fs.readFileSync(path.join(SRCDIR, 'etc', 'register-map.csv'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('@'));
  const head = lines.shift().split(',');
  const byPoint = new Map();
  for (const l of lines) {
    const f = l.split(','); // no quoted fields in the shipped map
    assert.equal(f.length, head.length, l);
    const r = Object.fromEntries(head.map((h, i) => [h, f[i]]));
    if (r.values) byPoint.set(r.point, r.values);
  }
  return byPoint;
}

// The doc's table rows: [{points: [...], pattern, values: "0=A;1=B"}].
function docTable(rel) {
  const text = fs.readFileSync(path.join(SRCDIR, rel), 'utf8');
  const a = text.indexOf('<!-- map-enums begin'), b = text.indexOf('<!-- map-enums end -->');
  assert.ok(a >= 0 && b > a, `${rel} has the map-enums markers`);
  return text.slice(a, b).split('\n').filter((l) => /^\| .*\d+ = /.test(l)).map((l) => {
    const [where, codes] = l.slice(2, -2).split(' | ');
    const pattern = (where.match(/^every `([^`]+)`/) || [])[1];
    return {
      points: pattern ? [] : [...where.matchAll(/`([^`]+)` \(/g)].map((m) => m[1]),
      pattern,
      values: codes.split(', ').map((c) => c.replace(' = ', '=')).join(';'),
    };
  });
}

test('the docs list every enumeration of the map, as the map has it', () => {
  const byPoint = mapValues();
  const lists = new Set(byPoint.values());
  assert.ok(lists.size >= 15, `${lists.size} enumerations in the map`);
  for (const rel of DOCS) {
    const rows = docTable(rel);
    assert.deepEqual(new Set(rows.map((r) => r.values)), lists, `${rel}: the same lists as the map`);
    for (const r of rows) {
      for (const p of r.points) assert.equal(byPoint.get(p), r.values, `${rel}: ${p}`);
      if (r.pattern) {
        const re = new RegExp(`^${r.pattern.replace(/[.{}]/g, '\\$&').replace('*', '[a-z0-9_.]+')}$`);
        const matching = [...byPoint].filter(([p]) => re.test(p));
        assert.ok(matching.length > 4, `${rel}: ${r.pattern}`);
        for (const [p, v] of matching) assert.equal(v, r.values, `${rel}: ${p}`);
      }
    }
    // the ones integrators asked for by name
    const all = rows.map((r) => r.points.join(' ') + (r.pattern || '')).join(' ');
    for (const p of ['connector.{yy}.status', 'connector.{yy}.error_code', 'meter.*.unit', 'stop.reason',
      'connector.{yy}.availability', 'start.status', 'remote_stop.result']) assert.ok(all.includes(p), `${rel}: ${p}`);
  }
});

test('gen-map-enums --check passes, and a changed map makes the docs stale', () => {
  execFileSync(process.execPath, [TOOL, '--check'], { stdio: 'pipe' }); // throws on exit 1
  const map = gen.readMap();
  const status = map.rows.find((r) => r.point === 'charger.{xx}.connector.{yy}.status');
  status.values = status.values.replace('8=Faulted', '8=Faulted;9=Broken');
  for (const rel of DOCS) {
    const text = fs.readFileSync(path.join(SRCDIR, rel), 'utf8');
    assert.equal(gen.splice(text, gen.render()), text, `${rel} is current`);
    assert.notEqual(gen.splice(text, gen.render(map)), text, `${rel} would change`);
  }
  assert.equal(gen.addressOf(map.blocks, status), '612 + 2000·xx + 100·yy + 2');
  const txn = map.rows.find((r) => r.point === 'charger.{xx}.connector.{yy}.transaction.id');
  assert.equal(gen.addressOf(map.blocks, txn), '1412 + 2000·xx + yy');
});

test('the guides say addresses are 0-based and how mbpoll and 1-based tools count', () => {
  for (const rel of DOCS) {
    const text = fs.readFileSync(path.join(SRCDIR, rel), 'utf8');
    assert.match(text, /\*\*0-based\*\*/, rel);
    assert.match(text, /mbpoll[\s\S]*`?-0`?/, rel);
    assert.match(text, /40001 = address 0/, rel);
    assert.match(text, /-0 -r 714[\s\S]*-r 715/, rel); // the same register both ways
  }
});
