'use strict';
// The configuration file itself: only a regular file of bounded size is
// read. `-c /dev/zero` used to read until memory ran out.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { run, tmpDir } = require('./lib/config-errors');

for (const [what, file, reason] of [
  ['/dev/zero', () => '/dev/zero', /^\/dev\/zero: a character device, not a regular file$/m],
  ['a directory', () => tmpDir('gw-cfdir-'), /: a directory, not a regular file$/m],
  ['a file over 16 MiB', () => {
    const p = path.join(tmpDir('gw-big-'), 'big.conf');
    fs.writeFileSync(p, '# padding\n'.repeat(1700000));
    return p;
  }, /big\.conf: \d+ bytes, more than the 16777216 allowed$/m],
]) {
  test(`-c ${what} is refused with exit 2 by --check-config and start-up`, async () => {
    const p = file();
    for (const args of [['--check-config', '-c', p], ['-c', p]]) {
      const r = await run(args, 10000);
      assert.strictEqual(r.timedOut, false, `${args.join(' ')} hung`);
      assert.strictEqual(r.signal, null, r.stderr);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, reason);
    }
  });
}
