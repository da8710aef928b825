/**
 * Where a tuition customer's approved invoices go: Zoho Books when the customer's settings say so,
 * otherwise the customer's delivery target (src/delivery/targets.ts: the target set under
 * Settings → Delivery targets, else the partner of the customer's own settings). None is a state
 * the pages and the customer's page explain; delivery waits for an admin to set one.
 */
import type { TargetChoice } from '../../../src/delivery/targets';
import type { Secrets } from '../../secrets';
import type { Queryable } from '../../store';
import { resolveTarget } from '../../delivery/targets';
import type { CustomerSettings } from './invoices';
import type { ZohoTarget } from './zoho';

export type TuitionDelivery =
  | ZohoTarget
  | { method: 'partner'; partnerId: string; partnerName: string; description: string; choice: Extract<TargetChoice, { ok: true }> }
  | { method: 'none'; reason: string };

export async function tuitionDelivery(db: Queryable, secrets: Secrets, customer: string, settings: CustomerSettings | undefined): Promise<TuitionDelivery> {
  if (settings?.delivery.method === 'zoho') return settings.delivery;
  const partnerId = settings?.delivery.method === 'partner' ? settings.delivery.partnerId : undefined;
  const choice: TargetChoice = await resolveTarget(db, secrets, 'tuition', customer, { customerPartnerId: partnerId });
  if (!choice.ok) return { method: 'none', reason: choice.reason };
  return { method: 'partner', partnerId: choice.partnerId, partnerName: choice.partnerName, description: choice.description, choice };
}
