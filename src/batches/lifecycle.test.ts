import { devSubject, identityKey, legacyPerson, type Person } from '../approval/identity';
import type { User } from '../approval/rule';
import {
  allowedBatchActions,
  approvalVoidSentence,
  BATCH_ACTIONS,
  BATCH_STATES,
  batchTransition,
  isPreparerOf,
  person,
  preparersAfterEdit,
  standingApproval,
  voidedApproval,
  WORKER,
  type BatchAction,
  type BatchActionType,
  type BatchActor,
  type BatchFacts,
  type BatchState,
} from './lifecycle';

const user = (name: string, roles: string[]): User => ({ id: identityKey({ issuer: 'urn:closedesk:dev-issuer', subject: devSubject(name) }), name, roles });
const p = (u: User): Person => ({ id: u.id, name: u.name });

// alice made the batch (and holds the preparer + approver pair); dave added item 2 only.
const alice = user('alice', ['preparer', 'approver']);
const dave = user('dave', ['preparer', 'approver']);
const bob = user('bob', ['approver']);
const root = user('root', ['admin']);
const carol = user('carol', ['preparer']);

const ACTORS: [string, BatchActor][] = [
  ['alice', person(alice)],
  ['dave', person(dave)],
  ['bob', person(bob)],
  ['root', person(root)],
  ['carol', person(carol)],
  ['worker', WORKER],
];

function batch(state: BatchState, extra: Partial<BatchFacts> = {}): BatchFacts {
  const approved = !['awaiting_approval', 'rejected'].includes(state);
  return {
    id: 'bat_1',
    state,
    version: 3,
    preparedBy: p(alice),
    items: [
      { seq: 1, label: 'VISA.csv', preparedBy: [p(alice)] },
      { seq: 2, label: 'AMEX.csv', preparedBy: [p(dave)] },
    ],
    approvals: approved ? [{ version: 3, approvedBy: bob }] : [],
    ...extra,
  };
}

const ACTIONS: Record<BatchActionType, BatchAction> = {
  approve: { type: 'approve', version: 3 },
  reject: { type: 'reject', version: 3, reason: 'wrong month' },
  edit: { type: 'edit', version: 3 },
  'remove-items': { type: 'remove-items', version: 3, seqs: [2] },
  withdraw: { type: 'withdraw', version: 3 },
  send: { type: 'send', contentHash: 'h' },
  finish: { type: 'finish', outcome: 'done' },
  settle: { type: 'settle', outcome: 'done' },
  cancel: { type: 'cancel' },
  'void-approval': { type: 'void-approval', contentHash: 'h' },
};

/**
 * The whole table: for each action, each state (rows, in BATCH_STATES order) and each actor
 * (columns: alice, dave, bob, root, carol, worker) the next state, or "!" and the refusal's code.
 */
