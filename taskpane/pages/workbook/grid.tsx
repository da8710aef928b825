/** A read-only grid of a preview sheet as Excel shows it: column letters, row numbers, the selected cell. */
import { useEffect, useRef } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { SheetGrid as GridData } from '../../preview/preview-workbook';
import { gridWindow } from './grid-model';

const useStyles = makeStyles({
  scroller: {
    overflow: 'auto',
    maxHeight: '60vh',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  table: {
    // Separate borders: collapsed ones stay behind when a sticky cell moves, and scrolled text shows through.
    borderCollapse: 'separate',
    borderSpacing: 0,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'nowrap',
  },
  th: {
    position: 'sticky',
    top: 0,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground3,
    fontWeight: tokens.fontWeightRegular,
    padding: '2px 6px',
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    zIndex: 2,
  },
  // The corner stays put both ways, over the column letters and the row numbers.
  corner: { left: 0, zIndex: 3 },
  rowNo: {
    position: 'sticky',
    left: 0,
    zIndex: 1,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground3,
    padding: '2px 6px',
    textAlign: 'right',
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  td: {
    padding: '2px 6px',
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    maxWidth: '220px',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
  number: { textAlign: 'right' },
  highlight: {
    outline: `2px solid ${tokens.colorPaletteRedBorder2}`,
    outlineOffset: '-2px',
    backgroundColor: tokens.colorPaletteRedBackground1,
  },
});

export interface SheetGridProps {
  grid: GridData;
  /** 1-based row and column of the selected cell, if on this sheet. */
  highlight?: { row: number; column: number } | null;
}

/**
 * Scrolls the grid so the cell sits in its middle, then the grid into the page's view. The grid may
 * be hidden (the Workbook page not shown yet): then it waits until it shows.
 */
function scrollCellIntoView(scroller: HTMLElement, cell: HTMLElement): () => void {
  const go = () => {
    const s = scroller.getBoundingClientRect();
    const c = cell.getBoundingClientRect();
    scroller.scrollTop += c.top - s.top - (scroller.clientHeight - c.height) / 2;
    scroller.scrollLeft += c.left - s.left - (scroller.clientWidth - c.width) / 2;
    scroller.scrollIntoView({ block: 'nearest' });
  };
  if (scroller.getClientRects().length > 0) {
    go();
    return () => undefined;
  }
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting || e.boundingClientRect.height > 0)) return;
    seen.disconnect();
    go();
  });
  seen.observe(scroller);
  return () => seen.disconnect();
}

export function SheetGrid({ grid, highlight }: SheetGridProps) {
  const styles = useStyles();
  const scroller = useRef<HTMLDivElement | null>(null);
  const marked = useRef<HTMLTableCellElement | null>(null);
  const hlIndex = highlight ? grid.rows.findIndex((r) => r.rowNumber === highlight.row) : -1;
  const { start, end } = gridWindow(grid.rows.length, hlIndex >= 0 ? hlIndex : null);

  useEffect(() => {
    if (!scroller.current || !marked.current) return;
    return scrollCellIntoView(scroller.current, marked.current);
  }, [highlight, grid]);

  return (
    <div ref={scroller} className={styles.scroller} data-testid="sheet-grid-scroller">
      <table className={styles.table} data-testid="sheet-grid">
        <thead>
          <tr>
            <th className={mergeClasses(styles.th, styles.corner)} />
            {grid.columns.map((c) => (
              <th key={c} className={styles.th}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.slice(start, end).map((r) => (
            <tr key={r.rowNumber} data-row={r.rowNumber}>
              <td className={styles.rowNo}>{r.rowNumber}</td>
              {r.text.map((t, i) => {
                const hit = !!highlight && highlight.row === r.rowNumber && highlight.column === i + 1;
                return (
                  <td
                    key={i}
                    ref={hit ? marked : undefined}
                    data-cell={`${grid.columns[i]}${r.rowNumber}`}
                    data-selected={hit || undefined}
                    className={mergeClasses(styles.td, typeof r.values[i] === 'number' && styles.number, hit && styles.highlight)}
                    title={t.length > 30 ? t : undefined}
                  >
                    {t}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
