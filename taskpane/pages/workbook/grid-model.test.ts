import { displayCell, GRID_ROWS, gridWindow } from './grid-model';

describe('displayCell', () => {
  it('shows cells as Excel would', () => {
    expect(displayCell(null)).toBe('');
    expect(displayCell('00123')).toBe('00123');
    expect(displayCell(1234.5)).toBe('1234.5');
    expect(displayCell(true)).toBe('TRUE');
    expect(displayCell(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
    expect(displayCell(new Date('2026-03-01T10:30:00Z'))).toBe('2026-03-01T10:30:00.000Z');
  });
});

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
