#!/usr/bin/env node
/**
 * Draws the ribbon and add-in icons (assets/*.png) without image libraries: a rounded tile in the
 * command's colour with a white letter from a 5×7 pixel font, 4×4 supersampled, written as PNG
 * with zlib. Run `node build/icons.js` after changing a colour or letter; the PNGs are committed.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const FONT = {
  C: ['01111', '10000', '10000', '10000', '10000', '10000', '01111'],
  F: ['11111', '10000', '10000', '11110', '10000', '10000', '10000'],
  V: ['10001', '10001', '10001', '10001', '01010', '01010', '00100'],
  Z: ['11111', '00001', '00010', '00100', '01000', '10000', '11111'],
  S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
};

/** File stem → letter and tile colour; stems match the bt:Image URLs in manifest.xml. */
const ICONS = {
  icon: { letter: 'C', rgb: [0x10, 0x6e, 0xbe], sizes: [16, 32, 64, 80] },
  runfifo: { letter: 'F', rgb: [0x10, 0x7c, 0x41], sizes: [16, 32, 80] },
  buildvretsheets: { letter: 'V', rgb: [0x8a, 0x3f, 0xb0], sizes: [16, 32, 80] },
  posttozoho: { letter: 'Z', rgb: [0xc2, 0x39, 0x34], sizes: [16, 32, 80] },
  sendfiles: { letter: 'S', rgb: [0xca, 0x6a, 0x00], sizes: [16, 32, 80] },
  openapprovals: { letter: 'A', rgb: [0x00, 0x7a, 0x87], sizes: [16, 32, 80] },
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (size*size*4) → PNG bytes. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function drawIcon(size, letter, rgb) {
  const rows = FONT[letter];
  const radius = size * 0.2;
  // Letter box: 5×7 cells, about 60% of the tile's height, centred.
  const cell = (size * 0.6) / 7;
  const left = (size - cell * 5) / 2;
  const top = (size - cell * 7) / 2;
  const inTile = (x, y) => {
    const cx = Math.min(Math.max(x, radius), size - radius);
    const cy = Math.min(Math.max(y, radius), size - radius);
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
  };
  const inLetter = (x, y) => {
    const col = Math.floor((x - left) / cell);
    const row = Math.floor((y - top) / cell);
    return row >= 0 && row < 7 && col >= 0 && col < 5 && rows[row][col] === '1';
  };
  const S = 4;
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let ink = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = px + (sx + 0.5) / S;
          const y = py + (sy + 0.5) / S;
          if (inTile(x, y)) {
            tile++;
            if (inLetter(x, y)) ink++;
          }
        }
      }
      const i = (py * size + px) * 4;
      const t = ink / Math.max(tile, 1);
      out[i] = Math.round(rgb[0] * (1 - t) + 255 * t);
      out[i + 1] = Math.round(rgb[1] * (1 - t) + 255 * t);
      out[i + 2] = Math.round(rgb[2] * (1 - t) + 255 * t);
      out[i + 3] = Math.round((255 * tile) / (S * S));
    }
  }
  return encodePng(size, out);
}

/** Every icon file the manifest refers to: [file name, PNG bytes]. */
function renderIcons() {
  const files = [];
  for (const [stem, { letter, rgb, sizes }] of Object.entries(ICONS)) {
    for (const size of sizes) files.push([`${stem}-${size}.png`, drawIcon(size, letter, rgb)]);
  }
  return files;
}

module.exports = { renderIcons, encodePng, ICONS };

if (require.main === module) {
  const dir = path.join(__dirname, '..', 'assets');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of renderIcons()) fs.writeFileSync(path.join(dir, name), bytes);
  console.log(`Wrote ${renderIcons().length} icons to ${path.relative(process.cwd(), dir) || dir}`);
}
