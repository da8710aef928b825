import { blocking, countBlocking, countWarnings, hasBlocking, isBlocking, problemKinds, problemTemplate, warning } from './problems';

const notInSales = (row: number, order: string) =>
  warning({ source: 'TC_Data', row, column: 'ORDERID', value: order, message: `Order ${order} is not in Sales; the row is still matched.`, code: 'unknown-order' });

describe('blocking helpers', () => {
  const list = [notInSales(2, 'A-1'), blocking({ source: 'x', message: 'Bad.' }), notInSales(3, 'A-2')];

  it('count and find blocking problems and warnings', () => {
    expect(isBlocking(list[1]!)).toBe(true);
    expect(isBlocking(list[0]!)).toBe(false);
    expect(hasBlocking(list)).toBe(true);
    expect(hasBlocking([list[0]!])).toBe(false);
    expect(countBlocking(list)).toBe(1);
    expect(countWarnings(list)).toBe(2);
  });
});

describe('problemTemplate', () => {
  it('leaves out the value and the figures, keeping the sentence', () => {
    expect(problemTemplate(notInSales(2, '111-2223334-5556667'))).toBe('Order … is not in Sales; the row is still matched.');
    expect(problemTemplate({ value: '12.345', message: 'AMOUNT: "12.345" has 3 decimals; the currency allows 2.' })).toBe(
      'AMOUNT: "…" has … decimals; the currency allows ….',
    );
    // Ids that merely contain digits stay: they are words, not figures.
    expect(problemTemplate({ message: 'Customer C10001 spent 5.00 but 2.00 is unmatched.' })).toBe('Customer C10001 spent … but … is unmatched.');
    // a date, a month or a time is one value
    expect(problemTemplate({ message: 'This line is dated 2024-12-03, outside 2024-11; bill it with its own month.' })).toBe('This line is dated …, outside …; bill it with its own month.');
    expect(problemTemplate({ message: 'Not in Zoho when looked up at 2026-12-05 20:15 UTC: not posted.' })).toBe('Not in Zoho when looked up at …: not posted.');
    expect(problemTemplate({ message: 'Looked up at 2026-12-05T20:15:33.315Z and again at 20:16:02.' })).toBe('Looked up at … and again at ….');
  });
});

describe('problemKinds', () => {
  it('groups by severity and code, blocking kinds first, then the most frequent, with the shared sentence as title', () => {
    const problems = [
      notInSales(2, 'A-1'),
      warning({ source: 'TC_Data', row: 4, column: 'CUSTOMERID', value: 'C9', message: 'Customer C9 is not in Customers; the row is still matched.', code: 'unknown-customer' }),
      notInSales(3, 'A-2'),
      blocking({ source: 'TC_Data', row: 5, column: 'AMOUNT', value: 'x', message: 'AMOUNT: "x" is not a number.', code: 'bad-amount' }),
      blocking({ source: 'TC_Data', row: 6, column: 'AMOUNT', value: '1.234', message: 'AMOUNT: "1.234" has 3 decimals; the currency allows 2.', code: 'bad-amount' }),
      notInSales(7, 'A-3'),
    ];
    const kinds = problemKinds(problems);
    expect(kinds.map((k) => [k.severity, k.code, k.indexes, k.title])).toEqual([
      // Two sentences under one code: the code in words names the kind.
      ['blocking', 'bad-amount', [3, 4], 'Bad amount'],
      ['warning', 'unknown-order', [0, 2, 5], 'Order … is not in Sales; the row is still matched.'],
      ['warning', 'unknown-customer', [1], 'Customer … is not in Customers; the row is still matched.'],
    ]);
    expect(new Set(kinds.map((k) => k.key)).size).toBe(3);
  });

  it('groups problems without a code by their sentence', () => {
    const kinds = problemKinds([blocking({ source: 'a', message: 'The file is empty.' }), blocking({ source: 'b', message: 'The file is empty.' }), warning({ source: 'a', message: 'Odd.' })]);
    expect(kinds.map((k) => [k.title, k.indexes.length])).toEqual([
      ['The file is empty.', 2],
      ['Odd.', 1],
    ]);
  });

  it('takes the short name its problems give over a sentence too particular to head a group', () => {
    const ambiguous = (row: number) =>
      warning({
        source: 'learnwell.csv',
        row,
        value: 'sam',
        code: 'ambiguous-learner',
        kind: 'A user name that could be more than one learner',
        message: `For Contoso, "sam" (learnwell.csv row ${row}) could be sam@contoso.example (a.csv row 2) or sam@fabrikam.example (a.csv row 3); it is billed as a learner of its own.`,
      });
    const kinds = problemKinds([ambiguous(2), ambiguous(5)]);
    expect(kinds.map((k) => [k.title, k.indexes])).toEqual([['A user name that could be more than one learner', [0, 1]]]);
    // Without the name, the same problems would be headed by their elided sentence.
    expect(problemKinds([{ ...ambiguous(2), kind: undefined }])[0]!.title).toContain('could be …@contoso.example (a.csv row …)');
  });

  it('is empty for no problems', () => {
    expect(problemKinds([])).toEqual([]);
  });
});
