import { isoDateTime } from './dates';
import { ByteWriter } from './byte-writer';

describe('ByteWriter', () => {
  test('ByteWriter.text is UTF-8 as Node writes it, lone surrogates included', () => {
    const samples = ['plain', 'é', '€', '😀', 'a\ud800b', 'x\udc00', '\ud83d', ''];
    for (const t of samples) {
      const out = new ByteWriter(1);
      out.text(t);
      expect(Buffer.from(out.take())).toEqual(Buffer.from(t, 'utf8'));
    }
  });

  test('ByteWriter.isoSecond is isoDateTime for whole seconds in years 0000–9999', () => {
    let s = 3;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    const min = -62167219200000;
    const max = 253402300799000;
    const samples = [min, max, 0, -1000, 951782400000, 951868800000, 4107542399000, 4107542400000];
    for (let i = 0; i < 20000; i++) samples.push(min + Math.floor((rand() * (max - min)) / 1000) * 1000);
    const wrong: string[] = [];
    for (const ms of samples) {
      const out = new ByteWriter(1);
      out.isoSecond(ms);
      const got = Buffer.from(out.take()).toString('latin1');
      if (got !== isoDateTime(ms)) wrong.push(`${ms}: ${got} ≠ ${isoDateTime(ms)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('ByteWriter.integer is String(n)', () => {
    const wrong: number[] = [];
    const values = [0, 9, 10, 99, 100, 4294967295, 4294967296, 4294967306, Number.MAX_SAFE_INTEGER];
    for (let d = 0; d < 16; d++) for (const k of [1, 3, 7, 9]) values.push(k * 10 ** d, k * 10 ** d - 1, k * 10 ** d + 1);
    for (const v of values) {
      if (v < 0 || v > Number.MAX_SAFE_INTEGER) continue;
      const out = new ByteWriter(4);
      out.integer(v);
      if (Buffer.from(out.take()).toString('latin1') !== String(v)) wrong.push(v);
    }
    expect(wrong).toEqual([]);
  });

  test('ByteWriter.copy appends the given range, growing the buffer', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5]);
    const out = new ByteWriter(1);
    out.byte(9);
    out.copy(src, 1, 4);
    out.copy(src, 2, 2);
    expect([...out.take()]).toEqual([9, 2, 3, 4]);
  });
});
