'use strict';
// The viewer page in Debian's chromium, driven by playwright-core: 10,000
// signals, filters, a live change, writes from the page (accepted and
// refused), the console, the chargers panel. Takes a screenshot
// (GW_UPDATE_SCREENSHOT=1 writes docs/viewer.png).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startGatewayd, freePort, SRCDIR } = require('./lib/gatewayd');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PREFIX = 'charger.0.connector.1';

test('the viewer page in chromium', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 120000 }, async (t) => {
  const port = await freePort();
  const gw = await startGatewayd({
    // 9,992 bulk signals + the test plugin's 6 and example's 2: the reference's 10,000
    diag_points: { prefix: PREFIX, count: 9992, rate: 200 },
    example: { interval_ms: 1000 },
    diag: { port },
  });
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  t.after(async () => { await browser.close(); await gw.stop(); });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}/`);
  await page.waitForSelector('#conn.up');
  // the plugins' 10,000 signals and the core's 3 core.loop.* points and core.log.dropped
  await page.waitForFunction(() => /of 10004 signals/.test(document.querySelector('#shown').textContent));
  const total = Number((await page.textContent('#shown')).match(/of (\d+)/)[1]);
  assert.ok(total >= 10000, `${total} signals`);
  // only what is visible is in the DOM
  const rows = await page.locator('#points .row').count();
  assert.ok(rows > 10 && rows < 100, `${rows} rows rendered for ${total} signals`);
  // scrolling to the end renders the last rows
  await page.evaluate(() => { const v = document.querySelector('#points'); v.scrollTop = v.scrollHeight; });
  await page.waitForSelector(`#points .row[data-name="${PREFIX}.status"]`);

  // filter by text, then by charger
  await page.fill('#filter', `${PREFIX}.s`);
  await page.waitForFunction(() => document.querySelector('#shown').textContent.startsWith('2 of') &&
    document.querySelectorAll('#points .row').length === 2);
  const names = await page.locator('#points .row .c-name').allTextContents();
  assert.deepEqual(names.sort(), [`${PREFIX}.setpoint`, `${PREFIX}.status`]);
  const status = page.locator(`#points .row[data-name="${PREFIX}.status"]`);
  assert.equal(await status.locator('.c-addr').textContent(), '9000');
  assert.equal(await status.locator('.c-value').textContent(), 'Available (0)'); // enum by name

  await page.fill('#filter', '');
  await page.selectOption('#charger-filter', '-');
  await page.waitForFunction(() => document.querySelector('#shown').textContent.startsWith('6 of') &&
    document.querySelectorAll('#points .row').length === 6);
  assert.deepEqual((await page.locator('#points .row .c-name').allTextContents()).sort(),
    ['core.log.dropped', 'core.loop.callback_max_ms', 'core.loop.lag_ms', 'core.loop.lag_p99_ms', 'example.counter', 'example.setpoint']);
  await page.selectOption('#charger-filter', '0');
  await page.fill('#filter', `${PREFIX}.s`);
  await page.waitForFunction(() => document.querySelector('#shown').textContent.startsWith('2 of'));

  // a value changes live when the owner changes it
  const r = await fetch(`${base}/api/v1/points/${PREFIX}.bump`, { method: 'PUT', body: '{"value":2}' });
  assert.equal(r.status, 200);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Charging (2)',
    `#points .row[data-name="${PREFIX}.status"] .c-value`);

  // a live update changes the row in place: a row replaced between a mouse
  // press and its release would swallow the operator's click
  const statusRow = await page.$(`#points .row[data-name="${PREFIX}.status"]`);
  const r2 = await fetch(`${base}/api/v1/points/${PREFIX}.bump`, { method: 'PUT', body: '{"value":0}' });
  assert.equal(r2.status, 200);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Available (0)',
    `#points .row[data-name="${PREFIX}.status"] .c-value`);
  assert.equal(await statusRow.evaluate((e) => e.isConnected), true, 'the row was redrawn, not updated');

  // write from the page, read it back through the API
  await page.click(`#points .row[data-name="${PREFIX}.setpoint"]`);
  assert.equal(await page.textContent('#write-name'), `${PREFIX}.setpoint`);
  await page.fill('#write-value', '55');
  await page.click('#write-button');
  await page.waitForSelector('#write-status.ok');
  const back = await (await fetch(`${base}/api/v1/points/${PREFIX}.setpoint`)).json();
  assert.equal(back.value, 55);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '55 A',
    `#points .row[data-name="${PREFIX}.setpoint"] .c-value`);

  // a refused write shows its reason and changes nothing
  await page.fill('#write-value', '13');
  await page.click('#write-button');
  await page.waitForSelector('#write-status.error');
  assert.match(await page.textContent('#write-status'), /13 is refused by the test plugin/);
  await page.fill('#write-value', '500');
  await page.click('#write-button');
  await page.waitForFunction(() => /out_of_range/.test(document.querySelector('#write-status').textContent));
  assert.equal((await (await fetch(`${base}/api/v1/points/${PREFIX}.setpoint`)).json()).value, 55);

  // console: OCPP frames, Modbus exceptions; filter and pause
  await fetch(`${base}/api/v1/points/${PREFIX}.emit`, { method: 'PUT', body: '{"value":1}' });
  await page.waitForFunction(() => /BootNotification/.test(document.querySelector('#console-lines').textContent));
  assert.match(await page.textContent('#console-lines'), /EXCEPTION 2/);
  await page.fill('#console-filter', 'EXCEPTION');
  assert.equal(await page.locator('#console-lines .line').count(), 1);
  await page.fill('#console-filter', '');
  await page.check('#console-pause');
  const before = await page.locator('#console-lines .line').count();
  await fetch(`${base}/api/v1/points/${PREFIX}.emit`, { method: 'PUT', body: '{"value":2}' });
  await page.waitForFunction(() => /\b1[0-9] lines/.test(document.querySelector('#console-info').textContent));
  assert.equal(await page.locator('#console-lines .line').count(), before, 'paused console does not scroll on');
  await page.uncheck('#console-pause');
  assert.ok(await page.locator('#console-lines .line').count() > before);

  // chargers and the scan list
  await page.click('#panels nav button[data-tab="chargers"]');
  await page.waitForSelector('#chargers-table tr[data-charger="CP-2"]');
  assert.match(await page.textContent('#chargers-table'), /CP-1[\s\S]*connected[\s\S]*Acme/);
  assert.match(await page.textContent('#scan-table'), /ROGUE-1[\s\S]*ROGUE-2/);
  await page.click('#panels nav button[data-tab="plugins"]');
  await page.waitForFunction(() => /diag_points/.test(document.querySelector('#plugins-table').textContent));

  // the picture for the docs: the full list, the console open
  await page.click('#panels nav button[data-tab="console"]');
  await page.fill('#filter', '');
  await page.selectOption('#charger-filter', '');
  await page.click(`#points .row[data-name="${PREFIX}.bulk.00000"]`).catch(() => {});
  await page.waitForTimeout(300);
  const shot = process.env.GW_UPDATE_SCREENSHOT ? path.join(SRCDIR, 'docs', 'viewer.png') : path.join(gw.dir, 'viewer.png');
  await page.screenshot({ path: shot });
  assert.ok(fs.statSync(shot).size > 10000);
  assert.deepEqual(errors, []);
});
