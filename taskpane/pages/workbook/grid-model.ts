/** Which rows the preview grid shows. Kept apart from React so it is testable on its own. */

export const GRID_ROWS = 500;

/** Rows to ask the workbook for: the first 500, or enough to reach a highlighted row further down. */
export function rowsToRead(highlightRow: number | null): number {
  return highlightRow === null ? GRID_ROWS : Math.max(GRID_ROWS, highlightRow + GRID_ROWS / 2);
}

/** Which of the rows read to show (0-based, end exclusive): the first 500, or 500 around a highlighted row. */
export function gridWindow(rowCount: number, highlightIndex: number | null): { start: number; end: number } {
  if (highlightIndex === null || highlightIndex < GRID_ROWS) return { start: 0, end: Math.min(rowCount, GRID_ROWS) };
  const start = Math.max(0, Math.min(highlightIndex - GRID_ROWS / 2, rowCount - GRID_ROWS));
  return { start, end: Math.min(rowCount, start + GRID_ROWS) };
}
