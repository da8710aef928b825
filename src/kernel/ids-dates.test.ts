import { compareIds, readId } from './ids';
import { excelSerialToIso, isIsoMonth, isoToExcelSerial, readDate, readDateTime } from './dates';

describe('readId', () => {
  it('keeps strings and exact numbers', () => {
    expect(readId('00123')).toEqual({ ok: true, id: '00123' });
    expect(readId(12011454)).toEqual({ ok: true, id: '12011454' });
    expect(readId('12011454.0')).toEqual({ ok: true, id: '12011454' });
    expect(readId('460000000012345678')).toEqual({ ok: true, id: '460000000012345678' });
  });
  it('reports a 17-digit id stored as a number, scientific notation and decimals', () => {
    const big = readId(46000000001234567);
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.reason).toMatch(/too large to be exact/);
    expect(readId('4.6E+16').ok).toBe(false);
    expect(readId(12.5).ok).toBe(false);
    expect(readId('').ok).toBe(false);
  });
  it('orders all-digit ids numerically', () => {
    expect(['10', '9', '100'].sort(compareIds)).toEqual(['9', '10', '100']);
    expect(compareIds('b', 'a')).toBeGreaterThan(0);
  });
});

describe('dates', () => {
  it('reads Excel 1900 serials, including the 1900 leap-year bug', () => {
    expect(excelSerialToIso(1)).toBe('1900-01-01T00:00:00Z');
    expect(excelSerialToIso(61)).toBe('1900-03-01T00:00:00Z');
    expect(excelSerialToIso(45000.5)).toBe('2023-03-15T12:00:00Z');
    expect(isoToExcelSerial('2023-03-15')).toBe(45000);
    expect(isoToExcelSerial('1900-01-01')).toBe(1);
  });
  it('reads the text styles inputs use', () => {
    expect(readDate('2024-11-05')).toEqual({ ok: true, iso: '2024-11-05' });
    expect(readDateTime('2024-11-05 13:04:05')).toMatchObject({ iso: '2024-11-05T13:04:05Z' });
    expect(readDateTime('2024-11-05T13:04:05+01:00')).toMatchObject({ iso: '2024-11-05T12:04:05Z' });
    expect(readDateTime('05.11.2024 13:04:05 UTC')).toMatchObject({ iso: '2024-11-05T13:04:05Z' });
    expect(readDate('11/05/2024')).toEqual({ ok: true, iso: '2024-11-05' });
    expect(readDate('05/11/2024', { slash: 'dmy' })).toEqual({ ok: true, iso: '2024-11-05' });
    expect(readDateTime('11/05/2024 1:04 PM')).toMatchObject({ iso: '2024-11-05T13:04:00Z' });
    expect(readDate(new Date(Date.UTC(2024, 0, 2)))).toEqual({ ok: true, iso: '2024-01-02' });
  });
  it('reports dates that do not exist or cannot be read', () => {
    expect(readDate('2024-02-30').ok).toBe(false);
    expect(readDate('yesterday').ok).toBe(false);
    expect(readDate('').ok).toBe(false);
    expect(readDate(-3).ok).toBe(false);
    expect(isIsoMonth('2024-13')).toBe(false);
    expect(isIsoMonth('2024-11')).toBe(true);
  });
});
