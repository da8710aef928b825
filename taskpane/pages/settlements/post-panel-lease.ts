/**
 * What the posting panel says about who holds a batch's documents (the progress route's `leases`):
 * after a crash or a redeploy the previous worker's documents wait for its lease, with a countdown
 * the pane keeps live between polls; a holder silent for longer than its lease time may be taken
 * over by an approver; a document whose answer was lost waits until a late write can be seen.
 */
import type { LeaseView } from '../../../src/zoho';

export type { LeaseView };

/** Seconds left now, counted down from what the server said `elapsedMs` ago. */
export function secondsLeft(said: number, elapsedMs: number): number {
  return Math.max(0, Math.ceil(said - elapsedMs / 1000));
}

export interface LeaseNotes {
  /** "Resuming after a restart — waiting for the previous worker's lease (N s)". */
  waiting: string | null;
  /** Documents whose look-up waits for a late write. */
  lookUps: string | null;
  /** An approver may take the documents over (their holder is silent for longer than its lease time). */
  canTakeOver: boolean;
}

export function leaseNotes(batchState: string, leases: LeaseView | undefined, elapsedMs: number, roles: readonly string[]): LeaseNotes {
  if (batchState !== 'sending' || !leases) return { waiting: null, lookUps: null, canTakeOver: false };
  const wait = secondsLeft(leases.staleSecondsLeft, elapsedMs);
  const look = secondsLeft(leases.lookUpSecondsLeft, elapsedMs);
  const n = leases.lookUpsWaiting;
  return {
    waiting: leases.heldByStale > 0 ? `Resuming after a restart — waiting for the previous worker's lease (${wait} s)` : null,
    lookUps: n > 0 && look > 0 ? `${n} document${n === 1 ? '' : 's'} lost ${n === 1 ? 'its' : 'their'} answer from Zoho; checked in ${look} s, once a late write would show, before anything is sent again.` : null,
    canTakeOver: leases.takeOverPossible && roles.includes('approver'),
  };
}
