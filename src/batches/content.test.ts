import {
  describeNeutralised,
  detectDelimiter,
  diffManifests,
  diffRows,
  documentTotals,
  mergeMoneyTotals,
  moneyTotals,
  neutraliseDelimitedText,
  previewDelimited,
  readDelimited,
  scanDelimited,
} from './content';

describe('the formula rule for files that leave', () => {
  it('puts an apostrophe before each formula cell and changes nothing else', () => {
    const text = 'CASE_ID,NOTE,AMOUNT\r\nCB-1,=HYPERLINK("http://x"),-12.50\r\nCB-2,"+1 555 0100",10\r\nCB-3,@SUM(A1),"-3"\r\n';
    const r = neutraliseDelimitedText(text, 'VISA.csv');
    expect(r).toEqual({
      ok: true,
      text: 'CASE_ID,NOTE,AMOUNT\r\nCB-1,\'=HYPERLINK("http://x"),-12.50\r\nCB-2,"\'+1 555 0100",10\r\nCB-3,\'@SUM(A1),"-3"\r\n',
      cells: [
        { row: 2, column: 'NOTE', value: '=HYPERLINK("http://x")' },
        { row: 3, column: 'NOTE', value: '+1 555 0100' },
        { row: 4, column: 'NOTE', value: '@SUM(A1)' },
      ],
    });
  });

  it('catches tab, CR and LF at the start of a cell, in any delimiter, and the header too', () => {
    const r = neutraliseDelimitedText('A;=B\n"\rx";"\nY";\tz\n', 'f.csv');
    expect(r).toMatchObject({ ok: true, text: "A;'=B\n\"'\rx\";\"'\nY\";'\tz\n" });
    expect(r.ok && r.cells.map((c) => [c.row, c.column])).toEqual([
      [1, '=B'],
      [2, 'A'],
      [2, '=B'],
      [2, 'column 3'],
    ]);
  });

  it('leaves a clean file byte for byte, with its BOM and line endings', () => {
    const text = '\uFEFFLEDGER|AMOUNT\r\nUS|-1.00\nEU|2\r\n\r\n';
    expect(neutraliseDelimitedText(text, 'SPURSH.csv')).toEqual({ ok: true, text, cells: [] });
  });

  it('refuses a file it cannot read, naming the row and column', () => {
    const r = neutraliseDelimitedText('A,B\r\n1,"open\r\n2,3\r\n', 'bad.csv');
    expect(r).toEqual({ ok: false, reason: 'bad.csv, row 2, column 2: a quoted cell is not closed before the end of the file, so CloseDesk cannot check it for formulas; fix the file and prepare it again.' });
  });

  it('describes what it changed in one sentence', () => {
    const cells = [1, 2, 3, 4].map((i) => ({ row: i + 1, column: 'NOTE', value: `=A${i}` }));
    expect(describeNeutralised('X.csv', cells)).toBe(
      'X.csv: 4 cells that a spreadsheet would run as a formula now begin with an apostrophe (row 2 NOTE "=A1"; row 3 NOTE "=A2"; row 4 NOTE "=A3" and 1 more).',
    );
    expect(describeNeutralised('X.csv', [])).toBe('');
  });
});

describe('reading delimited text', () => {
  it('detects the delimiter of the first line outside quotes', () => {
    expect(detectDelimiter('a;b;c\n1,2;3')).toBe(';');
    expect(detectDelimiter('"a,b,c"|d|e')).toBe('|');
    expect(detectDelimiter('a\tb')).toBe('\t');
    expect(detectDelimiter('single')).toBe(',');
  });

  it('reads quoted cells with doubled quotes and line breaks; blank lines are left out', () => {
    expect(readDelimited('A,B\n"x ""y""","1\n2"\n\nlast,\n')).toEqual([
      ['A', 'B'],
      ['x "y"', '1\n2'],
      ['last', ''],
    ]);
    const scan = scanDelimited('a,"b"');
    expect(scan.ok && scan.records[0]!.map((c) => c.at)).toEqual([0, 3]);
  });
});

