import { chosenPeriod, describeSpan, latestPeriod, noRowsSentence, noRowsWarning, PeriodSet, periodSpan } from './periods';

describe('periods from the data', () => {
  test('latest and span of ISO months and dates; blanks and nulls are no period', () => {
    expect(latestPeriod(['2024-10', null, '2024-11', '', '2023-12'])).toBe('2024-11');
    expect(latestPeriod([])).toBeNull();
    expect(periodSpan(['2024-11-28', '2024-10-01', undefined])).toEqual({ first: '2024-10-01', last: '2024-11-28' });
    const set = new PeriodSet();
    for (const p of ['2024-11', '2024-10', '2024-11', null]) set.add(p);
    expect([set.size, set.has('2024-10'), set.has('2024-09'), set.latest()]).toEqual([2, true, false, '2024-11']);
  });

  test('the words of a run that selects no row', () => {
    expect(describeSpan({ first: '2024-10', last: '2024-11' })).toBe('2024-10 to 2024-11');
    expect(describeSpan({ first: '2024-11', last: '2024-11' })).toBe('2024-11');
    expect(noRowsSentence({ what: 'transactions', period: '2026-11', span: { first: '2024-10', last: '2024-11' } })).toBe('No transactions in 2026-11; the inputs hold 2024-10 to 2024-11.');
    expect(noRowsSentence({ what: 'transactions', period: '2026-11', scope: ' for Amazon.eu, DE', span: null })).toBe('No transactions in 2026-11 for Amazon.eu, DE; the inputs hold none in any period.');
    expect(noRowsWarning({ what: 'expense lines', period: '2026-11', span: null, source: 'Tuition', code: 'x' })).toMatchObject({ severity: 'warning', source: 'Tuition', column: 'period', value: '2026-11', code: 'x' });
  });

  test('the period asked for wins; a blank one is taken from the data', () => {
    let asked = 0;
    const latest = () => (asked++, '2024-11');
    expect(chosenPeriod(' 2024-09 ', latest)).toEqual({ period: '2024-09', fromData: false });
    expect(asked).toBe(0);
    expect(chosenPeriod('', latest)).toEqual({ period: '2024-11', fromData: true });
    expect(chosenPeriod(undefined, () => null)).toEqual({ period: null, fromData: true });
  });
});
