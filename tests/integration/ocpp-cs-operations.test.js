'use strict';
// ocpp_cs, messages from the CS started by the BMS (flag = 1 -> CALL ->
// result register -> flag = 0), the time registers (SEQ_SyncDateTime) and
// the BMS heartbeat. Chargers are ocpp-rpc clients in strict mode: every
// CALL the gateway sends is validated against the OCPP 1.6 schemas.
const test = require('node:test');
const assert = require('node:assert');
const { RPCClient } = require('ocpp-rpc');
const { A, startCs, strRegs, u32Regs, until } = require('./lib/ocpp-cs');

const flagDown = (s, addr) => s.bms.waitU16(addr, (v) => v === 0, `flag ${addr} back to 0`);

// A booted charger that records every CALL it gets and answers with answers[action].
async function chargerWith(s, id, answers) {
  const { c } = await s.boot(id);
  const got = [];
  for (const [action, answer] of Object.entries(answers)) {
    c.handle(action, ({ params }) => { got.push({ action, params }); return typeof answer === 'function' ? answer(params) : answer; });
  }
  return { c, got };
}

test('SEQ_RemoteStartTransaction and SEQ_RemoteStopTransaction: parameters and flag in one FC16', async () => {
  const s = await startCs();
  try {
    const { got } = await chargerWith(s, 'CP0', {
      RemoteStartTransaction: { status: 'Accepted' },
      RemoteStopTransaction: (p) => ({ status: p.transactionId === 77 ? 'Accepted' : 'Rejected' }),
    });
    // flag (376), connector (377), idTag (378..387) in one request
    await s.bms.write(A.remoteStart.flag(0), [1, 2, ...strRegs('REMOTE-1', 10)]);
    await flagDown(s, A.remoteStart.flag(0));
    assert.deepStrictEqual(got[0], { action: 'RemoteStartTransaction', params: { connectorId: 2, idTag: 'REMOTE-1' } });
    assert.strictEqual(await s.bms.u16(A.remoteStart.result(0)), 0);
    await s.bms.write(A.remoteStop.flag(0), [1, 77]);
    await flagDown(s, A.remoteStop.flag(0));
    assert.deepStrictEqual(got[1].params, { transactionId: 77 });
    assert.strictEqual(await s.bms.u16(A.remoteStop.result(0)), 0);
    await s.bms.write(A.remoteStop.flag(0), [1, 78]);
    await flagDown(s, A.remoteStop.flag(0));
    assert.strictEqual(await s.bms.u16(A.remoteStop.result(0)), 1, 'Rejected');
  } finally { await s.stop(); }
});

test('Reset: soft by default, hard with reset.type = 1', async () => {
  const s = await startCs();
  try {
    const { got } = await chargerWith(s, 'CP1', { Reset: { status: 'Accepted' } });
    await s.bms.write1(A.reset.flag(1), 1);
    await flagDown(s, A.reset.flag(1));
    assert.deepStrictEqual(got[0].params, { type: 'Soft' });
    await s.bms.write(A.reset.flag(1), [1, 1]);
    await flagDown(s, A.reset.flag(1));
    assert.deepStrictEqual(got[1].params, { type: 'Hard' });
    assert.strictEqual(await s.bms.u16(A.reset.result(1)), 0);
  } finally { await s.stop(); }
});

