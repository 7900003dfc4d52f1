// Generates the tray icons (three states, 16x16 and @2x 32x32) and the 512x512 app
// icon as PNGs with a tiny encoder on node:zlib, so no image tool is needed.
// Run: node build/make-icons.mjs  (the PNGs are committed; rerun after changing a shape).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = join(dirname(fileURLToPath(import.meta.url)), 'icons');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels (width*height*4) -> PNG file bytes (8-bit RGBA, no filtering). */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Rasterize shape(u, v) -> [r,g,b,a] | null over the unit square, 4x4 supersampled. */
function render(size, shape) {
  const rgba = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = shape((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (!c) continue;
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
        rgba[i + 3] = Math.round(a / (S * S));
      }
    }
  }
  return rgba;
}

const WHITE = [255, 255, 255, 255];
const dist = (u, v) => Math.hypot(u - 0.5, v - 0.5);
const disk = (color) => (u, v) => (dist(u, v) <= 0.46 ? color : null);

// Distinct by shape as well as colour: filled disk with a dot (sending), disk with two
// bars (paused), hollow ring with a slash (off).
const shapes = {
  sending: (u, v) => {
    const base = disk([46, 157, 91, 255])(u, v);
    if (base && dist(u, v) <= 0.16) return WHITE;
    return base;
  },
  paused: (u, v) => {
    const base = disk([217, 154, 30, 255])(u, v);
    const bar = v > 0.3 && v < 0.7 && ((u > 0.33 && u < 0.45) || (u > 0.55 && u < 0.67));
    return base && bar ? WHITE : base;
  },
  off: (u, v) => {
    const grey = [128, 134, 144, 255];
    const d = dist(u, v);
    const ring = d <= 0.46 && d >= 0.33;
    const slash = d <= 0.46 && Math.abs(u - v) < 0.09;
    return ring || slash ? grey : null;
  },
};

const appIcon = (u, v) => {
  // Rounded square, dark blue, with a white eye-ring and a green pupil: "see what is sent".
  const r = 0.18;
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0);
  if (Math.hypot(dx, dy) > r - 0.02) return null;
  const d = dist(u, v);
  if (d <= 0.12) return [46, 157, 91, 255];
  if (d >= 0.22 && d <= 0.3) return WHITE;
  return [31, 59, 87, 255];
};

mkdirSync(out, { recursive: true });
for (const [state, shape] of Object.entries(shapes)) {
  writeFileSync(join(out, `tray-${state}.png`), encodePng(16, 16, render(16, shape)));
  writeFileSync(join(out, `tray-${state}@2x.png`), encodePng(32, 32, render(32, shape)));
}
writeFileSync(join(out, 'icon.png'), encodePng(512, 512, render(512, appIcon)));
console.log(`icons written to ${out}`);
