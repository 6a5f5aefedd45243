// The workbench's service worker: it keeps the two workbench pages and the
// static files they load, so the workbench opens with no signal, after a
// reload and after a restart. The grid's data and the queue are not here:
// they live in IndexedDB (workbench.js), and the API is never cached, so
// an answer is always the server's own or a failure the page handles.
'use strict';

const CACHE = 'wangge-workbench-v1';
const PAGES = ['/workbench', '/workbench/visit'];

// keepPages fetches the pages and keeps those the server gave: with the
// session gone a page redirects to the login form, which must never be
// kept as the workbench.
async function keepPages() {
  const cache = await caches.open(CACHE);
  await Promise.all(PAGES.map(async (p) => {
    try {
      const resp = await fetch(p, { credentials: 'same-origin', redirect: 'manual' });
      if (resp.ok && resp.type === 'basic') await cache.put(new URL(p, self.location.origin).href, resp);
    } catch (_) { /* offline: the page is kept on its next visit */ }
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(keepPages().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('wangge-workbench-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// pageKey is the cache key of a workbench page: the visit form is one page
// whatever household its query names (the script reads the query).
function pageKey(url) {
  return url.origin + url.pathname;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.includes(url.pathname)) {
    event.respondWith(page(req, url));
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(asset(req));
  }
});

// page answers a page from the network when there is one, keeping the
// answer, and from the cache when there is none. Only a 200 is kept: a
// redirect to the login page must not replace the page.
async function page(req, url) {
  const cache = await caches.open(CACHE);
  try {
    const resp = await fetch(req);
    if (resp.ok && resp.type === 'basic') cache.put(pageKey(url), resp.clone());
    return resp;
  } catch (err) {
    const hit = await cache.match(pageKey(url));
    if (hit) return hit;
    throw err;
  }
}

// asset answers a static file from the cache first: its URL carries the
// file's version, so a kept copy is never stale.
async function asset(req) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const resp = await fetch(req);
  if (resp.ok) cache.put(req, resp.clone());
  return resp;
}

// The page asks the worker to keep the static files it loaded before the
// worker controlled it (the first visit).
self.addEventListener('message', (event) => {
  const d = event.data || {};
  if (d.type === 'keep' && Array.isArray(d.urls)) {
    const urls = d.urls.filter((u) => new URL(u, self.location.origin).pathname.startsWith('/static/'));
    event.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.map((u) => c.match(u).then((hit) => hit || c.add(u))))));
  }
});
