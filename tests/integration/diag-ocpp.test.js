'use strict';
// The viewer page on a site as shipped: the default etc/gatewayd.conf
// (ocpp_cs + modbus_tcp + diag; only ports, binds and paths changed for the
// test). Chargers are ocpp-rpc clients in strict mode (every frame checked
// against the official OCPP 1.6 schemas), the BMS a modbus-serial master.
// The page shows the chargers panel (configured, connected, boot info), the
// scan list, live values from MeterValues/StatusNotification, the OCPP and
// Modbus traffic in the console, and plays the BMS for a remote start.
// Takes the screenshot shown in the README (GW_UPDATE_SCREENSHOT=1 writes
// docs/viewer.png).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { RPCClient } = require('ocpp-rpc');
const ModbusRTU = require('modbus-serial');
const { SRCDIR, startGatewayd, freePort, tmpDir } = require('./lib/gatewayd');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const { MAP } = require('./lib/modbus-map');
// 0-based addresses in the default map (charger 0).
const A = { heartbeat: 0, currentL1: 612 + 100 + 11, status1: 612 + 100 + 2, comm: 100 };

/** The shipped configuration, made safe to run next to others. */
function defaultConfig(dir, ports) {
  let text = fs.readFileSync(path.join(SRCDIR, 'etc', 'gatewayd.conf'), 'utf8');
  const subst = (re, by) => {
    assert.match(text, re, `etc/gatewayd.conf no longer has ${re}`);
    text = text.replace(re, by);
  };
  subst(/^#?state_dir =.*$/m, `state_dir = ${path.join(dir, 'state')}`);
  subst(/^bind_address = 0\.0\.0\.0$/gm, 'bind_address = 127.0.0.1');
  subst(/^port = 9000$/m, `port = ${ports.ws}`);
  subst(/^port = 1502$/m, `port = ${ports.mb}`);
  subst(/^port = 8080$/m, `port = ${ports.diag}`);
  subst(/^register_map = register-map\.csv$/gm, `register_map = ${MAP}`);
  assert.match(text, /^chargers = 0=CP001:2; 1=CP002:2$/m);
  return text;
}

const row = (name) => `#points .row[data-name="${name}"]`;
const textIs = (page, sel, want) => page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [sel, want]);
const consoleHas = (page, re) => page.waitForFunction((src) => [...document.querySelectorAll('#console-lines .line')]
  .some((l) => new RegExp(src).test(l.textContent)), re.source);
const meter = (v) => [{ timestamp: new Date().toISOString(), sampledValue: [{ value: v, measurand: 'Current.Import', phase: 'L1', unit: 'A' }] }];

