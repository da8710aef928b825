/**
 * GET /api/auth/config (no token): how the task pane signs in. With the development issuer the pane
 * shows its name-and-role form (POST /api/dev/sign-in); with an identity provider it signs in with
 * MSAL using the client id, authority and scopes below (nothing secret: a public client uses PKCE).
 */
import type { FastifyInstance } from 'fastify';
import { AUTH_REDIRECT_PATH } from '../auth';
import type { AppContext } from '../context';

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/auth/config', { config: { public: true } }, async () => {
    const auth = ctx.config.auth;
    if (auth.mode === 'dev') return { mode: 'dev' };
    if (!auth.signIn) {
      return {
        mode: 'unavailable',
        message: 'This server trusts your organisation’s sign-in, but the task pane is not set up for it yet: an administrator must set AUTH_CLIENT_ID.',
      };
    }
    const { provider, clientId, authority, scopes } = auth.signIn;
    return {
      mode: 'msal',
      provider,
      clientId,
      authority,
      // MSAL only trusts a non-Microsoft authority it is told about.
      knownAuthorities: provider === 'oidc' ? [new URL(authority).host] : [],
      scopes,
      redirectPath: AUTH_REDIRECT_PATH,
    };
  });
}
