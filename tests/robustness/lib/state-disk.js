'use strict';
// Small file systems for the state directory: a 64 KiB tmpfs that can be
// filled, emptied and remounted read-only. Mounting needs root (or
// passwordless sudo); without it mountTmpfs() returns { skip: reason } and
// the caller skips with that reason in the test's name.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { tmpDir } = require('../../integration/lib/gatewayd');

function tryRun(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (e) {
    return String(e.stderr || e.message).trim();
  }
}

// Mount commands run as root directly, otherwise through sudo -n.
function privileged(args) {
  if (process.getuid && process.getuid() === 0) return tryRun(args[0], args.slice(1));
  return tryRun('sudo', ['-n', ...args]);
}

/** Probe once: can this process mount a tmpfs? null when it can, else why not. */
let probed;
function mountUnavailable() {
  if (probed !== undefined) return probed;
  const dir = tmpDir('gw-mount-probe-');
  const err = privileged(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  if (!err) privileged(['umount', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  probed = err ? `cannot mount a tmpfs here (${err.split('\n')[0]})` : null;
  return probed;
}

/** A fresh tmpfs of `size` (e.g. '64k') with `options` ('ro', ...). */
function mountTmpfs(size = '64k', options = '') {
  const dir = tmpDir('gw-tmpfs-');
  const err = privileged(['mount', '-t', 'tmpfs', '-o', `size=${size}${options ? ',' + options : ''}`, 'tmpfs', dir]);
  if (err) throw new Error(`mount tmpfs on ${dir}: ${err}`);
  return {
    dir,
    fillPath: path.join(dir, 'filler'),
    /** Take every free block (the filler file grows until ENOSPC). */
    fill() {
      const fd = fs.openSync(this.fillPath, 'a');
      const chunk = Buffer.alloc(4096, 0x55);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (e) {
        if (e.code !== 'ENOSPC') throw e;
      } finally { fs.closeSync(fd); }
    },
    free() { fs.rmSync(this.fillPath, { force: true }); },
    remount(opts) {
      const e = privileged(['mount', '-o', `remount,${opts}`, dir]);
      if (e) throw new Error(`remount ${opts}: ${e}`);
    },
    umount() {
      privileged(['umount', '-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { mountUnavailable, mountTmpfs };
