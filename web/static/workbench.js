// The assistant's phone workbench (/workbench, /workbench/visit): the grid's
// working data kept in IndexedDB for offline, the visit form, and the queue
// of what was recorded and waits to be sent. Every queued item carries a
// client UUID sent as Idempotency-Key, so sending it twice (a lost answer,
// a server restarted mid-send) records it once. Nothing here drops a
// queued item by itself: a refusal or a conflict is kept and shown with
// the text, and only the assistant drops it. On every page of those who may
// use the workbench it also guards logging out: it asks first when items
// wait, then clears the local data.
'use strict';

(function () {
  const DB_NAME = 'wangge-workbench';
  const CACHE_PREFIX = 'wangge-workbench-';
  const SYNC_EVERY_MS = 30000;

  // IndexedDB: "data" holds the grid's working data (one record, "grid"),
  // "queue" what waits to be sent, in the order it was recorded.
  let dbp = null;
  function db() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          if (!d.objectStoreNames.contains('data')) d.createObjectStore('data', { keyPath: 'k' });
          if (!d.objectStoreNames.contains('queue')) d.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
        };
        req.onsuccess = () => {
          // Another tab deleting the database (logging out) must not wait on us.
          req.result.onversionchange = () => { req.result.close(); dbp = null; };
          resolve(req.result);
        };
        req.onerror = () => reject(req.error);
      });
    }
    return dbp;
  }
  function op(store, mode, fn) {
    return db().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const req = fn(t.objectStore(store));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }
  const idb = {
    get: (s, k) => op(s, 'readonly', (o) => o.get(k)),
    all: (s) => op(s, 'readonly', (o) => o.getAll()),
    put: (s, v) => op(s, 'readwrite', (o) => o.put(v)),
    del: (s, k) => op(s, 'readwrite', (o) => o.delete(k)),
  };

  // Words come from the page (the catalogue, in the page's language).
  function msg(k, n, t) {
    const el = document.querySelector('[data-wb-msg] [data-k="' + k + '"]');
    let s = el ? el.textContent : k;
    if (n !== undefined) s = s.split('{n}').join(String(n));
    if (t !== undefined) s = s.split('{t}').join(String(t));
    return s;
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (isNaN(d)) return '';
    return d.toLocaleString(document.documentElement.lang || 'zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  const root = document.getElementById('wb');
  const me = root ? root.dataset.user || '' : '';

  // Logging out: ask when items wait, then clear the data, the queue, the
  // cached pages and the worker, so the next person on this phone finds
  // nothing of this one.
  function guardLogout() {
    document.querySelectorAll('form[data-logout]').forEach((form) => {
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        waitingCount().then((n) => {
          if (n > 0 && !window.confirm((form.dataset.logout || '').split('{n}').join(String(n)))) return null;
          return clearLocal().then(() => form.submit());
        }).catch(() => form.submit());
      });
    });
  }
  async function hasDB() {
    if (!indexedDB.databases) return true;
    const list = await indexedDB.databases();
    return list.some((d) => d.name === DB_NAME);
  }
  async function waitingCount() {
    if (!(await hasDB())) return 0;
    return (await idb.all('queue')).length;
  }
  async function clearLocal() {
    if (dbp) { (await dbp).close(); dbp = null; }
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
    if (window.caches) {
      for (const k of await caches.keys()) if (k.startsWith(CACHE_PREFIX)) await caches.delete(k);
    }
    if (navigator.serviceWorker) {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    }
  }

  guardLogout();
  if (!root) return;

  // The service worker keeps the pages and static files for offline.
  function registerWorker() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register('/workbench/sw.js', { scope: '/workbench' }).then(() => navigator.serviceWorker.ready).then((reg) => {
      const urls = [];
      document.querySelectorAll('link[rel="stylesheet"][href^="/static/"], script[src^="/static/"]').forEach((e) => urls.push(e.getAttribute('href') || e.getAttribute('src')));
      if (reg.active) reg.active.postMessage({ type: 'keep', urls: urls });
    }).catch(() => {});
  }

  // The grid's data: what the server said last, with its owner.
  async function loadData() {
    const rec = await idb.get('data', 'grid');
    if (!rec || (me && rec.owner !== me)) return null;
    return rec.data;
  }
  async function serverNow() {
    const rec = await idb.get('data', 'grid');
    return new Date(Date.now() + ((rec && rec.skew) || 0));
  }
  async function fetchData() {
    let resp;
    try {
      resp = await fetch('/api/v1/workbench', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch (err) {
      reached(false);
      throw err;
    }
    reached(true);
    if (resp.status === 401) { showLogin(); return null; }
    if (!resp.ok) {
      // The server's own words (a grid to choose, a refusal) say more
      // than "no data".
      let text = '';
      try { text = errorText(await resp.json()); } catch (_) { text = ''; }
      const err = new Error('workbench ' + resp.status);
      err.said = text;
      throw err;
    }
    const data = await resp.json();
    // The phone's clock may be wrong; a visit's time is the server's clock
    // as the phone last saw it, moved on by the phone's.
    const skew = Date.parse(data.generated_at) - Date.now();
    await idb.put('data', { k: 'grid', owner: me, data: data, skew: isNaN(skew) ? 0 : skew, saved: new Date().toISOString() });
    return data;
  }

  // The queue.
  const bar = {
    count: root.querySelector('[data-wb-queue-count]'),
    send: root.querySelector('[data-wb-send]'),
    net: root.querySelector('[data-wb-net]'),
    conflicts: root.querySelector('[data-wb-conflicts]'),
    list: root.querySelector('[data-wb-conflict-list]'),
  };
  let syncing = false;
  // reachable is whether the last request reached the server (null before
  // the first): a phone may say it is online with no way to the server.
  let reachable = null;
  function reached(ok) {
    if (reachable !== ok) { reachable = ok; renderQueue(); }
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  async function enqueue(kind, url, body, label, photos) {
    await idb.put('queue', { key: uuid(), kind: kind, url: url, body: body, label: label, photos: photos || [], owner: me, state: 'waiting', at: new Date().toISOString() });
    await renderQueue();
  }

  async function renderQueue() {
    const items = (await idb.all('queue')).filter((it) => it.owner === me);
    const waiting = items.filter((it) => it.state === 'waiting');
    root.dataset.waiting = String(waiting.length);
    bar.count.textContent = syncing ? msg('queue.sending') : waiting.length ? msg('queue.waiting', waiting.length) : msg('queue.none');
    bar.send.hidden = waiting.length === 0;
    const on = navigator.onLine && reachable !== false;
    bar.net.textContent = on ? msg('net.online') : msg('net.offline');
    bar.net.dataset.online = on ? '1' : '0';
    renderConflicts(items.filter((it) => it.state === 'conflict'));
  }

  function describe(it) {
    const b = it.body || {};
    if (it.kind === 'transition') return b.note || '';
    const parts = [it.label || '', b.purpose || '', b.met || ''];
    for (const k of Object.keys(b.clears || {})) if (b.clears[k]) parts.push(msg('clear.' + k) + ': ' + b.clears[k]);
    if (b.note) parts.push(b.note);
    for (const c of b.changes || []) parts.push(msg('change.' + c.kind) + ' ' + (c.name || '') + ' ' + (c.detail || ''));
    if (b.case) parts.push(msg('case') + ': ' + b.case.description + (b.case.done ? ' / ' + b.case.done : ''));
    return parts.filter(Boolean).join(' · ');
  }

  // The list is drawn again only when it changed, so a tap on one of its
  // buttons is never lost to a redraw.
  let drawn = '';
  function renderConflicts(items) {
    bar.conflicts.hidden = items.length === 0;
    const sig = JSON.stringify(items.map((it) => [it.seq, it.key, it.reason, it.server, it.serverVersion]));
    if (sig === drawn) return;
    drawn = sig;
    bar.list.replaceChildren();
    for (const it of items) {
      const li = el('li', 'wb-conflict');
      li.dataset.seq = String(it.seq);
      li.dataset.kind = it.kind;
      li.append(el('p', 'wb-conflict-what', msg('kind.' + it.kind) + (it.number ? ' ' + it.number : '')));
      if (it.reason) li.append(el('p', 'alert', it.reason));
      const mine = el('div', 'wb-version');
      mine.dataset.side = 'mine';
      mine.append(el('h3', '', msg('conflict.mine')), el('p', 'wb-text', describe(it)));
      const theirs = el('div', 'wb-version');
      theirs.dataset.side = 'server';
      theirs.append(el('h3', '', msg('conflict.server')), el('p', 'wb-text', it.server || msg('conflict.server_unknown')));
      li.append(mine, theirs);
      const acts = el('p', 'page-actions');
      if (it.kind === 'transition' && it.serverVersion) {
        const retry = el('button', 'button button-primary', msg('conflict.retry'));
        retry.type = 'button';
        retry.dataset.act = 'retry';
        retry.addEventListener('click', () => resend(it, { version: it.serverVersion }));
        acts.append(retry);
      } else if (it.kind === 'visit' && it.status === 409) {
        const again = el('button', 'button button-primary', msg('conflict.resend'));
        again.type = 'button';
        again.dataset.act = 'resend';
        again.addEventListener('click', () => resend(it, null, true));
        acts.append(again);
      }
      const drop = el('button', 'button button-quiet', msg('conflict.discard'));
      drop.type = 'button';
      drop.dataset.act = 'discard';
      drop.addEventListener('click', async () => {
        if (!window.confirm(msg('conflict.discard_ask'))) return;
        await idb.del('queue', it.seq);
        await renderQueue();
      });
      acts.append(drop);
      li.append(acts);
      bar.list.append(li);
    }
  }

  async function resend(it, patch, newKey) {
    if (patch) Object.assign(it.body, patch);
    if (newKey) it.key = uuid();
    it.state = 'waiting';
    delete it.reason; delete it.server; delete it.serverVersion; delete it.status;
    await idb.put('queue', it);
    await sync();
  }

  function errorText(e) {
    if (!e || !e.error) return '';
    const details = (e.error.details || []).map((d) => d.message || '').filter(Boolean);
    return [e.error.message || ''].concat(details).join(' ');
  }

  // conflictOf sets a refused item aside with what the server said and,
  // for a case, the case as it is now. A stale version whose action the
  // case's timeline already holds was this item, sent before its answer
  // was lost: it is done, not a conflict.
  async function conflictOf(it, resp) {
    let e = null;
    try { e = await resp.json(); } catch (_) { e = null; }
    it.state = 'conflict';
    it.status = resp.status;
    it.reason = (resp.status === 409 && it.kind === 'transition' ? msg('conflict.stale') + ' ' : resp.status === 409 ? '' : msg('conflict.refused')) + errorText(e);
    if (it.kind === 'transition') {
      try {
        const r = await fetch('/api/v1/cases/' + encodeURIComponent(it.number), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (r.ok) {
          const c = await r.json();
          const tl = c.timeline || [];
          if (tl.some((ev) => ev.action === it.body.action && ev.note === it.body.note)) return 'done';
          const last = tl[tl.length - 1];
          it.server = msg('conflict.stale') + ' ' + [c.state ? msg('state.' + c.state) : '', last ? (last.actor_name || '') + ' ' + (last.note || '') : ''].filter(Boolean).join(' · ');
          it.serverVersion = c.version;
        }
      } catch (_) { /* offline again: the reason is enough */ }
    }
    return 'conflict';
  }

  // sync sends what waits, in order. A 2xx (the first answer or the
  // server's "same key, same body" one) removes an item; a refusal or
  // conflict sets it aside, kept; no network, a 5xx or a 429 stops until
  // the next try; a 401 stops until the next login.
  let retryMs = 0;
  let retryTimer = null;
  async function sync() {
    if (syncing) return;
    syncing = true;
    root.dataset.syncing = '1';
    clearTimeout(retryTimer);
    await renderQueue();
    let sent = 0;
    let stopped = false;
    try {
      const items = await idb.all('queue');
      for (const it of items) {
        if (it.state !== 'waiting' || it.owner !== me) continue;
        let resp;
        try {
          resp = await fetch(it.url, {
            method: 'POST', credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': it.key },
            body: JSON.stringify(it.body),
          });
        } catch (_) {
          reachable = false;
          stopped = true;
          break;
        }
        reachable = true;
        if (resp.ok) {
          if (it.photos && it.photos.length && !(await sendPhotos(it, resp))) { stopped = true; break; }
          await idb.del('queue', it.seq);
          sent++;
          continue;
        }
        if (resp.status === 401) { showLogin(); break; }
        if (resp.status >= 500 || resp.status === 408 || resp.status === 429) { stopped = true; break; }
        if ((await conflictOf(it, resp)) === 'done') {
          await idb.del('queue', it.seq);
          sent++;
        } else {
          await idb.put('queue', it);
        }
      }
    } finally {
      syncing = false;
      delete root.dataset.syncing;
      await renderQueue();
    }
    // A lost connection or a server that is down (restarting) is tried
    // again soon, then less often, up to the periodic send.
    if (stopped) {
      retryMs = Math.min(retryMs ? retryMs * 2 : 2000, SYNC_EVERY_MS);
      retryTimer = setTimeout(sync, retryMs);
    } else {
      retryMs = 0;
    }
    if (sent > 0 && root.dataset.page === 'workbench' && navigator.onLine) refresh();
    return sent;
  }

  // sendPhotos keeps a visit's photos with the case it raised, one by one,
  // forgetting each once the server has it, so a resend after a lost
  // answer sends only those still waiting. It says whether all went.
  async function sendPhotos(it, resp) {
    let number = it.caseNumber;
    if (!number) {
      try { const a = await resp.json(); number = a && a.case ? a.case.number : ''; } catch (_) { number = ''; }
    }
    if (!number) return true; // no case was made: the photos have nowhere to go
    it.caseNumber = number;
    while (it.photos.length) {
      const p = it.photos[0];
      const fd = new FormData();
      fd.append('file', p.blob, p.name || 'photo.jpg');
      let r;
      try {
        r = await fetch('/cases/' + encodeURIComponent(number) + '/attachments', { method: 'POST', credentials: 'same-origin', body: fd });
      } catch (_) {
        await idb.put('queue', it);
        return false;
      }
      // A page route answers a lost session with the login page.
      if (r.status === 401 || (r.redirected && new URL(r.url).pathname === '/login')) { showLogin(); await idb.put('queue', it); return false; }
      if (r.status >= 500 || r.status === 429) { await idb.put('queue', it); return false; }
      // Any other refusal is of the photo itself (not an image, too big):
      // the visit and its case stand, the photo cannot be taken.
      it.photos.shift();
      await idb.put('queue', it);
    }
    return true;
  }

  function showLogin() {
    const box = root.querySelector('[data-wb-error]');
    if (box.dataset.login && !box.hidden) return; // already offered: each retry's 401 leaves it as it is
    box.replaceChildren(el('span', '', msg('login_again') + ' '));
    const a = el('a', '', msg('login'));
    a.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
    box.append(a);
    box.hidden = false;
    box.dataset.login = '1';
  }
  function showError(text) {
    const box = root.querySelector('[data-wb-error]');
    if (box.dataset.login) return;
    box.textContent = text;
    box.hidden = !text;
  }

  bar.send.addEventListener('click', () => sync());
  window.addEventListener('online', () => {
    reachable = null;
    retryMs = 0;
    renderQueue();
    // The day is read again unless sending did it.
    sync().then((sent) => { if (!sent && root.dataset.page === 'workbench') refresh(); });
  });
  window.addEventListener('offline', () => renderQueue());
  setInterval(() => { if (navigator.onLine) sync(); }, SYNC_EVERY_MS);

  // The start page.
  function keyTags(keys) {
    const box = el('span', 'wb-keys');
    for (const k of keys || []) {
      const known = document.querySelector('[data-wb-msg] [data-k="key.' + k + '"]');
      box.append(el('span', 'tag tag-warn', known ? known.textContent : msg('key.other')));
    }
    return box;
  }
  function place(h) {
    return [h.building, h.room].filter(Boolean).join(' ');
  }
  function householdItem(h, extra) {
    const li = el('li', 'wb-item');
    const a = el('a', 'wb-go');
    a.href = '/workbench/visit?household=' + encodeURIComponent(h.household_id || h.id);
    a.dataset.household = String(h.household_id || h.id);
    a.append(el('strong', '', place(h)), el('span', 'wb-head-name', h.head_name_masked || ''));
    if (h.key && h.key.length) a.append(keyTags(h.key));
    if (extra) a.append(el('span', 'hint', extra));
    const file = el('a', 'wb-file', msg('file'));
    file.href = '/households/' + encodeURIComponent(h.household_id || h.id);
    li.append(a, file);
    return li;
  }
  function caseItem(c, feedback) {
    const li = el('li', 'wb-item wb-case-item');
    li.dataset.number = c.number;
    const a = el('a', 'wb-go');
    a.href = '/cases/' + encodeURIComponent(c.number);
    const light = el('span', 'light light-' + (c.light || 'none'), msg('light.' + (c.light || 'none')));
    a.append(light, el('strong', '', c.number), el('span', '', c.category_name || c.category || ''), el('span', 'tag tag-state', c.state ? msg('state.' + c.state) : ''));
    if (c.due) a.append(el('span', 'hint', msg('due_at', undefined, when(c.due))));
    li.append(a);
    if (feedback) {
      const form = el('form', 'wb-fb');
      const id = 'fb-' + c.number;
      const label = el('label', '', msg('fb.note'));
      label.htmlFor = id;
      const ta = el('textarea');
      ta.id = id; ta.rows = 2; ta.maxLength = 2000; ta.required = true;
      ta.dataset.fbNote = '';
      const btn = el('button', 'button', msg('fb.save'));
      btn.type = 'submit';
      form.append(label, ta, btn);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const note = ta.value.trim();
        if (!note) { ta.focus(); return; }
        const body = { action: 'feedback', note: note, channel: 'visit', version: c.version };
        await idb.put('queue', { key: uuid(), kind: 'transition', number: c.number, url: '/api/v1/cases/' + encodeURIComponent(c.number) + '/transitions',
          body: body, owner: me, state: 'waiting', at: new Date().toISOString() });
        form.replaceChildren(el('p', 'hint', msg('saved')));
        await renderQueue();
        if (navigator.onLine) sync();
      });
      li.append(form);
    }
    return li;
  }
  function fill(list, empty, n, items) {
    list.replaceChildren(...items);
    if (empty) empty.hidden = items.length > 0;
    if (n) n.textContent = String(items.length);
  }
  function renderStart(data, fresh) {
    const q = (s) => root.querySelector(s);
    if (data.grid) q('[data-wb-grid]').textContent = data.grid.name + (data.assistant && data.assistant.name ? ' · ' + data.assistant.name : '');
    q('[data-wb-fresh]').textContent = msg(fresh ? 'fresh' : 'stale', undefined, when(data.generated_at));
    fill(q('[data-wb-due]'), q('[data-wb-due-empty]'), q('[data-wb-due-n]'),
      (data.due || []).map((h) => householdItem(h, h.days_since == null ? msg('never') : msg('days', h.days_since))));
    fill(q('[data-wb-cases]'), q('[data-wb-cases-empty]'), q('[data-wb-cases-n]'), (data.cases || []).map((c) => caseItem(c, false)));
    fill(q('[data-wb-feedback]'), q('[data-wb-feedback-empty]'), q('[data-wb-feedback-n]'), (data.feedback_due || []).map((c) => caseItem(c, true)));
    const m = data.meeting;
    q('[data-wb-meeting]').textContent = m ? when(m.at) + ' ' + (m.title || '') : msg('meeting.none');
    root.dataset.ready = fresh ? 'fresh' : 'cached';
    findHouseholds(data);
  }
  function findHouseholds(data) {
    const input = root.querySelector('[data-wb-find]');
    const list = root.querySelector('[data-wb-found]');
    const run = () => {
      const s = input.value.trim();
      if (!s) { list.replaceChildren(); return; }
      const hits = (data.households || []).filter((h) => (place(h) + ' ' + (h.head_name_masked || '')).includes(s)).slice(0, 20);
      list.replaceChildren(...hits.map((h) => householdItem(h, msg('members', h.members))));
    };
    input.oninput = run;
    run();
  }

  async function refresh() {
    try {
      const data = await fetchData();
      if (data) { showError(''); renderStart(data, true); }
    } catch (err) {
      const cached = await loadData();
      showError(err && err.said ? err.said : cached ? msg('fetch_failed') : msg('no_data'));
    }
  }

  async function start() {
    const cached = await loadData();
    if (cached) renderStart(cached, false);
    if (new URLSearchParams(location.search).get('saved')) showError('');
    if (navigator.onLine) {
      await refresh();
    } else if (!cached) {
      showError(msg('no_data'));
    }
  }

  // The visit form.
  const CLEARS = ['household', 'categories', 'facilities', 'dangers', 'needs', 'hot_issues'];

  async function visit() {
    const form = root.querySelector('[data-wb-form]');
    const pick = root.querySelector('[data-wb-pick]');
    let data = await loadData();
    if (!data && navigator.onLine) {
      try { data = await fetchData(); } catch (_) { data = null; }
    }
    if (!data) { showError(msg('no_data')); return; }
    const households = data.households || [];
    const byID = new Map(households.map((h) => [String(h.id), h]));
    const params = new URLSearchParams(location.search);
    let h = byID.get(params.get('household') || '');
    if (!h && params.get('building') && params.get('room')) {
      h = households.find((x) => String(x.building_id) === params.get('building') && x.room === params.get('room'));
    }
    if (h) { openForm(h); } else { openPick(params.get('b') || params.get('building') || ''); }

    function openPick(building) {
      pick.hidden = false;
      form.hidden = true;
      const sel = root.querySelector('[data-wb-building]');
      for (const b of data.buildings || []) {
        const o = el('option', '', b.name);
        o.value = String(b.id);
        sel.append(o);
      }
      const rooms = root.querySelector('[data-wb-rooms]');
      const showRooms = () => {
        const id = sel.value;
        rooms.replaceChildren(...households.filter((x) => String(x.building_id) === id).map((x) => householdItem(x, msg('members', x.members))));
      };
      const choose = (id) => {
        if (!(data.buildings || []).some((b) => String(b.id) === String(id))) { showError(msg('unknown_code')); return false; }
        showError('');
        sel.value = String(id);
        showRooms();
        return true;
      };
      sel.addEventListener('change', showRooms);
      if (building) choose(building);
      const code = root.querySelector('[data-wb-code]');
      code.addEventListener('change', () => { const id = plateBuilding(code.value); if (id) choose(id); else showError(msg('unknown_code')); });
      root.querySelector('[data-wb-scan]').addEventListener('click', () => scan(choose));
      // The grid's resident units (驻区单位): a visit may be to one.
      const units = data.units || [];
      if (units.length) {
        root.querySelector('[data-wb-units]').hidden = false;
        root.querySelector('[data-wb-unit-list]').replaceChildren(...units.map((u) => {
          const li = el('li', 'wb-item');
          const b = el('button', 'wb-go');
          b.type = 'button';
          b.dataset.unit = String(u.id);
          b.append(el('strong', '', u.name));
          b.addEventListener('click', () => openForm({ unit_id: u.id, unit_name: u.name }));
          li.append(b);
          return li;
        }));
      }
      const placeIn = root.querySelector('[data-wb-place-input]');
      root.querySelector('[data-wb-place-go]').addEventListener('click', () => {
        const where = placeIn.value.trim();
        if (!where) { placeIn.focus(); return; }
        openForm({ place: where });
      });
    }

    // plateBuilding reads the building from a door plate's code: the
    // plate's URL (/kiosk/grids/{code}?b={id}) or the building's number.
    function plateBuilding(raw) {
      const s = (raw || '').trim();
      if (/^\d+$/.test(s)) return s;
      try {
        const u = new URL(s, location.origin);
        if (data.grid && !u.pathname.endsWith('/kiosk/grids/' + data.grid.code)) return '';
        return u.searchParams.get('b') || '';
      } catch (_) {
        return '';
      }
    }

    async function scan(choose) {
      const video = root.querySelector('[data-wb-video]');
      if (!('BarcodeDetector' in window) || !navigator.mediaDevices) { showError(msg('no_camera')); root.querySelector('[data-wb-code]').focus(); return; }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      } catch (_) {
        showError(msg('no_camera'));
        return;
      }
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
      const tick = async () => {
        if (video.hidden) return;
        try {
          const codes = await detector.detect(video);
          if (codes.length) {
            stop();
            const id = plateBuilding(codes[0].rawValue);
            if (!id || !choose(id)) showError(msg('unknown_code'));
            return;
          }
        } catch (_) { /* the next frame */ }
        setTimeout(tick, 250);
      };
      tick();
    }

    function openForm(h) {
      pick.hidden = true;
      form.hidden = false;
      // A place (not a household) has no head and no file.
      form.querySelector('[data-wb-place]').textContent = h.unit_name || h.place || place(h);
      form.querySelector('[data-wb-head]').textContent = h.head_name_masked || '';
      form.querySelector('[data-wb-file]').hidden = !h.id;
      if (h.id) form.querySelector('[data-wb-file]').href = '/households/' + encodeURIComponent(h.id);
      if (h.place || h.unit_id) form.querySelector('[data-wb-add-change]').hidden = true;
      root.dataset.household = h.id ? String(h.id) : '';

      // A clear's text field opens only where something changed.
      for (const k of CLEARS) {
        const box = form.querySelector('[data-wb-clear="' + k + '"]');
        const ta = box.querySelector('textarea');
        box.querySelectorAll('input[type=radio]').forEach((r) => r.addEventListener('change', () => {
          ta.hidden = !box.querySelector('input[value="changed"]').checked;
          if (!ta.hidden) ta.focus();
          prefill();
        }));
        ta.addEventListener('input', prefill);
      }
      form.querySelector('[data-wb-nothing]').addEventListener('click', () => {
        for (const k of CLEARS) {
          const box = form.querySelector('[data-wb-clear="' + k + '"]');
          box.querySelector('input[value=""]').checked = true;
          box.querySelector('textarea').hidden = true;
        }
        form.querySelector('input[name=met]').checked = true;
        const save = form.querySelector('[data-wb-save]');
        save.scrollIntoView({ block: 'center' });
        save.focus();
      });

      const changes = form.querySelector('[data-wb-changes]');
      // A change about a member (moved out, new phone, died) names them by
      // id where the data lists the members; otherwise it goes as "other"
      // with the kind and the name in its words, for the community to
      // apply. A newcomer (born, moved in) is named.
      const members = Array.isArray(h.persons) ? h.persons : null;
      const namesPerson = (k) => k === 'move_out' || k === 'phone' || k === 'death';
      const newcomer = (k) => k === 'move_in' || k === 'birth';
      function changeOf(li) {
        const kind = li.querySelector('[data-k=kind]').value;
        const name = li.querySelector('[data-k=name]').value.trim();
        const detail = li.querySelector('[data-k=detail]').value.trim();
        const who = li.querySelector('[data-k=person]');
        if (namesPerson(kind) && members && who && who.value) return { kind: kind, person_id: Number(who.value), detail: detail };
        if (newcomer(kind)) return { kind: kind, name: name, detail: detail };
        if (kind === 'other' && !name) return { kind: kind, detail: detail };
        return { kind: 'other', detail: [msg('change.' + kind), name, detail].filter(Boolean).join(' ') };
      }
      const row = form.querySelector('[data-wb-change-row]');
      form.querySelector('[data-wb-add-change]').addEventListener('click', () => {
        const li = row.content.firstElementChild.cloneNode(true);
        li.querySelector('[data-k=remove]').addEventListener('click', () => li.remove());
        if (members) {
          const sel = el('select', 'big-select');
          sel.dataset.k = 'person';
          sel.setAttribute('aria-label', msg('change.name'));
          for (const p of members) {
            const o = el('option', '', p.name_masked || p.name || '');
            o.value = String(p.id);
            sel.append(o);
          }
          li.querySelector('[data-k=name]').after(sel);
          const kindSel = li.querySelector('[data-k=kind]');
          const show = () => { sel.hidden = !namesPerson(kindSel.value); li.querySelector('[data-k=name]').hidden = namesPerson(kindSel.value); };
          kindSel.addEventListener('change', show);
          show();
        }
        changes.append(li);
        li.querySelector('select').focus();
      });

      let located = null;
      form.querySelector('[data-wb-locate]').addEventListener('click', () => {
        const out = form.querySelector('[data-wb-located]');
        if (!navigator.geolocation) { out.textContent = msg('locate.failed'); out.hidden = false; return; }
        navigator.geolocation.getCurrentPosition((p) => {
          located = { lng: +p.coords.longitude.toFixed(6), lat: +p.coords.latitude.toFixed(6) };
          out.textContent = msg('located', undefined, located.lng + ', ' + located.lat);
          out.hidden = false;
        }, () => { out.textContent = msg('locate.failed'); out.hidden = false; }, { timeout: 15000 });
      });

      // A problem becomes a case in one tap, prefilled with what was
      // written, until the assistant writes the description themselves.
      const caseBox = form.querySelector('[data-wb-case]');
      const desc = form.querySelector('[data-wb-desc]');
      const cat = form.querySelector('[data-wb-category]');
      let descTouched = false;
      for (const c of data.categories || []) {
        const o = el('option', '', c.name);
        o.value = c.code;
        o.dataset.mechanism = c.mechanism || '';
        cat.append(o);
      }
      desc.addEventListener('input', () => { descTouched = true; });
      form.querySelector('[data-wb-note]').addEventListener('input', prefill);
      function written() {
        const parts = [];
        for (const k of CLEARS) {
          const box = form.querySelector('[data-wb-clear="' + k + '"]');
          const t = box.querySelector('textarea').value.trim();
          if (box.querySelector('input[value="changed"]').checked && t) parts.push(t);
        }
        const note = form.querySelector('[data-wb-note]').value.trim();
        if (note) parts.push(note);
        return parts.join('；');
      }
      function prefill() {
        if (!caseBox.hidden && !descTouched) desc.value = (h.unit_name || h.place || place(h)) + (written() ? '：' + written() : '');
      }
      const doneWrap = form.querySelector('[data-wb-done-wrap]');
      const mech = () => form.querySelector('input[name=mechanism]:checked').value;
      form.querySelectorAll('input[name=mechanism]').forEach((r) => r.addEventListener('change', () => { doneWrap.hidden = mech() !== 'general'; }));
      form.querySelector('[data-wb-case-open]').addEventListener('click', () => {
        caseBox.hidden = false;
        form.querySelector('[data-wb-case-open]').hidden = true;
        prefill();
        cat.focus();
      });
      form.querySelector('[data-wb-case-close]').addEventListener('click', () => {
        caseBox.hidden = true;
        form.querySelector('[data-wb-case-open]').hidden = false;
      });

      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const clears = {};
        for (const k of CLEARS) {
          const box = form.querySelector('[data-wb-clear="' + k + '"]');
          clears[k] = box.querySelector('input[value="changed"]').checked ? box.querySelector('textarea').value.trim() : '';
        }
        let note = form.querySelector('[data-wb-note]').value.trim();
        if (located) note = (note ? note + '\n' : '') + msg('located', undefined, located.lng + ', ' + located.lat);
        const body = {
          at: (await serverNow()).toISOString(),
          purpose: form.querySelector('[data-wb-purpose]').value,
          met: form.querySelector('input[name=met]:checked').value,
          clears: clears,
          note: note,
          changes: Array.from(changes.children).map(changeOf).filter((c) => c.detail || c.name),
          case: null,
        };
        if (h.id) body.household_id = h.id; else if (h.unit_id) body.unit_id = h.unit_id; else body.place = h.place;
        if (!h.id) body.changes = []; // a change is to a household's file
        if (!caseBox.hidden) {
          if (!cat.value) { showError(msg('case.need_category')); cat.focus(); return; }
          if (!desc.value.trim()) { showError(msg('case.need_description')); desc.focus(); return; }
          body.case = { mechanism: mech(), category: cat.value, description: desc.value.trim(), done: mech() === 'general' ? form.querySelector('[data-wb-done]').value.trim() : '' };
        }
        const photos = [];
        if (body.case) {
          for (const file of Array.from(form.querySelector('[data-wb-photos]').files || []).slice(0, 3)) photos.push({ name: file.name, blob: file });
        }
        form.querySelector('[data-wb-save]').disabled = true;
        await enqueue('visit', '/api/v1/visits', body, h.unit_name || h.place || place(h), photos);
        // Back to the day: the start page sends what waits when it can.
        location.assign('/workbench?saved=1');
      });
    }
  }

  registerWorker();
  renderQueue().then(() => (root.dataset.page === 'workbench' ? start() : visit())).then(() => { if (navigator.onLine) sync(); });
}());
