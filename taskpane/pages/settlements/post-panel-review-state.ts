/**
 * The review part of the posting panel, apart from React so it is tested: what the census found
 * (as GET /api/posting/batches/:id/findings returns it), how each copy reads, and what the signed-in
 * user may do about a finding. The correction batch itself follows the panel's own steps.
 */
import { displayAmount } from '../../../src/kernel/money';

export interface ReviewCopy {
  zohoId: string;
  number: string | null;
  cents: number | null;
  recorded: boolean;
}

export interface ReviewFinding {
  id: string;
  batchId: string;
  type: 'duplicate' | 'amount-mismatch' | 'missing' | 'other-id';
  kind: 'invoice' | 'payment' | 'journal';
  idempotencyKey: string;
  key: { field: string; value: string };
  expectedCents: number;
  currency: string;
  recordedId: string | null;
  copies: ReviewCopy[];
  message: string;
  state: 'open' | 'correcting' | 'resolved';
  correctionBatchId: string | null;
  resolution: { by: string; byName?: string; action: 'kept-one' | 'checked'; keepZohoId?: string; removed?: string[]; reason?: string } | null;
}

const TYPE_WORDS: Record<ReviewFinding['type'], string> = {
  duplicate: 'Posted more than once',
  'amount-mismatch': 'Another amount in Zoho',
  missing: 'Not in Zoho',
  'other-id': 'Another document in Zoho',
};

export function findingTitle(f: ReviewFinding): string {
  return `${TYPE_WORDS[f.type]}: ${f.kind} ${f.key.value}`;
}

/** "460000000000000123 (journal 12) — 25.00 USD, recorded by this batch". */
export function describeCopy(f: Pick<ReviewFinding, 'kind' | 'currency'>, c: ReviewCopy): string {
  const amount = c.cents === null ? 'no readable amount' : `${displayAmount(c.cents, f.currency)} ${f.currency}`;
  return `${c.zohoId}${c.number ? ` (${f.kind} ${c.number})` : ''} — ${amount}${c.recorded ? ', recorded by this batch' : ''}`;
}

/** The copy offered to keep first: the one the batch recorded (its payments and sheets point at it). */
export function defaultKeep(f: ReviewFinding): string {
  return (f.copies.find((c) => c.recorded) ?? f.copies[0])?.zohoId ?? '';
}

export interface FindingActions {
  /** Keep one copy and propose removing the others (a correction batch a second person approves). */
  canCorrect: boolean;
  /** Close after checking Zoho, with a reason (approvers; findings that are not duplicates). */
  canClose: boolean;
  hint: string;
}

export function findingActions(f: ReviewFinding, user: { roles: readonly string[] } | null): FindingActions {
  const has = (r: string) => user?.roles.includes(r) ?? false;
  if (f.state === 'resolved') {
    const r = f.resolution;
    const how = r?.action === 'kept-one' ? `kept ${r.keepZohoId}, removed ${(r.removed ?? []).join(', ')}` : `checked: ${r?.reason ?? ''}`;
    return { canCorrect: false, canClose: false, hint: `Resolved by ${r?.byName ?? r?.by ?? 'someone'} (${how}).` };
  }
  // (the correction itself is shown under the hint, with its id and its next step: not repeated here)
  if (f.state === 'correcting') return { canCorrect: false, canClose: false, hint: 'The correction below removes the other copies from Zoho once a second person approves it.' };
  if (f.type === 'duplicate') {
    const may = has('preparer') || has('approver');
    return { canCorrect: may, canClose: false, hint: may ? 'Choose the copy to keep; the others are removed from Zoho after a second person approves.' : 'A preparer or approver chooses the copy to keep.' };
  }
  return { canCorrect: false, canClose: has('approver'), hint: has('approver') ? 'Check it in Zoho, then close it saying what you found.' : 'An approver checks it in Zoho and closes it.' };
}
