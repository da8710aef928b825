/**
 * Identifiers are strings end to end (docs/rules.md, "Every job"). Excel keeps 15 significant digits and
 * JavaScript numbers are exact only up to 2^53, so an id that arrives as a number beyond that, or
 * written in scientific notation, has already lost digits: it is reported, never rounded.
 */
import type { Cell } from './table';

export type IdResult = { ok: true; id: string } | { ok: false; reason: string };

const SCIENTIFIC = /^[+-]?\d+(\.\d+)?e[+-]?\d+$/i;

export function readId(cell: Cell | undefined): IdResult {
  if (cell === null || cell === undefined) return { ok: false, reason: 'The id is empty.' };
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return { ok: false, reason: 'The id is not a number or text.' };
    if (!Number.isInteger(cell)) return { ok: false, reason: `The id ${cell} has decimals; ids are whole numbers or text.` };
    if (!Number.isSafeInteger(cell))
      return {
        ok: false,
        reason: `The id ${String(cell)} is stored as a number too large to be exact (over 15 digits); store the column as text.`,
      };
    return { ok: true, id: String(cell) };
  }
  if (typeof cell === 'boolean' || cell instanceof Date) return { ok: false, reason: `"${String(cell)}" is not an id.` };
  const text = cell.trim();
  if (text === '') return { ok: false, reason: 'The id is empty.' };
  if (SCIENTIFIC.test(text))
    return { ok: false, reason: `The id "${text}" is in scientific notation, so its digits are lost; store the column as text.` };
  // Ids exported through pandas or Excel often arrive as "12011454.0": exact, so accepted.
  const float = /^(\d+)\.0+$/.exec(text);
  if (float) return { ok: true, id: float[1]! };
  return { ok: true, id: text };
}

/** Compares ids numerically when both are all digits (TRANS_ID order), else as text. */
export function compareIds(a: string, b: string): number {
  const da = /^\d+$/.test(a);
  const db = /^\d+$/.test(b);
  if (da && db) {
    const ta = a.replace(/^0+(?=\d)/, '');
    const tb = b.replace(/^0+(?=\d)/, '');
    if (ta.length !== tb.length) return ta.length - tb.length;
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
