/**
 * Output files written as bytes: a growing buffer that texts (UTF-8), integers, cents and ISO times
 * are written into without a string per cell. Writers of large files (FIFO's CSV outputs, the
 * streaming workbook's sheet XML) use it.
 *
 * Public API
 * - `ByteWriter(size?)`: `buf`/`pos` (callers may write bytes directly after `room(n)`), `byte(c)`, `crlf()`,
 *   `text(s)`, `copy(src, s, e)`, `integer(n)`, `isoSecond(ms)`, `cents(c)`, `take()`.
 */
import { writeAmountAscii } from './money';

const DAY_MS = 86_400_000;
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * A growing byte buffer for output files (CSV, sheet XML), written cell by cell without making a string per row
 * (on 10M rows the strings and their UTF-8 encoding were most of the write time). Text is encoded
 * as UTF-8 by hand (src has no TextEncoder types); lone surrogates become U+FFFD, as Node writes them.
 */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1 << 20) {
    this.buf = new Uint8Array(size);
  }
  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }
  crlf(): void {
    this.room(2);
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }
  text(s: string): void {
    this.room(s.length * 3);
    const out = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) out[pos++] = c;
      else if (c < 0x800) {
        out[pos++] = 0xc0 | (c >> 6);
        out[pos++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            out[pos++] = 0xf0 | (cp >> 18);
            out[pos++] = 0x80 | ((cp >> 12) & 63);
            out[pos++] = 0x80 | ((cp >> 6) & 63);
            out[pos++] = 0x80 | (cp & 63);
            continue;
          }
          c = 0xfffd;
        }
        out[pos++] = 0xe0 | (c >> 12);
        out[pos++] = 0x80 | ((c >> 6) & 63);
        out[pos++] = 0x80 | (c & 63);
      }
    }
    this.pos = pos;
  }
  /** Bytes src[s..e) copied in: by hand, as a native copy of a few bytes costs more than the loop. */
  copy(src: Uint8Array, s: number, e: number): void {
    this.room(e - s);
    const b = this.buf;
    let p = this.pos;
    for (let k = s; k < e; k++) b[p++] = src[k]!;
    this.pos = p;
  }
  /** A non-negative integer below 2^53, as String(n) writes it. */
  integer(n: number): void {
    this.room(16);
    let k = 1;
    while (k < 16 && n >= POW10[k]!) k++;
    const out = this.buf;
    let p = this.pos + k;
    this.pos = p;
    // above 32 bits one digit at a time in doubles; below, two at a time in integer arithmetic
    while (n >= 4294967296) {
      const q = Math.floor(n / 10);
      out[--p] = 48 + (n - q * 10);
      n = q;
    }
    let m = n >>> 0;
    while (m >= 100) {
      const q = (m / 100) >>> 0;
      const r = m - q * 100;
      out[--p] = 48 + (r % 10);
      out[--p] = 48 + ((r / 10) | 0);
      m = q;
    }
    if (m >= 10) {
      out[--p] = 48 + (m % 10);
      out[--p] = 48 + ((m / 10) | 0);
    } else out[--p] = 48 + m;
  }
  /**
   * isoDateTime(ms) (`YYYY-MM-DDTHH:MM:SSZ`) for whole seconds in years 0000–9999, from the day number
   * by arithmetic (H. Hinnant's civil_from_days): no Date object and no string per row.
   */
  isoSecond(ms: number): void {
    const day = Math.floor(ms / DAY_MS);
    let sec = (ms - day * DAY_MS) / 1000;
    const z = day + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    this.room(20);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 48 + Math.floor(y / 1000);
    b[p++] = 48 + (Math.floor(y / 100) % 10);
    b[p++] = 48 + (Math.floor(y / 10) % 10);
    b[p++] = 48 + (y % 10);
    b[p++] = 45;
    b[p++] = 48 + Math.floor(m / 10);
    b[p++] = 48 + (m % 10);
    b[p++] = 45;
    b[p++] = 48 + Math.floor(d / 10);
    b[p++] = 48 + (d % 10);
    b[p++] = 84; // 'T'
    const h = Math.floor(sec / 3600);
    sec -= h * 3600;
    const mi = Math.floor(sec / 60);
    sec -= mi * 60;
    b[p++] = 48 + Math.floor(h / 10);
    b[p++] = 48 + (h % 10);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(mi / 10);
    b[p++] = 48 + (mi % 10);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(sec / 10);
    b[p++] = 48 + (sec % 10);
    b[p++] = 90; // 'Z'
    this.pos = p;
  }
  /** formatAmount(cents) for a two-decimal currency (see the kernel's writeAmountAscii). */
  cents(c: number): void {
    this.room(24);
    this.pos = writeAmountAscii(c, this.buf, this.pos);
  }
  /** The bytes written so far (a view: valid until the next write), and starts over. */
  take(): Uint8Array {
    const v = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return v;
  }
}
