/**
 * What the posting panel is told about who holds a batch's documents: computed by the server from
 * its queue, shown by the pane (with a live countdown between polls). One shape for both sides.
 */
/** Who holds the batch's open documents, and what they wait for (the pane's "waiting for the previous worker"). */
export interface LeaseView {
  /** Open documents a worker holds now. */
  held: number;
  /** Of those, held by a worker that stopped beating (a crashed or replaced process): they wait for its lease to run out. */
  heldByStale: number;
  /** Seconds until the last of those leases runs out. */
  staleSecondsLeft: number;
  /** The silent worker (host:pid:…), when there is one. */
  staleWorker: string | null;
  /** An approver may take those documents over now: their holder has been silent for longer than its lease time. */
  takeOverPossible: boolean;
  /** Documents whose look-up waits until a write in flight can no longer land (payments and journals after an unknown outcome). */
  lookUpsWaiting: number;
  lookUpSecondsLeft: number;
}
