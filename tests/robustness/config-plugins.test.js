'use strict';
// Every plugin key with a wrong value, through --check-config and start-up:
// the same "FILE: [group] key: reason" line from both, exit 2, no signal.
// Files named by a key must be regular and bounded (/dev/zero, a directory,
// a missing or malformed map); listening addresses must be this host's.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { expectRefused, MAP, freePort, tmpDir } = require('./lib/config-errors');

const NOT_LOCAL = '192.0.2.1'; // TEST-NET-1 (RFC 5737): never an address of this host
// A terminal every test machine has, for a modbus_rtu group whose other
// keys are under test: /dev/ptmx opens a fresh pseudo-terminal master.
const PTY = '/dev/ptmx';

function malformedMap() {
  const p = path.join(tmpDir('gw-map-'), 'map.csv');
  fs.writeFileSync(p, 'this is not a register map\n');
  return p;
}

function aDirectory() {
  return tmpDir('gw-dir-');
}

function aRegularFile() {
  const p = path.join(tmpDir('gw-file-'), 'not-a-tty');
  fs.writeFileSync(p, 'x');
  return p;
}

// Each plugin's group with every key valid, as a base for one wrong value.
async function base(plugin) {
  const port = await freePort();
  switch (plugin) {
    case 'ocpp_cs':
      return { bind_address: '127.0.0.1', port, register_map: MAP, chargers: '0=CP1:2' };
    case 'ocpp_bridge':
      return { bind_address: '127.0.0.1', port, register_map: MAP, chargers: '0=CP1:2',
               upstream_url: 'ws://127.0.0.1:1/ocpp' };
    case 'modbus_tcp':
      return { bind_address: '127.0.0.1', port, register_map: MAP };
    case 'modbus_rtu':
      return { device: PTY, register_map: MAP };
    case 'diag':
      return { bind: '127.0.0.1', port };
    default:
      throw new Error(plugin);
  }
}

const MAP_CASES = [
  ['/dev/zero', () => '/dev/zero', /\/dev\/zero:0: a character device, not a regular file/],
  ['a directory', aDirectory, /a directory, not a regular file/],
  ['a missing file', () => '/nonexistent/register-map.csv', /No such file or directory/],
  ['a malformed map', malformedMap, /map\.csv:\d+: /],
];

