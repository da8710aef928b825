/**
 * The inbox as a list a person works through: groups (waiting for your decision, approved and to
 * send, yours, someone else's, finished) with counts, each batch one card-like row — what and where
 * to, who prepared it and when, totals and items, state, and what she can do next. The rows are
 * virtualised, so a month-end with hundreds of batches stays one short scroll box.
 */
import { useMemo, useRef } from 'react';
import { Badge, Caption1, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatCount } from '../../components';
import {
  groupInbox,
  handedOnWhole,
  jobLabel,
  nextStepText,
  preparersText,
  stateText,
  stateTone,
  summaryText,
  whenText,
  type InboxEntryView,
  type InboxGroup,
} from './inbox-model';

const useStyles = makeStyles({
  scroller: { overflowY: 'auto', overflowX: 'hidden', contain: 'strict', border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium },
  rows: { position: 'relative', width: '100%' },
  row: { position: 'absolute', top: 0, left: 0, width: '100%' },
  group: {
    display: 'flex',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  entry: {
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    width: '100%',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    border: 'none',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    background: 'none',
    textAlign: 'left',
    cursor: 'pointer',
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  line: { display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: tokens.spacingHorizontalS, minWidth: 0 },
  title: { minWidth: 0, overflowWrap: 'anywhere' },
  state: { whiteSpace: 'nowrap', flexShrink: 0 },
  meta: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  money: { fontVariantNumeric: 'tabular-nums', overflowWrap: 'anywhere' },
  // the next step of a batch that asks for a person (failed, or Zoho differs), which carries its counts
  attention: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
});

type Row = { type: 'group'; group: InboxGroup } | { type: 'entry'; entry: InboxEntryView };

function EntryRow({ entry, now, onOpen }: { entry: InboxEntryView; now: number; onOpen(id: string): void }) {
  const styles = useStyles();
  const b = entry.batch;
  const asks = (b.state === 'failed' && !handedOnWhole(entry)) || b.state === 'needs_review';
  return (
    <button type="button" className={styles.entry} onClick={() => onOpen(b.id)} data-testid="inbox-row" data-batch={b.id} aria-label={`${jobLabel(b)}, ${stateText(b.state)}, prepared by ${preparersText(b)}`}>
      <span className={styles.line}>
        <Text weight="semibold" className={styles.title}>
          {jobLabel(b)}
        </Text>
        <Badge appearance="tint" color={stateTone(b.state)} size="small" className={styles.state} data-testid="inbox-state">
          {stateText(b.state)}
        </Badge>
      </span>
      <Caption1 className={styles.meta}>
        {preparersText(b)} · {whenText(b.createdAt, now)} · v{b.version}
      </Caption1>
      <Text size={200} className={styles.money} data-testid="inbox-totals">
        {summaryText(entry.summary, entry.itemCount)}
      </Text>
      <Caption1 className={asks ? styles.attention : styles.meta} data-testid="inbox-next">
        {nextStepText(entry)}
      </Caption1>
    </button>
  );
}

export function InboxList({ entries, now, onOpen }: { entries: readonly InboxEntryView[]; now: number; onOpen(id: string): void }) {
  const styles = useStyles();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useMemo<Row[]>(() => groupInbox(entries).flatMap((group): Row[] => [{ type: 'group', group }, ...group.entries.map((entry): Row => ({ type: 'entry', entry }))]), [entries]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.type === 'group' ? 30 : 104),
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.type === 'group' ? `g:${r.group.key}` : `b:${r.entry.batch.id}`;
    },
    overscan: 6,
  });
  return (
    <div ref={scroller} className={styles.scroller} style={{ height: Math.min(virtualizer.getTotalSize() + 2, 640), maxHeight: '70vh' }} data-testid="inbox-list">
      <div className={styles.rows} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          return (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className={styles.row} style={{ transform: `translateY(${item.start}px)` }}>
              {row.type === 'group' ? (
                <div className={styles.group} data-testid="inbox-group" data-group={row.group.key}>
                  <Text weight="semibold">{row.group.title}</Text>
                  <Caption1>{formatCount(row.group.entries.length)}</Caption1>
                </div>
              ) : (
                <EntryRow entry={row.entry} now={now} onOpen={onOpen} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
