'use strict';
// Issue 10 item 1, bridge mode: a charger flooding Heartbeats through the
// bridge (reading its answers or not) must not grow gatewayd without bound
// nor starve the other charger and the BMS; a charger that never reads is
// closed. diag runs too, so every frame is also handed to the loop (the
// console watches ocpp.frame): that path must be bounded as well.
const test = require('node:test');
const assert = require('node:assert');
const { A, until, startBridge } = require('../integration/lib/bridge-site');
const { startUpstreamChild } = require('./lib/upstream-child');
const { freePort } = require('../integration/lib/gatewayd');
const { rssKiB, rssBoundKiB, serverHolds, heartbeats, dataTransfers, rawWs, flood, sleep, serveDuringFlood } = require('./lib/flood');

const FLOOD_MS = 4000;
const BOUND_KIB = 4 * 1024; // ~1 MiB is the target (bench)

async function floodScenario(t, read) {
  const up = await startUpstreamChild();
  const site = await startBridge(up.url, {
    chargers: ['CP0:2', 'CP1:2', 'FL:1'],
    groups: { diag: { port: await freePort() } },
  });
  try {
    const c = await site.charger('CP0');
    await c.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await site.bms.u16(A.comm(0));
    await sleep(1500); // the bridge notices diag's subscription within a second
    const before = rssKiB(site.gw.child.pid);
    const flooder = await rawWs(site.wsPort, '/ocpp/FL', { read });
    // the non-reader sends DataTransfer, whose 32 KiB answers fill its socket
    const flooding = flood(flooder.socket, read ? heartbeats(2000) : dataTransfers(2000), FLOOD_MS);
    // the other charger's answers come from the upstream CS, a node process
    // that the flood keeps busy too: its loop and the BMS's run apart
    const got = await serveDuringFlood({
      pid: site.gw.child.pid, flooding, ms: FLOOD_MS,
      heartbeat: async () => assert.ok((await c.call('Heartbeat', {})).currentTime),
      bmsRead: () => site.bms.u16(A.comm(0)),
    });
    const peak = got.peak;
    t.diagnostic(`flooder wrote ${(got.written / 1048576).toFixed(1)} MiB; RSS ${before} -> peak ${peak} KiB; ` +
      `other charger: ${got.heartbeats} Heartbeats, BMS: ${got.reads} reads answered`);
    assert.ok(got.heartbeats > 0 && got.reads > 0, 'the other charger and the BMS were answered');
    const bound = rssBoundKiB(site.gw.child.pid, BOUND_KIB);
    assert.ok(peak - before < bound,
      `RSS grew ${peak - before} KiB during a ${FLOOD_MS} ms flood (bound ${bound} KiB)`);
    if (!read) {
      await until(() => !serverHolds(site.wsPort, flooder.localPort), 30000,
        'gatewayd to close the connection of the charger that does not read');
      await site.gw.waitForLog(/does not read/);
    }
    flooder.socket.destroy();
    assert.ok((await c.call('Heartbeat', {})).currentTime);
    assert.strictEqual(await site.bms.u16(A.comm(0)), 0);
  } finally {
    await site.stop();
    await up.close();
  }
}

test('bridge: a charger flooding Heartbeats and reading its answers costs bounded memory; others are answered',
  { timeout: 120000 }, (t) => floodScenario(t, true));

test('bridge: a charger flooding DataTransfer and never reading is closed; memory stays bounded; others are answered',
  { timeout: 120000 }, (t) => floodScenario(t, false));