const CASES = [];
for (const plugin of ['ocpp_cs', 'ocpp_bridge', 'modbus_tcp', 'modbus_rtu']) {
  for (const [what, value, reason] of MAP_CASES) CASES.push([plugin, 'register_map', what, value, reason]);
}
for (const plugin of ['ocpp_cs', 'ocpp_bridge', 'modbus_tcp']) {
  CASES.push([plugin, 'bind_address', 'not an address', () => 'not an address', /is not an IP address/]);
  CASES.push([plugin, 'bind_address', 'not this host\'s', () => NOT_LOCAL, /192\.0\.2\.1 is not an address of this host/]);
}
CASES.push(
  ['ocpp_cs', 'path_prefix', 'a space', () => 'oc pp', /only printable ASCII/],
  ['ocpp_cs', 'heartbeat_interval', 'out of range', () => '0', /0 is out of range \[1, 86400\]/],
  ['ocpp_cs', 'fallback', 'not a choice', () => 'maybe', /'maybe' is not one of local_list\|default/],
  ['ocpp_bridge', 'upstream_url', 'garbage', () => 'garbage', /the scheme must be ws:\/\/ or wss:\/\//],
  ['ocpp_bridge', 'upstream_url', 'wrong scheme', () => 'http://127.0.0.1/ocpp', /the scheme must be ws:\/\/ or wss:\/\//],
  ['ocpp_bridge', 'upstream_url', 'no host', () => 'ws:///ocpp', /missing or too long host/],
  ['ocpp_bridge', 'upstream_url', 'a query', () => 'ws://cs.example/ocpp?x=1', /no query/],
  ['ocpp_bridge', 'upstream_credentials', 'no password', () => 'CP1', /'CP1' is not ChargerID=user:password/],
  ['ocpp_bridge', 'upstream_credentials', 'unknown charger', () => 'CPX=u:p', /charger 'CPX' is not configured/],
  ['ocpp_bridge', 'subprotocols', 'none', () => ';', /at least one is needed/],
  ['ocpp_bridge', 'path_prefix', 'a #', () => 'oc#pp', /only printable ASCII/],
  ['ocpp_bridge', 'check_charger_id', 'unknown charger', () => 'CPX', /charger 'CPX' is not configured/],
  ['ocpp_bridge', 'connect_timeout', 'out of range', () => '0', /0 is out of range \[1, 120\]/],
  ['modbus_tcp', 'max_clients', 'not an integer', () => 'six', /'six' is not an integer/],
  ['modbus_tcp', 'float_order', 'not a choice', () => 'abdc', /'abdc' is not one of /],
  ['modbus_rtu', 'device', 'missing', () => '/dev/ttyNOPE9', /\/dev\/ttyNOPE9: No such file or directory/],
  ['modbus_rtu', 'device', 'a regular file', aRegularFile, /not a character device/],
  ['modbus_rtu', 'device', 'empty', () => '', /no serial device named/],
  ['modbus_rtu', 'device', 'not a serial port', () => '/dev/null', /\/dev\/null: not a serial port \(not a terminal device\)/],
  ['modbus_rtu', 'chargers', 'more than one unit', () => '21', /21: one RTU line \(one slave id\) carries at most 20/],
  ['modbus_rtu', 'baud', 'not a choice', () => '1234', /'1234' is not one of/],
  ['diag', 'bind', 'empty', () => '', /must not be empty/],
  ['diag', 'bind', 'not an address', () => 'a b', /is not an IP address/],
  ['diag', 'bind', 'not this host\'s', () => NOT_LOCAL, /is not an address of this host/],
  ['diag', 'token', 'a space', () => 'two words', /only printable ASCII without spaces/],
  ['diag', 'port', 'out of range', () => '0', /0 is out of range \[1, 65535\]/],
  ['diag', 'slow_client_timeout', 'zero', () => '0', /0 is out of range \[1, 3600\]/],
  ['diag', 'slow_client_timeout', 'not an integer', () => 'soon', /'soon' is not an integer/],
  ['diag', 'max_clients', 'out of range', () => '0', /0 is out of range \[1, 1024\]/],
);

for (const [plugin, key, what, value, reason] of CASES) {
  test(`[${plugin}] ${key}: ${what} is refused by --check-config and start-up alike`, async () => {
    const group = { ...(await base(plugin)), [key]: value() };
    await expectRefused({ [plugin]: group }, plugin, key, reason);
  });
}

// ca_file matters for a wss:// upstream only.
for (const [what, keys, reason] of [
  ['a missing CA file', { ca_file: '/nonexistent/ca.pem' }, /\/nonexistent\/ca\.pem: No such file or directory/],
  ['no CA file with tls_verify', { ca_file: '' }, /a wss:\/\/ upstream with tls_verify needs a CA file/],
  ['a directory as CA file', { ca_file: '/etc' }, /\/etc: a directory, not a regular file/],
]) {
  test(`[ocpp_bridge] ca_file: wss:// with ${what} is refused by --check-config and start-up alike`, async () => {
    const group = { ...(await base('ocpp_bridge')), upstream_url: 'wss://127.0.0.1:1/ocpp', ...keys };
    await expectRefused({ ocpp_bridge: group }, 'ocpp_bridge', 'ca_file', reason);
  });
}

test('every problem of every plugin is reported at once, in configuration order', async () => {
  const cs = { ...(await base('ocpp_cs')), chargers: 'CP1;CP1', register_map: '/dev/zero' };
  const tcp = { ...(await base('modbus_tcp')), bind_address: NOT_LOCAL };
  const { check } = await expectRefused({ ocpp_cs: cs, modbus_tcp: tcp }, 'ocpp_cs', 'chargers', /configured twice/);
  assert.match(check.stderr, /\[ocpp_cs\] register_map: .*not a regular file/);
  assert.match(check.stderr, /\[modbus_tcp\] bind_address: 192\.0\.2\.1 is not an address of this host/);
  assert.match(check.stderr, /3 configuration problems, nothing started/);
});
