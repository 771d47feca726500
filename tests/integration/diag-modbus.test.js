'use strict';
// The viewer page against the real Modbus server: gatewayd runs modbus_tcp,
// diag and the mb_points test plugin (which owns the default map's points
// as an OCPP plugin would). The page shows each map point's Modbus address
// and enumeration names; a write from the page is read back by a
// modbus-serial master; a master's write shows up live on the page; refused
// writes show their reason and change no register.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const ModbusRTU = require('modbus-serial');
const { startGatewayd, freePort } = require('./lib/gatewayd');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const { MAP } = require('./lib/modbus-map');
// 0-based addresses in the default map: charger xx at 100 + 2000 xx + offset,
// connector yy of charger xx at 612 + 2000 xx + 100 yy + offset.
const A = {
  authStatus: 190, absent: 150, // charger offset 50: between groups, no row
  reservationId: 420,
  remoteStartFlag: 476, remoteStartConn: 477, remoteStartTag: 478, remoteStartResult: 492,
  status01: 714, status11: 2714,
};

const row = (name) => `#points .row[data-name="${name}"]`;

/** Wait until the page shows exactly these rows (by name) for the filters set. */
async function showsRows(page, names) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('#points .row')].map((r) => r.dataset.name).sort();
    return JSON.stringify(got) === JSON.stringify(want);
  }, [...names].sort());
}

/** Select a signal in the page, write text into the write box, wait for the answer. */
async function writeFromPage(page, name, text) {
  await page.click(row(name));
  assert.equal(await page.textContent('#write-name'), name);
  await page.fill('#write-value', text);
  await page.click('#write-button');
  await page.waitForFunction(() => /^(ok|error)$/.test(document.querySelector('#write-status').className));
  return { ok: await page.getAttribute('#write-status', 'class') === 'ok', text: await page.textContent('#write-status') };
}

async function exceptionOf(p) {
  try { await p; } catch (e) { return e.modbusCode; }
  return 0;
}