const S = BATCH_STATES;
type Row = [string, string, string, string, string, string];
const EXPECTED: Record<BatchActionType, Record<BatchState, Row>> = {
  approve: {
    awaiting_approval: ['!maker-checker', '!maker-checker', 'approved', 'approved', '!wrong-role', '!person-only'],
    approved: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    rejected: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    sending: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    done: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    failed: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    cancelled: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    needs_review: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
  },
  reject: {
    awaiting_approval: ['!maker-checker', '!maker-checker', 'rejected', 'rejected', '!wrong-role', '!person-only'],
    approved: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    rejected: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    sending: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    done: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    failed: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    cancelled: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
    needs_review: ['!maker-checker', '!maker-checker', '!not-awaiting-approval', '!not-awaiting-approval', '!wrong-role', '!person-only'],
  },
  edit: {
    awaiting_approval: ['awaiting_approval', 'awaiting_approval', '!wrong-role', 'awaiting_approval', 'awaiting_approval', '!person-only'],
    approved: ['awaiting_approval', 'awaiting_approval', '!wrong-role', 'awaiting_approval', 'awaiting_approval', '!person-only'],
    rejected: ['awaiting_approval', 'awaiting_approval', '!wrong-role', 'awaiting_approval', 'awaiting_approval', '!person-only'],
    sending: ['!not-editable', '!not-editable', '!wrong-role', '!not-editable', '!not-editable', '!person-only'],
    done: ['!not-editable', '!not-editable', '!wrong-role', '!not-editable', '!not-editable', '!person-only'],
    failed: ['!not-editable', '!not-editable', '!wrong-role', '!not-editable', '!not-editable', '!person-only'],
    cancelled: ['!not-editable', '!not-editable', '!wrong-role', '!not-editable', '!not-editable', '!person-only'],
    needs_review: ['!not-editable', '!not-editable', '!wrong-role', '!not-editable', '!not-editable', '!person-only'],
  },
  'remove-items': {
    awaiting_approval: ['awaiting_approval', 'awaiting_approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    approved: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    rejected: ['awaiting_approval', 'awaiting_approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    sending: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    done: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    failed: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    cancelled: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
    needs_review: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-a-preparer', '!not-a-preparer', '!person-only'],
  },
  withdraw: {
    awaiting_approval: ['cancelled', 'cancelled', '!not-a-preparer', 'cancelled', '!not-a-preparer', '!person-only'],
    approved: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
    rejected: ['cancelled', 'cancelled', '!not-a-preparer', 'cancelled', '!not-a-preparer', '!person-only'],
    sending: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
    done: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
    failed: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
    cancelled: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
    needs_review: ['!not-before-approval', '!not-before-approval', '!not-a-preparer', '!not-before-approval', '!not-a-preparer', '!person-only'],
  },
  send: {
    awaiting_approval: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!not-approved'],
    approved: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'sending'],
    rejected: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!not-approved'],
    sending: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'sending'],
    done: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    failed: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'sending'],
    cancelled: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    needs_review: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
  },
  finish: {
    awaiting_approval: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    approved: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    rejected: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    sending: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'done'],
    done: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    failed: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    cancelled: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    needs_review: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
  },
  settle: {
    awaiting_approval: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    approved: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    rejected: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    sending: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    done: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    failed: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    cancelled: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    needs_review: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'done'],
  },
  cancel: {
    awaiting_approval: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'cancelled'],
    approved: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'cancelled'],
    rejected: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    sending: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'cancelled'],
    done: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    failed: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    cancelled: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
    needs_review: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!wrong-state'],
  },
  // The table's approvals carry no content hash (recorded before hashes): nothing to compare, nothing to void.
  'void-approval': Object.fromEntries(S.map((state) => [state, ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!nothing-to-void']])) as Record<BatchState, Row>,
};

describe('batch lifecycle: every state × action × actor', () => {
  it('covers every action and state', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...BATCH_ACTIONS].sort());
    for (const a of BATCH_ACTIONS) expect(Object.keys(EXPECTED[a]).sort()).toEqual([...S].sort());
  });

  for (const type of BATCH_ACTIONS) {
    it(`${type}`, () => {
      const got: Record<string, Row> = {};
      for (const state of S) {
        got[state] = ACTORS.map(([, actor]) => {
          const t = batchTransition(batch(state), ACTIONS[type], actor);
          return t.ok ? t.to : `!${t.code}`;
        }) as Row;
      }
      expect(got).toEqual(EXPECTED[type]);
    });
  }

  it('every refusal carries a status and a sentence that names the batch or says what to do', () => {
    for (const type of BATCH_ACTIONS) {
      for (const state of S) {
        for (const [, actor] of ACTORS) {
          const t = batchTransition(batch(state), ACTIONS[type], actor);
          if (t.ok) continue;
          expect([400, 403, 409]).toContain(t.status);
          expect(t.reason).toMatch(/^[A-Z].*[.]$/);
          expect(t.reason.length).toBeGreaterThan(20);
        }
      }
    }
  });
});

