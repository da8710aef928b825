/**
 * A batch on its way out, or back, in the finance user's words: what happened, then what to do. The
 * posting panel, the inbox's batch detail and the inbox list all say it from here, so one state
 * reads the same everywhere. A count that says nothing (0 failed) is left out, and the sentence
 * leads with what the person must act on.
 */
import { countOf, formatCount } from '../kernel/counts';

/** How many items of the batch are in each state (as the posting progress and the inbox count them). */
export interface ItemCounts {
  pending: number;
  sending: number;
  done: number;
  failed: number;
  needs_review: number;
}

/**
 * Where the sentence is read: beside the batch, its details below it ('open'); as a line of the
 * inbox ('listed'); in the posting panel, which itself offers the new batch for the documents
 * not posted ('panel'; elsewhere the sentence says where that is done); or as the server's word
 * on a run, away from the pane — the command line's last line, a refusal to send a finished batch
 * again ('told').
 */
export type Seen = 'open' | 'listed' | 'panel' | 'told';

/** Where the details are, as the sentence's reader finds them. */
const DETAILS: Record<Seen, { why: string; findings: string }> = {
  open: { why: 'see why below', findings: 'resolve each finding below' },
  panel: { why: 'see why below', findings: 'resolve each finding below' },
  listed: { why: 'open it to see why', findings: 'open it and resolve each finding' },
  told: { why: "see each document's status", findings: "resolve each finding in the batch's details on the Approvals page" },
};

interface Words {
  one: string;
  many: string;
  /** What a finished item is: "posted". */
  verb: string;
  where: string;
  /** An item Zoho did not confirm (needs_review) is checked there. */
  check: string;
}

const WORDS: Record<string, Words> = {
  'zoho-post': { one: 'document', many: 'documents', verb: 'posted', where: 'to Zoho Books', check: 'to check in Zoho' },
  'zoho-correction': { one: 'copy', many: 'copies', verb: 'removed', where: 'from Zoho Books', check: 'to check in Zoho' },
  delivery: { one: 'file', many: 'files', verb: 'delivered', where: 'to the partner', check: 'to check' },
};
const wordsOf = (kind: string): Words => WORDS[kind] ?? { one: 'item', many: 'items', verb: 'sent', where: '', check: 'to check' };

const totalOf = (c: ItemCounts) => c.pending + c.sending + c.done + c.failed + c.needs_review;
/** Items sent and answered: what a progress bar fills to. */
export const finishedOf = (c: ItemCounts) => c.done + c.failed + c.needs_review;
/** Items not done: what a new batch for the rest of a failed or cancelled posting holds. */
export const notDoneOf = (c: ItemCounts) => totalOf(c) - c.done;
/**
 * Whether what a batch did not send goes into a new batch (the rest): a Zoho posting that failed or
 * was cancelled is not sent again. (A delivery or a correction that failed is sent again.)
 */
export const endsWithRest = (kind: string, state: string) => kind === 'zoho-post' && (state === 'failed' || state === 'cancelled');

/**
 * What became of the items an ended posting did not post, as the store counts them (server/store/
 * batches.ts handOnOf): the batches of the rest that took them over, with how many each took, and
 * how many no batch took — a new batch of the rest is offered for those, and only those.
 */
export interface HandOn {
  handedOn: readonly { batchId: string; count: number }[];
  notHandedOn: number;
  /**
   * Of those not handed on, how many were sent and not confirmed: they may be in Zoho already, so they
   * are looked up (POST …/look-up-rest, or by a batch of the rest) and not closed without posting. Absent when none.
   */
  unsure?: number;
  /** The ones closed without posting (POST …/close-rest): how many, by whom, why. Absent when none were. */
  closed?: RestClosed;
}

/** How many of an ended posting's documents may be closed without posting: those left, but the unsure. */
export const closableOf = (h: Partial<HandOn> | undefined): number => Math.max(0, (h?.notHandedOn ?? 0) - (h?.unsure ?? 0));

/**
 * What looking up the unsure documents of an ended posting found (POST …/look-up-rest): recorded as
 * posted, not in Zoho (now failed: closable, or taken by a batch of the rest), still to check (Zoho
 * holds copies that are not quite ours), left because their last write may still land (until
 * `laterUntil`), and — when Zoho stopped the look-up — why, and how many were not asked about.
 */
export interface RestLookUp {
  found: number;
  notFound: number;
  toCheck: number;
  later: number;
  laterUntil?: string;
  stopped?: string;
  notAsked?: number;
}

/** The button beside the unsure documents: "Look up the 2 unsure in Zoho". */
export const lookUpLabel = (n: number): string => `Look up the ${formatCount(n)} unsure in Zoho`;

const utcTime = (iso: string) => `${iso.slice(11, 19)} UTC`;

/**
 * Why documents sent without Zoho confirming them are not closed without posting, and what to do:
 * the close's refusal (`batchId` given) and the pane's hint beside the look-up.
 */