test('UnlockConnector and ChangeAvailability on the connector registers', async () => {
  const s = await startCs();
  try {
    let availability = 'Accepted';
    let hold = Promise.resolve();
    const { got } = await chargerWith(s, 'CP0', {
      UnlockConnector: { status: 'UnlockFailed' },
      ChangeAvailability: async () => { await hold; return { status: availability }; },
    });
    await s.bms.write1(A.conn.unlock(0, 1), 1);
    await s.bms.waitU16(A.conn.unlock(0, 1), (v) => v !== 1, 'unlock result');
    assert.strictEqual(await s.bms.u16(A.conn.unlock(0, 1)), 2, 'UnlockFailed');
    assert.deepStrictEqual(got[0].params, { connectorId: 1 });
    assert.strictEqual(await s.bms.u16(A.conn.availability(0, 2)), 1, 'Operative at start');
    await s.bms.write1(A.conn.availability(0, 2), 0);
    await until(() => got.length === 2, 5000, 'ChangeAvailability');
    assert.deepStrictEqual(got[1].params, { connectorId: 2, type: 'Inoperative' });
    await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(await s.bms.u16(A.conn.availability(0, 2)), 0, 'accepted: kept');
    availability = 'Rejected';
    await s.bms.write1(A.conn.availability(0, 2), 1);
    await s.bms.waitU16(A.conn.availability(0, 2), (v) => v === 0, 'rejected: restored');
    // connector 0 = the whole charge point
    availability = 'Scheduled';
    await s.bms.write1(A.conn.availability(0, 0), 0);
    await until(() => got.length === 4, 5000, 'ChangeAvailability 0');
    assert.deepStrictEqual(got[3].params, { connectorId: 0, type: 'Inoperative' });
    // written again while the first change is unanswered: once it is
    // answered the newer value is sent too, and the register ends as sent
    availability = 'Accepted';
    let release;
    hold = new Promise((r) => { release = r; });
    await s.bms.write1(A.conn.availability(0, 1), 0);
    await until(() => got.length === 5, 5000, 'ChangeAvailability held');
    await s.bms.write1(A.conn.availability(0, 1), 1);
    release();
    await until(() => got.length === 6, 5000, 'the newer value sent');
    assert.deepStrictEqual(got.slice(4).map((g) => g.params),
      [{ connectorId: 1, type: 'Inoperative' }, { connectorId: 1, type: 'Operative' }]);
    await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(await s.bms.u16(A.conn.availability(0, 1)), 1);
  } finally { await s.stop(); }
});

test('ClearCache, ReserveNow, CancelReservation, ClearChargingProfile, TriggerMessage', async () => {
  const s = await startCs();
  try {
    const { got } = await chargerWith(s, 'CP0', {
      ClearCache: { status: 'Rejected' },
      ReserveNow: { status: 'Occupied' },
      CancelReservation: { status: 'Accepted' },
      ClearChargingProfile: { status: 'Unknown' },
      TriggerMessage: { status: 'NotImplemented' },
    });
    await s.bms.write1(A.clearCache.flag(0), 1);
    await flagDown(s, A.clearCache.flag(0));
    assert.strictEqual(await s.bms.u16(A.clearCache.result(0)), 1);

    const expiry = Math.floor(Date.now() / 1000) + 600;
    // flag 296, connector 297, expiry 298..299, idTag 300..309, parent 310..319, reservation 320
    await s.bms.write(A.reserveNow.flag(0), [1, 1, ...u32Regs(expiry), ...strRegs('RES-TAG', 10), ...strRegs('', 10), 31]);
    await flagDown(s, A.reserveNow.flag(0));
    assert.deepStrictEqual(got[1].params, { connectorId: 1, expiryDate: new Date(expiry * 1000).toISOString(), idTag: 'RES-TAG', reservationId: 31 });
    assert.strictEqual(await s.bms.u16(A.reserveNow.result(0)), 9, 'Occupied');

    await s.bms.write(A.cancelReservation.flag(0), [1, 31]);
    await flagDown(s, A.cancelReservation.flag(0));
    assert.deepStrictEqual(got[2].params, { reservationId: 31 });
    assert.strictEqual(await s.bms.u16(A.cancelReservation.result(0)), 0);

    await s.bms.write(A.clearProfile.flag(0), [1, 5, 1, 3, 2]);
    await flagDown(s, A.clearProfile.flag(0));
    assert.deepStrictEqual(got[3].params, { id: 5, connectorId: 1, chargingProfilePurpose: 'TxProfile', stackLevel: 2 });
    assert.strictEqual(await s.bms.u16(A.clearProfile.result(0)), 4, 'Unknown');

    await s.bms.write(A.trigger.flag(0), [1, 4, 2]);
    await flagDown(s, A.trigger.flag(0));
    assert.deepStrictEqual(got[4].params, { requestedMessage: 'MeterValues', connectorId: 2 });
    assert.strictEqual(await s.bms.u16(A.trigger.result(0)), 11, 'NotImplemented');
  } finally { await s.stop(); }
});

