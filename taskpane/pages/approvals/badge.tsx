/**
 * The count beside "Approvals" in the navigation: how many batches wait for the signed-in person's
 * decision, counted on the server by the approval rule. Read when she signs in, every half minute,
 * and whenever a decision or change is made in this pane.
 */
import { useEffect, useState } from 'react';
import { CounterBadge } from '@fluentui/react-components';
import { useShell } from '../../shell';
import { onInboxChanged, readWaitingCount } from './inbox-model';

const EVERY_MS = 30_000;

export function ApprovalsBadge() {
  const { api, session } = useShell();
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!session) return;
    let stop = false;
    const read = () =>
      readWaitingCount(api).then(
        (n) => !stop && setCount(n),
        () => undefined, // the badge stays as it was; the page itself shows errors
      );
    void read();
    const timer = setInterval(() => void read(), EVERY_MS);
    const off = onInboxChanged(() => void read());
    return () => {
      stop = true;
      clearInterval(timer);
      off();
    };
  }, [api, session]);
  if (count === 0) return null;
  // Hidden from the tab's accessible name (the page says the count in words); a title for the pointer.
  return <CounterBadge count={count} size="small" color="danger" aria-hidden title={`${count} waiting for your decision`} data-testid="approvals-badge" />;
}
