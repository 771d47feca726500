'use strict';
// Issue 10 (Limits): a stderr pipe nobody drains must not stall gatewayd.
// Before the fix every log line was an fprintf(stderr) on the calling
// thread: once the pipe (64 KiB) was full, the loop thread blocked in
// write(2) and neither the BMS nor any charger was answered. Now lines go
// through a bounded queue that a writer thread drains; when it is full,
// lines are dropped, counted and reported once stderr drains again.
// No timing assertions: "answered eventually" within generous timeouts.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { tmpDir, waitFor } = require('../integration/lib/gatewayd');
const { A, startCs } = require('../integration/lib/ocpp-cs');
const { wsFrame, rawWs, mbConnect } = require('./lib/flood');

const CYCLES = 400;        // connect/disconnect cycles of a charger and of a Modbus client
const ANSWERS = 30000;     // unknown-id answers, ~100 bytes of log each: ~3 MiB, well over the queue
const WAIT_MS = 20000;

function within(promise, ms, what) {
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (is the loop stalled on stderr?)`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Write buf to a socket, waiting for 'drain' when node's buffer is full. */
function writeAll(socket, buf) {
  return new Promise((resolve) => (socket.write(buf) ? resolve() : socket.once('drain', resolve)));
}

test('a stderr pipe that is not read stalls neither the loop nor the service threads; drops are reported',
  { timeout: 180000 }, async (t) => {
    const dir = tmpDir();
    const site = await startCs({
      dir, chargers: ['CP0:2', 'CP1:2', 'LG:1'],
      core: { state_dir: path.join(dir, 'state'), log_level: 'debug' },
    });
    const { gw } = site;
    try {
      const { c } = await site.boot('CP0');
      await site.bms.u16(A.comm(0));

      // From here on nobody reads gatewayd's stderr: node's buffer and then
      // the kernel's pipe fill up.
      gw.child.stderr.pause();

      // chargers and Modbus clients coming and going: two lines each time
      const charger = (async () => {
        for (let i = 0; i < CYCLES; i++) {
          const p = await within(rawWs(site.wsPort, '/ocpp/CP1'), WAIT_MS, `charger connect #${i}`);
          p.socket.destroy();
        }
      })();
      const modbus = (async () => {
        for (let i = 0; i < CYCLES; i++) {
          const p = await within(mbConnect(site.mbPort), WAIT_MS, `Modbus connect #${i}`);
          p.socket.destroy();
        }
      })();
      await Promise.all([charger, modbus]);

      // a charger answering calls never made: one notice each, in bulk
      const lg = await within(rawWs(site.wsPort, '/ocpp/LG'), WAIT_MS, 'LG connect');
      let got = '';
      lg.socket.on('data', (d) => { got += d.toString('latin1'); });
      const batch = 1000;
      for (let i = 0; i < ANSWERS; i += batch) {
        const frames = [];
        for (let j = i; j < i + batch; j++) frames.push(wsFrame(`[3,"stall-${String(j).padStart(24, '0')}",{}]`));
        await within(writeAll(lg.socket, Buffer.concat(frames)), WAIT_MS, `LG write at answer ${i}`);
      }
      // frames are handled in order: this answer means every one before it was (and was logged)
      await writeAll(lg.socket, wsFrame('[2,"after-stall","Heartbeat",{}]'));
      await within(new Promise((resolve) => {
        const check = () => (got.includes('after-stall') ? resolve() : setTimeout(check, 20));
        check();
      }), WAIT_MS, 'LG Heartbeat after the answers');

      // still serving, stderr still not read
      assert.ok((await within(c.call('Heartbeat', {}), WAIT_MS, 'CP0 Heartbeat')).currentTime);
      assert.strictEqual(await within(site.bms.u16(A.comm(0)), WAIT_MS, 'Modbus read'), 0);
      const unread = gw.child.stderr.readableLength;
      lg.socket.destroy();

      // read again: the lines that fitted, then the count of those that did not
      gw.child.stderr.resume();
      await gw.waitForLog(/ log lines dropped \(stderr not draining\)/, WAIT_MS);
      const m = gw.stderr.match(/Z warning \[gatewayd\] (\d+) log lines dropped \(stderr not draining\)\n/);
      assert.ok(m, 'the drop report is one warning line of the core');
      const dropped = Number(m[1]);
      // the order is kept: the ids that were written are increasing
      const ids = [...gw.stderr.matchAll(/answer to unknown message id 'stall-(\d+)' ignored/g)].map((x) => Number(x[1]));
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `log order: ${ids[i - 1]} then ${ids[i]}`);
      t.diagnostic(`${unread} bytes unread in node when resumed; ${ids.length} of ${ANSWERS} answers logged, ` +
        `${dropped} lines dropped (first report)`);
      assert.ok(dropped > 0 && ids.length < ANSWERS, 'lines were dropped while stderr was not read');
      // and logging goes on normally
      await c.call('Heartbeat', {});
      await site.bms.u16(A.comm(0));
      // the count is a core point too (updated once a second): SIGUSR1 dumps until it shows
      let point = 0;
      await within((async () => {
        while (point < dropped) {
          gw.stdout = '';
          gw.child.kill('SIGUSR1');
          await waitFor(() => /^# \d+ points$/m.test(gw.stdout), WAIT_MS, 'SIGUSR1 dump');
          const m2 = gw.stdout.match(/^core\.log\.dropped\tuint32\tgood\t(\d+)$/m);
          assert.ok(m2, `core.log.dropped in the dump:\n${gw.stdout.slice(0, 2000)}`);
          point = Number(m2[1]);
          if (point < dropped) await new Promise((r) => setTimeout(r, 200));
        }
      })(), WAIT_MS, `core.log.dropped reaching ${dropped}`);
    } finally {
      gw.child.stderr.resume();
      await site.stop();
    }
    assert.match(gw.stderr, /\[gatewayd\] stopped\n$/, 'the last line before exit is flushed');
  });
