/**
 * The shared list of row-level problems (src/kernel Problem[]): severity icon, location as the
 * spreadsheet names it (TC_Data!E7), and the sentence. Clicking a problem selects the cell;
 * in preview mode the Workbook page opens on that sheet with the cell highlighted.
 */
import { useState } from 'react';
import { Caption1, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ErrorCircle16Filled, Warning16Filled } from '@fluentui/react-icons';
import type { Problem } from '../../src/kernel/problems';
import { columnIndexOf, problemLocation } from './problem-location';
import { useShell } from '../shell';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  item: {
    display: 'grid',
    gridTemplateColumns: '16px 1fr',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    border: 'none',
    background: 'none',
    textAlign: 'left',
    width: '100%',
    cursor: 'pointer',
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  icon: { paddingTop: '2px' },
  blocking: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteMarigoldForeground1 },
  location: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export interface ProblemsListProps {
  problems: readonly Problem[];
  /** Headers of the sheets the problems point at (source → header), so columns show as letters. */
  headers?: Readonly<Record<string, readonly string[]>>;
  /** Longer lists are cut here (a list of thousands helps nobody); the count of the rest is shown. */
  maxItems?: number;
}

export function ProblemsList({ problems, headers, maxItems = 500 }: ProblemsListProps) {
  const styles = useStyles();
  const shell = useShell();
  const [error, setError] = useState<string | null>(null);

  async function reveal(p: Problem) {
    setError(null);
    try {
      let header = headers?.[p.source];
      const sheets = await shell.workbook.listSheets();
      if (!sheets.includes(p.source)) {
        setError(`The sheet ${p.source} is not in this workbook, so the cell cannot be shown.`);
        return;
      }
      if (!header && p.column) header = (await shell.workbook.readSheet(p.source)).header;
      const col = Math.max(0, columnIndexOf(header, p.column));
      await shell.revealCell({ sheet: p.source, row: p.row ?? 1, column: col + 1 });
    } catch (e) {
      setError(`The cell could not be selected: ${(e as Error).message}`);
    }
  }

  const shown = problems.slice(0, maxItems);
  return (
    <div data-testid="problems-list">
      {error && <Text className={styles.error}>{error}</Text>}
      <ul className={styles.list}>
        {shown.map((p, i) => {
          const Icon = p.severity === 'blocking' ? ErrorCircle16Filled : Warning16Filled;
          const label = p.severity === 'blocking' ? 'Blocking problem' : 'Warning';
          return (
            <li key={i}>
              <button
                type="button"
                className={styles.item}
                onClick={() => void reveal(p)}
                title="Show this cell in the workbook"
              >
                <Icon aria-label={label} className={mergeClasses(styles.icon, p.severity === 'blocking' ? styles.blocking : styles.warning)} />
                <span>
                  <Caption1 className={styles.location} block>
                    {problemLocation(p, headers?.[p.source])}
                    {p.value ? ` · ${p.value}` : ''}
                  </Caption1>
                  <Text size={300}>{p.message}</Text>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {problems.length > shown.length && (
        <Caption1>
          {problems.length - shown.length} more problems are not shown; fix the ones above first.
        </Caption1>
      )}
    </div>
  );
}
