/**
 * What will leave, as the approver reviews it before deciding: Zoho documents as totals per type
 * (count and amount per currency) and the first documents; files as a table of their first rows
 * with the row count and money totals, the cells the formula rule neutralised, where each goes;
 * and what changed since the previous version. Tables scroll inside their own box, never the pane.
 */
import { Caption1, MessageBar, MessageBarBody, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { displayAmount } from '../../../src/kernel/money';
import { countOf, formatCount, FigureCards } from '../../components';
import type { ChangedItem as ChangedItemView, ContentView, FileView } from '../../../src/batches';
import { amountText, diffText, documentsOf, rowDiffText, totalsText } from './inbox-model';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground2, minWidth: 0 },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  meta: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  tableBox: { overflowX: 'auto', maxWidth: '100%', maxHeight: '260px', overflowY: 'auto', border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusSmall },
  table: { borderCollapse: 'collapse', fontSize: tokens.fontSizeBase200, fontVariantNumeric: 'tabular-nums' },
  th: { position: 'sticky', top: 0, backgroundColor: tokens.colorNeutralBackground3, textAlign: 'left', padding: '2px 6px', whiteSpace: 'nowrap', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  td: { padding: '2px 6px', whiteSpace: 'nowrap', borderBottom: `1px solid ${tokens.colorNeutralStroke3}` },
  docs: { listStyleType: 'none', margin: 0, padding: 0, maxHeight: '200px', overflowY: 'auto', display: 'flex', flexDirection: 'column', gap: '2px' },
  doc: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, minWidth: 0 },
  money: { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  added: { color: tokens.colorPaletteGreenForeground1 },
  removed: { color: tokens.colorPaletteRedForeground1 },
});