test('SEQ_GetLocalListVersion and SEQ_SendLocalList: differential edits, VersionMismatch -> Full', async () => {
  const s = await startCs({ cs: { bms_timeout_ms: 300 } });
  try {
    let chargerVersion = 0;
    let mismatchOnce = false;
    const { c, got } = await chargerWith(s, 'CP0', {
      GetLocalListVersion: () => ({ listVersion: chargerVersion }),
      SendLocalList: (p) => {
        if (mismatchOnce && p.updateType === 'Differential') { mismatchOnce = false; return { status: 'VersionMismatch' }; }
        chargerVersion = p.listVersion;
        return { status: 'Accepted' };
      },
    });
    await s.bms.write1(A.getListVersion.flag(0), 1);
    await flagDown(s, A.getListVersion.flag(0));
    assert.strictEqual(await s.bms.u16(A.getListVersion.version(0)), 0);

    // add an entry: flag 336, operation 337, idTag 338..347, parent 348..357, expiry 358..359, status 360
    await s.bms.write(A.sendLocalList.flag(0), [1, 1, ...strRegs('LIST-1', 10), ...strRegs('', 10), 0, 0, 0]);
    await flagDown(s, A.sendLocalList.flag(0));
    assert.strictEqual(await s.bms.u16(A.sendLocalList.result(0)), 0);
    assert.deepStrictEqual(got[1].params, { listVersion: 1, updateType: 'Differential', localAuthorizationList: [{ idTag: 'LIST-1', idTagInfo: { status: 'Accepted' } }] });
    await s.bms.write(A.sendLocalList.flag(0), [1, 1, ...strRegs('LIST-2', 10), ...strRegs('', 10), 0, 0, 1]);
    await flagDown(s, A.sendLocalList.flag(0));
    assert.strictEqual(got[2].params.listVersion, 2);
    // the charger lost its list: VersionMismatch, then the gateway sends everything
    mismatchOnce = true;
    await s.bms.write(A.sendLocalList.flag(0), [1, 2, ...strRegs('LIST-1', 10)]);
    await flagDown(s, A.sendLocalList.flag(0));
    assert.strictEqual(got[3].params.updateType, 'Differential');
    assert.deepStrictEqual(got[3].params.localAuthorizationList, [{ idTag: 'LIST-1' }]);
    assert.strictEqual(got[4].params.updateType, 'Full');
    assert.strictEqual(got[4].params.listVersion, 3);
    assert.deepStrictEqual(got[4].params.localAuthorizationList, [{ idTag: 'LIST-2', idTagInfo: { status: 'Blocked' } }]);
    assert.strictEqual(await s.bms.u16(A.sendLocalList.result(0)), 0);
    await s.bms.write1(A.getListVersion.flag(0), 1);
    await flagDown(s, A.getListVersion.flag(0));
    assert.strictEqual(await s.bms.u16(A.getListVersion.version(0)), 3);
    // the gateway's copy drives the BMS-timeout fallback
    assert.strictEqual((await c.call('Authorize', { idTag: 'LIST-2' })).idTagInfo.status, 'Blocked');
  } finally { await s.stop(); }
});