export function unsureSentence(n: number, batchId?: string): string {
  const they = n === 1 ? 'it' : 'they';
  const them = n === 1 ? 'it' : 'them';
  if (batchId) {
    return `The ${countOf(n, 'document')} not posted in batch ${batchId} ${n === 1 ? 'was' : 'were'} sent without Zoho confirming ${them}, so ${they} may be in Zoho already and ${n === 1 ? 'is' : 'are'} not closed without posting: look ${them} up in Zoho from the posting panel (those found are recorded as posted, the others may then be closed), or prepare a batch of the rest, which looks each up before sending anything.`;
  }
  return `${countOf(n, 'document')} sent without Zoho confirming ${them} may be in Zoho already. Looking ${them} up sends nothing: those found are recorded as posted; the others may then be closed without posting or go into a batch of the rest.`;
}

/** What a look-up found, in the pane: "2 found in Zoho and recorded as posted; 1 not in Zoho — it may now be closed …". */
export function lookedUpSentence(r: RestLookUp): string {
  const it = (n: number) => (n === 1 ? 'it' : 'they');
  const parts = [
    r.found ? `${formatCount(r.found)} found in Zoho and recorded as posted` : '',
    r.notFound ? `${formatCount(r.notFound)} not in Zoho — ${it(r.notFound)} may now be closed without posting or go into a batch of the rest` : '',
    r.toCheck ? `${formatCount(r.toCheck)} still to check in Zoho, which holds ${r.toCheck === 1 ? 'a copy' : 'copies'} not quite ours (see ${r.toCheck === 1 ? 'its' : 'their'} status)` : '',
    r.later ? `${formatCount(r.later)} sent too recently to be looked up — ${r.laterUntil ? `looked up after ${utcTime(r.laterUntil)}` : 'look again shortly'}` : '',
    r.stopped ? `Zoho stopped the look-up (${r.stopped.replace(/[\s.]+$/, '')})${r.notAsked ? `: the other ${formatCount(r.notAsked)} ${r.notAsked === 1 ? 'was' : 'were'} not looked up — try again later` : ''}` : '',
  ].filter(Boolean);
  return parts.length ? `${capital(parts.join('; '))}.` : 'Nothing was looked up.';
}

/** The rest of an ended posting closed without posting: nothing more is prepared or sent for it. */
export interface RestClosed {
  count: number;
  byName: string;
  reason: string;
  at: string;
}

/** How many items not posted no batch took over, as the store counted them (all not done when it did not say). */
export const notHandedOnOf = (c: ItemCounts, h?: Partial<HandOn>): number => h?.notHandedOn ?? notDoneOf(c);

/** The ones that ask for a person, non-zero only: "2 failed, 1 to check in Zoho". */
function attention(c: Pick<ItemCounts, 'failed' | 'needs_review'>, w: Words): string[] {
  return [c.failed ? `${formatCount(c.failed)} failed` : '', c.needs_review ? `${formatCount(c.needs_review)} ${w.check}` : ''].filter(Boolean);
}

/** `attention` in a batch kind's words, as one phrase (the pane's list of the documents to see to). */
export const attentionWords = (kind: string, c: Pick<ItemCounts, 'failed' | 'needs_review'>): string => attention(c, wordsOf(kind)).join(', ');

/**
 * The count beside a progress bar, the same number the bar fills to: "37 of 42 posted"; once one
 * failed, "38 of 42 sent: 37 posted, 1 failed".
 */
export function progressSentence(kind: string, c: ItemCounts): string {
  const w = wordsOf(kind);
  const of = `${formatCount(finishedOf(c))} of ${formatCount(totalOf(c))}`;
  const asks = attention(c, w);
  return asks.length ? `${of} sent: ${formatCount(c.done)} ${w.verb}, ${asks.join(', ')}` : `${of} ${w.verb}`;
}

/**
 * What a batch that went out says: sending, done, failed, needs_review or cancelled (null before it
 * is approved for sending: those sentences are the approval rule's). `h`: where its documents not
 * posted went (a batch of the rest was prepared), and how many went nowhere yet.
 */
