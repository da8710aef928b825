import { describeDataset, effectiveSelection } from './input-picker';

describe('effectiveSelection', () => {
  const offered = ['Sheet1', 'TC_Data', 'Sales'];

  it('takes what the page prefers until the user chooses; one choice falls back to the first offered', () => {
    expect(effectiveSelection(offered, null, ['TC_Data'], false)).toEqual(['TC_Data']);
    expect(effectiveSelection(offered, null, [], false)).toEqual(['Sheet1']);
    expect(effectiveSelection(offered, null, ['Gone'], false)).toEqual(['Sheet1']);
    expect(effectiveSelection([], null, [], false)).toEqual([]);
    // Several: only what is preferred, nothing by default.
    expect(effectiveSelection(offered, null, ['Sales', 'TC_Data'], true)).toEqual(['Sales', 'TC_Data']);
    expect(effectiveSelection(offered, null, [], true)).toEqual([]);
  });

  it('keeps the user’s choice while it is offered; a removed sheet drops out', () => {
    expect(effectiveSelection(offered, ['Sales'], ['TC_Data'], false)).toEqual(['Sales']);
    expect(effectiveSelection(['Sheet1', 'TC_Data'], ['Sales'], ['TC_Data'], false)).toEqual(['TC_Data']);
    expect(effectiveSelection(['Sheet1'], ['Sales', 'Sheet1'], [], true)).toEqual(['Sheet1']);
    // Unticking everything is a choice too.
    expect(effectiveSelection(offered, [], ['TC_Data'], true)).toEqual([]);
  });
});

test('describeDataset tells two datasets of one name apart', () => {
  expect(describeDataset({ id: 'a', name: 'cm.csv', source: 'vret/cm.csv', columns: ['A', 'B'] })).toBe('vret/cm.csv · 2 columns');
  expect(describeDataset({ id: 'q', name: 'open orders', source: 'erp', kind: 'sql', columns: ['A'] })).toBe('SQL source erp · 1 column');
  expect(describeDataset({ id: 'x', name: 'x' })).toBe('');
});
