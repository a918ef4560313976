// Placeholder: registers the service worker so the shell works offline.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js');