export function sentBatchSentence(kind: string, state: string, c: ItemCounts, seen: Seen, h?: Partial<HandOn>): string | null {
  const w = wordsOf(kind);
  const total = totalOf(c);
  const things = (n: number) => countOf(n, w.one, w.many);
  const notSent = total - finishedOf(c);
  switch (state) {
    case 'sending': {
      const doing = kind === 'zoho-post' ? 'Posting to Zoho Books' : kind === 'zoho-correction' ? 'Removing copies from Zoho Books' : `Sending ${w.where}`.trim();
      return finishedOf(c) ? `${doing}: ${progressSentence(kind, c)}.` : `${doing}.`;
    }
    case 'done':
      return `${capital(w.verb)} ${total === 1 ? `the ${w.one}` : `all ${things(total)}`} ${w.where}`.trim() + '.';
    case 'needs_review': {
      // Everything went out (or failed): what Zoho holds is the thing to act on.
      const asks = attention(c, w);
      const sent = c.done === total ? `Sent all ${things(total)}` : `Sent ${formatCount(c.done)} of ${things(total)}${asks.length ? `, ${asks.join(', ')}` : ''}`;
      return `${sent}; Zoho differs from what was approved — ${DETAILS[seen].findings}.`;
    }
    case 'failed': {
      const asks = [...attention(c, w), notSent ? `${formatCount(notSent)} not sent` : ''].filter(Boolean);
      const them = c.failed + c.needs_review + notSent === 1 ? 'it' : 'them';
      const look = DETAILS[seen].why;
      // Its rest closed without posting and nothing left: nothing to see to, only what became of them.
      const settled = !!h?.closed && !notHandedOnOf(c, h);
      const then = !endsWithRest(kind, state) ? `${look} and send ${them} again` : settled ? newBatch(c, seen, '', h) : `${look}${notDoneOf(c) ? newBatch(c, seen, ', then ', h) : ''}`;
      return `Not all ${w.verb}${asks.length ? `: ${asks.join(', ')}` : ''} (${formatCount(c.done)} of ${formatCount(total)} ${w.verb}) — ${then}.`;
    }
    case 'cancelled': {
      const rest = endsWithRest(kind, state) && notDoneOf(c) ? newBatch(c, seen, ' — ', h) : '';
      if (!finishedOf(c)) return `Withdrawn or cancelled before anything was sent${seen === 'panel' || h?.handedOn?.length || h?.closed ? rest : ''}.`;
      const asks = attention(c, w);
      const left = notSent ? `; ${formatCount(notSent)} not sent${rest || ` — prepare a new batch for ${notSent === 1 ? 'it' : 'them'}`}` : rest;
      return `Cancelled after ${formatCount(c.done)} of ${things(total)} ${c.done === 1 ? 'was' : 'were'} ${w.verb}${asks.length ? ` (${asks.join(', ')})` : ''}${left}.`;
    }
    default:
      return null;
  }
}

/**
 * The new batch for the documents of a posting not posted: the panel offers it ("Prepare a batch of
 * the 3 not posted"); elsewhere the sentence says who does it, and where (the workbook's documents
 * are on the Settlements page). Once prepared, where they went instead; when a batch of the rest
 * took only some, where those went and the batch still to prepare for the others. Those closed
 * without posting are said with who closed them and why; the counts add up to the ones not posted.
 */
function newBatch(c: ItemCounts, seen: Seen, lead: string, h: Partial<HandOn> | undefined): string {
  const prepare = (n: string) => (seen === 'panel' ? `prepare a batch of the ${n}` : `a preparer prepares a batch of the ${n} on the Settlements page`);
  const to = h?.handedOn ?? [];
  const left = notHandedOnOf(c, h);
  if (!to.length && !h?.closed?.count) return `${lead}${prepare(`${formatCount(left)} not posted`)}`;
  const handed = to.reduce((s, t) => s + t.count, 0);
  const where = to.length === 1 ? `batch ${to[0]!.batchId}` : `batches ${to.map((t) => `${t.batchId} (${formatCount(t.count)})`).join(', ')}`;
  const after = lead === ', then ' ? '; ' : lead;
  if (h?.closed?.count) return `${after}${closedPart(handed, where, left, h.closed)}${left ? `; ${prepare(`${formatCount(left)} left`)}` : ''}`;
  if (!left) return `${after}the ${formatCount(handed)} not posted went into ${where}`;
  return `${after}${formatCount(handed)} of the ${formatCount(handed + left)} not posted went into ${where}; ${prepare(`${formatCount(left)} left`)}`;
}

/**
 * Where the ones not posted went when some were closed without posting: "the 3 not posted were
 * closed without posting by alice: <reason>", "2 of the 3 not posted went into batch bat_x; the other
 * 1 was closed …". The reason ends the sentence; when a batch still to prepare follows, it is in brackets.
 */
function closedPart(handed: number, where: string, left: number, closed: RestClosed): string {
  const all = handed + closed.count + left;
  const was = (n: number) => (n === 1 ? 'was' : 'were');
  const reason = closed.reason.trim().replace(/[\s.]+$/, '');
  const by = `closed without posting by ${closed.byName}${left ? ` (${reason})` : `: ${reason}`}`;
  const n = formatCount(closed.count);
  if (!handed) return left ? `${n} of the ${formatCount(all)} not posted ${was(closed.count)} ${by}` : `the ${formatCount(all)} not posted ${was(all)} ${by}`;
  const into = `${formatCount(handed)} of the ${formatCount(all)} not posted went into ${where}`;
  return left ? `${into} and ${n} ${was(closed.count)} ${by}` : `${into}; the other ${n} ${was(closed.count)} ${by}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
