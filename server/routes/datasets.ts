import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { MAX_PAGE } from '../datasets';
import { parseWith } from '../http';

const whole = (what: string) =>
  z
    .string()
    .regex(/^\d+$/, `${what} must be a whole number`)
    .transform(Number)
    .optional();

const pageQuery = z.object({ offset: whole('offset'), limit: whole('limit') }).passthrough();

/** GET /api/datasets → list; GET /api/datasets/:id?offset=&limit=&<param>= → one page of rows. */
export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  app.get('/api/datasets', { preHandler: anyRole }, async () => ({ datasets: await ctx.datasets.list() }));
  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
    '/api/datasets/:id',
    { preHandler: anyRole },
    async (req) => {
      const { offset, limit, ...params } = parseWith(pageQuery, req.query, `page request (limit 1–${MAX_PAGE})`);
      return ctx.datasets.read(req.params.id, { offset, limit, params: params as Record<string, string> });
    },
  );
}
