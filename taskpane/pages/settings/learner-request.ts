/**
 * Spellings the Tuition page asks an admin to settle: an "ambiguous learner" warning names a spelling
 * that could be two people, and its button opens Settings → Delivery targets with that customer's
 * learner form open and the spelling filled in. Kept outside both pages, as the open section is.
 */
export interface LearnerRequest {
  customer: string;
  spelling: string;
}

let current: readonly LearnerRequest[] = [];
const listeners = new Set<() => void>();

export function learnerRequests(): readonly LearnerRequest[] {
  return current;
}

/** Replaces the open requests (the latest build's warnings are the ones that matter). */
export function requestLearnerAliases(requests: readonly LearnerRequest[]): void {
  current = [...requests];
  for (const l of [...listeners]) l();
}

/** The customer's requests are settled (its learner rules were saved) or dismissed. */
export function settleLearnerRequests(isCustomer: (name: string) => boolean): void {
  if (!current.some((r) => isCustomer(r.customer))) return;
  requestLearnerAliases(current.filter((r) => !isCustomer(r.customer)));
}

export function onLearnerRequests(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
