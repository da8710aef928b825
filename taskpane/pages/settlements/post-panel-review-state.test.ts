import { defaultKeep, describeCopy, findingActions, findingTitle, type ReviewFinding } from './post-panel-review-state';

const duplicate: ReviewFinding = {
  id: 'fnd_1',
  batchId: 'bat_1',
  type: 'duplicate',
  kind: 'journal',
  idempotencyKey: 'S1:journal:S1',
  key: { field: 'reference_number', value: 'S1' },
  expectedCents: 2500,
  currency: 'USD',
  recordedId: '460000000000000002',
  copies: [
    { zohoId: '460000000000000001', number: '7', cents: 2500, recorded: false },
    { zohoId: '460000000000000002', number: '8', cents: 2500, recorded: true },
  ],
  message: 'Zoho holds 2 journals with reference number S1.',
  state: 'open',
  correctionBatchId: null,
  resolution: null,
};

describe('posting review', () => {
  it('reads each copy with its id, number and amount, and offers to keep the recorded one', () => {
    expect(findingTitle(duplicate)).toBe('Posted more than once: journal S1');
    expect(describeCopy(duplicate, duplicate.copies[1]!)).toBe('460000000000000002 (journal 8) — 25.00 USD, recorded by this batch');
    expect(describeCopy({ kind: 'invoice', currency: 'JPY' }, { zohoId: '9', number: null, cents: null, recorded: false })).toBe('9 — no readable amount');
    expect(defaultKeep(duplicate)).toBe('460000000000000002');
  });

  it('lets a preparer or approver propose a correction, and only an approver close other findings', () => {
    expect(findingActions(duplicate, { roles: ['preparer'] })).toMatchObject({ canCorrect: true, canClose: false });
    expect(findingActions(duplicate, { roles: ['approver'] })).toMatchObject({ canCorrect: true, canClose: false });
    expect(findingActions(duplicate, { roles: ['admin'] })).toMatchObject({ canCorrect: false, canClose: false });
    const missing = { ...duplicate, type: 'missing' as const, copies: [] };
    expect(findingActions(missing, { roles: ['approver'] })).toMatchObject({ canCorrect: false, canClose: true });
    expect(findingActions(missing, { roles: ['preparer'] })).toMatchObject({ canCorrect: false, canClose: false });
    expect(findingActions({ ...duplicate, state: 'correcting', correctionBatchId: 'bat_2' }, { roles: ['approver'] })).toMatchObject({ canCorrect: false, hint: 'The correction below removes the other copies from Zoho once a second person approves it.' });
    const resolved = { ...duplicate, state: 'resolved' as const, resolution: { by: 'bob', action: 'kept-one' as const, keepZohoId: '2', removed: ['1'] } };
    expect(findingActions(resolved, { roles: ['approver'] }).hint).toBe('Resolved by bob (kept 2, removed 1).');
  });
});
