'use strict';
// The viewer in Debian's chromium on a real ocpp_cs site: the Chargers tab
// names configured chargers that never connected by their ChargerID (from
// the configuration, not "—"), and the signal list is in natural order
// (charger.2 before charger.10).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const { freePort } = require('./lib/gatewayd');
const { startCs } = require('./lib/ocpp-cs');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

test('chargers tab and natural sort in chromium', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 120000 }, async (t) => {
  const port = await freePort();
  // indexes 0, 1, 2 and 10: text order would put 10 between 1 and 2
  const s = await startCs({ chargers: ['CP-A:1', 'CP-B:1', 'CP-C:1', '10=CP-TEN:1'], groups: { diag: { port } } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  t.after(async () => { await browser.close(); await s.stop(); });
  await s.boot('CP-A', { chargePointVendor: 'Acme' });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#conn.up');

  await t.test('signals in natural order: charger.2 before charger.10', async () => {
    await page.fill('#filter', 'info.comm_status');
    await page.waitForFunction(() => document.querySelectorAll('#points .row').length === 4);
    const names = await page.locator('#points .row .c-name').allTextContents();
    assert.deepEqual(names, ['charger.0.info.comm_status', 'charger.1.info.comm_status',
      'charger.2.info.comm_status', 'charger.10.info.comm_status']);
    // numbers inside names too: connector 1's meter before connector 1's unit, charger 2 before 10
    await page.fill('#filter', '.connector.1.transaction.id');
    await page.waitForFunction(() => document.querySelectorAll('#points .row').length >= 4);
    const ids = (await page.locator('#points .row .c-name').allTextContents()).filter((n) => n.endsWith('.transaction.id'));
    assert.deepEqual(ids, [0, 1, 2, 10].map((x) => `charger.${x}.connector.1.transaction.id`));
  });

  await t.test('chargers tab: never-connected chargers by their configured ChargerID', async () => {
    await page.click('#panels nav button[data-tab="chargers"]');
    await page.waitForSelector('#chargers-table tr[data-charger="CP-TEN"]');
    const rows = await page.$$eval('#chargers-table tbody tr', (trs) => trs.map((tr) =>
      [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['CP-A', '0', 'connected'],
      ['CP-B', '1', 'never connected'],
      ['CP-C', '2', 'never connected'],
      ['CP-TEN', '10', 'never connected'],
    ]);
    assert.doesNotMatch(await page.textContent('#chargers-table'), /—/);
  });

  await t.test('a charger that left is "disconnected", still by name', async () => {
    await s.chargers[0].close({ force: true });
    await page.click('#panels nav button[data-tab="plugins"]');
    await page.click('#panels nav button[data-tab="chargers"]');
    await page.waitForFunction(() => /CP-A\s*0\s*disconnected/.test(document.querySelector('#chargers-table tbody tr').textContent));
    assert.deepEqual(errors, []);
  });
});
