'use strict';
// Shared by the ocpp-cs-*.test.js files: a real gatewayd running ocpp_cs
// and modbus_tcp on the default register map, chargers as ocpp-rpc clients
// in strict mode (every frame validated against the official OCPP 1.6
// schemas), and the BMS as a modbus-serial master.
const path = require('node:path');
const { RPCClient } = require('ocpp-rpc');
const ModbusRTU = require('modbus-serial');
const { SRCDIR, startGatewayd, freePort, waitFor } = require('./gatewayd');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');

// 0-based register addresses of the default map.
const charger = (xx, off) => 100 + 2000 * xx + off;
const connector = (xx, yy, off) => 612 + 2000 * xx + 100 * yy + off;
const A = {
  heartbeat: 0, clock: 1, // second, minute, hour, day, month, year at 1..6
  comm: (x) => charger(x, 0), boxSerial: (x) => charger(x, 1), pointSerial: (x) => charger(x, 14),
  vendor: (x) => charger(x, 27), model: (x) => charger(x, 37),
  auth: { flag: (x) => charger(x, 64), idTag: (x) => charger(x, 65), processed: (x) => charger(x, 77),
    parent: (x) => charger(x, 78), expiry: (x) => charger(x, 88), status: (x) => charger(x, 90) },
  start: { flag: (x) => charger(x, 94), connector: (x) => charger(x, 95), idTag: (x) => charger(x, 96),
    meter: (x) => charger(x, 106), reservation: (x) => charger(x, 108), timestamp: (x) => charger(x, 109),
    processed: (x) => charger(x, 114), parent: (x) => charger(x, 115), expiry: (x) => charger(x, 125),
    status: (x) => charger(x, 127), txn: (x) => charger(x, 128) },
  stop: { flag: (x) => charger(x, 134), idTag: (x) => charger(x, 135), meter: (x) => charger(x, 145),
    timestamp: (x) => charger(x, 147), txn: (x) => charger(x, 149), reason: (x) => charger(x, 150),
    processed: (x) => charger(x, 155), parent: (x) => charger(x, 156), expiry: (x) => charger(x, 166),
    status: (x) => charger(x, 168) },
  cancelReservation: { flag: (x) => charger(x, 256), id: (x) => charger(x, 257), result: (x) => charger(x, 261) },
  clearCache: { flag: (x) => charger(x, 266), result: (x) => charger(x, 271) },
  clearProfile: { flag: (x) => charger(x, 276), id: (x) => charger(x, 277), connector: (x) => charger(x, 278),
    purpose: (x) => charger(x, 279), stack: (x) => charger(x, 280), result: (x) => charger(x, 283) },
  getListVersion: { flag: (x) => charger(x, 286), version: (x) => charger(x, 291) },
  reserveNow: { flag: (x) => charger(x, 296), connector: (x) => charger(x, 297), expiry: (x) => charger(x, 298),
    idTag: (x) => charger(x, 300), parent: (x) => charger(x, 310), id: (x) => charger(x, 320), result: (x) => charger(x, 323) },
  reset: { flag: (x) => charger(x, 326), type: (x) => charger(x, 327), result: (x) => charger(x, 331) },
  sendLocalList: { flag: (x) => charger(x, 336), operation: (x) => charger(x, 337), idTag: (x) => charger(x, 338),
    parent: (x) => charger(x, 348), expiry: (x) => charger(x, 358), status: (x) => charger(x, 360), result: (x) => charger(x, 363) },
  trigger: { flag: (x) => charger(x, 366), message: (x) => charger(x, 367), connector: (x) => charger(x, 368), result: (x) => charger(x, 371) },
  remoteStart: { flag: (x) => charger(x, 376), connector: (x) => charger(x, 377), idTag: (x) => charger(x, 378), result: (x) => charger(x, 392) },
  remoteStop: { flag: (x) => charger(x, 396), txn: (x) => charger(x, 397), result: (x) => charger(x, 401) },
  conn: {
    unlock: (x, y) => connector(x, y, 0), availability: (x, y) => connector(x, y, 1),
    status: (x, y) => connector(x, y, 2), error: (x, y) => connector(x, y, 3),
    meter: (x, y, off) => connector(x, y, off),
    txIdTag: (x, y) => connector(x, y, 86), txMeterStart: (x, y) => connector(x, y, 96), txTimestamp: (x, y) => connector(x, y, 98),
    // gatewayd extension: the connector blocks are full, so the current
    // transaction ids sit after them (block transaction_id of the map)
    txId: (x, y) => 1412 + 2000 * x + y,
  },
};

