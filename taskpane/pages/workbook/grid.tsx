/** A read-only grid of a sheet as Excel shows it: column letters, sheet row numbers, a highlighted cell. */
import { useEffect, useRef } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { columnLetter, type Cell, type Table } from '../../../src/kernel/table';
import { GRID_ROWS, displayCell, gridWindow } from './grid-model';

export { GRID_ROWS, displayCell, gridWindow };

const useStyles = makeStyles({
  scroller: {
    overflow: 'auto',
    maxHeight: '60vh',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  table: {
    borderCollapse: 'collapse',
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
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    zIndex: 1,
  },
  rowNo: {
    position: 'sticky',
    left: 0,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground3,
    padding: '2px 6px',
    textAlign: 'right',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  td: {
    padding: '2px 6px',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    maxWidth: '220px',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
  header: { fontWeight: tokens.fontWeightSemibold, backgroundColor: tokens.colorNeutralBackground2 },
  number: { textAlign: 'right' },
  highlight: { outline: `2px solid ${tokens.colorPaletteRedBorder2}`, outlineOffset: '-2px', backgroundColor: tokens.colorPaletteRedBackground1 },
});

export interface SheetGridProps {
  table: Table;
  /** 1-based sheet row and column to highlight. */
  highlight?: { row: number; column: number } | null;
}

export function SheetGrid({ table, highlight }: SheetGridProps) {
  const styles = useStyles();
  const marked = useRef<HTMLTableCellElement | null>(null);
  const first = table.firstRowNumber ?? 2;
  const headerRow = first - 1;
  const width = Math.max(table.header.length, ...table.rows.slice(0, GRID_ROWS).map((r) => r.length), 1);
  const hlIndex = highlight && highlight.row >= first ? highlight.row - first : null;
  const { start, end } = gridWindow(table.rows.length, hlIndex);

  useEffect(() => {
    marked.current?.scrollIntoView({ block: 'center', inline: 'center' });
  }, [highlight, table]);

  const cls = (row: number, col: number, c: Cell | undefined, extra?: string) => {
    const hit = !!highlight && highlight.row === row && highlight.column === col + 1;
    return {
      className: mergeClasses(styles.td, typeof c === 'number' && styles.number, extra, hit && styles.highlight),
      ref: hit ? marked : undefined,
      'data-cell': `${columnLetter(col)}${row}`,
    };
  };

  return (
    <div className={styles.scroller}>
      <table className={styles.table} data-testid="sheet-grid">
        <thead>
          <tr>
            <th className={styles.th} />
            {Array.from({ length: width }, (_, i) => (
              <th key={i} className={styles.th}>
                {columnLetter(i)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-row={headerRow} data-kind="header">
            <td className={styles.rowNo}>{headerRow}</td>
            {Array.from({ length: width }, (_, i) => (
              <td key={i} {...cls(headerRow, i, table.header[i], styles.header)}>
                {table.header[i] ?? ''}
              </td>
            ))}
          </tr>
          {table.rows.slice(start, end).map((r, k) => {
            const row = first + start + k;
            return (
              <tr key={row} data-row={row} data-kind="data">
                <td className={styles.rowNo}>{row}</td>
                {Array.from({ length: width }, (_, i) => (
                  <td key={i} {...cls(row, i, r[i])}>
                    {displayCell(r[i])}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
