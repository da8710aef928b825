import { GRID_ROWS, gridWindow, rowsToRead } from './grid-model';

describe('gridWindow', () => {
  it('shows the first 500 rows by default', () => {
    expect(gridWindow(10_000, null)).toEqual({ start: 0, end: GRID_ROWS });
    expect(gridWindow(12, null)).toEqual({ start: 0, end: 12 });
  });

  it('moves the window to a highlighted row further down', () => {
    const w = gridWindow(10_000, 7_000);
    expect(w.start).toBeLessThanOrEqual(7_000);
    expect(w.end).toBeGreaterThan(7_000);
    expect(w.end - w.start).toBe(GRID_ROWS);
    expect(gridWindow(10_000, 9_999)).toEqual({ start: 10_000 - GRID_ROWS, end: 10_000 });
  });
});

describe('rowsToRead', () => {
  it('reads 500 rows, or far enough past a highlighted row to centre it', () => {
    expect(rowsToRead(null)).toBe(GRID_ROWS);
    expect(rowsToRead(20)).toBe(GRID_ROWS);
    expect(rowsToRead(7_000)).toBe(7_250);
  });
});
