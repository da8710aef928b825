/**
 * The problems of a run, to work through one kind at a time: grouped by kind with counts
 * ("158 × Order … is not in Sales — show"), blocking kinds first, groups folded when the list is
 * long, and the rows virtualised so thousands of problems stay one short scroll box. Clicking a
 * problem selects its cell and scrolls to it: in Excel through Office.js, in the preview on the
 * Workbook page with the cell highlighted.
 */
import { useMemo, useRef, useState } from 'react';
import { Caption1, Subtitle2, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ChevronDown16Regular, ChevronRight16Regular, ErrorCircle16Filled, Warning16Filled } from '@fluentui/react-icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { countBlocking, countWarnings, isBlocking, problemKinds, type Problem, type ProblemKind } from '../../src/kernel/problems';
import { useShell } from '../shell';
import { errorSentence } from './errors';
import { countOf, formatCount } from '../../src/kernel/counts';
import { problemLocation } from './problem-location';
import { problemCell, type RevealOptions } from './reveal-problem';

/** A list this short opens every group: folding it would only add clicks. */
export const OPEN_ALL_UP_TO = 12;

export type ProblemRow = { type: 'kind'; kind: ProblemKind; open: boolean; foldable: boolean } | { type: 'problem'; index: number; kind: ProblemKind };

/** The groups open at first: all of a short list or of a list with one kind; none of a long one. */
export function initiallyOpen(kinds: readonly ProblemKind[], total: number): Set<string> {
  return new Set(kinds.length === 1 || total <= OPEN_ALL_UP_TO ? kinds.map((k) => k.key) : []);
}

