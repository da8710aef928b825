/**
 * `npm start`'s demo FTP target as the partner "Demo FTP (loopback)" for every card network (new
 * password each start). Registered once per running app: the deliveries routes register it on
 * start-up and the tuition routes name it as the demo customers' delivery target, whichever runs first.
 */
import type { AppContext } from '../context';
import { createPartner, listPartners, updatePartner } from '../delivery/partners';
import { DEMO_PARTNER_NAME, type DemoFtpTarget } from './demo-ftp-target';

const registered = new WeakMap<AppContext, Promise<string>>();

async function register(ctx: AppContext, demo: DemoFtpTarget): Promise<string> {
  const existing = (await listPartners(ctx.store, ctx.secrets)).find((p) => p.name === DEMO_PARTNER_NAME);
  const settings = { protocol: 'ftp' as const, host: demo.host, port: demo.port, folder: 'inbox', username: demo.username, password: demo.password };
  if (existing) return (await updatePartner(ctx.store, ctx.secrets, existing.id, settings)).id;
  return (await createPartner(ctx.store, ctx.secrets, { name: DEMO_PARTNER_NAME, ...settings, networks: ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'SPURSH'] }, 'system')).id;
}

/** The demo partner's id, registering (or refreshing) it on the first call of this app. */
export function registerDemoPartner(ctx: AppContext, demo: DemoFtpTarget): Promise<string> {
  let p = registered.get(ctx);
  if (!p) {
    p = register(ctx, demo);
    registered.set(ctx, p);
    // A failure is not kept: a later call tries again.
    p.catch(() => registered.delete(ctx));
  }
  return p;
}
