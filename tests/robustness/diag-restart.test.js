'use strict';
// Issue 10, item 6 (viewer side): a page left open across a daemon restart
// used to stay "live" and show the new daemon's values under the old
// daemon's point names (ids are per boot). The stream now starts with the
// daemon's boot id; a page whose point list came from another boot reloads
// it. Chromium keeps one page open while gatewayd is restarted on the same
// port with other points (same ids, other names and values).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const WebSocket = require('ws');
const { startGatewayd, freePort } = require('../integration/lib/gatewayd');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

const start = (port, prefix) => startGatewayd({ diag_points: { prefix }, diag: { port } });
const put = (port, name, value) => fetch(`http://127.0.0.1:${port}/api/v1/points/${name}`, {
  method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ value }),
});

/** The first stream message. */
function hello(port) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
    ws.once('message', (d) => { resolve(JSON.parse(d)); ws.close(); });
    ws.once('error', reject);
  });
}

test('the stream starts with the boot id, the point list carries it, and a restart changes it', async () => {
  const port = await freePort();
  let gw = await start(port, 'alpha');
  let first;
  try {
    first = await hello(port);
    assert.equal(first.t, 'hello');
    assert.match(first.boot, /^[0-9a-f-]{36}$/);
    const list = await (await fetch(`http://127.0.0.1:${port}/api/v1/points`)).json();
    assert.equal(list.boot, first.boot);
    assert.equal(list.count, list.points.length);
    assert.equal((await hello(port)).boot, first.boot, 'one boot id per run');
  } finally { await gw.stop(); }
  gw = await start(port, 'alpha');
  try {
    assert.notEqual((await hello(port)).boot, first.boot);
  } finally { await gw.stop(); }
});

test('chromium: a page open across a restart reloads its list and shows the new names and values', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`, timeout: 90000 }, async () => {
  const { chromium } = require('playwright-core');
  const port = await freePort();
  let gw = await start(port, 'alpha');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const cell = (name) => `#points .row[data-name="${name}"] .c-value`;
    assert.equal((await put(port, 'alpha.setpoint', 11)).status, 200);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '11 A', cell('alpha.setpoint'));
    await page.waitForFunction(() => document.querySelector('#conn').textContent === 'live');
    await page.click('#points .row[data-name="alpha.setpoint"]');
    await page.waitForFunction(() => document.querySelector('#write-name').textContent === 'alpha.setpoint');

    // restart on the same port: same ids, other names, another value
    await gw.stop();
    gw = await start(port, 'beta');
    assert.equal((await put(port, 'beta.setpoint', 22)).status, 200);

    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '22 A', cell('beta.setpoint'), { timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('#conn').textContent === 'live');
    const names = await page.evaluate(() => [...document.querySelectorAll('#points .row')].map((r) => r.dataset.name));
    assert.ok(names.length > 0);
    assert.deepEqual(names.filter((n) => n.startsWith('alpha.')), [], 'old names still shown');
    // the write box does not stay on an id that now names another point
    assert.equal(await page.textContent('#write-name'), 'select a W or RW signal');
    assert.equal(await page.isDisabled('#write-button'), true);
  } finally {
    await browser.close();
    await gw.stop();
  }
});
