/**
 * Partner references seen so far (each partner's are its own), with where each was first given, to
 * find a line billed twice. A million references are a million lookups: most partners number their
 * lines ("P0-1234", "INV-77", "1234"), so a reference written as a prefix and a plain number is kept
 * as a bit in its prefix's bitset — a file's references fall close together there, where a hash table
 * scatters them over tens of megabytes. Such a reference is kept as its prefix and number, not as its
 * bytes (its text is the two written together). Any other reference (a leading zero, more than 7
 * digits, no digits at the end) is kept by its bytes (ByteKeys). A text always takes the same way, so
 * the two never disagree on whether a reference was given before.
 *
 * Public API
 * - `ReferenceSet`: `find(partner, bytes, start, end)` → entry or -1, `add(...)` right after (with the
 *   reference's source and row), `text(entry)`, `source(entry)`, `row(entry)`, `reserve(n)`, `count`.
 */
import { ByteWriter } from '../kernel/byte-writer';
import { ByteKeys, decodeUtf8 } from '../kernel/text-bytes';
import { resized } from '../kernel/typed-arrays';

/** Numbers at most this long are kept in a bitset (below ten million). */
const MAX_DIGITS = 7;
/** A prefix's bitset may cover this many numbers, or 64 per reference it holds: past that its references are kept by bytes. */
const FREE_BITS = 1 << 20;
/** Prefixes given a bitset; later new prefixes are kept by bytes (a file of unnumbered references makes no bitset per line). */
const MAX_PREFIXES = 4096;

interface Numbered {
  /** The prefix's bytes, and as text. */
  prefix: Uint8Array;
  prefixText: string;
  bits: Int32Array;
  /** Its entries, in the order added (entries[0, size)). */
  entries: Int32Array;
  size: number;
  /** Number → entry, made when a number is met again (a duplicate: rare). */
  first: Map<number, number> | null;
  /** Its references moved to the bytes table (the bitset would have grown too sparse). */
  bytes: boolean;
}

