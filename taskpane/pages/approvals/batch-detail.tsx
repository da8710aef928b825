/**
 * One batch opened from the inbox: what it is and who prepared it, the approval rule's answer for
 * the signed-in person, the content as it will leave (with its hash and what changed since the last
 * version), then what she may do now — approve, or reject with a reason; as its preparer, withdraw
 * it or remove items before approval; once approved, send the files or post the documents, with
 * progress and the result. Items that failed or need review show their evidence.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Badge, Button, Caption1, Checkbox, Field, MessageBar, MessageBarBody, Spinner, Subtitle2, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowLeft20Regular, Checkmark20Regular, ChevronDown20Regular, ChevronUp20Regular, Delete20Regular, DismissCircle20Regular, Dismiss20Regular } from '@fluentui/react-icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { errorSentence, formatCount } from '../../components';
import { useShell } from '../../shell';
import { DeliveryCard } from '../chargebacks/delivery-card';
import { getDelivery, type DeliveryView } from '../chargebacks/chargebacks-run';
import ReviewFindings from '../settlements/post-panel-review';
import { ContentReview } from './content-view';
import {
  decide,
  jobLabel,
  preparersText,
  readContent,
  readDetail,
  removeItems,
  shortHash,
  stateText,
  stateTone,
  withdraw,
  type BatchContentView,
  type BatchDetailView,
  type BatchItemView,
  type InboxEntryView,
} from './inbox-model';
import { PostingRun } from './posting-run';
import { utcMinute } from '../../../src/kernel/dates';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: tokens.spacingHorizontalS, minWidth: 0 },
  state: { whiteSpace: 'nowrap', flexShrink: 0 },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  meta: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  items: { overflowY: 'auto', overflowX: 'hidden', maxHeight: '240px', contain: 'strict', border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium },
  itemRow: { position: 'absolute', top: 0, left: 0, width: '100%', minWidth: 0 },
  evidence: { display: 'flex', flexDirection: 'column', gap: '2px', padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground2 },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
});

/** How an item is named on the screen: its file name or document number. */
function itemName(i: BatchItemView): string {
  const r = i.request;
  const body = (r.body ?? {}) as Record<string, unknown>;
  const name = [r.fileName, body.invoice_number, body.reference_number].find((v) => typeof v === 'string' && v !== '');
  if (i.kind === 'file' && name) return String(name);
  return `${i.kind} ${name ? String(name) : `#${i.seq}`}`;
}

