'use strict';
// ocpp_cs `chargers`: every entry it refuses is reported by --check-config
// and by start-up alike ("FILE: [ocpp_cs] chargers: ..."), exit 2, no crash.
// ocpp_bridge parses the same list and must behave the same.
const test = require('node:test');
const { expectRefused, MAP, freePort } = require('./lib/config-errors');

const BAD = [
  ['duplicate id', 'CP1;CP1', /ChargerID configured twice/],
  ['duplicate index', '3=CP1;3=CP2', /index configured twice/],
  ['index > 4095', '4096=CP1', /index must be 0\.\.4095/],
  ['8 connectors', 'CP1:8', /connectors must be 1\.\.7/],
  ['empty id', '5=', /ChargerID must be/],
  ['slash in id', 'CP/1', /ChargerID must be/],
  ['space in id (a missing ;)', 'CP1 CP2', /ChargerID must be/],
  ['non-ASCII id', 'Ladesäule', /ChargerID must be/],
  ['negative index', '-1=CP1', /index must be 0\.\.4095/],
  ['empty connectors', 'CP1:', /connectors must be 1\.\.7/],
];

for (const plugin of ['ocpp_cs', 'ocpp_bridge']) {
  for (const [what, value, reason] of BAD) {
    test(`${plugin} chargers: ${what} is refused the same way by --check-config and start-up`, async () => {
      const port = await freePort();
      const group = { bind_address: '127.0.0.1', port, register_map: MAP, chargers: value };
      if (plugin === 'ocpp_bridge') group.upstream_url = 'ws://127.0.0.1:1/ocpp';
      await expectRefused({ [plugin]: group }, plugin, 'chargers', reason);
    });
  }
}
