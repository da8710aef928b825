import { leaseNotes, secondsLeft, type LeaseView } from './post-panel-lease';

const leases = (p: Partial<LeaseView>): LeaseView => ({ held: 0, heldByStale: 0, staleSecondsLeft: 0, staleWorker: null, takeOverPossible: false, lookUpsWaiting: 0, lookUpSecondsLeft: 0, ...p });

describe('posting panel: leases after a restart', () => {
  it('counts down from what the server said', () => {
    expect(secondsLeft(9, 0)).toBe(9);
    expect(secondsLeft(9, 2_500)).toBe(7);
    expect(secondsLeft(9, 20_000)).toBe(0);
  });

  it('says it waits for the previous worker, with the seconds left', () => {
    const l = leases({ held: 4, heldByStale: 3, staleSecondsLeft: 9, staleWorker: 'old-host:41:abc' });
    expect(leaseNotes('sending', l, 3_000, ['preparer'])).toEqual({ waiting: "Resuming after a restart — waiting for the previous worker's lease (6 s)", lookUps: null, canTakeOver: false });
    expect(leaseNotes('done', l, 0, ['preparer']).waiting).toBeNull();
    expect(leaseNotes('sending', leases({ held: 2 }), 0, ['preparer']).waiting).toBeNull();
  });

  it('offers the take-over to an approver only, and explains a look-up that waits', () => {
    const l = leases({ heldByStale: 1, staleSecondsLeft: 3000, takeOverPossible: true, lookUpsWaiting: 1, lookUpSecondsLeft: 4 });
    expect(leaseNotes('sending', l, 0, ['approver']).canTakeOver).toBe(true);
    expect(leaseNotes('sending', l, 0, ['preparer']).canTakeOver).toBe(false);
    expect(leaseNotes('sending', l, 1_000, ['approver']).lookUps).toBe('1 document lost its answer from Zoho; checked in 3 s, once a late write would show, before anything is sent again.');
  });
});