function ItemPicker({ items, chosen, onToggle }: { items: readonly BatchItemView[]; chosen: ReadonlySet<number>; onToggle(seq: number): void }) {
  const styles = useStyles();
  const box = useRef<HTMLDivElement>(null);
  // Keyed by item, so a row's measured height stays with its item when others are removed.
  const v = useVirtualizer({ count: items.length, getScrollElement: () => box.current, estimateSize: () => 32, getItemKey: (i) => items[i]!.seq, overscan: 10 });
  return (
    <div ref={box} className={styles.items} style={{ height: Math.min(v.getTotalSize() + 2, 240) }} data-testid="remove-items">
      <div style={{ position: 'relative', height: v.getTotalSize() }}>
        {v.getVirtualItems().map((row) => {
          const item = items[row.index]!;
          return (
            <div key={item.seq} data-index={row.index} ref={v.measureElement} className={styles.itemRow} style={{ transform: `translateY(${row.start}px)` }}>
              <Checkbox checked={chosen.has(item.seq)} onChange={() => onToggle(item.seq)} label={{ children: itemName(item), className: styles.wrap }} data-testid="remove-item" />
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function BatchDetail({ entry, onBack, onChanged }: { entry: InboxEntryView; onBack(): void; onChanged(): void }) {
  const styles = useStyles();
  const { api } = useShell();
  const id = entry.batch.id;
  const [content, setContent] = useState<BatchContentView | null>(null);
  const [detail, setDetail] = useState<BatchDetailView | null>(null);
  const [delivery, setDelivery] = useState<DeliveryView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [showContent, setShowContent] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [c, d] = await Promise.all([readContent(api, id), readDetail(api, id)]);
      setContent(c);
      setDetail(d);
      setDelivery(d.batch.kind === 'delivery' && d.batch.state !== 'awaiting_approval' ? await getDelivery(api, id) : null);
    } catch (e) {
      setError(errorSentence(e, 'The batch could not be read; the details are in the browser\'s console.'));
    }
  }, [api, id]);
  // Read again when the batch moved on (a new version or state), not on every refresh of the inbox.
  useEffect(() => {
    void load();
  }, [load, entry.batch.version, entry.batch.state]);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      onChanged();
      setRejecting(false);
      setReason('');
      setChosen(new Set());
      await load();
    } catch (e) {
      setError(errorSentence(e, 'That did not work; the details are in the browser\'s console.'));
      await load();
    } finally {
      setBusy(false);
    }
  };

  const b = detail?.batch ?? entry.batch;
  const allowed = detail?.allowedActions ?? entry.allowedActions;
  // A Zoho posting lists its documents that need attention itself, as they come (PostingRun): not twice.
  const attention = useMemo(() => (b.kind === 'zoho-post' ? [] : (detail?.items ?? []).filter((i) => i.state === 'failed' || i.state === 'needs_review')), [detail, b.kind]);
  const verdict = entry.verdict;
  const awaiting = b.state === 'awaiting_approval';

  // Once approved: send or post from here, first on the screen; the content stays one click away.
  const sendSection = !awaiting && (
    <>
      {b.kind === 'zoho-post' && <PostingRun batchId={id} onFinished={onChanged} />}
      {/* what the census found once everything was sent: resolved here as on the Settlements page, whichever job posted it */}
      {b.kind === 'zoho-post' && (b.state === 'needs_review' || b.state === 'done' || b.state === 'failed') && <ReviewFindings batchId={id} batchState={b.state} onSettled={onChanged} />}
      {delivery && (
        <DeliveryCard
          delivery={delivery}
          onChange={(d) => {
            setDelivery(d);
            if (d.batch.state !== 'sending') onChanged();
          }}
        />
      )}
    </>
  );
  const attentionSection = attention.length > 0 && (
    <div className={styles.root} data-testid="detail-attention">
      <Text weight="semibold">{`Needs attention (${formatCount(attention.length)})`}</Text>
      {attention.slice(0, 50).map((i) => (
        <div key={i.seq} className={styles.evidence}>
          <Text size={200} className={styles.wrap}>{`${itemName(i)} · ${stateText(i.state)} · ${formatCount(i.attempts)} attempt${i.attempts === 1 ? '' : 's'}`}</Text>
          {i.error && <Caption1 className={styles.error}>{i.error.replace(/^\[[a-z-]+\]\s*/, '')}</Caption1>}
        </div>
      ))}
      {attention.length > 50 && <Caption1>{`… and ${formatCount(attention.length - 50)} more.`}</Caption1>}
    </div>
  );

  return (
    <div className={styles.root} data-testid="batch-detail" data-batch={id}>
      <div>
        <Button appearance="subtle" icon={<ArrowLeft20Regular />} onClick={onBack} data-testid="inbox-back">
          Back to the inbox
        </Button>
      </div>
      <div className={styles.head}>
        <Subtitle2 as="h2" className={styles.wrap}>
          {jobLabel(b)}
        </Subtitle2>
        <Badge appearance="tint" color={stateTone(b.state)} className={styles.state} data-testid="detail-state">
          {stateText(b.state)}
        </Badge>
      </div>
      <Caption1 className={styles.meta}>
        Batch {b.id} · version {b.version} · prepared by {preparersText(b)} · {utcMinute(b.createdAt)}
      </Caption1>
      {awaiting && verdict && (
        <MessageBar intent={verdict.ok ? 'info' : 'warning'} layout="multiline" data-testid="detail-rule">
          <MessageBarBody className={styles.wrap}>
            {verdict.ok ? 'You prepared none of it: review what will leave, then approve or reject it.' : verdict.reason}
          </MessageBarBody>
        </MessageBar>
      )}
      {content?.approvalVoid && (
        <MessageBar intent="warning" layout="multiline" data-testid="detail-void">
          <MessageBarBody className={styles.wrap}>{content.approvalVoid}</MessageBarBody>
        </MessageBar>
      )}
      {content?.matchesApproval === false && (
        <MessageBar intent="error" layout="multiline" data-testid="detail-mismatch">
          <MessageBarBody className={styles.wrap}>
            {`What this batch would send now (${shortHash(content.content.contentHash)}) is not what was approved (${shortHash(content.approvedHash ?? '')}); nothing is sent.`}
          </MessageBarBody>
        </MessageBar>
      )}
      {!content && !error && <Spinner size="tiny" label="Reading what will leave…" />}
      {content && (
        <Caption1 className={styles.meta} data-testid="detail-hash">
          {awaiting
            ? `Content sha256 ${shortHash(content.content.contentHash)} — an approval is for exactly this content.`
            : `Content sha256 ${shortHash(content.content.contentHash)}${content.approvedHash ? ` (approved: ${shortHash(content.approvedHash)})` : ''}`}
        </Caption1>
      )}
      {sendSection}
      {attentionSection}
      {content && (awaiting || showContent) && <ContentReview content={content.content} />}
      {content && !awaiting && (
        <div>
          <Button appearance="secondary" icon={showContent ? <ChevronUp20Regular /> : <ChevronDown20Regular />} onClick={() => setShowContent((v) => !v)} data-testid="detail-show-content">
            {showContent ? 'Hide the content' : 'Show what was approved'}
          </Button>
        </div>
      )}
      {awaiting && allowed.includes('approve') && content && (
        <div className={styles.root}>
          <div className={styles.actions}>
            <Button appearance="primary" icon={<Checkmark20Regular />} disabled={busy} onClick={() => void act(() => decide(api, content, 'approve'))} data-testid="detail-approve">
              Approve
            </Button>
            <Button icon={<DismissCircle20Regular />} disabled={busy} onClick={() => setRejecting((r) => !r)} data-testid="detail-reject-open">
              Reject…
            </Button>
          </div>
          {rejecting && (
            <>
              <Field label="Why do you reject it? The preparer reads this." required>
                <Textarea value={reason} onChange={(_, d) => setReason(d.value)} resize="vertical" data-testid="detail-reason" />
              </Field>
              <div>
                <Button icon={<Dismiss20Regular />} disabled={busy || !reason.trim()} onClick={() => void act(() => decide(api, content, 'reject', reason.trim()))} data-testid="detail-reject">
                  Reject with this reason
                </Button>
              </div>
            </>
          )}
        </div>
      )}
      {awaiting && (allowed.includes('withdraw') || allowed.includes('remove-items')) && detail && (
        <div className={styles.root} data-testid="detail-preparer">
          <Text weight="semibold">Before it is approved</Text>
          {allowed.includes('remove-items') && (
            <>
              <Caption1>Choose items to take out of the batch; it becomes a new version that needs approval.</Caption1>
              <ItemPicker
                items={detail.items}
                chosen={chosen}
                onToggle={(seq) =>
                  setChosen((c) => {
                    const next = new Set(c);
                    if (next.has(seq)) next.delete(seq);
                    else next.add(seq);
                    return next;
                  })
                }
              />
            </>
          )}
          <div className={styles.actions}>
            {allowed.includes('remove-items') && (
              <Button icon={<Delete20Regular />} disabled={busy || chosen.size === 0 || chosen.size >= detail.items.length} onClick={() => void act(() => removeItems(api, b, [...chosen]))} data-testid="detail-remove">
                {`Remove ${formatCount(chosen.size)} item${chosen.size === 1 ? '' : 's'}`}
              </Button>
            )}
            {allowed.includes('withdraw') && (
              <Button icon={<Dismiss20Regular />} disabled={busy} onClick={() => void act(() => withdraw(api, b))} data-testid="detail-withdraw">
                Withdraw the batch
              </Button>
            )}
          </div>
        </div>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline" data-testid="detail-error">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
