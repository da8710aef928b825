import { blocking } from '../../src/kernel/problems';
import { columnIndexOf, problemLocation } from './problem-location';

const header = ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'Amount'];

describe('problemLocation', () => {
  it('names the cell the way Excel does when the header is known', () => {
    const p = blocking({ source: 'TC_Data', row: 7, column: 'AMOUNT', value: 'x', message: 'The amount x is not a number.' });
    expect(problemLocation(p, header)).toBe('TC_Data!E7');
  });

  it("falls back to the kernel's wording without a header", () => {
    const p = blocking({ source: 'cm.csv', row: 7, column: 'AMOUNT', message: 'Bad amount.' });
    expect(problemLocation(p)).toBe('cm.csv row 7, column AMOUNT');
  });

  it('names only the source for a whole-table problem', () => {
    expect(problemLocation(blocking({ source: 'Sales', message: 'The sheet is empty.' }), header)).toBe('Sales');
  });

  it('matches headers the way findColumns does (case, spaces, underscores)', () => {
    expect(columnIndexOf(['Trans Id', 'x'], 'TRANS_ID')).toBe(0);
    expect(columnIndexOf(header, 'NOPE')).toBe(-1);
  });
});
