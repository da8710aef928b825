/**
 * Deliveries and receipts for the Activity page: recent file-delivery batches of every job
 * (chargebacks, SPURSH, tuition) with their state, approval, per-file progress and receipts.
 * The ribbon's "Send files" opens Activity; batches ready to send are then listed first and outlined.
 */
import { useCallback, useEffect, useState } from 'react';
import { Caption1, MessageBar, MessageBarBody, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { errorSentence } from '../../components';
import { useShell } from '../../shell';
import { canSend, listDeliveries, type DeliveryView } from './chargebacks-run';
import { DeliveryCard } from './delivery-card';

const useStyles = makeStyles({ list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

export function DeliveriesSection({ refreshKey = 0 }: { refreshKey?: number }) {
  const styles = useStyles();
  const shell = useShell();
  const [list, setList] = useState<DeliveryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sendRequested = shell.ribbonCommand?.name === 'SendFiles';

  const load = useCallback(async () => {
    setError(null);
    try {
      setList(await listDeliveries(shell.api));
    } catch (e) {
      setError(errorSentence(e, 'The file deliveries could not be listed; the details are in the browser\'s console.'));
    }
  }, [shell.api]);
  useEffect(() => {
    if (shell.session) void load();
  }, [load, refreshKey, shell.ribbonCommand?.at, shell.session]);

  if (!shell.session) return null;
  const ordered = list ? (sendRequested ? [...list.filter(canSend), ...list.filter((d) => !canSend(d))] : list) : [];
  return (
    <section data-testid="deliveries">
      <Subtitle2 as="h2" block>
        File deliveries
      </Subtitle2>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {list !== null && list.length === 0 && <Caption1>No file deliveries yet. Prepare one on the Chargebacks page.</Caption1>}
      {sendRequested && list !== null && !list.some(canSend) && <Caption1>No approved batch is waiting to be sent.</Caption1>}
      <div className={styles.list}>
        {ordered.map((d) => (
          <DeliveryCard key={d.batch.id} delivery={d} highlight={sendRequested && canSend(d)} />
        ))}
      </div>
    </section>
  );
}
