/** Accounting periods: the run's period is `YYYY-MM`; input rows may say `2024-11`, `202411`, `NOV-24` or `Nov-2024`. */
import { isIsoMonth } from '../kernel/dates';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** `YYYY-MM`, or null when the text is not a period. */
export function normalisePeriod(text: string): string | null {
  const t = text.trim().toUpperCase();
  if (isIsoMonth(t)) return t;
  let m = /^(\d{4})(\d{2})$/.exec(t);
  if (m && isIsoMonth(`${m[1]}-${m[2]}`)) return `${m[1]}-${m[2]}`;
  m = /^([A-Z]{3})-(\d{2}|\d{4})$/.exec(t);
  if (m) {
    const mo = MONTHS.indexOf(m[1]!);
    if (mo < 0) return null;
    const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    return `${year}-${String(mo + 1).padStart(2, '0')}`;
  }
  return null;
}

/** Last calendar day of a `YYYY-MM` period, the default accounting date. */
export function periodEnd(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 0));
  return d.toISOString().slice(0, 10);
}

/** Oracle-style period name `NOV-24`. */
export function periodName(period: string): string {
  const [y, m] = period.split('-') as [string, string];
  return `${MONTHS[Number(m) - 1]}-${y.slice(2)}`;
}
