'use strict';
// 0-based addresses of the default register map used by the Modbus tests
// (charger xx: 100 + 2000xx + offset; connector yy: 612 + 2000xx + 100yy +
// offset), and the map file itself.
const path = require('node:path');
const { SRCDIR } = require('./gatewayd');

const MAP = path.join(SRCDIR, 'etc', 'register-map.csv');
const connector = (x, y, offset) => 612 + 2000 * x + 100 * y + offset;

const A = {
  vendor0: 127, vendor1: 2127,
  connUnlock: (x, y) => connector(x, y, 0),
  connAvail: (x, y) => connector(x, y, 1),
  connStatus: (x, y) => connector(x, y, 2),
  voltage: (x, y) => connector(x, y, 79),
  txTimestamp: (x, y) => connector(x, y, 98),
  authParent: 178, authExpiry: 188, authStatus: 190,
  remoteStartFlag: 476, remoteStartConn: 477, remoteStartTag: 478, remoteStartResult: 492,
  notUsed: 191,            // Authorization group, no row
  outside: 150,            // charger offset 50: between groups
  reserveId: 420,          // reserve_now.reservation_id (refused by the plugin)
};

module.exports = { MAP, A, connector };
