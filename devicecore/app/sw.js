// Placeholder service worker: caches the shell under a name that changes with every build
// (the server's embed step replaces __Q11_APP_VERSION__ by a hash of the app's files).
const CACHE = 'q11-app-__Q11_APP_VERSION__';
const SHELL = ['./', 'index.html', 'manifest.webmanifest'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((names) =>
    Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n)))));
});

self.addEventListener('fetch', (event) => {
  event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
});
