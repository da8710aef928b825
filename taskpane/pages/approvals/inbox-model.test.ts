import { diffText, groupInbox, groupOf, handedOnWhole, jobLabel, nextStepText, preparersText, rowDiffText, summaryText, totalsText, whenText, type InboxEntryView } from './inbox-model';

const entry = (id: string, state: string, extra: Partial<InboxEntryView> = {}, createdAt = '2024-11-30T10:00:00.000Z'): InboxEntryView => ({
  batch: { id, job: 'chargebacks', kind: 'delivery', state, version: 1, preparedBy: 'iss#alice', preparedByName: 'alice', preparers: [{ id: 'iss#alice', name: 'alice' }], createdAt, updatedAt: createdAt, payload: {} },
  itemCount: 1,
  itemStates: { pending: 1, sending: 0, done: 0, failed: 0, needs_review: 0 },
  summary: null,
  contentHash: null,
  lastDecision: null,
  approvedBy: null,
  verdict: state === 'awaiting_approval' ? { ok: true } : null,
  allowedActions: [],
  mine: false,
  ...extra,
});

describe('the inbox in groups', () => {
  it('what waits for your decision first, then what to send, yours, someone else’s, finished; each newest first', () => {
    const groups = groupInbox([
      entry('old-decide', 'awaiting_approval', {}, '2024-11-01T00:00:00Z'),
      entry('done', 'done'),
      entry('mine', 'awaiting_approval', { verdict: { ok: false, code: 'maker-checker', reason: 'You prepared batch mine, so someone else must approve it.' }, mine: true }),
      entry('other', 'awaiting_approval', { verdict: { ok: false, code: 'wrong-role', reason: 'no role' } }),
      entry('new-decide', 'awaiting_approval', {}, '2024-12-01T00:00:00Z'),
      entry('failed', 'failed', {}, '2024-11-15T00:00:00Z'),
      entry('review', 'needs_review', {}, '2024-11-10T00:00:00Z'),
      entry('approved', 'approved', {}, '2024-11-05T00:00:00Z'),
      entry('rejected', 'rejected'),
    ]);
    expect(groups.map((g) => [g.key, g.entries.map((e) => e.batch.id)])).toEqual([
      ['decide', ['new-decide', 'old-decide']],
      ['send', ['failed', 'review', 'approved']],
      ['yours', ['mine']],
      ['others', ['other']],
      ['finished', ['done', 'rejected']],
    ]);
    expect(groupInbox([])).toEqual([]);
  });
});

