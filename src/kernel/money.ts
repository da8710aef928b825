/**
 * Money as integer minor units (cents) with an ISO 4217 currency (docs/rules.md, "Every job").
 *
 * Safe range: every amount and every sum must stay within ±Number.MAX_SAFE_INTEGER minor units
 * (±90 trillion in a 2-decimal currency); `sumCents` checks it so a sum can never silently lose a cent.
 * Floats are never added: text is parsed digit by digit, and Excel doubles are first brought back to
 * the 15 significant digits Excel itself shows, then parsed as text.
 */
import type { Cell } from './table';

export type Cents = number;
export const MAX_SAFE_CENTS = Number.MAX_SAFE_INTEGER;

/** ISO 4217 exponents that are not 2. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

export function minorUnitDigits(currency = 'USD'): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

const PLAIN_POINT = /^-?\d+(?:\.\d+)?$/;
const PLAIN_COMMA = /^-?\d+(?:,\d+)?$/;

export type AmountResult = { ok: true; cents: Cents } | { ok: false; reason: string };

export interface AmountOptions {
  currency?: string;
  /** Decimal separator of text amounts; '.' unless a format says ','. */
  decimal?: '.' | ',';
  /** Round extra decimals half away from zero instead of reporting them. */
  round?: boolean;
}

/**
 * Parses one amount exactly. Accepts numbers (Excel cells) and text such as `1234.56`, `-1,234.56`,
 * `(12.00)`, `$ 12`, `1.234,56` when decimal is ','. Rejects ambiguous grouping such as `12,34,5`.
 */
export function parseAmount(cell: Cell | undefined, options: AmountOptions = {}): AmountResult {
  const digits = minorUnitDigits(options.currency);
  if (cell === null || cell === undefined || cell === '') return { ok: false, reason: 'The amount is empty.' };
  if (typeof cell === 'boolean' || cell instanceof Date) return { ok: false, reason: 'The amount is not a number.' };
  let text: string;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return { ok: false, reason: 'The amount is not a finite number.' };
    // Excel shows at most 15 significant digits; beyond that a double carries binary noise (16.07 → 16.0700000000000003).
    text = plainDecimal(cell);
    return parseDecimalText(text, text, digits, options.round ?? false);
  }
  text = cell.trim();
  // Fast path for the common plain form (settlement files: a million "-12.34"); same result as below.
  const decimalSep = options.decimal ?? '.';
  if ((decimalSep === '.' ? PLAIN_POINT : PLAIN_COMMA).test(text)) {
    const r = parseDecimalText(decimalSep === '.' ? text : text.replace(',', '.'), String(cell), digits, options.round ?? false);
    if (r.ok) return r;
  }
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  text = text.replace(/^[A-Z]{3}\s*/i, '').replace(/\s*[A-Z]{3}$/i, '').replace(/^[$€£¥]\s*/, '').replace(/\s+/g, '');
  if (text.startsWith('+')) text = text.slice(1);
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  }
  if (text.endsWith('-')) {
    negative = !negative;
    text = text.slice(0, -1);
  }
  const decimal = options.decimal ?? '.';
  const group = decimal === '.' ? ',' : '.';
  // Grouping separators are accepted only in groups of three after the first group.
  const [intPart = '', ...fracParts] = text.split(decimal);
  if (fracParts.length > 1) return { ok: false, reason: `"${String(cell)}" has more than one decimal separator.` };
  if (intPart.includes(group)) {
    if (!new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(intPart))
      return { ok: false, reason: `"${String(cell)}" is not an amount: the ${group === ',' ? 'commas' : 'dots'} are not thousands separators.` };
  }
  const normalised = intPart.split(group).join('') + (fracParts.length ? '.' + fracParts[0] : '');
  const r = parseDecimalText(normalised, String(cell), digits, options.round ?? false);
  if (!r.ok) return r;
  return { ok: true, cents: negative && r.cents !== 0 ? -r.cents : r.cents };
}

/** A double as Excel displays it (15 significant digits), in plain decimal notation. */
function plainDecimal(n: number): string {
  const p = Number(n.toPrecision(15));
  if (Number.isInteger(p) && Math.abs(p) < 1e21) return p.toFixed(0);
  // toFixed(20) would re-introduce noise; build from the exponent form instead.
  const [mant, expS] = p.toExponential(14).split('e');
  const exp = Number(expS);
  const neg = mant!.startsWith('-');
  const ds = mant!.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  let out: string;
  if (exp >= 0) {
    out = ds.length > exp + 1 ? ds.slice(0, exp + 1) + '.' + ds.slice(exp + 1) : ds.padEnd(exp + 1, '0');
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + ds;
  }
  return (neg ? '-' : '') + out;
}

/** `text` is the plain decimal to read; `shown` the value as the user wrote it, for the reason. */
function parseDecimalText(text: string, shown: string, digits: number, round: boolean): AmountResult {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return { ok: false, reason: `"${shown}" is not a number.` };
  const neg = m[1] === '-';
  const whole = m[2] || '0';
  let frac = m[3] ?? '';
  let roundUp = false;
  if (frac.length > digits) {
    const extra = frac.slice(digits);
    if (!round && /[1-9]/.test(extra)) {
      return { ok: false, reason: `"${shown}" has ${frac.replace(/0+$/, '').length} decimals; the currency allows ${digits}.` };
    }
    roundUp = extra.charCodeAt(0) >= 53; // '5' or more: half away from zero
    frac = frac.slice(0, digits);
  }
  frac = frac.padEnd(digits, '0');
  const all = (whole + frac).replace(/^0+(?=\d)/, '');
  if (all.length > 15 && BigInt(all) > BigInt(MAX_SAFE_CENTS)) return { ok: false, reason: `"${shown}" is too large to be an amount.` };
  let cents = Number(all) + (roundUp ? 1 : 0);
  if (cents > MAX_SAFE_CENTS) return { ok: false, reason: `"${shown}" is too large to be an amount.` };
  if (neg && cents !== 0) cents = -cents;
  return { ok: true, cents };
}

