// Draws the web app's icons (devicecore/app/icon.svg, icon-192.png, icon-512.png): our own
// artwork from a few shapes — a blue rounded square, a white speech bubble (a report) and
// "11" — written once as SVG and rasterised here with 4×4 supersampling into PNG (zlib only,
// no image library). Run after changing a shape: node scripts/make-app-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'devicecore', 'app');
const BLUE = [11, 79, 138];
const WHITE = [255, 255, 255];
const RED = [200, 38, 38];

// Shapes in a 0..1 square, painted in order.
const shapes = [
  { kind: 'rrect', x: 0, y: 0, w: 1, h: 1, r: 0.2, color: BLUE },
  { kind: 'rrect', x: 0.16, y: 0.2, w: 0.68, h: 0.48, r: 0.1, color: WHITE },
  { kind: 'tri', p: [[0.28, 0.64], [0.28, 0.84], [0.48, 0.64]], color: WHITE },
  // "11": two strokes with their flags
  { kind: 'rrect', x: 0.36, y: 0.28, w: 0.08, h: 0.32, r: 0.01, color: BLUE },
  { kind: 'tri', p: [[0.36, 0.28], [0.44, 0.28], [0.30, 0.36]], color: BLUE },
  { kind: 'rrect', x: 0.56, y: 0.28, w: 0.08, h: 0.32, r: 0.01, color: BLUE },
  { kind: 'tri', p: [[0.56, 0.28], [0.64, 0.28], [0.50, 0.36]], color: BLUE },
  // a red dot: something new to see
  { kind: 'circle', cx: 0.8, cy: 0.22, r: 0.09, color: RED },
];

function inside(s, x, y) {
  if (s.kind === 'circle') return (x - s.cx) ** 2 + (y - s.cy) ** 2 <= s.r ** 2;
  if (s.kind === 'tri') {
    const [[ax, ay], [bx, by], [cx, cy]] = s.p;
    const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
    const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
    const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  }
  if (x < s.x || y < s.y || x > s.x + s.w || y > s.y + s.h) return false;
  const qx = Math.max(s.x + s.r - x, 0, x - (s.x + s.w - s.r));
  const qy = Math.max(s.y + s.r - y, 0, y - (s.y + s.h - s.r));
  return qx * qx + qy * qy <= s.r * s.r;
}

function svg() {
  const f = (v) => +(v * 512).toFixed(1);
  const rgb = (c) => `rgb(${c.join(',')})`;
  const parts = shapes.map((s) => {
    if (s.kind === 'circle') return `<circle cx="${f(s.cx)}" cy="${f(s.cy)}" r="${f(s.r)}" fill="${rgb(s.color)}"/>`;
    if (s.kind === 'tri') return `<polygon points="${s.p.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}" fill="${rgb(s.color)}"/>`;
    return `<rect x="${f(s.x)}" y="${f(s.y)}" width="${f(s.w)}" height="${f(s.h)}" rx="${f(s.r)}" fill="${rgb(s.color)}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">\n${parts.join('\n')}\n</svg>\n`;
}

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size) {
  const SS = 4;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0;  // filter: none
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          let c = null;
          for (const s of shapes) if (inside(s, x, y)) c = s.color;
          if (c) { acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255; }
        }
      }
      const n = SS * SS;
      const o = py * (size * 4 + 1) + 1 + px * 4;
      // Colour averaged over the covered samples only; coverage is the alpha.
      const covered = acc[3] / 255;
      for (let i = 0; i < 3; i++) raw[o + i] = covered ? Math.round(acc[i] / covered) : 0;
      raw[o + 3] = Math.round(acc[3] / n);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 6;  // RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

writeFileSync(join(out, 'icon.svg'), svg());
for (const size of [192, 512]) writeFileSync(join(out, `icon-${size}.png`), png(size));
console.log('wrote icon.svg, icon-192.png, icon-512.png in', out);