describe('batch lifecycle details', () => {
  it('a decision is for the version reviewed; a rejection needs a reason', () => {
    expect(batchTransition(batch('awaiting_approval'), { type: 'approve', version: 2 }, person(bob))).toEqual({
      ok: false,
      status: 409,
      code: 'stale-version',
      reason: 'Batch bat_1 changed after you opened it (now version 3, you reviewed version 2); review it again.',
    });
    expect(batchTransition(batch('awaiting_approval'), { type: 'reject', version: 3, reason: '  ' }, person(bob))).toMatchObject({ status: 400, code: 'reason-required' });
    expect(batchTransition(batch('awaiting_approval'), { type: 'reject', version: 3 }, person(bob))).toMatchObject({ code: 'reason-required' });
    // who decides is checked before anything else: the preparer learns she may not, not that she is late
    expect(batchTransition(batch('approved'), { type: 'approve', version: 1 }, person(alice))).toMatchObject({ status: 403, code: 'maker-checker' });
    expect(batchTransition(batch('awaiting_approval'), { type: 'approve', version: 3 }, person(alice))).toMatchObject({
      reason: 'You prepared batch bat_1, so someone else must approve it.',
    });
    expect(batchTransition(batch('awaiting_approval'), { type: 'approve', version: 3 }, person(dave))).toMatchObject({
      reason: 'You prepared AMEX.csv in batch bat_1, so someone else must approve it.',
    });
  });

  it('an edit makes a new version and voids the approval of the old one', () => {
    expect(batchTransition(batch('approved'), ACTIONS.edit, person(carol))).toEqual({ ok: true, to: 'awaiting_approval', newVersion: true, voidsApproval: true });
    expect(batchTransition(batch('awaiting_approval'), ACTIONS.edit, person(carol))).toEqual({ ok: true, to: 'awaiting_approval', newVersion: true, voidsApproval: false });
    expect(batchTransition(batch('approved'), { type: 'edit', version: 2 }, person(carol))).toMatchObject({ status: 409, code: 'stale-version' });
    expect(batchTransition(batch('awaiting_approval'), ACTIONS.approve, person(bob))).toEqual({ ok: true, to: 'approved', newVersion: false, voidsApproval: false });
  });

  it('removing items: only existing ones, never all of them (that is a withdrawal)', () => {
    const t = (seqs: number[], version = 3) => batchTransition(batch('awaiting_approval'), { type: 'remove-items', version, seqs }, person(alice));
    expect(t([2])).toEqual({ ok: true, to: 'awaiting_approval', newVersion: true, voidsApproval: false });
    expect(t([])).toMatchObject({ status: 400, code: 'nothing-to-remove' });
    expect(t([7, 9])).toMatchObject({ status: 400, code: 'item-not-found', reason: 'Batch bat_1 has no item 7, 9.' });
    expect(t([1, 2])).toMatchObject({ status: 400, code: 'would-be-empty', reason: expect.stringContaining('withdraw batch bat_1 instead') });
    expect(t([1], 2)).toMatchObject({ status: 409, code: 'stale-version' });
  });

  it('withdrawing checks the version only when one is given', () => {
    expect(batchTransition(batch('awaiting_approval'), { type: 'withdraw' }, person(alice))).toMatchObject({ ok: true, to: 'cancelled' });
    expect(batchTransition(batch('awaiting_approval'), { type: 'withdraw', version: 1 }, person(alice))).toMatchObject({ code: 'stale-version' });
    expect(batchTransition(batch('awaiting_approval'), { type: 'withdraw' }, person(bob))).toMatchObject({
      status: 403,
      reason: 'Only a preparer of batch bat_1 can withdraw it; it was prepared by alice.',
    });
  });

  it('sending needs an approval of the current version that the rule still accepts', () => {
    const send = (facts: BatchFacts) => batchTransition(facts, { type: 'send', contentHash: 'h' }, WORKER);
    expect(send(batch('approved'))).toMatchObject({ ok: true, to: 'sending' });
    // approved an older version: an edit came after
    expect(send(batch('approved', { approvals: [{ version: 2, approvedBy: bob }] }))).toMatchObject({ code: 'not-approved' });
    // the approver became a preparer after approving (added an item): the approval no longer stands
    const items = [...batch('approved').items, { seq: 3, preparedBy: [p(bob)] }];
    expect(send(batch('approved', { items }))).toMatchObject({ code: 'not-approved' });
    expect(standingApproval(batch('approved', { items }))).toBeUndefined();
    // an approval recorded by someone who prepared it (before identities, by name) never counts
    expect(send(batch('approved', { approvals: [{ version: 3, approvedBy: { ...alice, id: 'urn:closedesk:legacy-name#alice' } }] }))).toMatchObject({ code: 'not-approved' });
    expect(send(batch('approved', { preparedBy: legacyPerson('Bob') }))).toMatchObject({ code: 'not-approved' });
    // an approver whose roles did not allow approving does not count either
    expect(send(batch('approved', { approvals: [{ version: 3, approvedBy: carol }] }))).toMatchObject({ code: 'not-approved' });
    expect(standingApproval(batch('approved'))).toEqual({ version: 3, approvedBy: bob });
    expect(batchTransition(batch('sending'), { type: 'finish', outcome: 'failed' }, WORKER)).toMatchObject({ ok: true, to: 'failed' });
    // Sent, but Zoho does not hold it exactly once: review first, then settled.
    expect(batchTransition(batch('sending'), { type: 'finish', outcome: 'needs_review' }, WORKER)).toMatchObject({ ok: true, to: 'needs_review' });
    expect(batchTransition(batch('needs_review'), { type: 'settle', outcome: 'failed' }, WORKER)).toMatchObject({ ok: true, to: 'failed' });
    expect(batchTransition(batch('needs_review'), { type: 'send', contentHash: 'h' }, WORKER)).toMatchObject({ ok: false, code: 'wrong-state' });
  });

  it('sends only the content that was approved, and approves only the content reviewed', () => {
    const approvedH1 = batch('approved', { approvals: [{ version: 3, approvedBy: bob, contentHash: 'a1b2c3d4e5f6a7b8' }] });
    expect(batchTransition(approvedH1, { type: 'send', contentHash: 'a1b2c3d4e5f6a7b8' }, WORKER)).toMatchObject({ ok: true, to: 'sending' });
    expect(batchTransition(approvedH1, { type: 'send', contentHash: 'ffffffffffff0000' }, WORKER)).toEqual({
      ok: false,
      status: 409,
      code: 'content-changed',
      reason: 'Batch bat_1 is not what bob approved (its content hashes to ffffffffffff… now, the approval was for a1b2c3d4e5f6…); nothing is sent, and that approval does not count for this content.',
    });
    // the same check after a restart, while sending
    expect(batchTransition({ ...approvedH1, state: 'sending' }, { type: 'send', contentHash: 'other' }, WORKER)).toMatchObject({ code: 'content-changed' });
    // the approver's screen showed other content than the batch holds now
    const waiting = batch('awaiting_approval');
    expect(batchTransition(waiting, { type: 'approve', version: 3, contentHash: 'now', reviewedHash: 'then' }, person(bob))).toMatchObject({ status: 409, code: 'stale-content' });
    expect(batchTransition(waiting, { type: 'reject', version: 3, reason: 'no', contentHash: 'now', reviewedHash: 'then' }, person(bob))).toMatchObject({ code: 'stale-content' });
    expect(batchTransition(waiting, { type: 'approve', version: 3, contentHash: 'now', reviewedHash: 'now' }, person(bob))).toMatchObject({ ok: true, to: 'approved' });
    // the maker-checker refusal comes first: a preparer hears why she may not, whatever she reviewed
    expect(batchTransition(waiting, { type: 'approve', version: 3, contentHash: 'now', reviewedHash: 'then' }, person(alice))).toMatchObject({ code: 'maker-checker' });
  });

  it('voids an approval of other content: the batch awaits approval again and the void approval never counts', () => {
    const approvedH1 = batch('approved', { approvals: [{ version: 3, approvedBy: bob, contentHash: 'a1b2c3d4e5f6a7b8' }] });
    const voidIt = (facts: BatchFacts, h: string) => batchTransition(facts, { type: 'void-approval', contentHash: h }, WORKER);
    for (const state of ['approved', 'sending', 'failed'] as const) {
      expect(voidIt({ ...approvedH1, state }, 'ffffffffffff0000')).toEqual({ ok: true, to: 'awaiting_approval', newVersion: false, voidsApproval: true });
    }
    // the same content, another state, or no hash to compare: nothing to void
    expect(voidIt(approvedH1, 'a1b2c3d4e5f6a7b8')).toMatchObject({ ok: false, status: 409, code: 'nothing-to-void' });
    expect(voidIt({ ...approvedH1, state: 'done' }, 'ffff')).toMatchObject({ code: 'nothing-to-void' });
    expect(voidIt(batch('approved'), 'ffff')).toMatchObject({ code: 'nothing-to-void' });
    expect(batchTransition(approvedH1, { type: 'void-approval', contentHash: 'ffff' }, person(bob))).toMatchObject({ status: 403, code: 'worker-only' });

    const voided = batch('awaiting_approval', { approvals: [{ version: 3, approvedBy: bob, contentHash: 'a1b2c3d4e5f6a7b8', voided: true }] });
    expect(standingApproval(voided)).toBeUndefined();
    expect(voidIt({ ...voided, state: 'approved' }, 'ffff')).toMatchObject({ code: 'nothing-to-void' });
    // a later send of the changed content is still refused as changed, and says the approval is void
    expect(batchTransition(voided, { type: 'send', contentHash: 'ffffffffffff0000' }, WORKER)).toMatchObject({
      code: 'content-changed',
      reason: 'Batch bat_1 is not what bob approved (its content hashes to ffffffffffff… now, the approval was for a1b2c3d4e5f6…); nothing is sent, and that approval is void: the batch awaits approval again.',
    });
    // an approver may decide it again; a fresh approval stands
    expect(allowedBatchActions(voided, bob)).toEqual(['approve', 'reject']);
    const again = { ...voided, state: 'approved' as const, approvals: [...voided.approvals, { version: 3, approvedBy: bob, contentHash: 'ffffffffffff0000' }] };
    expect(batchTransition(again, { type: 'send', contentHash: 'ffffffffffff0000' }, WORKER)).toMatchObject({ ok: true, to: 'sending' });
    expect(approvalVoidSentence('a1b2c3d4e5f6a7b8', 'ffffffffffff0000')).toBe('Approval void: the content changed after approval (approved hash a1b2c3d4e5f6…, now ffffffffffff…).');
    expect(voidedApproval(voided)).toMatchObject({ contentHash: 'a1b2c3d4e5f6a7b8' });
  });

  it('knows who prepared it, item by item', () => {
    expect(isPreparerOf(batch('approved'), alice)).toBe(true);
    expect(isPreparerOf(batch('approved'), { ...dave, name: 'Dave D.' })).toBe(true);
    expect(isPreparerOf(batch('approved'), bob)).toBe(false);
  });

  it('offers each person only the actions she may take now', () => {
    expect(allowedBatchActions(batch('awaiting_approval'), alice)).toEqual(['edit', 'remove-items', 'withdraw']);
    expect(allowedBatchActions(batch('awaiting_approval'), bob)).toEqual(['approve', 'reject']);
    expect(allowedBatchActions(batch('awaiting_approval'), root)).toEqual(['approve', 'reject', 'edit', 'withdraw']);
    expect(allowedBatchActions(batch('approved'), carol)).toEqual(['edit']);
    expect(allowedBatchActions(batch('done'), root)).toEqual([]);
  });

  it('after an edit, unchanged items keep their preparers; changed ones add the editor; new ones are the editor’s', () => {
    const erin: Person = { id: 'urn:closedesk:dev-issuer#erin', name: 'erin' };
    const before = [
      { key: 'k1', content: '{"a":1}', preparedBy: [p(alice)] },
      { key: 'k2', content: '{"b":1}', preparedBy: [p(dave)] },
      { key: 'k3', content: '{"c":1}', preparedBy: [erin] },
    ];
    const after = [
      { key: 'k1', content: '{"a":1}' },
      { key: 'k2', content: '{"b":2}' },
      { key: 'k3', content: '{"c":2}' },
      { key: 'k4', content: '{"d":1}' },
    ];
    expect(preparersAfterEdit(before, after, erin).map((list) => list.map((x) => x.name))).toEqual([['alice'], ['dave', 'erin'], ['erin'], ['erin']]);
  });
});
