import { tableFromValues, type Cell } from '../kernel';
import { buildTuitionMonth, expenseSheets, invoiceTotals, readMonthLines, tablesFeed } from './month';

const BP = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const line = (ref: string, date: string, amount: Cell = '10.00', currency = 'USD'): Cell[] => [ref, 'Contoso Ltd', 'a@contoso.test', 'Tuition', amount, currency, date];
const bp = (rows: Cell[][]) => tableFromValues('bp.csv', [BP, ...rows]);

describe('the month a tuition build bills', () => {
  test('no month asked: the latest month the lines are dated in; lines of other months stay problems of their own', async () => {
    const all = await readMonthLines(tablesFeed([bp([line('B1', '11/02/2024'), line('B2', '11/03/2024')])]), {});
    expect([all.month, all.monthFromData, all.noRows, all.lines.length, all.problems]).toEqual(['2024-11', true, null, 2, []]);
    const mixed = await readMonthLines(tablesFeed([bp([line('B1', '10/31/2024'), line('B2', '11/03/2024')])]), {});
    expect([mixed.month, mixed.lines.map((l) => l.reference), mixed.problems.map((p) => [p.code, p.row])]).toEqual(['2024-11', ['B2'], [['outside-month', 2]]]);
  });

  test('a month asked for that no line is dated in: one warning with the months held, once, whatever the number of lines', async () => {
    const rows = Array.from({ length: 70 }, (_, i) => line(`B${i}`, i % 2 ? '10/15/2024' : '11/15/2024'));
    let passes = 0;
    const feed = tablesFeed([bp(rows)]);
    const r = await readMonthLines((reader) => (passes++, feed(reader)), { month: '2026-11' });
    expect(r.problems).toEqual([
      { severity: 'warning', source: 'Tuition', column: 'period', value: '2026-11', message: 'No expense lines in 2026-11; the inputs hold 2024-10 to 2024-11.', code: 'no-lines-in-month' },
    ]);
    expect([r.month, r.monthFromData, r.lines, passes]).toEqual(['2026-11', false, [], 2]);
    // The month does hold lines: one read, the other month's lines blocking one by one (the partner must date them right).
    passes = 0;
    const nov = await readMonthLines((reader) => (passes++, feed(reader)), { month: '2024-11' });
    expect([nov.lines.length, nov.problems.length, nov.problems.every((p) => p.code === 'outside-month' && p.severity === 'blocking'), nov.noRows, passes]).toEqual([35, 35, true, null, 1]);
  });

  test('no dated line at all: the build asks for the month', async () => {
    const r = await buildTuitionMonth(tablesFeed([bp([])]), {});
    expect(r.problems.map((p) => p.code)).toEqual(['no-month']);
    expect([r.blocked, r.invoices]).toEqual([true, []]);
  });

  test('invoices, totals per currency, and the problems read before come first', async () => {
    const before = [{ severity: 'warning' as const, source: 'x.xlsx', message: 'note', code: 'n' }];
    const r = await buildTuitionMonth(tablesFeed([bp([line('B1', '11/02/2024', '10.00'), line('B2', '11/03/2024', '5.00', 'EUR')])]), { month: '2024-11' }, before);
    expect(r.problems).toEqual(before);
    expect(r.totals).toEqual([
      { currency: 'EUR', cents: 500, invoices: 1 },
      { currency: 'USD', cents: 1000, invoices: 1 },
    ]);
    expect(invoiceTotals([])).toEqual([]);
  });

  test("a workbook's sheets with expense lines; none is one problem", () => {
    const empty = tableFromValues('lw.xlsx Notes', [['']]);
    const lines = bp([line('B1', '11/02/2024')]);
    expect(expenseSheets('lw.xlsx', [empty, lines]).tables).toEqual([lines]);
    expect(expenseSheets('lw.xlsx', [empty]).problems).toMatchObject([{ source: 'lw.xlsx', code: 'empty-file', message: 'lw.xlsx has no sheet with expense lines.' }]);
  });
});