test('the viewer on the default site: chargers, scan list, live OCPP values, console, BMS from the page', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 120000 }, async (t) => {
  const dir = tmpDir();
  const ports = { ws: await freePort(), mb: await freePort(), diag: await freePort() };
  const gw = await startGatewayd(defaultConfig(dir, ports), { dir });
  const wsUrl = `ws://127.0.0.1:${ports.ws}/ocpp`;
  const base = `http://127.0.0.1:${ports.diag}`;
  const chargers = [];
  const charger = async (identity, handlers = {}) => {
    const c = new RPCClient({ endpoint: wsUrl, identity, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    for (const [action, fn] of Object.entries(handlers)) c.handle(action, fn);
    chargers.push(c);
    await c.connect();
    return c;
  };
  const bms = new ModbusRTU();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  t.after(async () => {
    await browser.close();
    for (const c of chargers) await c.close({ force: true }).catch(() => {});
    await new Promise((resolve) => (bms.isOpen ? bms.close(resolve) : resolve()));
    await gw.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await bms.connectTCP('127.0.0.1', { port: ports.mb });
  bms.setID(1);
  bms.setTimeout(3000);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForSelector('#conn.up');

  // Before any charger connects the panel lists both configured ones, by
  // their configured ChargerID.
  await page.click('#panels nav button[data-tab="chargers"]');
  await page.waitForFunction(() => document.querySelectorAll('#chargers-table tbody tr').length === 2);
  assert.match(await page.textContent('#chargers-table tbody'), /^CP0010never connected.*CP0021never connected/);

  // CP001 boots: connected, with its boot information and last message.
  const received = [];
  const cp1 = await charger('CP001', {
    RemoteStartTransaction: ({ params }) => { received.push(params); return { status: 'Rejected' }; },
  });
  await cp1.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'Eve Double', firmwareVersion: '6.2.1' });
  await page.waitForSelector('#chargers-table tr[data-charger="CP001"] td.yes');
  // "connected" and the boot information arrive as separate updates.
  await page.waitForFunction(() => /BootNotification/.test(
    document.querySelector('#chargers-table tr[data-charger="CP001"]')?.textContent || ''));
  const cp1Row = await page.textContent('#chargers-table tr[data-charger="CP001"]');
  assert.match(cp1Row, /CP0010connected127\.0\.0\.1AlfenEve Double\d{4}-\d\d-\d\d .*(in|out) BootNotification/);

  // The signals of charger 0, filtered, change live with MeterValues and
  // StatusNotification; the BMS reads the same value over Modbus.
  await page.selectOption('#charger-filter', '0');
  const l1 = 'charger.0.connector.1.meter.current_import.l1';
  const st = 'charger.0.connector.1.status';
  await page.fill('#filter', 'connector.1.status');
  await page.waitForSelector(row(st));
  assert.equal(await page.textContent(`${row(st)} .c-addr`), String(A.status1));
  assert.equal(await page.textContent(`${row(st)} .c-value`), 'Available (0)');
  await cp1.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  await textIs(page, `${row(st)} .c-value`, 'Charging (2)');
  await page.fill('#filter', 'connector.1.meter.current_import');
  await page.waitForSelector(row(l1));
  assert.equal(await page.textContent(`${row(l1)} .c-addr`), `${A.currentL1}+2`);
  await cp1.call('MeterValues', { connectorId: 1, meterValue: meter('16.2') });
  await textIs(page, `${row(l1)} .c-value`, '16.2');
  assert.equal((await bms.readHoldingRegisters(A.currentL1, 2)).buffer.readFloatBE(0).toFixed(1), '16.2');
  await cp1.call('MeterValues', { connectorId: 1, meterValue: meter('31.5') });
  await textIs(page, `${row(l1)} .c-value`, '31.5');
  assert.equal(await page.textContent(`${row(l1)} .c-quality`), 'good');

  // The console shows the charger's frames both ways and the BMS's requests.
  await page.click('#panels nav button[data-tab="console"]');
  await consoleHas(page, /OCPP ←.*CP001 BootNotification \[2,/);
  await consoleHas(page, /OCPP →.*CP001 BootNotification \[3,/);
  await consoleHas(page, /OCPP ←.*CP001 MeterValues .*31\.5/);
  await consoleHas(page, new RegExp(`Modbus tcp.* fc 3 @${A.currentL1}\\+2`));
  await page.fill('#console-filter', 'StatusNotification');
  await page.waitForFunction(() => document.querySelectorAll('#console-lines .line').length === 2); // in and out
  await page.fill('#console-filter', '');

  // Play the BMS from the page: a remote start reaches the charger, which
  // refuses it; the flag falls back and the result shows the refusal.
  await page.fill('#filter', 'remote_start.');
  await page.waitForSelector(row('charger.0.remote_start.flag'));
  for (const [name, value] of [['connector_id', '1'], ['id_tag', 'PAGE-1'], ['flag', '1']]) {
    await page.click(row(`charger.0.remote_start.${name}`));
    await page.fill('#write-value', value);
    await page.click('#write-button');
    await page.waitForSelector('#write-status.ok');
    await page.evaluate(() => { document.querySelector('#write-status').className = ''; });
  }
  await textIs(page, `${row('charger.0.remote_start.result')} .c-value`, 'Rejected (1)');
  await textIs(page, `${row('charger.0.remote_start.flag')} .c-value`, 'No operation pending (0)');
  assert.deepEqual(received, [{ connectorId: 1, idTag: 'PAGE-1' }]);
  await consoleHas(page, /OCPP →.*CP001 RemoteStartTransaction \[2,/);
  // the charger's answer names no action: the console labels it from the CALL
  await consoleHas(page, /OCPP ←.*CP001 RemoteStartTransaction \[3,.*Rejected/);
  // an R signal written through the API is refused and says why
  const r = await fetch(`${base}/api/v1/points/${st}`, { method: 'PUT', body: '{"value":0}' });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error, 'not_writable');

  // An unknown charger is refused and shows in the scan list, attempts counted.
  for (let i = 0; i < 2; i++) {
    const u = new RPCClient({ endpoint: wsUrl, identity: 'CP-UNKNOWN-9', protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    await assert.rejects(u.connect());
  }
  await consoleHas(page, /scan.*unknown charger CP-UNKNOWN-9 from 127\.0\.0\.1 \(2 attempts\)/);
  await page.click('#panels nav button[data-tab="chargers"]');
  await page.waitForFunction(() => /CP-UNKNOWN-9127\.0\.0\.1.*2$/.test(document.querySelector('#scan-table tbody')?.textContent || ''));

  // The second charger: both connected.
  const cp2 = await charger('CP002');
  await cp2.call('BootNotification', { chargePointVendor: 'ABB', chargePointModel: 'Terra AC' });
  await page.waitForSelector('#chargers-table tr[data-charger="CP002"] td.yes');
  await textIs(page, '#summary', '2 chargers connected, 1 unknown knocking');
  const m = await (await fetch(`${base}/metrics`)).text();
  assert.match(m, /^gatewayd_chargers_connected 2$/m);
  assert.match(m, /^gatewayd_ocpp_frames_total\{direction="in",action="MeterValues"\} 2$/m);
  assert.match(m, /^gatewayd_ocpp_scan_unknown_chargers 1$/m);
  // the charger's answer to the CS's CALL is counted under the CALL's action
  assert.match(m, /^gatewayd_ocpp_frames_total\{direction="out",action="RemoteStartTransaction"\} 1$/m);
  assert.match(m, /^gatewayd_ocpp_frames_total\{direction="in",action="RemoteStartTransaction"\} 1$/m);

  // The picture for the docs: charger 0's connector 1, the console with
  // OCPP and Modbus traffic (a BMS polling, a charger metering).
  for (let i = 0; i < 3; i++) {
    await bms.writeRegister(A.heartbeat, i + 1);
    await bms.readHoldingRegisters(A.comm, 1);
    await cp2.call('Heartbeat', {});
  }
  const sample = (value, measurand, phase, unit) => ({ value, measurand, ...(phase && { phase }), ...(unit && { unit }) });
  await cp1.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [
    sample('30.8', 'Current.Import', 'L1', 'A'), sample('31.2', 'Current.Import', 'L2', 'A'),
    sample('30.5', 'Current.Import', 'L3', 'A'), sample('32', 'Current.Offered', 'L1', 'A'),
    sample('32', 'Current.Offered', 'L2', 'A'), sample('32', 'Current.Offered', 'L3', 'A'),
    sample('12.345', 'Energy.Active.Import.Register', null, 'kWh')] }] });
  await page.click('#panels nav button[data-tab="console"]');
  await page.fill('#filter', 'connector.1.');
  await page.waitForSelector(row(l1));
  await textIs(page, `${row(l1)} .c-value`, '30.8');
  await page.click(row('charger.0.connector.1.availability'));
  await page.waitForTimeout(900); // let the change highlight fade
  const shot = process.env.GW_UPDATE_SCREENSHOT ? path.join(SRCDIR, 'docs', 'viewer.png') : path.join(dir, 'viewer.png');
  await page.screenshot({ path: shot });
  assert.ok(fs.statSync(shot).size > 10000);

  // A charger that goes away shows as disconnected, its boot info kept.
  await cp2.close();
  await page.click('#panels nav button[data-tab="chargers"]');
  await page.waitForSelector('#chargers-table tr[data-charger="CP002"] td.no');
  assert.match(await page.textContent('#chargers-table tr[data-charger="CP002"]'), /disconnected127\.0\.0\.1ABBTerra AC/);
  assert.deepEqual(errors, []);
});
