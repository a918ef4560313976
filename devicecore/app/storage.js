// Durable storage of the device database for the engine worker (engine-worker.js loads this
// with importScripts). The engine runs on emscripten's in-memory file system; after every
// call that writes, the worker hands the changed files here, and only when this resolves
// does the app say "saved" (docs/app.md, "Storage").
//
// Two backends with one interface:
// - OPFS (the origin private file system) through FileSystemSyncAccessHandle, which only a
//   worker may use. The database image (device.db: the browser build keeps SQLite's journal in
//   memory, so the file is whole after every call) is written into one of two
//   slot files, the one NOT holding the newest valid image, followed by a 32-byte trailer
//   (magic, generation, length, CRC-32) and flushed. On load the newest slot whose trailer
//   and checksum are valid wins, so a write torn by a crash or a closed tab leaves the
//   previous image intact. Photos are immutable files (named by their SHA-256) in a folder
//   beside the slots, written before the image that names them.
// - IndexedDB where OPFS is missing: one transaction per commit (image + photos), which the
//   database makes atomic by itself; durability "strict" asks for a flush before it reports
//   completion.
//
// Callers hold the Web Lock "q11-device" around every use (engine-worker.js), so one tab at
// a time reads or writes, and a sync access handle (exclusive per file) is never contended.
'use strict';

