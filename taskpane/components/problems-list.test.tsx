/** The problems list: kinds with counts, folded when long, rows to show; and its first render. */
import { renderToString } from 'react-dom/server';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { blocking, problemKinds, warning, type Problem } from '../../src/kernel/problems';
import { PreviewWorkbook } from '../preview/preview-workbook';
import { ShellContext, type Shell } from '../shell';
import { OPEN_ALL_UP_TO, ProblemsList, initiallyOpen, problemRowsToShow } from './problems-list';

const notInSales = (i: number) =>
  warning({ source: 'TC_Data', row: i + 2, column: 'ORDERID', value: `111-${i}`, message: `Order 111-${i} is not in Sales; the row is still matched.`, code: 'unknown-order' });
const overspend = blocking({ source: 'TC_Data', row: 9, column: 'AMOUNT', value: '-5', message: 'Customer C2 spent 5.00 but only 3.00 was open.', code: 'unmatched' });

test('a long list starts folded, one kind or a short list starts open', () => {
  const long: Problem[] = [...Array.from({ length: 158 }, (_, i) => notInSales(i)), overspend];
  const kinds = problemKinds(long);
  expect(initiallyOpen(kinds, long.length).size).toBe(0);
  const rows = problemRowsToShow(kinds, initiallyOpen(kinds, long.length));
  expect(rows.map((r) => (r.type === 'kind' ? `${r.kind.indexes.length} × ${r.kind.title}` : r.index))).toEqual([
    '1 × Customer C2 spent … but only … was open.',
    '158 × Order … is not in Sales; the row is still matched.',
  ]);
  // Opening one kind shows its problems under its header, in list order.
  const open = problemRowsToShow(kinds, new Set([kinds[1]!.key]));
  expect(open).toHaveLength(2 + 158);
  expect(open[2]).toEqual({ type: 'problem', index: 0, kind: kinds[1] });

  const short = [notInSales(1), overspend];
  expect(initiallyOpen(problemKinds(short), short.length).size).toBe(2);
  expect(problemRowsToShow(problemKinds(short), initiallyOpen(problemKinds(short), short.length)).every((r) => r.type === 'problem' || r.foldable)).toBe(true);
  const oneKind = Array.from({ length: OPEN_ALL_UP_TO + 5 }, (_, i) => notInSales(i));
  const k1 = problemKinds(oneKind);
  const rows1 = problemRowsToShow(k1, initiallyOpen(k1, oneKind.length));
  // One kind: nothing to fold, every problem listed.
  expect(rows1[0]).toMatchObject({ type: 'kind', foldable: false, open: true });
  expect(rows1).toHaveLength(1 + oneKind.length);
});

test('renders the heading with counts per severity and nothing for no problems', () => {
  const preview = PreviewWorkbook.empty();
  const shell = { workbook: preview, preview, revealCell: async () => undefined } as unknown as Shell;
  const render = (problems: Problem[]) =>
    renderToString(
      <FluentProvider theme={webLightTheme}>
        <ShellContext.Provider value={shell}>
          <ProblemsList problems={problems} />
        </ShellContext.Provider>
      </FluentProvider>,
    );
  const html = render([notInSales(1), notInSales(2), overspend]);
  expect(html).toContain('Problems (3)');
  expect(html).toContain('1 blocking problem, 2 warnings of 2 kinds.');
  expect(render([])).not.toContain('problems-list');
});