export class ReferenceSet {
  count = 0;
  /** References kept by bytes: their key in `keys` → entry. */
  private readonly keys = new ByteKeys();
  private keyEntry = new Int32Array(1024);
  /** (partner, prefix) → index in `numbered`. */
  private readonly prefixes = new ByteKeys();
  private readonly numbered: Numbered[] = [];
  // Each entry's text, source and row. The text of one kept by bytes is pool[start, end); of a numbered
  // one (start < 0), its prefix's (numbered[-1 - start]) then its number (end): its digits are the
  // number's (no leading zero), so no byte of a million numbered references is copied.
  private readonly pool = new ByteWriter(1 << 16);
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);
  private sourceOf = new Int32Array(1024);
  private rowOf = new Int32Array(1024);
  // what the last find looked at, for the add that follows it
  private lastPrefix = -1;
  private lastNumber = 0;

  /** The entry of this partner's reference (bytes[s, e)), or -1 when not seen. */
  find(partner: number, b: Uint8Array, s: number, e: number): number {
    let k = e;
    while (k > s && b[k - 1]! >= 48 && b[k - 1]! <= 57) k--;
    const digits = e - k;
    this.lastPrefix = -1;
    if (digits > 0 && digits <= MAX_DIGITS && !(digits > 1 && b[k] === 48)) {
      let p = this.prefixes.find(partner, b, s, k);
      if (p < 0 && this.prefixes.count < MAX_PREFIXES) {
        p = this.prefixes.add(partner, b, s, k);
        // (a copy: the bytes may be a view of a buffer the next file is read into; a Buffer's slice is one)
        const prefix = new Uint8Array(k - s);
        prefix.set(b.subarray(s, k));
        this.numbered.push({ prefix, prefixText: decodeUtf8(prefix), bits: new Int32Array(16), entries: new Int32Array(16), size: 0, first: null, bytes: false });
      }
      const group = p >= 0 ? this.numbered[p]! : null;
      if (group && !group.bytes) {
        let n = 0;
        for (let i = k; i < e; i++) n = n * 10 + b[i]! - 48;
        this.lastPrefix = p;
        this.lastNumber = n;
        if (n >= group.bits.length * 32 || (group.bits[n >> 5]! & (1 << (n & 31))) === 0) return -1;
        if (!group.first) {
          group.first = new Map();
          for (let i = 0; i < group.size; i++) group.first.set(this.end[group.entries[i]!]!, group.entries[i]!);
        }
        return group.first.get(n)!;
      }
    }
    const key = this.keys.find(partner, b, s, e);
    return key < 0 ? -1 : this.keyEntry[key]!;
  }

  /** Adds a reference just looked for with `find` (and not found); returns its entry. */
  add(partner: number, b: Uint8Array, s: number, e: number, source: number, row: number): number {
    const entry = this.count++;
    if (entry === this.start.length) this.resize(entry * 2);
    this.sourceOf[entry] = source;
    this.rowOf[entry] = row;
    const group = this.lastPrefix >= 0 ? this.numbered[this.lastPrefix]! : null;
    if (group) {
      const n = this.lastNumber;
      if (n >= group.bits.length * 32) {
        const words = Math.max(group.bits.length * 2, (n >> 5) + 1);
        if (words * 32 > Math.max(FREE_BITS, 64 * (group.size + 1))) {
          // too sparse for a bitset: the prefix's references (this one too) are kept by bytes from now on
          group.bytes = true;
          for (let i = 0; i < group.size; i++) {
            const earlier = group.entries[i]!;
            const at = this.pool.pos;
            this.pool.copy(group.prefix, 0, group.prefix.length);
            this.pool.text(String(this.end[earlier]!));
            this.start[earlier] = at;
            this.end[earlier] = this.pool.pos;
            this.keep(partner, this.pool.buf, at, this.pool.pos, earlier);
          }
          group.entries = new Int32Array(0);
          group.size = 0;
          group.bits = new Int32Array(0);
          group.first = null;
          this.keepBytes(partner, b, s, e, entry);
          return entry;
        }
        const bits = new Int32Array(words);
        bits.set(group.bits);
        group.bits = bits;
      }
      group.bits[n >> 5]! |= 1 << (n & 31);
      if (group.size === group.entries.length) {
        const bigger = new Int32Array(group.size * 2);
        bigger.set(group.entries);
        group.entries = bigger;
      }
      group.entries[group.size++] = entry;
      this.start[entry] = -1 - this.lastPrefix;
      this.end[entry] = n;
      group.first?.set(n, entry);
      return entry;
    }
    this.keepBytes(partner, b, s, e, entry);
    return entry;
  }

  /** Keeps a new entry by its bytes, copied into the pool. */
  private keepBytes(partner: number, b: Uint8Array, s: number, e: number, entry: number): void {
    this.start[entry] = this.pool.pos;
    this.pool.copy(b, s, e);
    this.end[entry] = this.pool.pos;
    this.keep(partner, b, s, e, entry);
  }

  /** Keeps a reference by its bytes. */
  private keep(partner: number, b: Uint8Array, s: number, e: number, entry: number): void {
    this.keys.find(partner, b, s, e); // (add places what find hashed)
    const key = this.keys.add(partner, b, s, e);
    if (key >= this.keyEntry.length) {
      const bigger = new Int32Array(Math.max(key + 1, this.keyEntry.length * 2));
      bigger.set(this.keyEntry);
      this.keyEntry = bigger;
    }
    this.keyEntry[key] = entry;
  }

  /** Room for n more references (of the bytes per reference so far in the pool), made at once. */
  reserve(n: number): void {
    if (this.count + n > this.start.length) this.resize(this.count + n);
    this.pool.room(Math.ceil(n * (this.count ? this.pool.pos / this.count : 8)));
  }

  text(k: number): string {
    const s = this.start[k]!;
    return s < 0 ? this.numbered[-1 - s]!.prefixText + String(this.end[k]!) : decodeUtf8(this.pool.buf.subarray(s, this.end[k]!));
  }
  source(k: number): number {
    return this.sourceOf[k]!;
  }
  row(k: number): number {
    return this.rowOf[k]!;
  }

  private resize(n: number): void {
    this.start = resized(this.start, n);
    this.end = resized(this.end, n);
    this.sourceOf = resized(this.sourceOf, n);
    this.rowOf = resized(this.rowOf, n);
  }
}