test('the page writes registers that a Modbus master reads back', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 120000 }, async (t) => {
  const port = await freePort();
  const mbPort = await freePort();
  const gw = await startGatewayd({
    mb_points: { register_map: MAP, chargers: 2, refuse_point: 'charger.0.reserve_now.reservation_id' },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP },
    diag: { port },
  });
  const bms = new ModbusRTU();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  t.after(async () => {
    await browser.close();
    await new Promise((resolve) => (bms.isOpen ? bms.close(resolve) : resolve()));
    await gw.stop();
  });
  await bms.connectTCP('127.0.0.1', { port: mbPort });
  bms.setID(1);
  bms.setTimeout(3000);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#conn.up');

  // Map points carry their Modbus address (first register, +count when more
  // than one) and enumeration names from the map.
  await page.selectOption('#charger-filter', '0');
  await page.fill('#filter', 'remote_start.');
  const rs = ['flag', 'connector_id', 'id_tag', 'result'].map((s) => `charger.0.remote_start.${s}`);
  await showsRows(page, rs);
  const addrs = await Promise.all(rs.map((n) => page.textContent(`${row(n)} .c-addr`)));
  assert.deepEqual(addrs, [String(A.remoteStartFlag), String(A.remoteStartConn), `${A.remoteStartTag}+10`, String(A.remoteStartResult)]);
  assert.equal(await page.textContent(`${row(rs[0])} .c-access`), 'RW');
  assert.equal(await page.textContent(`${row(rs[3])} .c-value`), 'Accepted (0)');
  // the filter also takes a Modbus address
  await page.fill('#filter', String(A.status01));
  await showsRows(page, ['charger.0.connector.1.status']);
  assert.equal(await page.textContent(`${row('charger.0.connector.1.status')} .c-value`), 'Preparing (1)');
  assert.equal(await page.textContent(`${row('charger.0.connector.1.status')} .c-type`), 'uint16');
  await page.selectOption('#charger-filter', '1');
  await page.fill('#filter', String(A.status11));
  await showsRows(page, ['charger.1.connector.1.status']);

  // Play the BMS from the page: parameters, then the flag; the master reads
  // every register back and sees the test plugin's reaction (result = connector).
  await page.selectOption('#charger-filter', '0');
  await page.fill('#filter', 'remote_start.');
  await showsRows(page, rs);
  let w = await writeFromPage(page, 'charger.0.remote_start.connector_id', '1');
  assert.ok(w.ok, w.text);
  assert.deepEqual((await bms.readHoldingRegisters(A.remoteStartConn, 1)).data, [1]);
  w = await writeFromPage(page, 'charger.0.remote_start.id_tag', 'TAG-42');
  assert.ok(w.ok, w.text);
  const tag = await bms.readHoldingRegisters(A.remoteStartTag, 10);
  assert.equal(tag.buffer.toString('ascii').replace(/\0+$/, ''), 'TAG-42');
  w = await writeFromPage(page, 'charger.0.remote_start.flag', 'Operation pending'); // an enum label
  assert.ok(w.ok, w.text);
  assert.match(w.text, /written: Operation pending \(1\)/);
  assert.deepEqual((await bms.readHoldingRegisters(A.remoteStartFlag, 1)).data, [1]);
  assert.deepEqual((await bms.readHoldingRegisters(A.remoteStartResult, 1)).data, [1]);
  // ...and the page shows the plugin's answer live
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Rejected (1)',
    `${row('charger.0.remote_start.result')} .c-value`);

  // A master's write shows up live on the page, its request in the console.
  await bms.writeRegister(A.remoteStartConn, 2);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '2',
    `${row('charger.0.remote_start.connector_id')} .c-value`);
  await page.waitForFunction((a) => [...document.querySelectorAll('#console-lines .line')]
    .some((l) => l.textContent.includes(`fc 6 @${a}+1`)), A.remoteStartConn);
  assert.equal(await exceptionOf(bms.readHoldingRegisters(A.absent, 1)), 2);
  await page.waitForFunction((a) => [...document.querySelectorAll('#console-lines .line.exc')]
    .some((l) => l.textContent.includes(`fc 3 @${a}+1 EXCEPTION 2`)), A.absent);

  // Refused writes show their reason and change no register.
  w = await writeFromPage(page, 'charger.0.remote_start.connector_id', '70000');
  assert.ok(!w.ok);
  assert.match(w.text, /refused \(422 out_of_range\)/);
  assert.deepEqual((await bms.readHoldingRegisters(A.remoteStartConn, 1)).data, [2]);
  w = await writeFromPage(page, 'charger.0.remote_start.flag', 'Maybe');
  assert.ok(!w.ok);
  assert.match(w.text, /refused \(422 invalid_value\)/);
  await page.fill('#filter', 'reserve_now.reservation_id');
  await showsRows(page, ['charger.0.reserve_now.reservation_id']);
  assert.equal(await page.textContent(`${row('charger.0.reserve_now.reservation_id')} .c-addr`), String(A.reservationId));
  w = await writeFromPage(page, 'charger.0.reserve_now.reservation_id', '7');
  assert.ok(!w.ok);
  assert.match(w.text, /refused \(409 busy\): refused by the test plugin/);
  assert.deepEqual((await bms.readHoldingRegisters(A.reservationId, 1)).data, [0]);

  // An enumerated W point: the label is written as its number.
  await page.fill('#filter', 'authorize.status');
  await showsRows(page, ['charger.0.authorize.status']);
  w = await writeFromPage(page, 'charger.0.authorize.status', 'Blocked');
  assert.ok(w.ok, w.text);
  assert.deepEqual((await bms.readHoldingRegisters(A.authStatus, 1)).data, [1]);

  // R points (the charger's side) are not offered for writing.
  await page.fill('#filter', String(A.status01));
  await showsRows(page, ['charger.0.connector.1.status']);
  await page.click(row('charger.0.connector.1.status'));
  assert.equal(await page.textContent('#write-name'), 'charger.0.authorize.status');
  assert.deepEqual(errors, []);
});
