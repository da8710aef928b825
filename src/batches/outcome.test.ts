import { closableOf, finishedOf, lookedUpSentence, lookUpLabel, notDoneOf, notHandedOnOf, progressSentence, sentBatchSentence, unsureSentence, type ItemCounts } from './outcome';

const counts = (c: Partial<ItemCounts>): ItemCounts => ({ pending: 0, sending: 0, done: 0, failed: 0, needs_review: 0, ...c });

describe('a sent batch in words', () => {
  it('in review: leads with what Zoho holds and what to do, without the zero counts', () => {
    const all = counts({ done: 42 });
    expect(sentBatchSentence('zoho-post', 'needs_review', all, 'open')).toBe('Sent all 42 documents; Zoho differs from what was approved — resolve each finding below.');
    expect(sentBatchSentence('zoho-post', 'needs_review', all, 'listed')).toBe('Sent all 42 documents; Zoho differs from what was approved — open it and resolve each finding.');
    expect(sentBatchSentence('zoho-post', 'needs_review', counts({ done: 40, failed: 2 }), 'open')).toBe('Sent 40 of 42 documents, 2 failed; Zoho differs from what was approved — resolve each finding below.');
  });

  it('posted, failed, cancelled: each says only the counts that ask for something', () => {
    expect(sentBatchSentence('zoho-post', 'done', counts({ done: 42 }), 'open')).toBe('Posted all 42 documents to Zoho Books.');
    expect(sentBatchSentence('zoho-post', 'done', counts({ done: 1 }), 'listed')).toBe('Posted the document to Zoho Books.');
    expect(sentBatchSentence('delivery', 'done', counts({ done: 3 }), 'listed')).toBe('Delivered all 3 files to the partner.');
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 3, failed: 1 }), 'open')).toBe('Not all posted: 1 failed (3 of 4 posted) — see why below, then a preparer prepares a batch of the 1 not posted on the Settlements page.');
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 39, failed: 2, needs_review: 1 }), 'listed')).toBe(
      'Not all posted: 2 failed, 1 to check in Zoho (39 of 42 posted) — open it to see why, then a preparer prepares a batch of the 3 not posted on the Settlements page.',
    );
    expect(sentBatchSentence('delivery', 'failed', counts({ done: 1, failed: 1 }), 'listed')).toBe('Not all delivered: 1 failed (1 of 2 delivered) — open it to see why and send it again.');
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, pending: 37 }), 'open')).toBe('Cancelled after 5 of 42 documents were posted; 37 not sent — a preparer prepares a batch of the 37 not posted on the Settlements page.');
    expect(sentBatchSentence('delivery', 'cancelled', counts({ done: 1, pending: 4 }), 'open')).toBe('Cancelled after 1 of 5 files was delivered; 4 not sent — prepare a new batch for them.');
    expect(sentBatchSentence('delivery', 'cancelled', counts({ pending: 3 }), 'listed')).toBe('Withdrawn or cancelled before anything was sent.');
    expect(sentBatchSentence('zoho-post', 'sending', counts({ done: 37, pending: 5 }), 'listed')).toBe('Posting to Zoho Books: 37 of 42 posted.');
    expect(sentBatchSentence('zoho-post', 'sending', counts({ pending: 42 }), 'listed')).toBe('Posting to Zoho Books.');
    for (const state of ['awaiting_approval', 'approved', 'rejected']) expect(sentBatchSentence('zoho-post', state, counts({ pending: 1 }), 'open')).toBeNull();
  });

  it("as the server tells it (the command line's last line, a refusal to send a finished batch again): where the details are, away from the pane", () => {
    expect(sentBatchSentence('zoho-post', 'done', counts({ done: 2000 }), 'told')).toBe('Posted all 2,000 documents to Zoho Books.');
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 39, failed: 3 }), 'told')).toBe(
      "Not all posted: 3 failed (39 of 42 posted) — see each document's status, then a preparer prepares a batch of the 3 not posted on the Settlements page.",
    );
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 39, failed: 3 }), 'told', { handedOn: [{ batchId: 'bat_2', count: 3 }], notHandedOn: 0 })).toBe(
      "Not all posted: 3 failed (39 of 42 posted) — see each document's status; the 3 not posted went into batch bat_2.",
    );
    expect(sentBatchSentence('zoho-post', 'needs_review', counts({ done: 5 }), 'told')).toBe("Sent all 5 documents; Zoho differs from what was approved — resolve each finding in the batch's details on the Approvals page.");
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, pending: 37 }), 'told')).toBe('Cancelled after 5 of 42 documents were posted; 37 not sent — a preparer prepares a batch of the 37 not posted on the Settlements page.');
  });

  it('in the posting panel, which offers the new batch: the same count as its button, and no "who" or "where"', () => {
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 3, failed: 1 }), 'panel')).toBe('Not all posted: 1 failed (3 of 4 posted) — see why below, then prepare a batch of the 1 not posted.');
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 39, failed: 2, needs_review: 1 }), 'panel')).toBe('Not all posted: 2 failed, 1 to check in Zoho (39 of 42 posted) — see why below, then prepare a batch of the 3 not posted.');
    // not sent and failed alike go in the new batch: it holds every document not posted
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, failed: 1, pending: 36 }), 'panel')).toBe('Cancelled after 5 of 42 documents were posted (1 failed); 36 not sent — prepare a batch of the 37 not posted.');
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, failed: 1 }), 'panel')).toBe('Cancelled after 5 of 6 documents were posted (1 failed) — prepare a batch of the 1 not posted.');
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ pending: 4 }), 'panel')).toBe('Withdrawn or cancelled before anything was sent — prepare a batch of the 4 not posted.');
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ pending: 4 }), 'open')).toBe('Withdrawn or cancelled before anything was sent.');
    // a correction that failed runs again under its approval: no new batch
    expect(sentBatchSentence('zoho-correction', 'failed', counts({ done: 1, failed: 1 }), 'panel')).toBe('Not all removed: 1 failed (1 of 2 removed) — see why below and send it again.');
  });

  it('once the batch of the rest was prepared: where the documents not posted went, in every view, and no offer to prepare it again', () => {
    const into = (...to: [string, number][]) => ({ handedOn: to.map(([batchId, count]) => ({ batchId, count })), notHandedOn: 0 });
    for (const seen of ['open', 'listed', 'panel'] as const) {
      const failed = sentBatchSentence('zoho-post', 'failed', counts({ done: 1, failed: 41 }), seen, into(['bat_x', 41]))!;
      expect(failed).toMatch(/^Not all posted: 41 failed \(1 of 42 posted\) — (see why below|open it to see why); the 41 not posted went into batch bat_x\.$/);
      expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, pending: 37 }), seen, into(['bat_x', 30], ['bat_y', 7]))).toBe('Cancelled after 5 of 42 documents were posted; 37 not sent — the 37 not posted went into batches bat_x (30), bat_y (7).');
      expect(sentBatchSentence('zoho-post', 'cancelled', counts({ pending: 4 }), seen, into(['bat_x', 4]))).toBe('Withdrawn or cancelled before anything was sent — the 4 not posted went into batch bat_x.');
    }
  });

  it('when a batch of the rest took only some: how many went where, and the batch still to prepare for the others', () => {
    const part = { handedOn: [{ batchId: 'bat_x', count: 2 }], notHandedOn: 2 };
    const c = counts({ done: 6, failed: 3, needs_review: 1 });
    expect(sentBatchSentence('zoho-post', 'failed', c, 'panel', part)).toBe('Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below; 2 of the 4 not posted went into batch bat_x; prepare a batch of the 2 left.');
    expect(sentBatchSentence('zoho-post', 'failed', c, 'listed', part)).toBe(
      'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — open it to see why; 2 of the 4 not posted went into batch bat_x; a preparer prepares a batch of the 2 left on the Settlements page.',
    );
    const two = { handedOn: [{ batchId: 'bat_x', count: 30 }, { batchId: 'bat_y', count: 6 }], notHandedOn: 1 };
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, pending: 37 }), 'open', two)).toBe(
      'Cancelled after 5 of 42 documents were posted; 37 not sent — 36 of the 37 not posted went into batches bat_x (30), bat_y (6); a preparer prepares a batch of the 1 left on the Settlements page.',
    );
    // withdrawn before anything was sent: where some went is said in every view, as is what is left
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ pending: 4 }), 'listed', { handedOn: [{ batchId: 'bat_x', count: 3 }], notHandedOn: 1 })).toBe(
      'Withdrawn or cancelled before anything was sent — 3 of the 4 not posted went into batch bat_x; a preparer prepares a batch of the 1 left on the Settlements page.',
    );
    // nothing taken over yet: the store's count is every document not posted
    expect(sentBatchSentence('zoho-post', 'failed', c, 'panel', { handedOn: [], notHandedOn: 4 })).toBe(sentBatchSentence('zoho-post', 'failed', c, 'panel'));
  });

  it('on any hand-on: the counts said add up to the documents not posted, and the batch offered is for those no batch took', () => {
    let seed = 11;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 500; run++) {
      const c = counts({ pending: next(20), done: next(20), failed: next(6), needs_review: next(3) });
      const notDone = notDoneOf(c);
      if (!notDone) continue;
      // split the documents not posted between up to three batches of the rest and those no batch took
      const handedOn: { batchId: string; count: number }[] = [];
      let left = notDone;
      for (const b of ['bat_a', 'bat_b', 'bat_c']) {
        const n = next(3) ? next(left + 1) : 0;
        if (n) handedOn.push({ batchId: b, count: n });
        left -= n;
      }
      const h = { handedOn, notHandedOn: left };
      expect(notHandedOnOf(c, h)).toBe(left);
      for (const state of ['failed', 'cancelled']) {
        for (const seen of ['open', 'listed', 'panel'] as const) {
          const s = sentBatchSentence('zoho-post', state, c, seen, h)!;
          const handed = notDone - left;
          if (!handedOn.length) {
            if (s.includes('not posted')) expect(s).toContain(`of the ${notDone} not posted`);
            continue;
          }
          expect(s).toContain(left ? `${handed} of the ${notDone} not posted went into batch` : `the ${notDone} not posted went into batch`);
          for (const t of handedOn) expect(s).toContain(handedOn.length > 1 ? `${t.batchId} (${t.count})` : `batch ${t.batchId}`);
          if (left) expect(s).toContain(`prepare${seen === 'panel' ? '' : 's'} a batch of the ${left} left`);
          else expect(s).not.toMatch(/prepares? a batch/);
        }
      }
    }
  });

  it('once the rest was closed without posting: who closed how many and why, in every view, and nothing more to prepare', () => {
    const closed = (count: number, reason = 'Refused invoices are not posted; finance decision.') => ({ count, byName: 'alice', reason, at: '2026-12-05T15:00:00Z' });
    const c = counts({ done: 39, failed: 3 });
    for (const seen of ['open', 'listed', 'panel', 'told'] as const) {
      expect(sentBatchSentence('zoho-post', 'failed', c, seen, { handedOn: [], notHandedOn: 0, closed: closed(3) })).toBe(
        'Not all posted: 3 failed (39 of 42 posted) — the 3 not posted were closed without posting by alice: Refused invoices are not posted; finance decision.',
      );
      expect(sentBatchSentence('zoho-post', 'cancelled', counts({ pending: 4 }), seen, { handedOn: [], notHandedOn: 0, closed: closed(4, 'rebuilt one per settlement') })).toBe(
        'Withdrawn or cancelled before anything was sent — the 4 not posted were closed without posting by alice: rebuilt one per settlement.',
      );
    }
    // some went into a batch of the rest, the others were closed: the two add up to the ones not posted
    expect(sentBatchSentence('zoho-post', 'failed', c, 'panel', { handedOn: [{ batchId: 'bat_x', count: 2 }], notHandedOn: 0, closed: closed(1, 'dropped') })).toBe(
      'Not all posted: 3 failed (39 of 42 posted) — 2 of the 3 not posted went into batch bat_x; the other 1 was closed without posting by alice: dropped.',
    );
    expect(sentBatchSentence('zoho-post', 'cancelled', counts({ done: 5, pending: 37 }), 'listed', { handedOn: [{ batchId: 'bat_x', count: 30 }], notHandedOn: 0, closed: closed(7, 'dropped') })).toBe(
      'Cancelled after 5 of 42 documents were posted; 37 not sent — 30 of the 37 not posted went into batch bat_x; the other 7 were closed without posting by alice: dropped.',
    );
    // the one not posted, closed: said in the singular
    expect(sentBatchSentence('zoho-post', 'failed', counts({ done: 4, failed: 1 }), 'open', { handedOn: [], notHandedOn: 0, closed: closed(1, 'dropped') })).toBe(
      'Not all posted: 1 failed (4 of 5 posted) — the 1 not posted was closed without posting by alice: dropped.',
    );
  });

  it('on any hand-on with a close: handed on + closed + left add up to the documents not posted, and a batch is offered only for those left', () => {
    let seed = 5;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 500; run++) {
      const c = counts({ pending: next(20), done: next(20), failed: next(6), needs_review: next(3) });
      const notDone = notDoneOf(c);
      if (notDone < 2) continue;
      const handed = next(notDone);
      const closedN = 1 + next(notDone - handed);
      const left = notDone - handed - closedN;
      const h = { handedOn: handed ? [{ batchId: 'bat_a', count: handed }] : [], notHandedOn: left, closed: { count: closedN, byName: 'alice', reason: 'why.', at: '' } };
      for (const state of ['failed', 'cancelled']) {
        for (const seen of ['open', 'listed', 'panel', 'told'] as const) {
          const s = sentBatchSentence('zoho-post', state, c, seen, h)!;
          const said = [...s.matchAll(/(\d+) (?:of the \d+ not posted )?(?:went into|(?:was|were) closed)|the other (\d+)|the (\d+) not posted (?:was|were) closed|the (\d+) left/g)].map((m) => Number(m[1] ?? m[2] ?? m[3] ?? m[4]));
          expect([s, said.reduce((a, b) => a + b, 0)]).toEqual([s, notDone]);
          expect(s).toContain('closed without posting by alice');
          if (left) expect(s).toContain(`a batch of the ${left} left`);
          else expect(s).not.toMatch(/prepares? a batch/);
        }
      }
    }
  });

  it('the count beside the bar is the number the bar fills to', () => {
    expect(progressSentence('zoho-post', counts({ done: 37, pending: 5 }))).toBe('37 of 42 posted');
    expect(progressSentence('zoho-post', counts({ done: 37, failed: 1, pending: 4 }))).toBe('38 of 42 sent: 37 posted, 1 failed');
  });

  it('on any counts: no zero count is said, every non-zero one that asks for a person is, and the progress count is the finished items', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 500; run++) {
      const c = counts({ pending: next(3) ? 0 : next(50), sending: next(4) ? 0 : next(3), done: next(60), failed: next(3) ? 0 : next(5), needs_review: next(4) ? 0 : next(3) });
      if (c.pending + c.sending + c.done + c.failed + c.needs_review === 0) continue;
      const progress = progressSentence('zoho-post', c);
      expect(progress.startsWith(`${finishedOf(c)} of `)).toBe(true);
      for (const state of ['sending', 'done', 'failed', 'needs_review', 'cancelled']) {
        for (const seen of ['open', 'listed', 'panel'] as const) {
          const s = sentBatchSentence('zoho-post', state, c, seen)!;
          expect(s).not.toMatch(/\b0 (failed|to check|not sent|not posted)/);
          if (s.includes('not posted')) expect(s).toContain(`of the ${notDoneOf(c)} not posted`);
          if (state === 'failed' || state === 'needs_review' || (state === 'cancelled' && finishedOf(c))) {
            if (c.failed) expect(s).toContain(`${c.failed} failed`);
            if (c.needs_review) expect(s).toContain(`${c.needs_review} to check in Zoho`);
          }
        }
      }
    }
  });
});

