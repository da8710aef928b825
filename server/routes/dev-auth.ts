/**
 * Local development issuer: its public key at /.well-known/jwks.json and POST /api/dev/sign-in
 * {user, role} → token, used by the task pane outside Office. Both answer 404 when the server
 * trusts a real identity provider; with the development issuer the server only listens on
 * loopback (assertSafeToServe). The token's lifetime is the server's (8 hours), never the
 * caller's: a body asking for one is refused.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES } from '../auth';
import type { AppContext } from '../context';
import { notFound } from '../errors';
import { parseWith } from '../http';

const signInBody = z
  .object({
    user: z.string().trim().regex(/^[\w.@-]{1,100}$/, 'use letters, digits and . _ @ - only'),
    role: z.enum(ROLES).optional(),
    roles: z.array(z.enum(ROLES)).min(1).optional(),
  })
  .strict('only user and role are accepted; the token lifetime is set by the server')
  .refine((b) => b.role || b.roles, { message: 'choose a role: preparer, approver or admin', path: ['role'] });

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const disabled = () =>
    notFound('dev-sign-in-disabled', "Development sign-in is off: this server uses your organisation's sign-in. Sign in with your work account.");

  app.get('/.well-known/jwks.json', { config: { public: true } }, async () => {
    if (!ctx.auth.devIssuer) throw disabled();
    return ctx.auth.devIssuer.jwks;
  });

  app.post('/api/dev/sign-in', { config: { public: true } }, async (req) => {
    const issuer = ctx.auth.devIssuer;
    if (!issuer) throw disabled();
    const body = parseWith(signInBody, req.body, 'sign-in');
    const roles = body.roles ?? [body.role!];
    const token = await issuer.sign({ user: body.user, roles });
    // The identity exactly as the server will see it on every request with this token.
    const user = await ctx.auth.verify(token);
    await ctx.audit.append({ actor: user.id, action: 'auth.dev-sign-in', subjectType: 'user', subjectId: user.id, details: { roles, name: user.name } });
    return { token, user, issuer: ctx.config.auth.issuer, audience: ctx.config.auth.audience };
  });
}
