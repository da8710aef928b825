/**
 * Text out of a file's bytes without decoding the whole file: each value is a span of the bytes,
 * decoded when someone needs it — UTF-8 (validated while the file was split) or windows-1252 — and
 * repeated values (types, SKUs, customers, dates) are decoded once. Readers of large files (settlement
 * flat files, partner CSVs) keep spans instead of strings.
 *
 * Public API
 * - `SpanText(bytes, encoding)`: `text(start, end)` decodes a span; `id(start, end)` / `intern(start, end)` decode
 *   it once per distinct value (`values[id]`); `trimmedId(start, end)` the same for the trimmed text;
 *   `idOf(text)` gives a text that is not a span its own id; `part()` / `idsOf(part)` carry ids from
 *   another SpanText over the same bytes (another thread's) to this one's; `pooled`: values keep a copy of
 *   their bytes, so the bytes may be refilled (a file read through one window) and parts over other bytes join.
 * - `SPACE`: the ASCII bytes JavaScript's trim removes.
 * - `utf8SequenceLength(bytes, i, end)`: length of the valid UTF-8 sequence starting at i, 0 when invalid.
 * - `encodeUtf8(text)`, `decodeUtf8(bytes)`: a string's UTF-8 bytes and back.
 * - `decodeWindows1252(bytes)`: windows-1252 text (every byte maps to a character).
 * - `ByteKeys(values?)`: byte strings (from any buffer) ↔ small integer ids, kept in one pool; `findHashed` /
 *   `idHashed` with the hash (`byteHash`, or BYTE_HASH_START and BYTE_HASH_STEP byte by byte) the caller
 *   already has; with `values`, a number kept per key (`value(k)`, `lastValue()` of the key last found or added).
 */
import { ByteWriter } from './byte-writer';

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
interface TextEncoderLike {
  encode(input: string): Uint8Array;
}
const globals = globalThis as unknown as { TextDecoder: new (label: string) => TextDecoderLike; TextEncoder: new () => TextEncoderLike };

/**
 * windows-1252 differs from latin-1 only in 0x80–0x9F (€, curly quotes, dashes …). Node's
 * TextDecoder treats 'windows-1252' as latin-1 there, so those 32 are mapped here; holes stay as is.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const codes = new Array<number>(Math.min(CHUNK, bytes.length - i));
    for (let j = 0; j < codes.length; j++) {
      const b = bytes[i + j]!;
      codes[j] = b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80]! : b;
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

export type SpanEncoding = 'utf-8' | 'windows-1252';

export function encodeUtf8(text: string): Uint8Array {
  return new globals.TextEncoder().encode(text);
}

let utf8Decoder: TextDecoderLike | undefined;
/** The text of UTF-8 bytes (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string {
  return (utf8Decoder ??= new globals.TextDecoder('utf-8')).decode(bytes);
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

export interface SpanTextPart {
  values: string[];
  start: number[];
  end: number[];
  /** A pooled SpanText's copies of its values' bytes (start/end index these, not the file's bytes). */
  pool?: Uint8Array;
}

export class SpanText {
  private readonly utf8: TextDecoderLike | null;
  // Interned values: an open-addressing table of hash → entry; entries hold the span they were first seen at.
  private table = new Int32Array(SLOTS).fill(-1);
  private entryStart: number[] = [];
  private entryEnd: number[] = [];
  private entryHash: number[] = [];
  readonly values: string[] = [];
  /** Pooled: each value's bytes copied here when first seen (entryStart/entryEnd index this). */
  private readonly pool: ByteWriter | null;

  constructor(
    readonly bytes: Uint8Array,
    readonly encoding: SpanEncoding,
    pooled = false,
  ) {
    this.utf8 = encoding === 'utf-8' ? new globals.TextDecoder('utf-8') : null;
    this.pool = pooled ? new ByteWriter(1 << 16) : null;
  }

  text(start: number, end: number): string {
    return this.textIn(this.bytes, start, end);
  }

  private textIn(b: Uint8Array, start: number, end: number): string {
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
    return this.idIn(this.bytes, start, end);
  }

