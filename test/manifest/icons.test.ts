import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ICONS, renderIcons } from '../../build/icons';

const ASSETS = path.join(__dirname, '..', '..', 'assets');

/** Decodes the RGBA PNGs build/icons.js writes (filter 0 rows only). */
function decode(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  return {
    width,
    height,
    pixel: (x, y) => [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)],
  };
}

describe('icons', () => {
  it('committed PNGs are what build/icons.js draws (run `node build/icons.js` after changing it)', () => {
    const rendered = renderIcons();
    expect(rendered.length).toBe(Object.values(ICONS).reduce((n, i) => n + i.sizes.length, 0));
    for (const [name, bytes] of rendered) {
      expect({ name, same: fs.readFileSync(path.join(ASSETS, name)).equals(bytes) }).toEqual({ name, same: true });
    }
  });

  it('draws the tile colour with transparent corners and a white letter', () => {
    const png = decode(fs.readFileSync(path.join(ASSETS, 'runfifo-80.png')));
    expect([png.width, png.height]).toEqual([80, 80]);
    expect(png.pixel(0, 0)[3]).toBe(0);
    expect(png.pixel(6, 40)).toEqual([...ICONS.runfifo!.rgb, 255]);
    // The F's upright: column 0 of the 5×7 letter box starts at (80 - 5 * 48/7) / 2.
    expect(png.pixel(25, 40)).toEqual([255, 255, 255, 255]);
  });
});
