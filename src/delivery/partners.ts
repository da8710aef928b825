/**
 * Where a file goes: the delivery partner for a label (a card network such as VISA, or SPURSH). The
 * partners themselves are server data (the host passes the list); this is the rule that picks one:
 * 1. the partner the preparer chose for this batch, when given;
 * 2. else the partner an admin configured for the label (the configured mapping, when given: the
 *    delivery targets of targets.ts, which add a folder and a file name to it);
 * 3. else the one partner that takes the label, when exactly one does.
 * Anything else is no choice, with the sentence that says what to do.
 */

/** What the rule needs to know of a partner. */
export interface PartnerCandidate {
  id: string;
  name: string;
  /** Labels the partner receives files for, e.g. ["VISA", "SPURSH"]. */
  networks: readonly string[];
}

/** Label → partner id. */
export type PartnerMapping = Readonly<Record<string, string>>;

/** The choice, with `candidates`: the partners that take the label (what a page offers to choose from). */
export type PartnerChoice<P extends PartnerCandidate> =
  | { ok: true; partner: P; how: 'chosen' | 'configured' | 'only'; candidates: P[] }
  | { ok: false; code: 'chosen-missing' | 'configured-missing' | 'no-partner' | 'several-partners'; candidates: P[]; message: string };

export function choosePartner<P extends PartnerCandidate>(
  label: string,
  partners: readonly P[],
  chosen: PartnerMapping = {},
  configured: PartnerMapping = {},
): PartnerChoice<P> {
  const takes = partners.filter((p) => p.networks.includes(label));
  if (chosen[label]) {
    const p = partners.find((x) => x.id === chosen[label]);
    return p
      ? { ok: true, partner: p, how: 'chosen', candidates: takes }
      : { ok: false, code: 'chosen-missing', candidates: takes, message: `The partner chosen for ${label} files is no longer configured; choose another.` };
  }
  if (configured[label]) {
    const p = partners.find((x) => x.id === configured[label]);
    return p
      ? { ok: true, partner: p, how: 'configured', candidates: takes }
      : { ok: false, code: 'configured-missing', candidates: takes, message: `The partner configured for ${label} files no longer exists; an admin sets another under Settings → Delivery targets.` };
  }
  if (takes.length === 1) return { ok: true, partner: takes[0]!, how: 'only', candidates: takes };
  if (takes.length === 0)
    return { ok: false, code: 'no-partner', candidates: [], message: `No delivery partner receives ${label} files; an admin sets one under Settings → Delivery targets (or choose one for ${label}).` };
  return { ok: false, code: 'several-partners', candidates: takes, message: `Several partners receive ${label} files (${takes.map((c) => c.name).join(', ')}); choose one.` };
}