  private idIn(b: Uint8Array, start: number, end: number): number {
    // FNV-1a over every byte: values that differ in one digit (user12@…, user13@…) must not collide
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e < 0) {
        const id = this.values.length;
        this.table[slot] = id;
        this.entryHash.push(h);
        this.values.push(this.textIn(b, start, end));
        if (this.pool) [start, end] = this.copy(b, start, end);
        this.entryStart.push(start);
        this.entryEnd.push(end);
        if (this.values.length * 2 > this.table.length) this.rehash();
        return id;
      }
      if (this.entryHash[e] === h && this.same(e, b, start, end)) return e;
    }
  }

  /** A pooled value's bytes copied into the pool: their span there. */
  private copy(b: Uint8Array, start: number, end: number): [number, number] {
    const pool = this.pool!;
    const at = pool.pos;
    pool.copy(b, start, end);
    return [at, pool.pos];
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

  /** The values and where each was first seen (end -1: a text that is not a span), as plain data another thread can send. */
  part(): SpanTextPart {
    return { values: this.values, start: this.entryStart, end: this.entryEnd, ...(this.pool && { pool: this.pool.buf.slice(0, this.pool.pos) }) };
  }

  /** This SpanText's id of each value of another over the same bytes (its `part()`), or of a pooled one over any bytes. */
  idsOf(other: SpanTextPart): Int32Array {
    const ids = new Int32Array(other.values.length);
    const b = other.pool ?? this.bytes;
    for (let k = 0; k < ids.length; k++) ids[k] = other.end[k]! < 0 ? this.idOf(other.values[k]!) : this.idIn(b, other.start[k]!, other.end[k]!);
    return ids;
  }

  private same(e: number, b: Uint8Array, start: number, end: number): boolean {
    const s = this.entryStart[e]!;
    if (this.entryEnd[e]! - s !== end - start) return false;
    const p = this.pool ? this.pool.buf : this.bytes;
    for (let k = 0; k < end - start; k++) if (p[s + k] !== b[start + k]) return false;
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

/** ByteKeys' hash of bytes (FNV-1a): `h = BYTE_HASH_START`, then `h = Math.imul(h ^ byte, BYTE_HASH_STEP)` per byte. */
export const BYTE_HASH_STEP = 0x01000193;
export const BYTE_HASH_START = Math.imul(0x811c9dc5, BYTE_HASH_STEP);

/** ByteKeys' hash of bytes[s, e) (salt 0). */
export function byteHash(b: Uint8Array, s: number, e: number): number {
  let h = BYTE_HASH_START;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, BYTE_HASH_STEP);
  return h;
}

/**
 * A set of byte strings, each given a small integer id: their bytes are copied into one pool, so
 * the set outlives the buffers they came from (a reader that lets each file go keeps what it met).
 * `salt` keeps equal bytes of different kinds apart (one partner's reference from another's).
 */
export class ByteKeys {
  private pool = new Uint8Array(1 << 16);
  private used = 0;
  /**
   * `values`: each key keeps a number (-1 until set) in the 4 bytes before its bytes in the pool, where
   * the check of a match has just read: a large set's value costs no look-up of its own.
   */
  constructor(private readonly values = false) {}
  /** Where in the pool the bytes of the last key found or added begin. */
  private lastAt = 0;
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);
  private saltOf = new Int32Array(1024);
  /** Whether any salt but 0 was given (else a match needs no look at saltOf). */
  private salted = false;
  count = 0;
  /**
   * Open addressing: per slot the hash, the id (+1; 0 is empty), and where the bytes lie in the pool and
   * their length, side by side: a probe and its check touch one cache line, then the bytes.
   */
  private table = new Int32Array(4 << 12);
  private lastHash = 0;

  private hash(salt: number, b: Uint8Array, s: number, e: number): number {
    let h = Math.imul(0x811c9dc5 ^ salt, BYTE_HASH_STEP);
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, BYTE_HASH_STEP);
    return h;
  }

  /** The id of bytes[s, e) (with salt), or -1 when not in the set. */
  find(salt: number, b: Uint8Array, s: number, e: number): number {
    return this.findHashed(this.hash(salt, b, s, e), salt, b, s, e);
  }

  /**
   * `find` with the bytes' hash given: `h` is what `byteHash` gives (salt 0) — a reader that hashed each
   * field while splitting its record (src/kernel/csv-plain.ts) need not read the bytes twice.
   */
  findHashed(h: number, salt: number, b: Uint8Array, s: number, e: number): number {
    this.lastHash = h;
    const t = this.table;
    const mask = (t.length >> 2) - 1;
    const len = e - s;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = 4 * slot;
      const k = t[at + 1]! - 1;
      if (k < 0) return -1;
      if (t[at] !== h || t[at + 3] !== len) continue;
      const p = t[at + 2]!;
      const pool = this.pool;
      let i = 0;
      while (i < len && pool[p + i] === b[s + i]) i++;
      if (i === len && (!this.salted || this.saltOf[k] === salt)) {
        this.lastAt = p;
        return k;
      }
    }
  }

  /** Adds bytes[s, e) just looked for with `find` (and not found); returns its id. */
  add(salt: number, b: Uint8Array, s: number, e: number): number {
    const k = this.count++;
    if (k === this.start.length) this.grow();
    const len = e - s;
    const before = this.values ? 4 : 0;
    if (this.used + before + len > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.used + before + len));
      bigger.set(this.pool.subarray(0, this.used));
      this.pool = bigger;
    }
    if (before) {
      this.pool.fill(0xff, this.used, this.used + 4); // the value: -1
      this.used += 4;
    }
    for (let i = 0; i < len; i++) this.pool[this.used + i] = b[s + i]!;
    this.lastAt = this.used;
    this.start[k] = this.used;
    this.end[k] = this.used + len;
    this.used += len;
    this.saltOf[k] = salt;
    if (salt !== 0) this.salted = true;
    if (this.count * 2 > this.table.length >> 2) this.rehash();
    this.place(this.lastHash, k + 1, this.start[k]!, len);
    return k;
  }

  /** The id of bytes[s, e), added when new. */
  id(salt: number, b: Uint8Array, s: number, e: number): number {
    const k = this.find(salt, b, s, e);
    return k >= 0 ? k : this.add(salt, b, s, e);
  }

  /** `id` (salt 0) with the bytes' hash given (see findHashed). */
  idHashed(h: number, b: Uint8Array, s: number, e: number): number {
    const k = this.findHashed(h, 0, b, s, e);
    return k >= 0 ? k : this.add(0, b, s, e);
  }

  /** The number kept with key k (a set made with `values`). */
  value(k: number): number {
    return this.valueAt(this.start[k]!);
  }
  setValue(k: number, v: number): void {
    this.setValueAt(this.start[k]!, v);
  }
  /** The number kept with the key last found or added. */
  lastValue(): number {
    return this.valueAt(this.lastAt);
  }
  setLastValue(v: number): void {
    this.setValueAt(this.lastAt, v);
  }
  private valueAt(at: number): number {
    if (!this.values) throw new Error('This ByteKeys keeps no values.');
    const p = this.pool;
    return p[at - 4]! | (p[at - 3]! << 8) | (p[at - 2]! << 16) | (p[at - 1]! << 24);
  }
  private setValueAt(at: number, v: number): void {
    if (!this.values) throw new Error('This ByteKeys keeps no values.');
    const p = this.pool;
    p[at - 4] = v;
    p[at - 3] = v >> 8;
    p[at - 2] = v >> 16;
    p[at - 1] = v >> 24;
  }

  /** The UTF-8 text of an id's bytes. */
  text(k: number): string {
    return decodeUtf8(this.pool.subarray(this.start[k]!, this.end[k]!));
  }

  private place(h: number, idPlusOne: number, start: number, len: number): void {
    const t = this.table;
    const mask = (t.length >> 2) - 1;
    let slot = h & mask;
    while (t[4 * slot + 1]! !== 0) slot = (slot + 1) & mask;
    t[4 * slot] = h;
    t[4 * slot + 1] = idPlusOne;
    t[4 * slot + 2] = start;
    t[4 * slot + 3] = len;
  }

  private rehash(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 4) if (old[at + 1]! !== 0) this.place(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!);
  }

  private grow(): void {
    const n = this.start.length * 2;
    const g = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.start = g(this.start);
    this.end = g(this.end);
    this.saltOf = g(this.saltOf);
  }
}