/** `-1234.56` with the currency's number of decimals, no grouping: the form CSV files and Zoho take. */
export function formatAmount(cents: Cents, currency = 'USD'): string {
  const digits = minorUnitDigits(currency);
  const neg = cents < 0;
  const s = Math.abs(cents).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? s : s.slice(0, -digits) + '.' + s.slice(-digits);
  return (neg ? '-' : '') + body;
}

/**
 * An amount as people read it (the task pane, the customer's approval page and mail): formatAmount's
 * digits grouped in thousands, "-1,234,567.89", as the sheets' "#,##0.00" shows them. Files, sheets'
 * cell values and Zoho take formatAmount's form, which has no grouping to be misread as a separator.
 */
export function displayAmount(cents: Cents, currency = 'USD'): string {
  const plain = formatAmount(cents, currency);
  const from = plain.startsWith('-') ? 1 : 0;
  const dot = plain.indexOf('.');
  const end = dot < 0 ? plain.length : dot;
  let out = plain.slice(0, from);
  for (let i = from; i < end; i++) {
    if (i > from && (end - i) % 3 === 0) out += ',';
    out += plain[i];
  }
  return out + plain.slice(end);
}

/**
 * formatAmount(cents) for a two-decimal currency, written as ASCII bytes into out at pos (which must
 * have room for 20 bytes); returns the position after it. The same rule as formatAmount, without a
 * string per cell: output writers of 10M-row files spend most of their time making those strings.
 */
export function writeAmountAscii(cents: Cents, out: Uint8Array, pos: number): number {
  let a = cents;
  if (a < 0) {
    out[pos++] = 45; // '-'
    a = -a;
  }
  let whole: number;
  let frac: number;
  if (a < 2147483648) {
    // below 2^31 (21 million in whole units): integer arithmetic, several times faster than doubles
    whole = (a / 100) | 0;
    frac = a - whole * 100;
    let n = 1;
    for (let t = whole; t >= 10; t = (t / 10) | 0) n++;
    let p = pos + n - 1;
    do {
      const q = (whole / 10) | 0;
      out[p--] = 48 + whole - q * 10;
      whole = q;
    } while (whole > 0);
    pos += n;
  } else {
    frac = a % 100;
    whole = (a - frac) / 100;
    let n = 1;
    for (let t = whole; t >= 10; t = Math.floor(t / 10)) n++;
    let p = pos + n - 1;
    do {
      const d = whole % 10;
      out[p--] = 48 + d;
      whole = (whole - d) / 10;
    } while (whole > 0);
    pos += n;
  }
  const tens = (frac / 10) | 0;
  out[pos++] = 46; // '.'
  out[pos++] = 48 + tens;
  out[pos++] = 48 + frac - tens * 10;
  return pos;
}

/** Forms of an amount read straight from bytes by `plainAmountAt`. */
export const AMOUNT_INTEGER = 0;
export const AMOUNT_POINT = 1;
export const AMOUNT_COMMA = 2;
export const NOT_PLAIN = 3;

/** The cents of the last `plainAmountAt` that found a plain form. */
export const plainAmount = { cents: 0 };

/**
 * The form of `-?\d{1,13}([.,]\d{1,2})?` at bytes[s, e) — AMOUNT_INTEGER, AMOUNT_POINT or AMOUNT_COMMA, its
 * cents in `plainAmount.cents` (what parseAmount gives for it with two decimals and that separator) —
 * or NOT_PLAIN for any other text, which readers of large files then give to parseAmount. No string is made.
 */
export function plainAmountAt(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const neg = b[i] === 45;
  if (neg) i++;
  let whole = 0;
  const from = i;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) whole = whole * 10 + b[i++]! - 48;
  if (i === from || i - from > 13) return NOT_PLAIN;
  let frac = 0;
  let form = AMOUNT_INTEGER;
  if (i < e) {
    const sep = b[i];
    const fd = e - i - 1;
    if ((sep !== 46 && sep !== 44) || fd < 1 || fd > 2) return NOT_PLAIN;
    const d1 = b[i + 1]! - 48;
    const d2 = fd === 2 ? b[i + 2]! - 48 : 0;
    if (d1 >>> 0 > 9 || d2 >>> 0 > 9) return NOT_PLAIN;
    frac = d1 * 10 + d2;
    form = sep === 46 ? AMOUNT_POINT : AMOUNT_COMMA;
  }
  const cents = whole * 100 + frac;
  plainAmount.cents = neg && cents !== 0 ? -cents : cents;
  return form;
}

/** The decimal number for a sheet cell (display only; never used for arithmetic). */
export function centsToNumber(cents: Cents, currency = 'USD'): number {
  return Number(formatAmount(cents, currency));
}

export function addCents(a: Cents, b: Cents): Cents {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new RangeError(`Sum ${a} + ${b} is outside the safe range of cents.`);
  return s;
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0;
  for (const v of values) total = addCents(total, v);
  return total;
}
