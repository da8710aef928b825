/**
 * Text out of a settlement file's bytes, without decoding the whole file: each value is a span of
 * the bytes, decoded when someone needs it — UTF-8 (already validated while the file was split) or
 * windows-1252 — and repeated values (amount types, SKUs, marketplaces, dates) are decoded once.
 *
 * Public API
 * - `SpanText(bytes, encoding)`: `text(start, end)` decodes a span; `id(start, end)` / `intern(start, end)` decode
 *   it once per distinct value (`values[id]`); `trimmedId(start, end)` the same for the trimmed text;
 *   `idOf(text)` gives a text that is not a span its own id.
 * - `SPACE`: the ASCII bytes JavaScript's trim removes.
 * - `utf8SequenceLength(bytes, i, end)`: length of the valid UTF-8 sequence starting at i, 0 when invalid.
 * - `encodeUtf8(text)`: the UTF-8 bytes of a string.
 */
import { decodeWindows1252 } from './decode';

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
interface TextEncoderLike {
  encode(input: string): Uint8Array;
}
const globals = globalThis as unknown as { TextDecoder: new (label: string) => TextDecoderLike; TextEncoder: new () => TextEncoderLike };

export type SpanEncoding = 'utf-8' | 'windows-1252';

export function encodeUtf8(text: string): Uint8Array {
  return new globals.TextEncoder().encode(text);
}

/**
 * Length of the UTF-8 sequence at bytes[i] (a byte ≥ 0x80), 0 when it is not valid UTF-8 — the same
 * sequences a strict (fatal) TextDecoder refuses: stray continuation bytes, overlong forms, surrogates,
 * code points above U+10FFFF, sequences cut short.
 */
export function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const c = bytes[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return cont(1) ? 2 : 0;
  if (c < 0xf0) return cont(1, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf) && cont(2) ? 3 : 0;
  if (c < 0xf5) return cont(1, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const SLOTS = 1 << 12;

/** ASCII bytes JavaScript's trim removes: tab, line feed, vertical tab, form feed, carriage return, space. */
export const SPACE = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32]) SPACE[c] = 1;

export class SpanText {
  private readonly utf8: TextDecoderLike | null;
  // Interned values: an open-addressing table of hash → entry; entries hold the span they were first seen at.
  private table = new Int32Array(SLOTS).fill(-1);
  private entryStart: number[] = [];
  private entryEnd: number[] = [];
  private entryHash: number[] = [];
  readonly values: string[] = [];

  constructor(
    readonly bytes: Uint8Array,
    readonly encoding: SpanEncoding,
  ) {
    this.utf8 = encoding === 'utf-8' ? new globals.TextDecoder('utf-8') : null;
  }

  text(start: number, end: number): string {
    const b = this.bytes;
    if (end - start <= 64) {
      let ascii = true;
      for (let i = start; i < end; i++)
        if (b[i]! >= 0x80) {
          ascii = false;
          break;
        }
      if (ascii) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    }
    return this.utf8 ? this.utf8.decode(b.subarray(start, end)) : decodeWindows1252(b.subarray(start, end));
  }

  /** The index in `values` of the span's text; equal bytes give the same index, decoded once. */
  id(start: number, end: number): number {
    const b = this.bytes;
    // a hash of the length and about 8 bytes spread over the span: values are short and repeat; equal
    // hashes are told apart by comparing the bytes
    const n = end - start;
    let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
    const step = n <= 8 ? 1 : n >> 3;
    for (let i = start; i < end; i += step) h = Math.imul(h ^ b[i]!, 0x01000193);
    h = Math.imul(h ^ (n ? b[end - 1]! : 0), 0x01000193);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e < 0) {
        const id = this.values.length;
        this.table[slot] = id;
        this.entryStart.push(start);
        this.entryEnd.push(end);
        this.entryHash.push(h);
        this.values.push(this.text(start, end));
        if (this.values.length * 2 > this.table.length) this.rehash();
        return id;
      }
      if (this.entryHash[e] === h && this.same(e, start, end)) return e;
    }
  }

  intern(start: number, end: number): string {
    return this.values[this.id(start, end)]!;
  }

  /** id() of the span's text trimmed as JavaScript's trim would trim it. */
  trimmedId(start: number, end: number): number {
    const b = this.bytes;
    while (start < end && SPACE[b[start]!]) start++;
    while (end > start && SPACE[b[end - 1]!]) end--;
    if (start < end && (b[start]! >= 0x80 || b[end - 1]! >= 0x80)) {
      const t = this.text(start, end);
      const trimmed = t.trim();
      if (trimmed.length !== t.length) return this.idOf(trimmed);
    }
    return this.id(start, end);
  }

  private literalIds = new Map<string, number>();
  /** The index in `values` of a text that is not a span (a trimmed or constant value). */
  idOf(text: string): number {
    let id = this.literalIds.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(text);
      // keeps the span table's slots in step with `values` (no span ever matches this entry)
      this.entryStart.push(0);
      this.entryEnd.push(-1);
      this.entryHash.push(0);
      this.literalIds.set(text, id);
    }
    return id;
  }

  private same(e: number, start: number, end: number): boolean {
    const s = this.entryStart[e]!;
    if (this.entryEnd[e]! - s !== end - start) return false;
    const b = this.bytes;
    for (let k = 0; k < end - start; k++) if (b[s + k] !== b[start + k]) return false;
    return true;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let e = 0; e < this.values.length; e++) {
      let slot = this.entryHash[e]! & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = e;
    }
    this.table = table;
  }
}
