'use strict';
// Issue 10, item 10 (diag side): the point list, a new viewer's first
// values and the SIGUSR1 dump are now made in slices over several loop
// passes (bench/bench-diag-stall measures the stalls; no timing here). These
// tests check that the sliced answers are still complete and in order with
// ~9,400 signals, also when a slice boundary falls anywhere and two lists are
// being made at once.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startGatewayd, freePort, waitFor } = require('../integration/lib/gatewayd');

const COUNT = 9400;
const strict = new TextDecoder('utf-8', { fatal: true });

test('9,400 signals: the point list, a new viewer\'s snapshot and the SIGUSR1 dump are complete', { timeout: 120000 }, async () => {
  const port = await freePort();
  const gw = await startGatewayd({ diag_points: { count: COUNT }, diag: { port } });
  try {
    const base = `http://127.0.0.1:${port}`;
    // four lists at once (two are written at a time, the others wait), one with a prefix
    const [a, b, some, c] = await Promise.all(['/api/v1/points', '/api/v1/points', '/api/v1/points?prefix=diagtest.bulk.0001', '/api/v1/points']
      .map(async (u) => JSON.parse(strict.decode(new Uint8Array(await (await fetch(base + u)).arrayBuffer())))));
    assert.equal(a.count, a.points.length);
    assert.ok(a.count >= COUNT);
    assert.deepEqual(a.points.map((p) => p.id), [...Array(a.count).keys()], 'ids complete and in order');
    assert.deepEqual(b.points.map((p) => p.name), a.points.map((p) => p.name));
    assert.deepEqual(c.points.map((p) => p.name), a.points.map((p) => p.name));
    assert.equal(some.count, 10); // diagtest.bulk.00010 .. 00019
    assert.ok(some.points.every((p) => p.name.startsWith('diagtest.bulk.0001')));

    // a viewer gets every value once, over several messages
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
    const seen = new Set();
    let hello = null;
    ws.on('message', (d) => {
      const m = JSON.parse(d);
      if (m.t === 'hello') hello = m;
      if (m.t === 'values') for (const [id] of m.v) seen.add(id);
    });
    await waitFor(() => seen.size === a.count, 30000, 'every value on the stream');
    assert.equal(hello.points, a.count);
    assert.equal(hello.boot, a.boot);
    ws.close();

    // the dump: every point once, in order, then the count
    gw.child.kill('SIGUSR1');
    await waitFor(() => /^# \d+ points$/m.test(gw.stdout), 30000, 'the dump');
    const lines = gw.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    const names = lines.map((l) => l.split('\t')[0]);
    assert.equal(new Set(names).size, a.count);
    assert.deepEqual(names, a.points.map((p) => p.name));
    assert.match(gw.stdout, new RegExp(`^# ${a.count} points$`, 'm'));
  } finally { await gw.stop(); }
});
