/**
 * The Zoho mapping of a connection for settlements (Settings → Zoho mappings; the Settlements page
 * and `closedesk settlements --connection` read it):
 * - GET    /api/zoho/connections/:id/mappings                every role: the entries (GL account, SKU, charge line, marketplace → Zoho id and name)
 * - PUT    /api/zoho/connections/:id/mappings                admin: set one {kind, key, zohoId, zohoName?}
 * - DELETE /api/zoho/connections/:id/mappings?kind=&key=     admin: remove one
 * - POST   /api/zoho/connections/:id/mappings/file           admin: load a mapping file {fileName, text, replace?} (CSV or JSON);
 *                                                            422 with the problems (file, row, column, value) when any blocks,
 *                                                            ids checked against the organisation's own lists
 * - GET    /api/zoho/connections/:id/mappings/export          every role: the mapping as CSV {fileName, csv} (formula-like text neutralised)
 * Every change is in the audit log.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasBlocking } from '../../../src/kernel/problems';
import { CHARGE_ITEM_NAMES } from '../../../src/settlements/mapping';
import { checkMappingAgainstLists, mappingCsv, MAPPING_KINDS, readMappingFile, type MappingKind } from '../../../src/settlements/mapping-file';
import type { AppContext } from '../../context';
import { AppError, badRequest } from '../../errors';
import { currentUser, parseWith } from '../../http';
import { getConnection } from '../../zoho/connections';
import { organisationLists } from '../../zoho/lists';
import { deleteMapping, listMappings, loadMappings, putMapping } from './mapping-store';

const kind = z.enum(MAPPING_KINDS as unknown as [MappingKind, ...MappingKind[]]);
const putBody = z
  .object({
    kind,
    key: z.string().trim().min(1, 'give the name, SKU or charge line').max(300),
    zohoId: z.string().regex(/^\d{1,30}$/, 'a Zoho id is digits, sent as text'),
    zohoName: z.string().trim().max(300).optional(),
  })
  .strict();
const keyQuery = z.object({ kind, key: z.string().trim().min(1).max(300) });
const fileBody = z.object({
  fileName: z.string().trim().min(1).max(200),
  text: z.string().min(1, 'the file is empty').max(5_000_000),
  replace: z.boolean().optional(),
});

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const admin = app.requireRole('admin');

  app.get<{ Params: { id: string } }>('/api/zoho/connections/:id/mappings', { preHandler: anyRole }, async (req) => {
    const c = await getConnection(ctx.store, req.params.id);
    return { connection: { id: c.id, name: c.name, organizationName: c.organizationName }, entries: await listMappings(ctx.store, c.id) };
  });

  app.put<{ Params: { id: string } }>('/api/zoho/connections/:id/mappings', { preHandler: admin }, async (req) => {
    const body = parseWith(putBody, req.body, 'mapping entry');
    if (body.kind === 'charge-item' && !(body.key in CHARGE_ITEM_NAMES)) {
      throw badRequest('bad-mapping', `"${body.key}" is not a charge line of settlement invoices; use ${Object.keys(CHARGE_ITEM_NAMES).join(', ')}.`);
    }
    const c = await getConnection(ctx.store, req.params.id);
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const { entry, previous } = await putMapping(tx, c.id, body, user.id);
      await ctx.audit.append(
        {
          actor: user.id,
          action: 'zoho.mapping-set',
          subjectType: 'zoho-connection',
          subjectId: c.id,
          details: { kind: entry.kind, key: entry.key, zohoId: entry.zohoId, zohoName: entry.zohoName, previous: previous ? { zohoId: previous.zohoId, zohoName: previous.zohoName } : null },
        },
        tx,
      );
      return { entry };
    });
  });

  app.delete<{ Params: { id: string } }>('/api/zoho/connections/:id/mappings', { preHandler: admin }, async (req) => {
    const q = parseWith(keyQuery, req.query, 'mapping entry');
    const c = await getConnection(ctx.store, req.params.id);
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const removed = await deleteMapping(tx, c.id, q.kind, q.key);
      await ctx.audit.append(
        { actor: user.id, action: 'zoho.mapping-removed', subjectType: 'zoho-connection', subjectId: c.id, details: { kind: removed.kind, key: removed.key, zohoId: removed.zohoId } },
        tx,
      );
      return { removed };
    });
  });

  app.post<{ Params: { id: string } }>('/api/zoho/connections/:id/mappings/file', { preHandler: admin }, async (req) => {
    const body = parseWith(fileBody, req.body, 'mapping file');
    const c = await getConnection(ctx.store, req.params.id);
    const user = currentUser(req);
    const read = readMappingFile(body.fileName, body.text);
    if (hasBlocking(read.problems)) {
      throw new AppError(422, 'mapping-file-problems', `${body.fileName} has problems; nothing was loaded. Correct the rows listed and load it again.`, { problems: read.problems });
    }
    const checked = checkMappingAgainstLists(body.fileName, read.entries, await organisationLists(ctx, c.id), c.organizationName || c.name);
    const problems = [...read.problems, ...checked.problems];
    if (hasBlocking(checked.problems)) {
      throw new AppError(422, 'mapping-file-problems', `${body.fileName} names Zoho ids ${c.organizationName || c.name} does not have; nothing was loaded.`, { problems });
    }
    const entries = checked.entries.map(({ kind: k, key, zohoId, zohoName }) => ({ kind: k, key, zohoId, zohoName }));
    return ctx.store.transaction(async (tx) => {
      const r = await loadMappings(tx, c.id, entries, user.id, body.replace === true);
      await ctx.audit.append(
        {
          actor: user.id,
          action: 'zoho.mapping-loaded',
          subjectType: 'zoho-connection',
          subjectId: c.id,
          details: { fileName: body.fileName, sha256: createHash('sha256').update(body.text, 'utf8').digest('hex'), set: r.set, removed: r.removed, replace: body.replace === true },
        },
        tx,
      );
      return { ...r, entries: await listMappings(tx, c.id), problems };
    });
  });

  app.get<{ Params: { id: string } }>('/api/zoho/connections/:id/mappings/export', { preHandler: anyRole }, async (req) => {
    const c = await getConnection(ctx.store, req.params.id);
    const slug = c.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'connection';
    return { fileName: `zoho-mapping-${slug}.csv`, csv: mappingCsv(await listMappings(ctx.store, c.id)) };
  });
}