describe('a batch in words', () => {
  it('names the job and where it goes', () => {
    expect(jobLabel({ job: 'settlements', kind: 'zoho-post' })).toBe('Settlements → Zoho Books');
    expect(jobLabel({ job: 'vret', kind: 'delivery' })).toBe('SPURSH files → partner');
    expect(jobLabel({ job: 'tuition', kind: 'delivery' })).toBe('Tuition files → partner');
    expect(jobLabel({ job: 'fifo', kind: 'export' })).toBe('fifo (export)');
    expect(jobLabel({ job: 'settlements', kind: 'zoho-correction' })).toBe('Settlements → Zoho Books: correction');
  });

  it('totals per document type, or the files’ rows and first money column', () => {
    expect(
      summaryText(
        {
          items: 4,
          documents: [
            { kind: 'invoice', currency: 'USD', count: 2, cents: 2998 },
            { kind: 'invoice', currency: 'EUR', count: 1, cents: 100 },
            { kind: 'payment', currency: 'USD', count: 1, cents: 2998 },
          ],
        },
        4,
      ),
    ).toBe('3 invoices 29.98 USD + 1.00 EUR · 1 payment 29.98 USD');
    expect(
      summaryText({ items: 2, files: 2, rows: 60, totals: [{ column: 'AMOUNT', currency: 'USD', cents: 123456, rows: 50 }, { column: 'AMOUNT', currency: 'EUR', cents: 5, rows: 10 }, { column: 'FEE', currency: null, cents: 1, rows: 1 }] }, 2),
    ).toBe('2 files · 60 rows · AMOUNT 1,234.56 USD, 0.05 EUR');
    expect(summaryText(null, 3)).toBe('3 items');
    // a correction: the copies it removes, with no total of its own
    expect(summaryText({ items: 1, documents: [{ kind: 'remove-journal', currency: '', count: 1, cents: 0 }] }, 1)).toBe('1 extra journal copy to remove');
    expect(totalsText([{ column: 'AMOUNT', currency: 'USD', cents: 1025, rows: 2 }, { column: 'FEE', currency: null, cents: -5, rows: 1 }])).toBe('AMOUNT 10.25 USD · FEE -0.05');
  });

  it('who, when, and what needs a person', () => {
    expect(preparersText({ preparedByName: 'carol', preparers: [{ id: 'a', name: 'alice' }, { id: 'c', name: 'carol' }, { id: 'd', name: 'dave' }] })).toBe('carol, alice and dave');
    const now = Date.parse('2024-11-30T12:00:00Z');
    expect(whenText('2024-11-30T11:59:30Z', now)).toBe('just now');
    expect(whenText('2024-11-30T11:15:00Z', now)).toBe('45 min ago');
    expect(whenText('2024-11-30T02:00:00Z', now)).toBe('10 h ago');
    expect(whenText('2024-11-02T09:30:00.000Z', now)).toBe('2024-11-02 09:30 UTC');
  });

  it('the next step, or the rule’s sentence when she may not', () => {
    expect(nextStepText(entry('a', 'awaiting_approval'))).toBe('You can approve or reject it.');
    const mine = entry('b', 'awaiting_approval', { verdict: { ok: false, code: 'maker-checker', reason: 'You prepared batch b, so someone else must approve it.' }, allowedActions: ['edit', 'remove-items', 'withdraw'], mine: true });
    expect(nextStepText(mine)).toBe('You prepared batch b, so someone else must approve it. You can withdraw it or remove items until it is approved.');
    expect(nextStepText(entry('c', 'approved', { approvedBy: 'bob', batch: { ...entry('c', 'approved').batch, kind: 'zoho-post', job: 'settlements' } }))).toBe('Approved by bob; ready to post.');
    expect(nextStepText(entry('d', 'failed', { itemStates: { pending: 0, sending: 0, done: 1, failed: 0, needs_review: 1 } }))).toBe('Not all delivered: 1 to check (1 of 2 delivered) — open it to see why and send it again.');
    // once it went out, the sentence the posting panel says (src/batches/outcome.ts), for a line of the list
    const posting = (id: string, state: string, itemStates: InboxEntryView['itemStates']) => entry(id, state, { itemStates, batch: { ...entry(id, state).batch, kind: 'zoho-post', job: 'settlements' } });
    expect(nextStepText(posting('r', 'needs_review', { pending: 0, sending: 0, done: 42, failed: 0, needs_review: 0 }))).toBe('Sent all 42 documents; Zoho differs from what was approved — open it and resolve each finding.');
    expect(nextStepText(posting('p', 'failed', { pending: 0, sending: 0, done: 40, failed: 2, needs_review: 0 }))).toBe('Not all posted: 2 failed (40 of 42 posted) — open it to see why, then a preparer prepares a batch of the 2 not posted on the Settlements page.');
    // its rest went into a new batch: where, and it asks nothing more of anyone (it is listed with the finished)
    const handed = { ...posting('h', 'failed', { pending: 0, sending: 0, done: 40, failed: 2, needs_review: 0 }), handedOn: [{ batchId: 'bat_rest', count: 2 }], notHandedOn: 0 };
    expect(nextStepText(handed)).toBe('Not all posted: 2 failed (40 of 42 posted) — open it to see why; the 2 not posted went into batch bat_rest.');
    expect(groupOf(handed)).toBe('finished');
    // a batch of the rest took only one of the two: the other still asks for one, so it is not finished
    const part = { ...handed, handedOn: [{ batchId: 'bat_rest', count: 1 }], notHandedOn: 1 };
    expect(nextStepText(part)).toBe('Not all posted: 2 failed (40 of 42 posted) — open it to see why; 1 of the 2 not posted went into batch bat_rest; a preparer prepares a batch of the 1 left on the Settlements page.');
    expect(groupOf(part)).toBe('send');
    expect([handedOnWhole(handed), handedOnWhole(part)]).toEqual([true, false]);
    // its rest closed without posting: finished, and the line says who closed it and why
    const closed = { ...posting('c', 'failed', { pending: 0, sending: 0, done: 40, failed: 2, needs_review: 0 }), handedOn: [], notHandedOn: 0, closed: { count: 2, byName: 'alice', reason: 'not to be posted', at: '' } };
    expect(nextStepText(closed)).toBe('Not all posted: 2 failed (40 of 42 posted) — the 2 not posted were closed without posting by alice: not to be posted.');
    expect(groupOf(closed)).toBe('finished');
    // one went into a batch of the rest, the other was closed: nothing left, finished
    const both = { ...closed, handedOn: [{ batchId: 'bat_rest', count: 1 }], closed: { ...closed.closed, count: 1 } };
    expect([groupOf(both), handedOnWhole(both)]).toEqual(['finished', true]);
    // while one is still left, it asks for a batch of it
    expect([groupOf({ ...both, notHandedOn: 1 }), handedOnWhole({ ...both, notHandedOn: 1 })]).toEqual(['send', false]);
    expect(groupOf(posting('p', 'failed', { pending: 0, sending: 0, done: 40, failed: 2, needs_review: 0 }))).toBe('send');
    expect(nextStepText(posting('s', 'done', { pending: 0, sending: 0, done: 42, failed: 0, needs_review: 0 }))).toBe('Posted all 42 documents to Zoho Books.');
    expect(nextStepText(entry('x', 'cancelled'))).toBe('Withdrawn or cancelled before anything was sent.');
    const voided = 'Approval void: the content changed after approval (approved hash a1b2c3d4e5f6…, now ffffffffffff…).';
    expect(nextStepText(entry('v', 'awaiting_approval', { approvalVoid: voided }))).toBe(`${voided} You can approve or reject it.`);
    expect(nextStepText(entry('w', 'awaiting_approval', { approvalVoid: voided, verdict: { ok: false, code: 'maker-checker', reason: 'You prepared batch w, so someone else must approve it.' }, allowedActions: ['withdraw'] }))).toBe(
      `${voided} You prepared batch w, so someone else must approve it. You can withdraw it until it is approved.`,
    );
    expect(nextStepText(entry('e', 'rejected', { lastDecision: { decision: 'rejected', byName: 'bob', at: '', reason: 'wrong month', version: 1 } }))).toBe('Rejected by bob: wrong month');
  });

  it('what changed since the previous version', () => {
    const e = (key: string) => ({ key, kind: 'file', label: key, digest: key });
    expect(diffText({ fromVersion: 1, toVersion: 2, added: [e('x')], removed: [], changed: [{ key: 'y', label: 'y', kind: 'file' }], unchanged: 2 })).toBe('Since version 1: 1 added, 1 changed; 2 items as before.');
    expect(rowDiffText({ keyColumn: 'CASE_ID', headerChanged: false, added: [], removed: [], changed: [], counts: { added: 1, removed: 0, changed: 2 } })).toBe('Rows: 1 added, 0 removed, 2 changed (matched on CASE_ID).');
  });
});
