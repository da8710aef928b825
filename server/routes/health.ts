import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { appVersion } from '../version';

/** GET /api/health (no token): is the server up and the store reachable; GET /api/me: who am I. */
export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Not rate-limited: load balancers and monitors poll it.
  app.get('/api/health', { config: { public: true, rateLimit: false } }, async (_req, reply) => {
    try {
      await ctx.store.one('SELECT 1 AS ok');
      return { ok: true, version: appVersion(), store: ctx.store.dialect, auth: ctx.config.auth.mode };
    } catch {
      return reply.code(503).send({ error: { code: 'store-unavailable', message: 'The server is up but cannot reach its database.' } });
    }
  });
  app.get('/api/me', async (req) => ({ user: req.user }));
}
