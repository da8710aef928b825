/**
 * Reading a server state again while it may still change (a posting running, a batch waiting for its
 * approver, invoices waiting for their customer): one loop for every page, so none leaves a read pending
 * after it stops or restarts. `poll` reads and answers how long to wait before the next read, or null to
 * stop; its signal is aborted when the loop stops or restarts, so a stale read is neither acted on nor
 * left open. A failed read stops the loop and goes to `onError`. The loop starts again whenever `key`
 * changes, and does not run while it is null.
 */
import { useEffect, useRef } from 'react';

/** The loop itself, outside React: starts reading now; the function it returns stops it (and aborts a read in flight). */
export function startPolling(poll: (signal: AbortSignal) => Promise<number | null>, onError: (e: unknown) => void): () => void {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const delay = await poll(controller.signal);
      if (!controller.signal.aborted && delay !== null) timer = setTimeout(() => void tick(), delay);
    } catch (e) {
      if (!controller.signal.aborted) onError(e);
    }
  };
  void tick();
  return () => {
    controller.abort();
    if (timer) clearTimeout(timer);
  };
}

export function usePolling(key: unknown, poll: (signal: AbortSignal) => Promise<number | null>, onError: (e: unknown) => void): void {
  // The page's callbacks, read when needed: new ones each render must not restart the loop.
  const pollRef = useRef(poll);
  pollRef.current = poll;
  const errorRef = useRef(onError);
  errorRef.current = onError;
  useEffect(() => {
    if (key === null || key === undefined) return;
    return startPolling(
      (signal) => pollRef.current(signal),
      (e) => errorRef.current(e),
    );
  }, [key]);
}
