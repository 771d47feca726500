'use strict';
// Raw WebSocket peers for frames a strict OCPP library will not send.
const WebSocket = require('ws');

/** Open a WebSocket; rejects with .status set when the handshake is refused. */
function rawCharger(url, protocols = ['ocpp1.6'], headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

/** Send one text frame and take the next message, parsed. */
function exchange(ws, text) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to ${text}`)), 5000);
    ws.once('message', (d) => { clearTimeout(t); resolve(JSON.parse(d.toString())); });
    ws.send(text);
  });
}

module.exports = { rawCharger, exchange };
