/**
 * Dates are ISO strings in the engine, UTC unless an input says otherwise (docs/rules.md, "Every job").
 * Accepted: ISO dates and date-times, Excel 1900-system serials, `dd.mm.yyyy[ HH:MM:SS][ UTC]`
 * (Amazon EU settlement style) and slash dates (`mm/dd/yyyy` unless the format says `dmy`).
 */
import type { Cell } from './table';

export type DateResult = { ok: true; iso: string } | { ok: false; reason: string };
export type DateTimeResult = { ok: true; iso: string; epochMs: number } | { ok: false; reason: string };

export interface DateOptions {
  slash?: 'mdy' | 'dmy';
}

const MS_PER_DAY = 86_400_000;
// Excel's day 0 is 1899-12-31, and it counts a 29 Feb 1900 that never was (serial 60), so from
// serial 61 on, serial 1 day = 1899-12-30 + serial days.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export function excelSerialToEpochMs(serial: number): number {
  const s = serial < 61 ? serial + 1 : serial;
  return Math.round(EXCEL_EPOCH_MS + s * MS_PER_DAY);
}

export function excelSerialToIso(serial: number): string {
  return isoDateTime(excelSerialToEpochMs(serial));
}

export function isoToExcelSerial(iso: string): number {
  const ms = Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  const s = (ms - EXCEL_EPOCH_MS) / MS_PER_DAY;
  return s < 61 ? s - 1 : s;
}

/** `2024-11-05T13:04:05Z` (milliseconds only when present). */
export function isoDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  const s = d.toISOString();
  return d.getUTCMilliseconds() === 0 ? s.slice(0, 19) + 'Z' : s;
}

/** An ISO time as people read it, to the minute: `2024-11-05 13:04 UTC`. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000 || y > 9999) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?$/i;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2}))?$/i;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?(?:\s*(UTC|GMT|Z|PST|PDT|[+-]\d{2}:?\d{2}))?$/i;

function offsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0;
  const z = zone.toUpperCase();
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  if (z === 'PST') return -480;
  if (z === 'PDT') return -420;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function build(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, zone?: string): DateTimeResult {
  if (!validYmd(y, mo, d)) return { ok: false, reason: 'is not a real calendar date' };
  if (h > 23 || mi > 59 || s > 59) return { ok: false, reason: 'has a time that does not exist' };
  const off = offsetMinutes(zone);
  if (off === null) return { ok: false, reason: `has an unknown time zone ${zone}` };
  const epochMs = Date.UTC(y, mo - 1, d, h, mi, s, ms) - off * 60_000;
  return { ok: true, iso: isoDateTime(epochMs), epochMs };
}

export function readDateTime(cell: Cell | undefined, options: DateOptions = {}): DateTimeResult {
  const fail = (why: string): DateTimeResult => ({ ok: false, reason: `"${String(cell ?? '')}" ${why}.` });
  if (cell === null || cell === undefined || cell === '') return { ok: false, reason: 'The date is empty.' };
  if (cell instanceof Date) {
    const t = cell.getTime();
    return Number.isNaN(t) ? fail('is not a date') : { ok: true, iso: isoDateTime(t), epochMs: t };
  }
  if (typeof cell === 'number') {
    // Excel serials: 1 = 1900-01-01; 2958465 = 9999-12-31.
    if (!(cell >= 1 && cell < 2958466)) return fail('is not an Excel date serial');
    const epochMs = excelSerialToEpochMs(cell);
    return { ok: true, iso: isoDateTime(epochMs), epochMs };
  }
  if (typeof cell !== 'string') return fail('is not a date');
  const text = cell.trim();
  let m = ISO.exec(text);
  if (m) {
    const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
    const r = build(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms, m[8]);
    return r.ok ? r : fail(r.reason);
  }
  m = DOTTED.exec(text);
  if (m) {
    const r = build(+m[3]!, +m[2]!, +m[1]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0, m[7]);
    return r.ok ? r : fail(r.reason);
  }
  m = SLASHED.exec(text);
  if (m) {
    const [a, b] = [+m[1]!, +m[2]!];
    const [mo, d] = (options.slash ?? 'mdy') === 'mdy' ? [a, b] : [b, a];
    let h = +(m[4] ?? 0);
    const ampm = m[7]?.toUpperCase();
    if (ampm) {
      if (h < 1 || h > 12) return fail('has a time that does not exist');
      h = (h % 12) + (ampm === 'PM' ? 12 : 0);
    }
    const r = build(+m[3]!, mo, d, h, +(m[5] ?? 0), +(m[6] ?? 0), 0, m[8]);
    return r.ok ? r : fail(r.reason);
  }
  if (/^\d+(\.\d+)?$/.test(text)) return readDateTime(Number(text), options);
  return fail('is not a date in a known format (use YYYY-MM-DD)');
}

export function readDate(cell: Cell | undefined, options: DateOptions = {}): DateResult {
  const r = readDateTime(cell, options);
  return r.ok ? { ok: true, iso: r.iso.slice(0, 10) } : r;
}

export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && validYmd(+m[1]!, +m[2]!, +m[3]!);
}

/** `YYYY-MM` with a real month. */
export function isIsoMonth(s: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  return !!m && +m[2]! >= 1 && +m[2]! <= 12;
}
