import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { notFound } from '../errors';
import { currentUser, parseWith } from '../http';
import { SECRET_NAME } from '../secrets';

const putBody = z.object({ value: z.string().min(1, 'the value is empty').max(64 * 1024) });

/**
 * Credentials are written and removed by admins; their values never leave the server (only names
 * and dates are listed). The audit log records who changed which name, never the value.
 */
export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const admin = app.requireRole('admin');
  app.get('/api/secrets', { preHandler: admin }, async () => ({ secrets: await ctx.secrets.listNames() }));
  app.put<{ Params: { name: string } }>('/api/secrets/:name', { preHandler: admin }, async (req, reply) => {
    const { value } = parseWith(putBody, req.body, 'secret');
    const name = req.params.name;
    await ctx.secrets.put(name, value);
    await ctx.audit.append({ actor: currentUser(req).id, action: 'secret.set', subjectType: 'secret', subjectId: name });
    return reply.code(200).send({ name, stored: true });
  });
  app.delete<{ Params: { name: string } }>('/api/secrets/:name', { preHandler: admin }, async (req) => {
    const name = req.params.name;
    if (!SECRET_NAME.test(name) || !(await ctx.secrets.delete(name))) throw notFound('secret-not-found', `There is no stored credential named ${name}.`);
    await ctx.audit.append({ actor: currentUser(req).id, action: 'secret.deleted', subjectType: 'secret', subjectId: name });
    return { name, deleted: true };
  });
}