describe('closing the rest without posting', () => {
  it('closes only the documents left that are surely not in Zoho: not those sent and not confirmed', () => {
    expect(closableOf({ handedOn: [], notHandedOn: 3 })).toBe(3);
    expect(closableOf({ handedOn: [], notHandedOn: 3, unsure: 1 })).toBe(2);
    expect(closableOf({ handedOn: [], notHandedOn: 2, unsure: 2 })).toBe(0);
    expect(closableOf(undefined)).toBe(0);
  });
});

describe('looking up the unsure rest in Zoho', () => {
  it('says what was found, what was not and what to do with it, leaving out what did not happen', () => {
    expect(lookedUpSentence({ found: 2, notFound: 1, toCheck: 0, later: 0 })).toBe('2 found in Zoho and recorded as posted; 1 not in Zoho — it may now be closed without posting or go into a batch of the rest.');
    expect(lookedUpSentence({ found: 0, notFound: 2, toCheck: 0, later: 0 })).toBe('2 not in Zoho — they may now be closed without posting or go into a batch of the rest.');
    expect(lookedUpSentence({ found: 1, notFound: 0, toCheck: 1, later: 0 })).toBe('1 found in Zoho and recorded as posted; 1 still to check in Zoho, which holds a copy not quite ours (see its status).');
    expect(lookedUpSentence({ found: 0, notFound: 0, toCheck: 0, later: 1_200 })).toBe('1,200 sent too recently to be looked up — look again shortly.');
  });

  it('says when the ones sent too recently can be looked up, in UTC', () => {
    expect(lookedUpSentence({ found: 0, notFound: 0, toCheck: 0, later: 2, laterUntil: '2026-12-05T14:05:10.123Z' })).toBe('2 sent too recently to be looked up — looked up after 14:05:10 UTC.');
  });

  it('when Zoho stopped it: why, and how many were not looked up', () => {
    expect(lookedUpSentence({ found: 1, notFound: 0, toCheck: 0, later: 0, stopped: 'Zoho 44: Too many requests.', notAsked: 3 })).toBe(
      '1 found in Zoho and recorded as posted; Zoho stopped the look-up (Zoho 44: Too many requests): the other 3 were not looked up — try again later.',
    );
    expect(lookedUpSentence({ found: 0, notFound: 0, toCheck: 0, later: 0 })).toBe('Nothing was looked up.');
  });

  it('the button and the refusal to close point to the look-up', () => {
    expect(lookUpLabel(3)).toBe('Look up the 3 unsure in Zoho');
    expect(unsureSentence(1, 'bat_1')).toBe(
      'The 1 document not posted in batch bat_1 was sent without Zoho confirming it, so it may be in Zoho already and is not closed without posting: look it up in Zoho from the posting panel (those found are recorded as posted, the others may then be closed), or prepare a batch of the rest, which looks each up before sending anything.',
    );
    expect(unsureSentence(2)).toBe('2 documents sent without Zoho confirming them may be in Zoho already. Looking them up sends nothing: those found are recorded as posted; the others may then be closed without posting or go into a batch of the rest.');
  });
});