describe('a file as the approver sees it', () => {
  it('first rows, row count and money totals per currency in cents', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `CB-${i + 1},${i % 2 ? 'EUR' : 'USD'},${i + 1}.10,note ${i}`);
    const p = previewDelimited(['CASE_ID,CURRENCY,AMOUNT,NOTE', ...rows].join('\r\n'), 3)!;
    expect(p.header).toEqual(['CASE_ID', 'CURRENCY', 'AMOUNT', 'NOTE']);
    expect(p.rows).toEqual([
      ['CB-1', 'USD', '1.10', 'note 0'],
      ['CB-2', 'EUR', '2.10', 'note 1'],
      ['CB-3', 'USD', '3.10', 'note 2'],
    ]);
    expect(p.rowCount).toBe(25);
    // USD: 1.10 + 3.10 + … + 25.10 (13 rows); EUR: 2.10 + … + 24.10 (12 rows)
    expect(p.totals).toEqual([
      { column: 'AMOUNT', currency: 'USD', cents: 17030, rows: 13 },
      { column: 'AMOUNT', currency: 'EUR', cents: 15720, rows: 12 },
    ]);
  });

  it('sums only columns whose every filled cell is an amount, in the currency’s decimals', () => {
    expect(
      moneyTotals(
        ['LEDGER', 'TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'FUNDING_AMOUNT', 'TOTAL_NOTE'],
        [
          ['US', '10.00', '4.00', '6.00', 'n/a'],
          ['US', '0.01', '', '0.01', 'x'],
        ],
      ),
    ).toEqual([
      { column: 'TRANSACTION_AMOUNT', currency: null, cents: 1001, rows: 2 },
      { column: 'RVR_AMOUNT', currency: null, cents: 400, rows: 1 },
      { column: 'FUNDING_AMOUNT', currency: null, cents: 601, rows: 2 },
    ]);
    expect(moneyTotals(['AMOUNT', 'CURRENCY'], [['100', 'JPY'], ['5', 'jpy']])).toEqual([{ column: 'AMOUNT', currency: 'JPY', cents: 105, rows: 2 }]);
  });

  it('merges several files\u2019 totals per column and currency', () => {
    const usd = { column: 'AMOUNT', currency: 'USD', cents: 150, rows: 2 };
    const eur = { column: 'AMOUNT', currency: 'EUR', cents: 7, rows: 1 };
    expect(mergeMoneyTotals([usd, eur, { ...usd, cents: 25, rows: 1 }])).toEqual([{ ...usd, cents: 175, rows: 3 }, eur]);
    expect(() => mergeMoneyTotals([{ ...usd, cents: Number.MAX_SAFE_INTEGER }, usd])).toThrow(RangeError);
  });

  it('cannot preview what it cannot read', () => {
    expect(previewDelimited('A\n"never closed')).toBeUndefined();
  });
});

describe('Zoho documents as the approver sees them', () => {
  it('count and cents per type and currency, invoices first', () => {
    expect(
      documentTotals([
        { kind: 'journal', currency: 'USD', cents: { total: 500 } },
        { kind: 'invoice', currency: 'USD', cents: { total: 1999 } },
        { kind: 'payment', currency: 'USD', cents: { total: 2998 } },
        { kind: 'invoice', currency: 'USD', cents: { total: 999 } },
        { kind: 'invoice', currency: 'EUR', cents: { total: 100 } },
      ]),
    ).toEqual([
      { kind: 'invoice', currency: 'EUR', count: 1, cents: 100 },
      { kind: 'invoice', currency: 'USD', count: 2, cents: 2998 },
      { kind: 'payment', currency: 'USD', count: 1, cents: 2998 },
      { kind: 'journal', currency: 'USD', count: 1, cents: 500 },
    ]);
  });
});

describe('what changed between versions', () => {
  const e = (key: string, digest: string) => ({ key, kind: 'file', label: `${key}.csv`, digest });

  it('items added, removed and changed by key and digest', () => {
    const d = diffManifests([e('a', '1'), e('b', '2'), e('c', '3')], [e('b', '2'), e('c', '4'), e('d', '5')]);
    expect(d).toEqual({ added: [e('d', '5')], removed: [e('a', '1')], changed: [{ before: e('c', '3'), after: e('c', '4') }], unchanged: 1 });
  });

  it('rows matched on a unique first column', () => {
    const before = [['CASE_ID', 'AMOUNT'], ['CB-1', '1.00'], ['CB-2', '2.00'], ['CB-3', '3.00']];
    const after = [['CASE_ID', 'AMOUNT'], ['CB-1', '1.00'], ['CB-3', '30.00'], ['CB-4', '4.00']];
    expect(diffRows(before, after)).toEqual({
      keyColumn: 'CASE_ID',
      headerChanged: false,
      added: [['CB-4', '4.00']],
      removed: [['CB-2', '2.00']],
      changed: [{ before: ['CB-3', '3.00'], after: ['CB-3', '30.00'] }],
      counts: { added: 1, removed: 1, changed: 1 },
    });
  });

  it('whole rows when the first column repeats, and lists cut to the limit with their counts', () => {
    const before = [['LEDGER', 'AMOUNT'], ['US', '1'], ['US', '1'], ['US', '2']];
    const after = [['LEDGER', 'AMOUNT'], ['US', '1'], ['US', '3'], ['US', '4']];
    expect(diffRows(before, after, 1)).toEqual({
      keyColumn: null,
      headerChanged: false,
      added: [['US', '3']],
      removed: [['US', '1']],
      changed: [],
      counts: { added: 2, removed: 2, changed: 0 },
    });
  });
});
