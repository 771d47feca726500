'use strict';
// gatewayd viewer: points from /api/v1/points, live values from the
// /api/v1/stream WebSocket, writes with PUT, console, chargers and plugins.
// Only the rows in view exist in the DOM, so 10,000 signals stay fluid.
(() => {
  const ROW = 22;
  const $ = (sel) => document.querySelector(sel);
  let drawn = '';              // which rows the DOM holds (render)
  const points = [];          // by id: {id, name, type, access, value, quality, changed, ...}
  let shown = [];             // ids passing the filters, in name order
  let selected = null;        // id of the point in the write box
  let renderQueued = false;
  const flashes = new Map();  // id -> time of last change seen live

  // ------------------------------------------------------------ helpers
  const enumMap = (p) => {
    if (!p.enum) return null;
    if (!p._enum) {
      p._enum = new Map();
      for (const part of p.enum.split(';')) {
        const i = part.indexOf('=');
        if (i > 0) p._enum.set(Number(part.slice(0, i)), part.slice(i + 1));
      }
    }
    return p._enum;
  };
  const fmtTime = (ms) => ms ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : '';
  const fmtValue = (p) => {
    if (p.value === null || p.value === undefined) return '';
    if (p.type === 'datetime') return p.value ? new Date(p.value * 1000).toISOString().replace('.000Z', 'Z') : '0';
    const e = enumMap(p);
    if (e && e.has(p.value)) return `${e.get(p.value)} (${p.value})`;
    if (p.type === 'string') return JSON.stringify(p.value);
    return p.unit ? `${p.value} ${p.unit}` : String(p.value);
  };
  const fmtAge = (ms) => {
    if (!ms) return '—';
    const s = Math.max(0, (Date.now() - ms) / 1000);
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min`;
    if (s < 86400) return `${Math.floor(s / 3600)} h`;
    return `${Math.floor(s / 86400)} d`;
  };
  const addr = (p) => p.modbus_address === undefined ? '' :
    (p.modbus_registers > 1 ? `${p.modbus_address}+${p.modbus_registers}` : String(p.modbus_address));
  const writable = (p) => p.access === 'W' || p.access === 'RW';
  const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const authHeaders = () => {
    const t = $('#token').value.trim();
    return t ? { Authorization: `Bearer ${t}` } : {};
  };
  async function getJSON(url) {
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  // ------------------------------------------------------------ points
  async function loadPoints() {
    const data = await getJSON('/api/v1/points');
    // After a restart ids name other points: the write box follows its
    // point by name, or empties, and never writes to whatever took the id.
    const selName = selected === null ? null : points[selected]?.name;
    boot = data.boot; // the daemon these ids belong to
    points.length = 0;
    // natural order (charger.2 before charger.10): the key once per point
    for (const p of data.points) { p.sortKey = gwNatKey(p.name); points[p.id] = p; }
    drawn = ''; // the rows in view may show other points now
    if (selName !== null) {
      const again = data.points.find((p) => p.name === selName && writable(p));
      if (again) selected = again.id;
      else {
        selected = null;
        $('#write-name').textContent = 'select a W or RW signal';
        $('#write-value').disabled = true;
        $('#write-button').disabled = true;
      }
    }
    const chargers = new Set();
    for (const p of data.points) {
      const m = /^charger\.(\d+)\./.exec(p.name);
      if (m) chargers.add(Number(m[1]));
    }
    const sel = $('#charger-filter'), keep = sel.value;
    sel.innerHTML = '<option value="">all signals</option><option value="-">site (not per charger)</option>' +
      [...chargers].sort((a, b) => a - b).map((c) => `<option value="${c}">charger ${c}</option>`).join('');
    sel.value = keep;
    applyFilter();
  }

  function applyFilter(ev) {
    if (ev) $('#points').scrollTop = 0; // a new filter starts at the top
    const text = $('#filter').value.trim().toLowerCase();
    const ch = $('#charger-filter').value;
    const prefix = ch === '' || ch === '-' ? null : `charger.${ch}.`;
    shown = [];
    for (const p of points) {
      if (!p) continue;
      if (prefix && !p.name.startsWith(prefix)) continue;
      if (ch === '-' && p.name.startsWith('charger.')) continue;
      if (text && !p.name.toLowerCase().includes(text) && addr(p) !== text && !String(p.modbus_address ?? '').startsWith(text)) continue;
      shown.push(p.id);
    }
    shown.sort((a, b) => {
      const x = points[a], y = points[b];
      if (x.sortKey !== y.sortKey) return x.sortKey < y.sortKey ? -1 : 1;
      return x.name < y.name ? -1 : 1; // same number, other leading zeros
    });
    $('#points-space').style.height = `${shown.length * ROW}px`;
    $('#shown').textContent = `${shown.length} of ${points.filter(Boolean).length} signals`;
    scheduleRender();
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(render);
  }

  // Draw only the rows in view (plus a few): the DOM never holds 10,000 rows.
  // When the same rows stay in view, only their cells change: live values
  // arrive many times a second, and a row replaced between a mouse press
  // and its release would swallow the operator's click.
  function rowClass(p, now) {
    const cls = ['row'];
    if (writable(p)) cls.push('writable');
    if (p.id === selected) cls.push('selected');
    if (now - (flashes.get(p.id) || 0) < 800) cls.push('flash');
    return cls.join(' ');
  }
  function renderInPlace(space, now) {
    for (const row of space.children) {
      const p = points[Number(row.dataset.id)];
      if (!p) return false;
      const cls = rowClass(p, now);
      if (row.className !== cls) row.className = cls;
      const cells = { '.c-value': fmtValue(p), '.c-quality': p.quality, '.c-age': fmtAge(p.changed) };
      for (const [sel, text] of Object.entries(cells)) {
        const c = row.querySelector(sel);
        if (c.textContent !== text) c.textContent = text;
      }
      const q = row.querySelector('.c-quality');
      if (q.className !== `c-quality q-${p.quality}`) q.className = `c-quality q-${p.quality}`;
    }
    return true;
  }
  function render() {
    renderQueued = false;
    const view = $('#points'), space = $('#points-space');
    const first = Math.max(0, Math.floor(view.scrollTop / ROW) - 5);
    const last = Math.min(shown.length, Math.ceil((view.scrollTop + view.clientHeight) / ROW) + 5);
    const now = Date.now();
    const key = `${first}:${last}:${shown.slice(first, last).join(',')}`;
    if (key === drawn && renderInPlace(space, now)) return;
    const rows = [];
    for (let i = first; i < last; i++) {
      const p = points[shown[i]];
      rows.push(`<div class="${rowClass(p, now)}" style="top:${i * ROW}px" data-id="${p.id}" data-name="${esc(p.name)}">` +
        `<span class="c-name" title="${esc(p.description || p.name)}">${esc(p.name)}</span>` +
        `<span class="c-addr">${addr(p)}</span><span class="c-type">${p.type}</span>` +
        `<span class="c-access">${p.access}</span><span class="c-value">${esc(fmtValue(p))}</span>` +
        `<span class="c-quality q-${p.quality}">${p.quality}</span><span class="c-age">${fmtAge(p.changed)}</span></div>`);
    }
    space.innerHTML = rows.join('');
    drawn = key;
  }

  function applyValues(list) {
    let unknown = false, visible = false;
    const now = Date.now();
    for (const [id, value, q, changed] of list) {
      const p = points[id];
      if (!p) { unknown = true; continue; }
      p.value = value;
      p.quality = ['uninit', 'good', 'comm_error'][q] || String(q);
      if (changed !== p.changed) flashes.set(id, now);
      p.changed = changed;
      visible = true;
    }
    if (unknown) debounce('points', loadPoints, 500);
    if (visible) scheduleRender();
  }

  // ------------------------------------------------------------ writes
  function select(id) {
    const p = points[id];
    if (!p || !writable(p)) return;
    selected = id;
    $('#write-name').textContent = p.name;
    const input = $('#write-value');
    input.disabled = false;
    input.value = p.value ?? '';
    const e = enumMap(p);
    $('#write-enum').innerHTML = e ? [...e.values()].map((l) => `<option value="${esc(l)}">`).join('') : '';
    $('#write-button').disabled = false;
    $('#write-status').textContent = '';
    $('#write-status').className = '';
    input.focus();
    scheduleRender();
  }

  async function write(ev) {
    ev.preventDefault();
    const p = points[selected];
    if (!p) return;
    const raw = $('#write-value').value;
    let value = raw;
    if (p.type !== 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw))) value = Number(raw);
    const status = $('#write-status');
    status.className = '';
    status.textContent = 'writing…';
    try {
      const r = await fetch(`/api/v1/points/${encodeURIComponent(p.name)}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', ...authHeaders() },
        body: JSON.stringify({ value }),
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) {
        status.className = 'error';
        status.textContent = `refused (${r.status} ${body.error || ''}): ${body.message || r.statusText}`;
        return;
      }
      status.className = 'ok';
      status.textContent = `written: ${fmtValue(body)}`;
      Object.assign(p, { value: body.value, quality: body.quality, changed: body.changed });
      scheduleRender();
    } catch (e) {
      status.className = 'error';
      status.textContent = `failed: ${e.message}`;
    }
  }

  // ------------------------------------------------------------ console
  const CONSOLE_MAX = 2000;
  const consoleLines = [];
  let consoleDropped = 0;

  function lineKind(l) {
    if (l.event === 'ocpp.frame') return 'ocpp';
    if (l.event && l.event.startsWith('modbus.')) return 'modbus';
    if (l.event && l.event.startsWith('ocpp.')) return 'ocpp';
    if (l.event && l.event.startsWith('bms.')) return 'modbus'; // the BMS talks Modbus
    return 'log';
  }
  // A CALLRESULT or CALLERROR names no action: remember each charger's
  // CALLs by unique id (both directions) to label their answers.
  const callActions = new Map(); // `${charger} ${uniqueId}` -> action
  function frameAction(d) {
    if (d.action) return d.action;
    let f;
    try { f = JSON.parse(d.frame); } catch { return ''; } // cut or malformed
    if (!Array.isArray(f) || (f[0] !== 3 && f[0] !== 4)) return '';
    return callActions.get(`${d.charger} ${f[1]}`) || '';
  }
  function rememberCall(d) {
    const m = d.action && /^\[\s*2\s*,\s*"((?:[^"\\]|\\.)*)"/.exec(d.frame || '');
    if (!m) return;
    callActions.set(`${d.charger} ${m[1]}`, d.action);
    if (callActions.size > 1000) callActions.delete(callActions.keys().next().value);
  }
  function lineText(l) {
    const d = l.data || {};
    const t = fmtTime(d.time ?? d.last_seen).slice(11);
    switch (l.event) {
    case 'ocpp.frame':
      rememberCall(d);
      return { cls: d.direction === 'out' ? 'out' : 'in', k: `OCPP ${d.direction === 'out' ? '→' : '←'}`,
        text: `${t} ${d.charger} ${frameAction(d)} ${d.frame}` };
    case 'modbus.request':
      return { cls: d.exception ? 'exc' : '', k: `Modbus ${d.transport || ''}`,
        text: `${t} ${d.client || ''} unit ${d.unit} fc ${d.function} @${d.address}+${d.count}` +
          (d.exception ? ` EXCEPTION ${d.exception}` : '') };
    case 'ocpp.charger':
      return { cls: '', k: `charger`, text: `${t} ${d.charger} ${d.event}` +
        (d.address ? ` from ${d.address}` : '') + (d.vendor ? ` ${d.vendor} ${d.model || ''}` : '') };
    case 'ocpp.scan':
      // ocpp_cs/ocpp_bridge also list wrong paths and subprotocols (reason)
      return { cls: 'warning', k: 'scan', text: `${t} ${!d.reason || d.reason === 'unknown id' ? 'unknown charger' : `refused (${d.reason})`} ${d.charger_id} from ${d.address} (${d.attempts} attempts)` };
    case 'ocpp.notification':
      return { cls: '', k: 'charger', text: `${t} ${d.charger} ${d.action} ${JSON.stringify(d.payload ?? {})}` };
    case 'bms.comm':
      return { cls: d.event === 'lost' ? 'warning' : '', k: 'BMS', text: `${t} communication ${d.event}` };
    case 'log':
      return { cls: d.level, k: `log ${d.level}`, text: `${t} [${d.source}] ${d.message}` };
    default:
      return { cls: '', k: l.event, text: `${t} ${JSON.stringify(d)}` };
    }
  }
  function consoleMatches(l) {
    const kinds = new Set([...document.querySelectorAll('.console-kind:checked')].map((c) => c.value));
    if (!kinds.has(lineKind(l))) return false;
    const f = $('#console-filter').value.trim().toLowerCase();
    return !f || l._text.toLowerCase().includes(f);
  }
  function consoleNode(l) {
    const d = document.createElement('div');
    d.className = `line ${l._fmt.cls}`;
    d.innerHTML = `<span class="k">${esc(l._fmt.k)}</span> ${esc(l._fmt.text)}`;
    return d;
  }
  function consoleAdd(lines, dropped) {
    consoleDropped += dropped || 0;
    const paused = $('#console-pause').checked;
    const box = $('#console-lines');
    for (const l of lines) {
      l._fmt = lineText(l);
      l._text = `${l._fmt.k} ${l._fmt.text}`;
      consoleLines.push(l);
      if (!paused && consoleMatches(l)) box.appendChild(consoleNode(l));
    }
    while (consoleLines.length > CONSOLE_MAX) consoleLines.shift();
    while (box.childElementCount > CONSOLE_MAX) box.firstChild.remove();
    if (!paused) box.scrollTop = box.scrollHeight;
    consoleInfo();
  }
  function consoleInfo() {
    $('#console-info').textContent = `${consoleLines.length} lines` +
      (consoleDropped ? `, ${consoleDropped} dropped by the server (slow viewer)` : '') +
      ($('#console-pause').checked ? ' — paused' : '');
  }
  function consoleRedraw() {
    const box = $('#console-lines');
    box.replaceChildren(...consoleLines.filter(consoleMatches).map(consoleNode));
    box.scrollTop = box.scrollHeight;
    consoleInfo();
  }

  // ------------------------------------------------------------ panels
  async function loadSite() {
    const [{ chargers }, { scan }] = await Promise.all([getJSON('/api/v1/chargers'), getJSON('/api/v1/scan')]);
    $('#chargers-table tbody').innerHTML = chargers.map((c) => `<tr data-charger="${esc(c.charger)}">` +
      `<td>${esc(c.charger ?? '—')}</td><td>${esc(c.index)}</td>` +
      // a never-connected charger has its configured ChargerID too: tell it by last_event
      `<td class="${c.connected ? 'yes' : 'no'}">${c.connected ? 'connected' : c.last_event === 'never connected' ? 'never connected' : 'disconnected'}</td>` +
      `<td>${esc(c.address)}</td><td>${esc(c.vendor)}</td><td>${esc(c.model)}</td><td>${fmtTime(c.boot_time)}</td>` +
      `<td>${c.last_message_time ? `${fmtTime(c.last_message_time)} ${esc(c.last_message_direction)} ${esc(c.last_message_action)}` : ''}</td></tr>`).join('');
    $('#scan-table tbody').innerHTML = scan.map((s) => `<tr><td>${esc(s.charger_id)}${s.reason && s.reason !== 'unknown id' ? ` (${esc(s.reason)})` : ''}</td><td>${esc(s.address)}</td>` +
      `<td>${fmtTime(s.first_seen)}</td><td>${fmtTime(s.last_seen)}</td><td>${esc(s.attempts)}</td></tr>`).join('');
    const up = chargers.filter((c) => c.connected).length;
    $('#summary').textContent = `${up} charger${up === 1 ? '' : 's'} connected` + (scan.length ? `, ${scan.length} unknown knocking` : '');
  }
  async function loadPlugins() {
    const { plugins } = await getJSON('/api/v1/plugins');
    $('#plugins-table tbody').innerHTML = plugins.map((p) => `<tr><td>${esc(p.instance)}</td><td>${esc(p.name)}</td>` +
      `<td>${esc(p.version)}</td><td>${esc(p.state)}</td><td>${esc(p.description)}</td></tr>`).join('');
  }

  const timers = {};
  function debounce(key, fn, ms) {
    clearTimeout(timers[key]);
    timers[key] = setTimeout(() => fn().catch(() => {}), ms);
  }

  // ------------------------------------------------------------ stream
  let backoff = 500;
  let boot = null;
  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`);
    let stale = false;
    ws.onopen = () => {
      backoff = 500;
      loadSite().catch(() => {});
    };
    ws.onmessage = (ev) => {
      if (stale) return;
      const m = JSON.parse(ev.data);
      if (m.t === 'hello') {
        if (m.boot !== boot) {
          // The daemon restarted: ids now name other points. Reload the
          // list, then reconnect for a full snapshot of the new ids.
          stale = true;
          $('#conn').textContent = 'daemon restarted — reloading';
          $('#conn').className = 'conn down';
          ws.onclose = null;
          ws.close();
          loadPoints().then(connect, () => setTimeout(connect, backoff));
          loadPlugins().catch(() => {});
          return;
        }
        $('#conn').textContent = 'live';
        $('#conn').className = 'conn up';
      } else if (m.t === 'values') applyValues(m.v);
      else if (m.t === 'console') consoleAdd(m.lines, m.dropped);
      else if (m.t === 'site') debounce('site', loadSite, 200);
    };
    ws.onclose = () => {
      $('#conn').textContent = 'disconnected — retrying';
      $('#conn').className = 'conn down';
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  // ------------------------------------------------------------ wiring
  $('#filter').addEventListener('input', applyFilter);
  $('#charger-filter').addEventListener('change', applyFilter);
  $('#points').addEventListener('scroll', scheduleRender, { passive: true });
  window.addEventListener('resize', scheduleRender);
  $('#points').addEventListener('click', (ev) => {
    const row = ev.target.closest('.row');
    if (row) select(Number(row.dataset.id));
  });
  $('#write').addEventListener('submit', write);
  $('#console-pause').addEventListener('change', consoleRedraw);
  $('#console-filter').addEventListener('input', consoleRedraw);
  for (const c of document.querySelectorAll('.console-kind')) c.addEventListener('change', consoleRedraw);
  $('#console-clear').addEventListener('click', () => { consoleLines.length = 0; consoleDropped = 0; consoleRedraw(); });
  for (const b of document.querySelectorAll('#panels nav button')) {
    b.addEventListener('click', () => {
      for (const x of document.querySelectorAll('#panels nav button, .tab')) x.classList.remove('active');
      b.classList.add('active');
      $(`#tab-${b.dataset.tab}`).classList.add('active');
      // a hidden console cannot scroll: follow the newest lines when shown again
      if (b.dataset.tab === 'console' && !$('#console-pause').checked) $('#console-lines').scrollTop = $('#console-lines').scrollHeight;
      if (b.dataset.tab === 'plugins') loadPlugins().catch(() => {});
      if (b.dataset.tab === 'chargers') loadSite().catch(() => {});
    });
  }
  const tok = sessionStorage.getItem('gw-token');
  if (tok) $('#token').value = tok;
  $('#token').addEventListener('change', () => sessionStorage.setItem('gw-token', $('#token').value));
  setInterval(scheduleRender, 1000); // ages move on

  loadPoints().then(connect, (e) => { $('#conn').textContent = e.message; });
  loadPlugins().catch(() => {});
})();