const Q11Storage = (() => {
  const MAGIC = 0x51313149;  // "Q11I"
  const TRAILER = 32;
  const FORMAT = 1;

  // CRC-32 (IEEE 802.3), the same as zlib's crc32.
  const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  function crc32(bytes) {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  // The image: a small archive of named files. u32 count, then per file: u16 name length,
  // name (UTF-8), u32 data length, data. Little-endian.
  function packImage(files) {
    const enc = new TextEncoder();
    const parts = [];
    let size = 4;
    for (const [name, data] of files) {
      const n = enc.encode(name);
      parts.push([n, data]);
      size += 2 + n.length + 4 + data.length;
    }
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, parts.length, true);
    let o = 4;
    for (const [n, data] of parts) {
      dv.setUint16(o, n.length, true);
      out.set(n, o + 2);
      o += 2 + n.length;
      dv.setUint32(o, data.length, true);
      out.set(data, o + 4);
      o += 4 + data.length;
    }
    return out;
  }
  function unpackImage(bytes) {
    const dec = new TextDecoder();
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const files = new Map();
    const count = dv.getUint32(0, true);
    let o = 4;
    for (let i = 0; i < count; i++) {
      const nl = dv.getUint16(o, true);
      const name = dec.decode(bytes.subarray(o + 2, o + 2 + nl));
      o += 2 + nl;
      const dl = dv.getUint32(o, true);
      files.set(name, bytes.slice(o + 4, o + 4 + dl));
      o += 4 + dl;
    }
    return files;
  }

  function makeTrailer(generation, length, crc) {
    const t = new Uint8Array(TRAILER);
    const dv = new DataView(t.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, FORMAT, true);
    dv.setFloat64(8, generation, true);
    dv.setUint32(16, length, true);
    dv.setUint32(20, crc, true);
    dv.setUint32(28, MAGIC, true);
    return t;
  }
  // {generation, length, crc} of a slot whose trailer is well formed and whose length matches
  // the file, else null (empty, torn, or a stale trailer left behind a shorter write).
  function readTrailer(handle) {
    const size = handle.getSize();
    if (size < TRAILER) return null;
    const t = new Uint8Array(TRAILER);
    handle.read(t, { at: size - TRAILER });
    const dv = new DataView(t.buffer);
    if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(28, true) !== MAGIC) return null;
    if (dv.getUint32(4, true) !== FORMAT) return null;
    const length = dv.getUint32(16, true);
    if (length !== size - TRAILER) return null;
    return { generation: dv.getFloat64(8, true), length, crc: dv.getUint32(20, true) };
  }

  // Photo names may hold characters a file system does not like: keep them to [a-zA-Z0-9._-].
  const photoFile = (name) => name.replace(/[^a-zA-Z0-9._-]/g, (c) => '%' + c.charCodeAt(0).toString(16));
  const photoName = (file) => file.replace(/%([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

  // A sync access handle is exclusive per file. The Web Lock keeps this app's live workers
  // apart, but a worker the browser is tearing down (a reload or a closed tab in the middle
  // of a write) loses its lock before its handles are closed: wait for them briefly.
  async function openSyncHandle(fileHandle) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fileHandle.createSyncAccessHandle();
      } catch (e) {
        if (e.name !== 'NoModificationAllowedError' || attempt >= 100) throw e;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  class OpfsStore {
    get kind() { return 'opfs'; }
    async init() {
      const root = await navigator.storage.getDirectory();
      this.dir = await root.getDirectoryHandle('q11', { create: true });
      this.photos = await this.dir.getDirectoryHandle('photos', { create: true });
      this.slots = [
        await this.dir.getFileHandle('slot-0', { create: true }),
        await this.dir.getFileHandle('slot-1', { create: true }),
      ];
    }
    async withSlot(i, fn) {
      const h = await openSyncHandle(this.slots[i]);
      try { return fn(h); } finally { h.close(); }
    }
    // The trailers of both slots (null where invalid).
    async trailers() {
      return [await this.withSlot(0, readTrailer), await this.withSlot(1, readTrailer)];
    }
    async head() {
      const [a, b] = await this.trailers();
      return Math.max(a ? a.generation : 0, b ? b.generation : 0);
    }
    async load() {
      const ts = await this.trailers();
      // Newest first; a slot whose checksum fails is skipped for the other.
      const order = [0, 1].filter((i) => ts[i]).sort((x, y) => ts[y].generation - ts[x].generation);
      for (const i of order) {
        const bytes = await this.withSlot(i, (h) => {
          const b = new Uint8Array(ts[i].length);
          h.read(b, { at: 0 });
          return b;
        });
        if (crc32(bytes) === ts[i].crc) {
          this.goodSlot = i;
          return { generation: ts[i].generation, files: unpackImage(bytes) };
        }
      }
      return null;
    }
    async listPhotos() {
      const out = new Map();
      for await (const [name, handle] of this.photos.entries()) {
        if (handle.kind !== 'file') continue;
        const f = await handle.getFile();
        out.set(photoName(name), f.size);
      }
      return out;
    }
    async readPhoto(name) {
      const fh = await this.photos.getFileHandle(photoFile(name));
      return new Uint8Array(await (await fh.getFile()).arrayBuffer());
    }
    async commit(generation, files, photoPuts, photoDeletes) {
      // Photos first: an image never names a photo that is not stored yet.
      for (const [name, bytes] of photoPuts) {
        const fh = await this.photos.getFileHandle(photoFile(name), { create: true });
        const h = await openSyncHandle(fh);
        try {
          h.truncate(0);
          h.write(bytes, { at: 0 });
          h.flush();
        } finally { h.close(); }
      }
      const payload = packImage(files);
      // Overwrite the slot that does not hold the newest valid image: the one this tab
      // loaded or last wrote (its checksum was checked), else by the trailers alone.
      let target;
      if (this.goodSlot === 0 || this.goodSlot === 1) {
        target = 1 - this.goodSlot;
      } else {
        const ts = await this.trailers();
        const g = (i) => (ts[i] ? ts[i].generation : -1);
        target = g(0) > g(1) ? 1 : 0;
      }
      await this.withSlot(target, (h) => {
        h.write(payload, { at: 0 });
        h.write(makeTrailer(generation, payload.length, crc32(payload)), { at: payload.length });
        h.truncate(payload.length + TRAILER);
        h.flush();
      });
      this.goodSlot = target;
      for (const name of photoDeletes) {
        try { await this.photos.removeEntry(photoFile(name)); } catch (e) { /* already gone */ }
      }
    }
  }

  function idbRequest(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  class IdbStore {
    get kind() { return 'indexeddb'; }
    async init() {
      const req = indexedDB.open('q11-device', 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('image');
        req.result.createObjectStore('photos');
      };
      this.db = await idbRequest(req);
    }
    tx(mode) {
      return this.db.transaction(['image', 'photos'], mode, { durability: 'strict' });
    }
    async head() {
      const rec = await idbRequest(this.tx('readonly').objectStore('image').get('head'));
      return rec ? rec.generation : 0;
    }
    async load() {
      const rec = await idbRequest(this.tx('readonly').objectStore('image').get('head'));
      if (!rec) return null;
      const bytes = new Uint8Array(rec.data);
      if (bytes.length !== rec.length || crc32(bytes) !== rec.crc) return null;
      return { generation: rec.generation, files: unpackImage(bytes) };
    }
    async listPhotos() {
      const t = this.tx('readonly').objectStore('photos');
      const keys = await idbRequest(t.getAllKeys());
      const vals = await idbRequest(t.getAll());
      const out = new Map();
      keys.forEach((k, i) => out.set(k, vals[i].byteLength));
      return out;
    }
    async readPhoto(name) {
      return new Uint8Array(await idbRequest(this.tx('readonly').objectStore('photos').get(name)));
    }
    async commit(generation, files, photoPuts, photoDeletes) {
      const payload = packImage(files);
      const t = this.tx('readwrite');
      const done = new Promise((resolve, reject) => {
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error || new Error('IndexedDB transaction aborted'));
      });
      const photos = t.objectStore('photos');
      for (const [name, bytes] of photoPuts) photos.put(bytes.slice().buffer, name);
      for (const name of photoDeletes) photos.delete(name);
      t.objectStore('image').put(
        { generation, length: payload.length, crc: crc32(payload), data: payload.buffer }, 'head');
      await done;
    }
  }

  const hasOpfs = () => typeof navigator !== 'undefined' && navigator.storage &&
    typeof navigator.storage.getDirectory === 'function' && typeof FileSystemFileHandle !== 'undefined' &&
    typeof FileSystemFileHandle.prototype.createSyncAccessHandle === 'function';

  // The backend to use: "opfs", "indexeddb", or "auto" (OPFS when the browser has it).
  async function open(kind = 'auto') {
    let store = (kind === 'indexeddb' || (kind === 'auto' && !hasOpfs())) ? new IdbStore() : new OpfsStore();
    try {
      await store.init();
    } catch (e) {
      if (store.kind !== 'opfs' || kind === 'opfs') throw e;
      store = new IdbStore();  // OPFS present but refused (e.g. a private window): fall back
      await store.init();
    }
    return store;
  }

  return { open, crc32, packImage, unpackImage };
})();
self.Q11Storage = Q11Storage;
