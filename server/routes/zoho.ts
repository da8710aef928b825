/**
 * Zoho connections for Settings → Zoho connections: data centres, list, connect (grant code → refresh
 * token, stored encrypted), test, remove. Secrets are write-only: no answer ever contains the
 * client secret, refresh token or access token.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { badRequest } from '../errors';
import { currentUser, parseWith } from '../http';
import { createConnection, deleteConnection, getConnection, listConnections, testConnection, type ZohoConnection } from '../zoho/connections';
import { DATA_CENTRES } from '../zoho/datacentres';
import { organisationLists } from '../zoho/lists';
import { localSandboxUrl } from '../zoho/local-sandbox';

const connectBody = z.object({
  name: z.string().trim().min(1, 'give the connection a name').max(100),
  dataCentre: z.string().min(1),
  clientId: z.string().trim().min(1, 'the client id is empty').max(200),
  clientSecret: z.string().trim().min(1, 'the client secret is empty').max(500),
  grantCode: z.string().trim().min(1, 'the grant code is empty').max(1000),
  organizationId: z.string().regex(/^\d+$/, 'an organisation id is digits only').optional(),
  /** Connect to the local Zoho sandbox started by `npm start` instead of the real data centre. */
  useLocalSandbox: z.boolean().optional(),
});

/** What the page sees of a connection: never a secret. */
function publicView(c: ZohoConnection) {
  return {
    id: c.id,
    name: c.name,
    dataCentre: c.dataCentre,
    dataCentreLabel: DATA_CENTRES[c.dataCentre]?.label ?? c.dataCentre,
    organizationId: c.organizationId,
    organizationName: c.organizationName,
    clientId: c.clientId,
    sandbox: Boolean(c.accountsUrl || c.apiUrl),
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    lastTestAt: c.lastTestAt,
    lastTestResult: c.lastTestResult,
  };
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const admin = app.requireRole('admin');

  app.get('/api/zoho/data-centres', { preHandler: anyRole }, async () => ({
    dataCentres: Object.entries(DATA_CENTRES).map(([code, d]) => ({ code, label: d.label, accounts: d.accounts, api: d.api })),
    localSandbox: localSandboxUrl(),
  }));

  app.get('/api/zoho/connections', { preHandler: anyRole }, async () => ({ connections: (await listConnections(ctx.store)).map(publicView) }));

  app.post('/api/zoho/connections', { preHandler: admin }, async (req, reply) => {
    const body = parseWith(connectBody, req.body, 'connection');
    const sandbox = body.useLocalSandbox ? localSandboxUrl() : null;
    if (body.useLocalSandbox && !sandbox) throw badRequest('no-local-sandbox', 'No local Zoho sandbox is running with this server; start it with `npm start` or connect a real data centre.');
    const user = currentUser(req);
    const c = await createConnection(ctx, {
      name: body.name,
      dataCentre: body.dataCentre,
      clientId: body.clientId,
      clientSecret: body.clientSecret,
      grantCode: body.grantCode,
      organizationId: body.organizationId,
      accountsUrl: sandbox ?? undefined,
      apiUrl: sandbox ? `${sandbox}/books/v3` : undefined,
      createdBy: user.id,
    });
    await ctx.audit.append({ actor: user.id, action: 'zoho.connected', subjectType: 'zoho-connection', subjectId: c.id, details: { name: c.name, dataCentre: c.dataCentre, organizationId: c.organizationId, sandbox: Boolean(sandbox) } });
    return reply.code(201).send({ connection: publicView(c) });
  });

  app.post<{ Params: { id: string } }>('/api/zoho/connections/:id/test', { preHandler: anyRole }, async (req) => {
    const result = await testConnection(ctx, req.params.id);
    return { ...result, connection: publicView(await getConnection(ctx.store, req.params.id)) };
  });

  // The organisation's chart of accounts, items and customers, so the mapping pages pick Zoho ids
  // from them (and the Settlements page matches names not in the stored mapping) instead of typing ids.
  app.get<{ Params: { id: string } }>('/api/zoho/connections/:id/lists', { preHandler: anyRole }, async (req) => organisationLists(ctx, req.params.id));

  app.delete<{ Params: { id: string } }>('/api/zoho/connections/:id', { preHandler: admin }, async (req) => {
    const c = await getConnection(ctx.store, req.params.id);
    await deleteConnection(ctx, c.id);
    await ctx.audit.append({ actor: currentUser(req).id, action: 'zoho.disconnected', subjectType: 'zoho-connection', subjectId: c.id, details: { name: c.name } });
    return { id: c.id, deleted: true };
  });
}