/** Text as registers: two ASCII characters per register, NUL-padded. */
function strRegs(s, n) {
  const b = Buffer.alloc(n * 2);
  b.write(s, 'ascii');
  return Array.from({ length: n }, (_, i) => b.readUInt16BE(2 * i));
}
const u32Regs = (v) => [Math.floor(v / 65536) & 0xffff, v & 0xffff];

class Bms {
  constructor(port) { this.port = port; this.c = new ModbusRTU(); }
  async connect() { await this.c.connectTCP('127.0.0.1', { port: this.port }); this.c.setID(1); this.c.setTimeout(3000); return this; }
  async u16(addr) { return (await this.c.readHoldingRegisters(addr, 1)).data[0]; }
  async regs(addr, n) { return (await this.c.readHoldingRegisters(addr, n)).data; }
  async str(addr, n) {
    const r = await this.c.readHoldingRegisters(addr, n);
    return r.buffer.toString('ascii').replace(/\0.*$/s, '');
  }
  async float(addr) { return (await this.c.readHoldingRegisters(addr, 2)).buffer.readFloatBE(0); }
  async u32(addr) { return (await this.c.readHoldingRegisters(addr, 2)).buffer.readUInt32BE(0); }
  async write(addr, values) { return this.c.writeRegisters(addr, Array.isArray(values) ? values : [values]); }
  async write1(addr, value) { return this.c.writeRegister(addr, value); }
  // modbus-serial never calls back when the peer already closed the socket
  close() {
    return new Promise((resolve) => {
      if (!this.c.isOpen) return resolve();
      const t = setTimeout(resolve, 1000);
      this.c.close(() => { clearTimeout(t); resolve(); });
    });
  }
  /** Poll a register until pred(value) holds. */
  async waitU16(addr, pred, what, timeoutMs = 8000) {
    let last;
    await waitFor(async () => { last = await this.u16(addr); return pred(last); }, timeoutMs, `${what} (last ${last})`);
    return last;
  }
}

// waitFor in gatewayd.js takes a sync predicate; this one awaits.
async function until(pred, timeoutMs = 8000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
Bms.prototype.waitU16 = async function waitU16(addr, pred, what, timeoutMs = 8000) {
  let last;
  await until(async () => { last = await this.u16(addr); return pred(last); }, timeoutMs, `${what} (last ${last})`);
  return last;
};

/**
 * Start gatewayd with ocpp_cs + modbus_tcp. opts.cs / opts.tcp override
 * keys; opts.chargers defaults to two chargers CP0 (2 connectors) and CP1;
 * opts.groups adds plugin groups (e.g. { diag: {...} }).
 */
async function startCs(opts = {}) {
  const wsPort = await freePort();
  const mbPort = await freePort();
  const config = {
    ocpp_cs: {
      bind_address: '127.0.0.1', port: wsPort, register_map: MAP,
      chargers: opts.chargers || ['CP0:2', 'CP1:2'], bms_timeout_ms: 3000, call_timeout_ms: 3000,
      ping_interval: 0, ...(opts.cs || {}),
    },
    modbus_tcp: { bind_address: '127.0.0.1', port: mbPort, register_map: MAP, max_clients: 16, ...(opts.tcp || {}) },
  };
  if (opts.core) config.core = opts.core;
  Object.assign(config, opts.groups || {}); // further plugin groups, e.g. diag
  const gw = await startGatewayd(config, { dir: opts.dir, env: opts.env });
  await gw.waitForLog(/OCPP 1\.6J central system on/);
  const bms = await new Bms(mbPort).connect();
  const site = {
    gw, wsPort, mbPort, bms, chargers: [],
    url: `ws://127.0.0.1:${wsPort}/ocpp`,
    async charger(identity, o = {}) {
      const c = new RPCClient({
        endpoint: site.url, identity, protocols: ['ocpp1.6'], strictMode: true, reconnect: false,
        callTimeoutMs: 10000, ...o,
      });
      site.chargers.push(c);
      await c.connect();
      return c;
    },
    async boot(identity, extra = {}) {
      const c = await site.charger(identity);
      const r = await c.call('BootNotification', { chargePointVendor: 'Vend', chargePointModel: 'Mod', ...extra });
      return { c, r };
    },
    async stop() {
      for (const c of site.chargers) await c.close({ force: true }).catch(() => {});
      await bms.close();
      await gw.stop();
    },
  };
  return site;
}

const iso = (d = new Date()) => d.toISOString();

module.exports = { MAP, A, Bms, strRegs, u32Regs, startCs, until, iso };