/** The rows the list shows: each kind's header, then its problems when it is open. */
export function problemRowsToShow(kinds: readonly ProblemKind[], open: ReadonlySet<string>): ProblemRow[] {
  const rows: ProblemRow[] = [];
  for (const kind of kinds) {
    const isOpen = open.has(kind.key);
    rows.push({ type: 'kind', kind, open: isOpen, foldable: kinds.length > 1 });
    if (isOpen) for (const index of kind.indexes) rows.push({ type: 'problem', index, kind });
  }
  return rows;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  summary: { color: tokens.colorNeutralForeground3 },
  scroller: {
    maxHeight: 'min(60vh, 520px)',
    overflowY: 'auto',
    overflowX: 'hidden',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    contain: 'strict',
  },
  rows: { position: 'relative', width: '100%' },
  row: { position: 'absolute', top: 0, left: 0, width: '100%' },
  button: {
    display: 'grid',
    gridTemplateColumns: '16px minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    border: 'none',
    background: 'none',
    textAlign: 'left',
    width: '100%',
    cursor: 'pointer',
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  kind: { backgroundColor: tokens.colorNeutralBackground2, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, cursor: 'default' },
  foldable: { cursor: 'pointer', ':hover': { backgroundColor: tokens.colorNeutralBackground2Hover } },
  kindLine: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'baseline', minWidth: 0 },
  kindTitle: { flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' },
  fold: { color: tokens.colorBrandForeground1, flexShrink: 0, display: 'inline-flex', alignItems: 'center' },
  problem: { paddingLeft: tokens.spacingHorizontalL },
  current: { backgroundColor: tokens.colorBrandBackground2, ':hover': { backgroundColor: tokens.colorBrandBackground2Hover } },
  icon: { paddingTop: '2px' },
  blocking: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteMarigoldForeground1 },
  location: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  message: { overflowWrap: 'anywhere' },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export interface ProblemsListProps extends Pick<RevealOptions, 'headers' | 'sheetFor'> {
  problems: readonly Problem[];
  /** The heading; "Problems" unless the page says otherwise. */
  title?: string;
  /** The counts in the page's words ("2 failed, 1 to check in Zoho"); blocking problems and warnings unless given. */
  counted?: string;
}

function SeverityIcon({ problem }: { problem: Pick<Problem, 'severity'> }) {
  const styles = useStyles();
  const Icon = isBlocking(problem) ? ErrorCircle16Filled : Warning16Filled;
  return <Icon aria-label={isBlocking(problem) ? 'Blocking problem' : 'Warning'} className={mergeClasses(styles.icon, isBlocking(problem) ? styles.blocking : styles.warning)} />;
}

export function ProblemsList({ problems, headers, sheetFor, title = 'Problems', counted }: ProblemsListProps) {
  const styles = useStyles();
  const shell = useShell();
  const kinds = useMemo(() => problemKinds(problems), [problems]);
  // Folding is kept per list: a new run's problems start folded (or open) afresh.
  const [folding, setFolding] = useState<{ of: readonly Problem[]; open: Set<string> } | null>(null);
  const open = folding?.of === problems ? folding.open : initiallyOpen(kinds, problems.length);
  const rows = useMemo(() => problemRowsToShow(kinds, open), [kinds, open]);
  const [current, setCurrent] = useState<{ of: readonly Problem[]; index: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headerCache = useRef(new Map<string, readonly string[]>());
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.type === 'kind' ? 34 : 48),
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.type === 'kind' ? `k:${r.kind.key}` : `p:${r.index}`;
    },
    overscan: 8,
  });

  function toggle(kind: ProblemKind) {
    const next = new Set(open);
    if (next.has(kind.key)) next.delete(kind.key);
    else next.add(kind.key);
    setFolding({ of: problems, open: next });
  }

  async function reveal(index: number) {
    const p = problems[index]!;
    setError(null);
    setCurrent({ of: problems, index });
    try {
      const found = await problemCell(p, shell.workbook, { headers, sheetFor, cache: headerCache.current });
      if (!found.ok) setError(found.message);
      else await shell.revealCell(found.cell);
    } catch (e) {
      setError(errorSentence(e, 'The cell could not be selected in the workbook.'));
    }
  }

  if (problems.length === 0) return null;
  const blockingCount = countBlocking(problems);
  const warningCount = countWarnings(problems);
  const counts = counted ?? [blockingCount ? countOf(blockingCount, 'blocking problem') : '', warningCount ? countOf(warningCount, 'warning') : ''].filter(Boolean).join(', ');
  const currentIndex = current?.of === problems ? current.index : -1;
  return (
    <section className={styles.root} aria-label={title} data-testid="problems-list">
      <Subtitle2 as="h3">{`${title} (${formatCount(problems.length)})`}</Subtitle2>
      <Caption1 className={styles.summary}>{`${counts}${kinds.length > 1 ? ` of ${formatCount(kinds.length)} kinds` : ''}. Click a problem to see its cell.`}</Caption1>
      {error && <Text className={styles.error}>{error}</Text>}
      <div ref={scroller} className={styles.scroller} style={{ height: Math.min(virtualizer.getTotalSize() + 2, 520) }}>
        <div className={styles.rows} style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className={styles.row} style={{ transform: `translateY(${item.start}px)` }}>
                {row.type === 'kind' ? (
                  <KindHeader row={row} onToggle={() => toggle(row.kind)} />
                ) : (
                  <button
                    type="button"
                    className={mergeClasses(styles.button, styles.problem, row.index === currentIndex && styles.current)}
                    onClick={() => void reveal(row.index)}
                    aria-current={row.index === currentIndex || undefined}
                    title="Show this cell in the workbook"
                    data-testid="problem"
                  >
                    <SeverityIcon problem={problems[row.index]!} />
                    <span>
                      <Caption1 className={styles.location} block>
                        {problemLocation(problems[row.index]!, headers?.[problems[row.index]!.source])}
                        {problems[row.index]!.value ? ` · ${problems[row.index]!.value}` : ''}
                      </Caption1>
                      <Text size={300} className={styles.message}>
                        {problems[row.index]!.message}
                      </Text>
                    </span>
                  </button>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function KindHeader({ row, onToggle }: { row: Extract<ProblemRow, { type: 'kind' }>; onToggle(): void }) {
  const styles = useStyles();
  const count = row.kind.indexes.length;
  const content = (
    <>
      <SeverityIcon problem={row.kind} />
      <span className={styles.kindLine}>
        <Text weight="semibold" className={styles.kindTitle}>{`${formatCount(count)} × ${row.kind.title}`}</Text>
        {row.foldable && (
          <span className={styles.fold}>
            {row.open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
            {row.open ? 'hide' : 'show'}
          </span>
        )}
      </span>
    </>
  );
  // A list of one kind has nothing to fold: its header is a plain line.
  return row.foldable ? (
    <button type="button" className={mergeClasses(styles.button, styles.kind, styles.foldable)} onClick={onToggle} aria-expanded={row.open} data-testid="problem-kind">
      {content}
    </button>
  ) : (
    <div className={mergeClasses(styles.button, styles.kind)} data-testid="problem-kind">
      {content}
    </div>
  );
}
