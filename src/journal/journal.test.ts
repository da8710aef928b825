import { buildGldiSheet, GLDI_HEADER_LABELS } from './gldi';
import { checkJournalRange, JournalAccumulator, journalBalances, NetAccumulator, sideTotals, validateJournal, type Journal, type Segments } from './journal';
import { sheetCells } from '../workbook/cells';

const seg = (acct: string, over: Partial<Segments> = {}): Segments => ({ CO: '010', LOC: '0001', CC: '0000', ACCT: acct, PROD: '1810', CHAN: '1015', PROJ: '0000', ...over });

const good: Journal = {
  ledger: 'Amazon.eu',
  currency: 'EUR',
  name: 'J1',
  lines: [
    { segments: seg('13209'), debit: 10_000, credit: 0, description: 'receivable' },
    { segments: seg('48550'), debit: 0, credit: 7_001, description: 'funding' },
    { segments: seg('20321'), debit: 0, credit: 2_999, description: 'rvr' },
  ],
};

describe('journal', () => {
  test('balances per currency over several journals', () => {
    const usd: Journal = { ...good, currency: 'USD', name: 'J2', lines: [good.lines[0]!, { ...good.lines[1]!, credit: 9_000 }] };
    expect(journalBalances([good, usd])).toEqual([
      { currency: 'EUR', debits: 10_000, credits: 10_000, difference: 0 },
      { currency: 'USD', debits: 10_000, credits: 9_000, difference: 1_000 },
    ]);
    expect(validateJournal(good)).toEqual([]);
    const p = validateJournal(usd);
    expect(p.map((x) => x.code)).toEqual(['journal-unbalanced']);
    expect(p[0]!.message).toContain('difference 10.00');
  });

  test('a line needs exactly one side, a journal two lines, every segment', () => {
    const j: Journal = { ...good, lines: [{ segments: seg('13209', { PROJ: '' }), debit: 5, credit: 5, description: 'both' }] };
    const codes = validateJournal(j).map((p) => p.code).sort();
    expect(codes).toEqual(['journal-line-sides', 'journal-segment', 'journal-too-short']);
    const neither: Journal = { ...good, lines: [...good.lines, { segments: seg('1'), debit: 0, credit: 0, description: '' }] };
    expect(validateJournal(neither).map((p) => p.code)).toEqual(['journal-line-sides']);
  });

  test('accumulator nets by segments and turns a negative debit into a credit', () => {
    const a = new JournalAccumulator();
    a.post(seg('13209'), 500, 'r');
    a.post(seg('13209'), -800, 'r');
    a.post(seg('52910'), 300, 'f');
    a.post(seg('52910', { CC: '0100' }), 0, 'f');
    expect(a.toLines()).toEqual([
      { segments: seg('13209'), debit: 0, credit: 300, description: 'r' },
      { segments: seg('52910'), debit: 300, credit: 0, description: 'f' },
    ]);
  });

  test('net accumulator: any line key, merged descriptions, checked side totals', () => {
    const a = new NetAccumulator<{ account: string; note: string }>((x, y) => ({ account: x.account, note: `${x.note}; ${y.note}` }));
    a.post('Fees', { account: 'Fees', note: 'commission' }, 1_250);
    a.post('Bank', { account: 'Bank', note: 'deposit' }, 10_000);
    a.post('Fees', { account: 'Fees', note: 'refund commission' }, -50);
    a.post('Zero', { account: 'Zero', note: 'nothing' }, 0);
    expect(a.net()).toBe(11_200);
    a.post('Clearing', { account: 'Clearing', note: 'clearing' }, -a.net());
    const sides = a.toSides();
    expect(sides).toEqual([
      { item: { account: 'Fees', note: 'commission; refund commission' }, debit: 1_200, credit: 0 },
      { item: { account: 'Bank', note: 'deposit' }, debit: 10_000, credit: 0 },
      { item: { account: 'Clearing', note: 'clearing' }, debit: 0, credit: 11_200 },
    ]);
    expect(sideTotals(sides)).toEqual({ debits: 11_200, credits: 11_200, difference: 0 });
    expect(() => sideTotals([{ debit: Number.MAX_SAFE_INTEGER, credit: 0 }, { debit: 1, credit: 0 }])).toThrow(RangeError);
  });

  test('GLDI sheet: header block then lines, segments as text with leading zeros', () => {
    const spec = buildGldiSheet([good], { source: 'Vendor Returns', category: 'VR', accountingDate: '2024-11-30', period: 'NOV-24', batchName: 'B1' });
    expect(spec.preamble![0]).toEqual([...GLDI_HEADER_LABELS]);
    expect(spec.preamble![1]).toEqual(['Amazon.eu', 'Vendor Returns', 'VR', 'EUR', '2024-11-30', 'NOV-24', 'B1', 'J1', '', 'No', '']);
    expect(spec.columns.map((c) => c.header)).toEqual(['Journal Name', 'CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ', 'Debit', 'Credit', 'Line Description']);
    expect(spec.rows[1]).toEqual(['J1', '010', '0001', '0000', '48550', '1810', '1015', '0000', '', 7_001, 'funding']);
    const cells = sheetCells(spec);
    const line = cells.values[cells.firstDataIndex]!;
    expect(line.slice(1, 3)).toEqual(['010', '0001']);
    expect(cells.numberFormats[cells.firstDataIndex]![1]).toBe('@');
    expect(line[8]).toBe(100);
  });

  test('checkJournalRange reads a headed range or two bare columns', () => {
    const headed = checkJournalRange([
      ['ACCT', 'Debit', 'Credit'],
      ['13209', 100.1, ''],
      ['48550', '', '100.10'],
    ]);
    expect(headed.balances).toEqual([{ currency: 'USD', debits: 10_010, credits: 10_010, difference: 0 }]);
    const bare = checkJournalRange([
      [10, 0],
      [0, 7.5],
    ]);
    expect(bare.balances[0]!.difference).toBe(250);
    const bad = checkJournalRange([
      ['Debit', 'Credit'],
      ['abc', 1],
    ]);
    expect(bad.problems[0]).toMatchObject({ row: 2, column: 'Debit', code: 'bad-amount' });
  });
});
