/**
 * The demo mailbox: GET /api/dev/mail lists the messages the local mail catcher (server/dev/mail-catcher.ts,
 * started by `npm start` and the tests) received for the signed-in person's own address — the address
 * her sign-in gives (sign in to the demo as "ap@northwind.test" to read what CloseDesk e-mailed to
 * that approver). It stands in for her real mailbox, so it shows nobody else's mail: a preparer never
 * sees the approval links sent to a customer's approver. 404 unless the development issuer is in use
 * and the catcher runs in this process.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { approvalUser, ROLES } from '../auth';
import { notFound } from '../errors';
import { currentUser } from '../http';
import { mailboxOf } from '../../src/tuition/lifecycle';
import { activeMailCatcher } from '../dev/mail-catcher';

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/dev/mail', { preHandler: app.requireRole(...ROLES) }, async (req) => {
    const catcher = activeMailCatcher();
    if (!ctx.auth.devIssuer || !catcher) throw notFound('no-demo-mailbox', 'There is no demo mailbox on this server: approval links go to real e-mail addresses.');
    const mailbox = mailboxOf(approvalUser(currentUser(req)));
    const messages = mailbox ? catcher.messages().filter((m) => m.to.some((to) => to.toLowerCase() === mailbox)) : [];
    return {
      mailbox,
      messages: messages.map((m) => ({ id: m.id, from: m.from, to: m.to, subject: m.subject, receivedAt: m.receivedAt, text: m.text, links: m.links })),
    };
  });
}
