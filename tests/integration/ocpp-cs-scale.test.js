'use strict';
// ocpp_cs at the reference's full size: 20 chargers x 7 connectors running
// at once (boot, status and meter values on every connector, and an
// Authorize on every charger answered by one BMS polling all flags).
const test = require('node:test');
const assert = require('node:assert');
const { A, startCs, until, iso } = require('./lib/ocpp-cs');

test('20 chargers x 7 connectors at once', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `SITE-${i}`);
  const s = await startCs({ chargers: ids, cs: { bms_timeout_ms: 20000 } });
  try {
    const chargers = await Promise.all(ids.map(async (id) => (await s.boot(id, { chargePointModel: `M${id.slice(5)}` })).c));
    await Promise.all(chargers.map(async (c, x) => {
      await Promise.all([1, 2, 3, 4, 5, 6, 7].map(async (y) => {
        await c.call('StatusNotification', { connectorId: y, errorCode: 'NoError', status: y % 2 ? 'Charging' : 'Available' });
        await c.call('MeterValues', { connectorId: y, meterValue: [{ timestamp: iso(), sampledValue: [
          { value: String(x * 100 + y), measurand: 'Power.Active.Import', unit: 'W' },
          { value: String(200 + y), measurand: 'Voltage', phase: 'L2-N', unit: 'V' },
        ] }] });
      }));
    }));
    for (let x = 0; x < 20; x++) {
      assert.strictEqual(await s.bms.u16(A.comm(x)), 0);
      assert.strictEqual(await s.bms.str(A.model(x), 10), `M${x}`);
      for (let y = 1; y <= 7; y++) {
        assert.strictEqual(await s.bms.u16(A.conn.status(x, y)), y % 2 ? 2 : 0);
        assert.strictEqual(await s.bms.float(A.conn.meter(x, y, 55)), x * 100 + y);
        assert.strictEqual(await s.bms.float(A.conn.meter(x, y, 81)), 200 + y);
      }
    }
    // every charger authorises at once; the BMS serves the flags as it finds them
    const answers = Promise.all(chargers.map((c, x) => c.call('Authorize', { idTag: `CARD${x}` })));
    const served = new Set();
    await until(async () => {
      for (let x = 0; x < 20; x++) {
        if (served.has(x) || (await s.bms.u16(A.auth.flag(x))) !== 1) continue;
        assert.strictEqual(await s.bms.str(A.auth.idTag(x), 10), `CARD${x}`);
        await s.bms.write(A.auth.status(x), x % 5 === 0 ? 1 : 0);
        await s.bms.write1(A.auth.processed(x), 1);
        served.add(x);
      }
      return served.size === 20;
    }, 20000, 'BMS serving 20 chargers');
    const res = await answers;
    res.forEach((r, x) => assert.strictEqual(r.idTagInfo.status, x % 5 === 0 ? 'Blocked' : 'Accepted'));
  } finally { await s.stop(); }
});
