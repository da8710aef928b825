/** What the preview grid shows: cell text and which rows. Kept apart from React so it is testable on its own. */
import type { Cell } from '../../../src/kernel/table';

export const GRID_ROWS = 500;

/** How the grid shows a cell value (the e2e test reads cells back through the same rules). */
export function displayCell(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return c.toISOString().replace(/T00:00:00\.000Z$/, '');
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  return String(c);
}

/** Which data rows to show: the first 500, or 500 around a highlighted row further down. */
export function gridWindow(rowCount: number, highlightIndex: number | null): { start: number; end: number } {
  if (highlightIndex === null || highlightIndex < GRID_ROWS) return { start: 0, end: Math.min(rowCount, GRID_ROWS) };
  const start = Math.max(0, Math.min(highlightIndex - GRID_ROWS / 2, rowCount - GRID_ROWS));
  return { start, end: Math.min(rowCount, start + GRID_ROWS) };
}
