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
const { rssKiB, rssBoundKiB, serverHolds, heartbeats, dataTransfers, rawWs, flood, sleep } = require('./lib/flood');

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
    let heartbeatsAnswered = 0, reads = 0, peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(site.gw.child.pid)); }, 100);
    // the other charger's answers come from the upstream CS, a node process
    // that the flood keeps busy too: its loop and the BMS's run apart
    const end = Date.now() + FLOOD_MS;
    const charger = (async () => {
      do {
        assert.ok((await c.call('Heartbeat', {})).currentTime);
        heartbeatsAnswered++;
      } while (Date.now() < end);
    })();
    const bms = (async () => {
      do {
        await site.bms.u16(A.comm(0));
        reads++;
      } while (Date.now() < end);
    })();
    const written = await flooding;
    await Promise.all([charger, bms]);
    clearInterval(sampler);
    peak = Math.max(peak, rssKiB(site.gw.child.pid));
    t.diagnostic(`flooder wrote ${(written / 1048576).toFixed(1)} MiB; RSS ${before} -> peak ${peak} KiB; ` +
      `other charger: ${heartbeatsAnswered} Heartbeats, BMS: ${reads} reads answered`);
    assert.ok(heartbeatsAnswered > 0 && reads > 0);
    const bound = rssBoundKiB(site.gw.child.pid, BOUND_KIB);
    assert.ok(peak - before < bound,
      `RSS grew ${peak - before} KiB during a ${FLOOD_MS} ms flood (bound ${bound} KiB)`);
    if (!read) {
      await until(() => !serverHolds(site.wsPort, flooder.localPort), 30000,
        'gatewayd to close the connection of the charger that does not read');
      assert.match(site.gw.stderr, /does not read/);
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
