/**
 * The one rule for who may approve (or reject) what will be posted or delivered — a batch, a
 * tuition invoice — used by every host: the server's routes, store and workers, the approval link,
 * the task pane's buttons.
 *
 * The approver holds the approver role (an administrator may approve too) and is not a preparer of
 * the thing approved: not the person who made its current version and not the preparer of any of
 * its items, whatever her roles, administrator included. People are compared by identity
 * (issuer + subject), never by display name.
 */
import { samePerson, type KnownPerson, type Person } from './identity';

/** Roles that may approve when the person prepared nothing in what is approved. */
export const APPROVING_ROLES: readonly string[] = ['approver', 'admin'];

/** A signed-in person with her roles. */
export interface User extends KnownPerson {
  readonly roles: readonly string[];
}

export interface ApprovalItem {
  /** How a sentence names the item, e.g. "file VISA.csv"; optional. */
  readonly label?: string;
  /** Everyone who put this item's current content into the batch. */
  readonly preparedBy: readonly Person[];
}

export interface ApprovalSubject {
  /** How a sentence names what is approved, e.g. "batch bat_1"; without one it is "it". */
  readonly label?: string;
  /** Who made the current version: created it, or edited it last. */
  readonly preparedBy: Person;
  readonly items?: readonly ApprovalItem[];
}

export type Decision = 'approve' | 'reject';
export type ApprovalRefusal = 'not-signed-in' | 'wrong-role' | 'maker-checker';
export type ApprovalVerdict = { ok: true } | { ok: false; code: ApprovalRefusal; reason: string };

/** Every preparer of the subject (its current version's author and every item's), each once. */
export function preparersOf(subject: ApprovalSubject): Person[] {
  const out = new Map<string, Person>([[subject.preparedBy.id, subject.preparedBy]]);
  for (const item of subject.items ?? []) for (const p of item.preparedBy) if (!out.has(p.id)) out.set(p.id, p);
  return [...out.values()];
}

export function holdsApprovingRole(user: Pick<User, 'roles'>): boolean {
  return user.roles.some((r) => APPROVING_ROLES.includes(r));
}

/** Roles that may prepare what is approved: make it, change it, send it for approval. */
export const PREPARING_ROLES: readonly string[] = ['preparer', 'admin'];

export function holdsPreparingRole(user: Pick<User, 'roles'>): boolean {
  return user.roles.some((r) => PREPARING_ROLES.includes(r));
}

function rolesInWords(roles: readonly string[]): string {
  return roles.length === 0 ? 'no CloseDesk role' : `the ${roles.join(', ')} role${roles.length > 1 ? 's' : ''}`;
}

/** May this user approve (or reject) the subject? A refusal carries a sentence a finance user can act on. */
export function mayApprove(subject: ApprovalSubject, user: User | null | undefined, decision: Decision = 'approve'): ApprovalVerdict {
  if (!user) return { ok: false, code: 'not-signed-in', reason: `Sign in first: only a signed-in approver can ${decision}.` };
  // Her own work first: whatever roles she holds, a preparer hears why she may not.
  const named = subject.label;
  if (samePerson(user, subject.preparedBy)) {
    return { ok: false, code: 'maker-checker', reason: named ? `You prepared ${named}, so someone else must ${decision} it.` : `You prepared it, so someone else must ${decision}.` };
  }
  const item = (subject.items ?? []).find((i) => i.preparedBy.some((p) => samePerson(user, p)));
  if (item) {
    const what = item.label ? `${item.label} in ${named ?? 'it'}` : `part of ${named ?? 'it'}`;
    return { ok: false, code: 'maker-checker', reason: `You prepared ${what}, so someone else must ${decision}${named ? ' it' : ''}.` };
  }
  if (!holdsApprovingRole(user)) {
    return {
      ok: false,
      code: 'wrong-role',
      reason: `To ${decision} you need the approver role; you are signed in as ${user.name} with ${rolesInWords(user.roles)}. Ask an administrator for access.`,
    };
  }
  return { ok: true };
}
