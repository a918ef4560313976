// The service worker: keeps the whole app shell (every file of the app plus the engine,
// q11core.js and q11core.wasm) in a cache named after the app's version, so the app opens and
// reloads with no network. The server replaces __Q11_APP_VERSION__ by a hash of the app's
// files when it embeds them: a new version installs a new cache and the old ones are removed.
// API calls (/v1/...) and everything outside the shell go to the network untouched: the
// engine's data is never cached here.
'use strict';
const VERSION = '__Q11_APP_VERSION__';
const CACHE = `q11-app-${VERSION}`;
const SHELL = [
  './', 'app.css', 'app.js', 'engine.js', 'dom.js', 'i18n.js', 'views.js', 'citizen.js', 'official.js',
  'engine-worker.js', 'storage.js', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png',
  'q11core.js', 'q11core.wasm',
];
const SCOPE = new URL('./', self.location.href);
const SHELL_URLS = new Set(SHELL.map((p) => new URL(p, SCOPE).href));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload': straight from the server, not from the HTTP cache of an older version.
    await cache.addAll(SHELL.map((p) => new Request(new URL(p, SCOPE), { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('q11-app-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== SCOPE.origin) return;
  let key = null;
  if (req.mode === 'navigate' && url.pathname.startsWith(SCOPE.pathname)) {
    key = SCOPE.href;  // any page of the app (?storage=..., #/...) is the shell
  } else {
    url.search = '';
    if (SHELL_URLS.has(url.href)) key = url.href;
  }
  if (!key) return;  // /v1/..., photos, other pages: the network, uncached
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(key);
    if (hit) return hit;
    return fetch(req);
  })());
});
