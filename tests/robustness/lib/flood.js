'use strict';
// Hostile peers for the flood tests and benchmarks: a raw WebSocket client
// over net (so it can write as fast as TCP allows and stop reading at will),
// a Modbus TCP client that pipelines requests, and what the kernel tells
// about gatewayd (RSS, descriptors, whether it still holds a connection).
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');

/** gatewayd's resident set in KiB (/proc/PID/status VmRSS). */
function rssKiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : NaN;
}

/**
 * The memory bound to assert for a process: `kib`, or under AddressSanitizer
 * (whose quarantine keeps up to 256 MiB of freed memory resident by
 * default, with its shadow and redzones on top) 384 MiB plus `kib`: a
 * runaway (gigabytes within seconds before the fix) still fails.
 */
function rssBoundKiB(pid, kib) {
  let maps = '';
  try { maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8'); } catch { /* gone */ }
  return /libasan/.test(maps) ? 384 * 1024 + kib : kib;
}

/** Open descriptors of a process. */
function fdCount(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Does a process other than us still hold the server side of the TCP
 * connection serverPort <-> clientPort? A socket gatewayd closed is gone
 * from /proc/net/tcp or left as an orphan (inode 0, FIN_WAIT) whatever the
 * client did with its own side, so this works while the client is not
 * reading.
 */
function serverHolds(serverPort, clientPort) {
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10) continue;
      const lport = parseInt(c[1].split(':')[1], 16);
      const rport = parseInt(c[2].split(':')[1], 16);
      if (lport === serverPort && rport === clientPort && c[9] !== '0') return true;
    }
  }
  return false;
}

/** One masked client text frame. */
function wsFrame(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len])
    : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const mask = crypto.randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/** count Heartbeat CALLs back to back, ids prefix-0.. */
function heartbeats(count, prefix = 'f') {
  const frames = [];
  for (let i = 0; i < count; i++) frames.push(wsFrame(`[2,"${prefix}${i}","Heartbeat",{}]`));
  return Buffer.concat(frames);
}

/** count DataTransfer CALLs back to back. */
function dataTransfers(count, prefix = 'd') {
  const frames = [];
  for (let i = 0; i < count; i++) frames.push(wsFrame(`[2,"${prefix}${i}","DataTransfer",{"vendorId":"flood"}]`));
  return Buffer.concat(frames);
}

/** count MeterValues CALLs back to back, each with a new value. */
function meterValues(count, prefix = 'm') {
  const frames = [];
  for (let i = 0; i < count; i++) {
    frames.push(wsFrame(`[2,"${prefix}${i}","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z",` +
      `"sampledValue":[{"value":"${i}","measurand":"Power.Active.Import","unit":"W"}]}]}]`));
  }
  return Buffer.concat(frames);
}

/**
 * A raw WebSocket "charger" on a net socket. Resolves once the server
 * answered 101. opts.protocol: the subprotocol offered (null: none).
 * opts.read = false: never read (the socket is paused, so
 * the kernel's receive window fills and the server cannot write).
 */
function rawWs(port, path, opts = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let head = Buffer.alloc(0);
    const peer = { socket: s, received: 0, closed: false, localPort: 0 };
    const onData = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.slice(0, end).toString().split(' ')[1];
      s.removeListener('data', onData);
      if (status !== '101') { s.destroy(); reject(Object.assign(new Error(`HTTP ${status}`), { status })); return; }
      peer.localPort = s.localPort;
      if (opts.read === false) s.pause();
      else s.on('data', (x) => { peer.received += x.length; });
      resolve(peer);
    };
    s.on('data', onData);
    s.on('error', (e) => { if (!peer.localPort) reject(e); }); // later: dropped by gatewayd
    s.on('close', () => { peer.closed = true; });
    s.on('connect', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        (opts.protocol === null ? '' : `Sec-WebSocket-Protocol: ${opts.protocol || 'ocpp1.6'}\r\n`) + '\r\n');
    });
  });
}

/**
 * Write `chunk` again and again for ms milliseconds, as fast as the socket
 * takes it (waiting for 'drain' when node's own buffer is full, so the
 * flooder's memory stays bounded too). Resolves with the bytes written.
 */
function flood(socket, chunk, ms) {
  return new Promise((resolve) => {
    const end = Date.now() + ms;
    let written = 0;
    const pump = () => {
      while (!socket.destroyed && Date.now() < end) {
        written += chunk.length;
        if (!socket.write(chunk)) { socket.once('drain', pump); return; }
      }
      resolve(written);
    };
    socket.on('close', () => resolve(written));
    socket.on('error', () => {}); // gatewayd may reset a peer it drops
    // a peer that is blocked (window zero) never drains: stop at the deadline
    setTimeout(() => resolve(written), ms + 50);
    pump();
  });
}

/** A Modbus TCP read-holding-registers request (FC 03). */
function mbRead(tid, addr, n, unit = 1) {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(tid & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(6, 4);
  b[6] = unit;
  b[7] = 3;
  b.writeUInt16BE(addr, 8);
  b.writeUInt16BE(n, 10);
  return b;
}

function mbConnect(port, opts = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const peer = { socket: s, received: 0, closed: false, localPort: s.localPort };
      if (opts.read === false) s.pause();
      else s.on('data', (x) => { peer.received += x.length; });
      s.on('close', () => { peer.closed = true; });
      resolve(peer);
    });
    s.on('error', reject);
  });
}

/** Nearest-rank percentile of numbers. */
function percentile(values, p) {
  if (!values.length) return NaN;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * While `flooding` (a flood() promise) runs for ms, keep a well-behaved
 * charger (heartbeat(): one answered Heartbeat) and the BMS (bmsRead(): one
 * Modbus read) busy, and sample gatewayd's RSS. Resolves with what the
 * flooder wrote, how many of each were answered and the peak RSS (KiB).
 */
async function serveDuringFlood({ pid, flooding, ms, heartbeat, bmsRead }) {
  let heartbeats = 0, reads = 0, peak = rssKiB(pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(pid)); }, 100);
  const end = Date.now() + ms;
  const charger = (async () => { do { await heartbeat(); heartbeats++; } while (Date.now() < end); })();
  const bms = (async () => { do { await bmsRead(); reads++; } while (Date.now() < end); })();
  try {
    const written = await flooding;
    await Promise.all([charger, bms]);
    return { written, heartbeats, reads, peak: Math.max(peak, rssKiB(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

module.exports = { rssKiB, rssBoundKiB, fdCount, serverHolds, wsFrame, heartbeats, dataTransfers, meterValues, rawWs, flood, mbRead, mbConnect, percentile, sleep, serveDuringFlood };
