/**
 * One delivery batch: who prepared it, who may approve (and why not), Approve and Send buttons,
 * a progress bar per file while sending, and each file's receipt once delivered.
 * Used by the Chargebacks page and by the deliveries section of the Activity page.
 */
import { useEffect, useRef, useState } from 'react';
import { Badge, Button, Caption1, MessageBar, MessageBarBody, ProgressBar, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Checkmark20Regular, Send20Regular } from '@fluentui/react-icons';
import { isAbortError } from '../../api';
import { errorSentence } from '../../components';
import { useShell } from '../../shell';
import { sessionUser } from '../../identity';
import { approvalRule, approveDelivery, canSend, describeReceipt, filePercent, followDelivery, getDelivery, startSending, type DeliveryView } from './chargebacks-run';

const useStyles = makeStyles({
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  head: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  file: { display: 'flex', flexDirection: 'column', gap: '2px' },
  meta: { color: tokens.colorNeutralForeground3 },
});

const STATE_COLOR: Record<string, 'informative' | 'success' | 'danger' | 'warning' | 'brand'> = {
  awaiting_approval: 'warning',
  approved: 'brand',
  sending: 'informative',
  done: 'success',
  failed: 'danger',
  rejected: 'danger',
};

export function DeliveryCard({ delivery, onChange, highlight }: { delivery: DeliveryView; onChange?: (d: DeliveryView) => void; highlight?: boolean }) {
  const styles = useStyles();
  const shell = useShell();
  const [d, setD] = useState(delivery);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  useEffect(() => setD(delivery), [delivery]);
  useEffect(() => () => abortRef.current?.abort(), []);

  const update = (next: DeliveryView) => {
    setD(next);
    onChange?.(next);
  };

  const follow = async (id: string) => {
    const controller = new AbortController();
    abortRef.current = controller;
    try {
      await followDelivery(shell.api, id, update, { signal: controller.signal });
    } catch (e) {
      if (!isAbortError(e)) setError(errorSentence(e, 'The delivery could not be followed; the details are in the browser\'s console.'));
    }
  };
  // A batch already sending when shown (another person pressed Send): follow it.
  useEffect(() => {
    if (delivery.batch.state === 'sending') void follow(delivery.batch.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [delivery.batch.id]);

  const rule = approvalRule(sessionUser(shell.session), d);
  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(errorSentence(e, 'That did not work; the details are in the browser\'s console.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.card} data-testid="delivery-card" data-batch={d.batch.id} style={highlight ? { outline: `2px solid ${tokens.colorBrandStroke1}` } : undefined}>
      <div className={styles.head}>
        <Text weight="semibold">
          {d.batch.job} · {d.items.length} file{d.items.length === 1 ? '' : 's'}
        </Text>
        <Badge appearance="tint" color={STATE_COLOR[d.batch.state] ?? 'informative'} data-testid="delivery-state">
          {d.batch.state.replace(/_/g, ' ')}
        </Badge>
      </div>
      <Caption1 className={styles.meta}>
        Batch {d.batch.id} · prepared by {d.batch.preparedByName} · {rule.reason}
      </Caption1>
      <div className={styles.actions}>
        {d.batch.state === 'awaiting_approval' && (
          <Button
            icon={<Checkmark20Regular />}
            disabled={!rule.allowed || busy}
            onClick={() => void act(async () => (await approveDelivery(shell.api, d), update(await getDelivery(shell.api, d.batch.id))))}
            data-testid="delivery-approve"
          >
            Approve
          </Button>
        )}
        {(canSend(d) || d.batch.state === 'sending') && (
          <Button
            appearance="primary"
            icon={<Send20Regular />}
            disabled={busy || d.batch.state === 'sending'}
            onClick={() => void act(async () => (update(await startSending(shell.api, d.batch.id)), void follow(d.batch.id)))}
            data-testid="delivery-send"
          >
            {d.batch.state === 'failed' ? 'Send the rest again' : 'Send'}
          </Button>
        )}
      </div>
      {d.items.map((item) => {
        const receipt = d.receipts.find((r) => r.seq === item.seq);
        return (
          <div key={item.seq} className={styles.file} data-testid="delivery-file">
            <Text size={200}>
              {item.request.fileName} → {item.request.partnerName} ({item.request.protocol.toUpperCase()}) · {item.state.replace(/_/g, ' ')}
            </Text>
            {(item.state === 'sending' || d.batch.state === 'sending') && item.state !== 'done' && <ProgressBar value={filePercent(item) / 100} />}
            {receipt && <Caption1 className={styles.meta} data-testid="delivery-receipt">{describeReceipt(receipt)}</Caption1>}
            {item.error && (
              <Caption1 style={{ color: tokens.colorPaletteRedForeground1 }} data-testid="delivery-error">
                {item.error.replace(/^\[[a-z-]+\]\s*/, '')}
              </Caption1>
            )}
          </div>
        );
      })}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
