'use strict';
// The external Central System of the bridge tests in a process of its own:
// under a flood it is busy answering, and the test's own peers (the other
// charger, the BMS) must not wait behind it in one node event loop.
const { spawn } = require('node:child_process');
const path = require('node:path');

if (require.main === module) {
  const { startUpstream } = require('../../integration/lib/bridge-site');
  // DataTransfer answers are big, so a charger that does not read them
  // fills its socket within seconds
  const big = 'x'.repeat(32768);
  startUpstream({ onClient: (c) => c.handle('DataTransfer', () => ({ status: 'Accepted', data: big })) }).then((up) => {
    process.stdout.write(JSON.stringify({ url: up.url }) + '\n');
    process.on('SIGTERM', () => up.close().finally(() => process.exit(0)));
  });
} else {
  /** Start it; resolves { url, close() }. */
  module.exports.startUpstreamChild = () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const { url } = JSON.parse(out.slice(0, nl));
      resolve({
        url, pid: child.pid,
        close: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
      });
    });
  });
}