function RowsTable({ header, rows, label, testId }: { header: readonly string[]; rows: readonly (readonly string[])[]; label: string; testId?: string }) {
  const styles = useStyles();
  return (
    <div className={styles.tableBox} tabIndex={0} role="region" aria-label={label}>
      <table className={styles.table} data-testid={testId}>
        <thead>
          <tr>
            {header.map((h, i) => (
              <th key={i} className={styles.th} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {header.map((_, c) => (
                <td key={c} className={styles.td}>
                  {r[c] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FileCard({ file }: { file: FileView }) {
  const styles = useStyles();
  const p = file.preview;
  return (
    <li className={styles.card} data-testid="content-file">
      <Text weight="semibold" className={styles.wrap}>
        {file.fileName}
      </Text>
      <Caption1 className={styles.meta}>
        → {file.partnerName ?? 'partner'} ({(file.protocol ?? '').toUpperCase()} {file.host}
        {file.folder ? `/${file.folder}` : ''}) · {formatCount(file.bytes ?? 0)} bytes{file.encrypted ? ' · encrypted with the partner’s OpenPGP key' : ''}
      </Caption1>
      {p && (
        <>
          <Text size={200} className={styles.wrap} data-testid="content-file-figures">
            {countOf(p.rowCount, 'row')}
            {p.totals.length ? ` · ${totalsText(p.totals)}` : ''}
          </Text>
          <RowsTable header={p.header} rows={p.rows} label={`First rows of ${file.fileName}`} testId="content-file-rows" />
          {p.rowCount > p.rows.length && <Caption1 className={styles.meta}>{`The first ${formatCount(p.rows.length)} of ${formatCount(p.rowCount)} rows.`}</Caption1>}
        </>
      )}
      {file.note && <Caption1 className={styles.meta}>{file.note}</Caption1>}
      {file.neutralisedCount > 0 && (
        <MessageBar intent="warning" layout="multiline" data-testid="content-neutralised">
          <MessageBarBody className={styles.wrap}>
            {`${countOf(file.neutralisedCount, 'cell')} that a spreadsheet would run as a formula now begin with an apostrophe: `}
            {file.neutralised
              .slice(0, 5)
              .map((c) => `row ${c.row} ${c.column} "${c.value}"`)
              .join('; ')}
            {file.neutralisedCount > 5 ? ` and ${formatCount(file.neutralisedCount - 5)} more` : ''}.
          </MessageBarBody>
        </MessageBar>
      )}
    </li>
  );
}

function ChangedItem({ item }: { item: ChangedItemView }) {
  const styles = useStyles();
  return (
    <li className={styles.card} data-testid="diff-changed">
      <Text weight="semibold" className={styles.wrap}>
        {item.label} changed
      </Text>
      {item.rows && (
        <>
          <Caption1>{rowDiffText(item.rows)}</Caption1>
          {item.rows.added.map((r, i) => (
            <Caption1 key={`a${i}`} className={`${styles.wrap} ${styles.added}`}>{`+ ${r.join(', ')}`}</Caption1>
          ))}
          {item.rows.removed.map((r, i) => (
            <Caption1 key={`r${i}`} className={`${styles.wrap} ${styles.removed}`}>{`− ${r.join(', ')}`}</Caption1>
          ))}
          {item.rows.changed.map((c, i) => (
            <Caption1 key={`c${i}`} className={styles.wrap}>{`${c.before.join(', ')} → ${c.after.join(', ')}`}</Caption1>
          ))}
        </>
      )}
      {item.after && <Caption1>{`${amountText(item.before?.cents, item.before?.currency)} → ${amountText(item.after.cents, item.after.currency)}`}</Caption1>}
    </li>
  );
}

export function ContentReview({ content }: { content: ContentView }) {
  const styles = useStyles();
  const docs = content.documents;
  const d = content.diff;
  return (
    <section className={styles.root} aria-label="What will leave" data-testid="content-view">
      {d && (
        <div className={styles.root} data-testid="content-diff">
          <Subtitle2 as="h3">Changes</Subtitle2>
          <Text className={styles.wrap}>{diffText(d)}</Text>
          <ul className={styles.docs}>
            {d.added.map((e) => (
              <li key={`a${e.key}`} className={styles.added}>
                <Caption1>{`+ ${e.label} (added)`}</Caption1>
              </li>
            ))}
            {d.removed.map((e) => (
              <li key={`r${e.key}`} className={styles.removed}>
                <Caption1>{`− ${e.label} (removed)`}</Caption1>
              </li>
            ))}
          </ul>
          <ul className={styles.root} style={{ listStyleType: 'none', margin: 0, padding: 0 }}>
            {d.changed.map((c) => (
              <ChangedItem key={c.key} item={c} />
            ))}
          </ul>
        </div>
      )}
      {docs && (
        <>
          <Subtitle2 as="h3">{`Zoho documents (${formatCount(docs.count)})`}</Subtitle2>
          <FigureCards
            label="Totals per document type"
            testId="content-document-totals"
            cardTestId="content-document-total"
            cards={[...new Set(docs.totals.map((t) => t.kind))].map((kind) => {
              const rows = docs.totals.filter((t) => t.kind === kind);
              return { key: kind, title: documentsOf(kind, rows.reduce((n, t) => n + t.count, 0)), figures: rows.map((t) => [t.currency || 'Amount', displayAmount(t.cents, t.currency || undefined)] as const) };
            })}
          />
          <ul className={styles.docs} aria-label="Documents" data-testid="content-documents">
            {docs.first.map((doc) => (
              <li key={doc.key} className={styles.doc}>
                <Caption1 className={styles.wrap}>{`${doc.kind} ${doc.label}${doc.date ? ` · ${doc.date}` : ''}`}</Caption1>
                <Caption1 className={styles.money}>{amountText(doc.cents, doc.currency)}</Caption1>
              </li>
            ))}
          </ul>
          {docs.count > docs.first.length && <Caption1 className={styles.meta}>{`The first ${formatCount(docs.first.length)} of ${formatCount(docs.count)} documents.`}</Caption1>}
        </>
      )}
      {content.files && (
        <>
          <Subtitle2 as="h3">{`Files (${formatCount(content.files.length)})`}</Subtitle2>
          <ul className={styles.root} style={{ listStyleType: 'none', margin: 0, padding: 0 }}>
            {content.files.map((f) => (
              <FileCard key={f.key} file={f} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