test('a disconnected or silent charger gives a failure result and the flag returns to 0', async () => {
  const s = await startCs({ cs: { call_timeout_ms: 400 } });
  try {
    await s.bms.write(A.remoteStart.flag(1), [1, 1, ...strRegs('X', 10)]);
    await flagDown(s, A.remoteStart.flag(1));
    assert.strictEqual(await s.bms.u16(A.remoteStart.result(1)), 1, 'not connected: Rejected');
    const { c } = await s.boot('CP1');
    c.handle('Reset', () => new Promise(() => {})); // never answers
    await s.bms.write1(A.reset.flag(1), 1);
    await flagDown(s, A.reset.flag(1));
    assert.strictEqual(await s.bms.u16(A.reset.result(1)), 1, 'timeout: Rejected');
    await s.gw.waitForLog(/CP1: no answer to Reset within the call timeout/);
  } finally { await s.stop(); }
});

test('SEQ_SyncDateTime: the BMS sets the gateway clock (an offset), partial writes are ignored', async () => {
  const s = await startCs();
  try {
    const { c } = await s.boot('CP0');
    // registers 1..6: second, minute, hour, day, month, year (UTC), one FC16
    await s.bms.write(A.clock, [30, 15, 8, 24, 12, 2031]);
    const hb = await c.call('Heartbeat', {});
    const t = Date.parse(hb.currentTime);
    assert.ok(Math.abs(t - Date.UTC(2031, 11, 24, 8, 15, 30)) < 3000, hb.currentTime);
    const regs = await s.bms.regs(A.clock, 6);
    assert.deepStrictEqual(regs.slice(2), [8, 24, 12, 2031]);
    // only the year: ignored
    await s.bms.write1(A.clock + 5, 2040);
    await new Promise((r) => setTimeout(r, 300));
    const hb2 = await c.call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(hb2.currentTime) - Date.UTC(2031, 11, 24, 8, 15, 30)) < 5000);
    // and it never touched the system clock
    assert.ok(new Date().getUTCFullYear() < 2031);
  } finally { await s.stop(); }
});

test('BMS heartbeat: cleared every period, loss reported when the BMS stops writing', async () => {
  const s = await startCs({ cs: { bms_heartbeat_period: 1 } });
  try {
    await s.bms.write1(A.heartbeat, 1);
    await s.bms.waitU16(A.heartbeat, (v) => v === 0, 'heartbeat cleared by the gateway', 3000);
    await s.gw.waitForLog(/BMS communication lost/, 5000);
    await s.bms.write1(A.heartbeat, 1);
    await s.gw.waitForLog(/BMS communication restored/, 5000);
  } finally { await s.stop(); }
});

test('a reconnect mid-call: the call in flight fails, the queued one reaches the new connection', async () => {
  const s = await startCs();
  try {
    const { c: old } = await s.boot('CP0');
    let clearCacheSeen = false;
    old.handle('ClearCache', () => { clearCacheSeen = true; return new Promise(() => {}); }); // never answers
    await s.bms.write1(A.clearCache.flag(0), 1);
    await until(() => clearCacheSeen, 2000, 'ClearCache at the old connection');
    // TriggerMessage(Heartbeat) queues behind the unanswered ClearCache
    await s.bms.write(A.trigger.flag(0), [1, 3, 0]);
    const got = [];
    const fresh = new RPCClient({ endpoint: s.url, identity: 'CP0', protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    fresh.handle('TriggerMessage', ({ params }) => { got.push(params); return { status: 'Accepted' }; });
    await fresh.connect();
    try {
      await flagDown(s, A.clearCache.flag(0));
      assert.notStrictEqual(await s.bms.u16(A.clearCache.result(0)), 0, 'the call in flight failed');
      await flagDown(s, A.trigger.flag(0));
      assert.strictEqual(await s.bms.u16(A.trigger.result(0)), 0, 'the queued call was answered by the new connection');
      assert.deepStrictEqual(got, [{ requestedMessage: 'Heartbeat' }]);
    } finally { await fresh.close({ force: true }); }
  } finally { await s.stop(); }
});
