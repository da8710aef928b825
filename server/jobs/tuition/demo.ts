/**
 * The demo's tuition customers, ready to approve and deliver with no setup: when `npm start` runs its
 * demo FTP target, each demo customer the admin has not set up yet gets an approver address the demo
 * mailbox shows (ap@northwind.test) and the demo partner as its delivery target. A customer with
 * settings of its own — anything an admin saved — is left as it is; so is a delivery target an admin
 * set under Settings → Delivery targets.
 */
import { getTarget } from '../../delivery/targets';
import { getCustomerSettings, putCustomerSettings, type TuitionDeps } from './invoices';

/** The customers the demo partner files bill (scripts/generate-demo-data.ts writes them). */
export const DEMO_TUITION_CUSTOMERS = ['Northwind Traders', 'Contoso Ltd', 'Fabrikam Inc'] as const;

/** The demo approver of a customer: "ap@" and the first word of its name (ap@northwind.test). */
export const demoApprover = (customer: string) => `ap@${customer.trim().split(/\s+/)[0]!.toLowerCase()}.test`;

export const DEMO_SEED_ACTOR = 'system:demo';

/** Seeds the demo customers that have no settings yet; answers the ones it seeded. */
export async function seedDemoCustomers(deps: TuitionDeps, demoPartnerId: string): Promise<string[]> {
  const seeded: string[] = [];
  for (const name of DEMO_TUITION_CUSTOMERS) {
    if (await getCustomerSettings(deps.store, name)) continue;
    const ownTarget = await getTarget(deps.store, 'tuition', name);
    await putCustomerSettings(deps, { name, approverEmail: demoApprover(name), ...(ownTarget ? {} : { delivery: { method: 'partner', partnerId: demoPartnerId } }) }, DEMO_SEED_ACTOR);
    seeded.push(name);
  }
  return seeded;
}
