/**
 * Chargebacks (issue 6):
 * - POST /api/chargebacks/files    validate records and build the network files (no side effects): for a backend dataset or
 *                                   records sent by the task pane; returns files (CSV + sheet), totals and problems
 * - POST /api/chargebacks/batches  preparer: build the files again on the server and prepare a delivery batch, one file per
 *                                   network to that network's partner; refused while a blocking problem remains
 * Approve with POST /api/batches/:id/approve (another person), send with POST /api/deliveries/:id/send.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError, badRequest } from '../../errors';
import { currentUser, parseWith } from '../../http';
import { buildChargebackFiles, tableFromJson, type ChargebackBatch } from '../../../src/chargebacks';
import { countBlocking, countWarnings, hasBlocking, type Cell, type Table } from '../../../src/kernel';
import { readChargebackBytes } from './inputs';
import { readDatasetTable } from '../../datasets';
import { listPartners } from '../../delivery/partners';
import { describeDelivery, prepareDelivery } from '../../delivery/service';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const tableSchema = z.object({
  name: z.string().min(1).max(200),
  header: z.array(z.string()),
  rows: z.array(z.array(cell)).max(200_000),
  firstRowNumber: z.number().int().positive().optional(),
});
const optionsSchema = {
  batch: z.string().trim().min(1).max(40),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  merchant: z.string().trim().max(60).optional(),
  pattern: z.string().trim().max(200).optional(),
};
const filesBody = z
  .object({
    tables: z.array(tableSchema).max(20).optional(),
    records: z.array(z.record(z.unknown())).max(200_000).optional(),
    dataset: z.string().min(1).max(300).optional(),
    sheet: z.string().max(100).optional(),
    ...optionsSchema,
  })
  .refine((b) => [b.tables, b.records, b.dataset].filter((x) => x !== undefined).length === 1, 'give tables, records or a dataset, one of them');
const batchBody = z.intersection(filesBody, z.object({ partners: z.record(z.string()).optional() }));

async function inputTables(ctx: AppContext, body: z.infer<typeof filesBody>): Promise<{ tables: Table[]; problems: ChargebackBatch['problems'] }> {
  if (body.tables) return { tables: body.tables.map((t) => ({ ...t, rows: t.rows as Cell[][] })), problems: [] };
  if (body.records) {
    const r = tableFromJson('records', body.records);
    return { tables: [r.table], problems: r.problems };
  }
  // JSON files are not datasets of the Data page; read them from the datasets folder directly.
  if (/\.json$/i.test(body.dataset!)) return readChargebackBytes(body.dataset!, await datasetBytes(ctx, body.dataset!), body.sheet);
  const { table, problems } = await readDatasetTable(ctx.datasets, body.dataset!);
  return { tables: [table], problems };
}

/** A dataset file of the server's datasets folder, by name (no paths outside it). */
async function datasetBytes(ctx: AppContext, name: string): Promise<Buffer> {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*\.(csv|txt|xlsx|json)$/i.test(name)) throw badRequest('bad-dataset', `"${name}" is not a chargeback dataset file name (.csv, .xlsx or .json).`);
  const file = path.join(ctx.config.datasetsDir, name);
  try {
    return await fs.readFile(file);
  } catch {
    throw new AppError(404, 'dataset-not-found', `The server has no dataset ${name}.`);
  }
}

function filesView(b: ChargebackBatch) {
  return {
    blocked: b.blocked,
    records: b.records.length,
    problems: b.problems,
    files: b.files.map((f) => ({ network: f.network, fileName: f.fileName, records: f.records.length, totals: f.totals, csv: f.csv, sheet: f.sheet })),
  };
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const preparer = app.requireRole('preparer');

  app.post('/api/chargebacks/files', { preHandler: preparer }, async (req) => {
    const body = parseWith(filesBody, req.body, 'chargeback request');
    const input = await inputTables(ctx, body);
    const built = buildChargebackFiles(input.tables, body);
    return filesView({ ...built, problems: [...input.problems, ...built.problems], blocked: built.blocked || hasBlocking(input.problems) });
  });

  app.post('/api/chargebacks/batches', { preHandler: preparer }, async (req, reply) => {
    const body = parseWith(batchBody, req.body, 'chargeback batch');
    const user = currentUser(req);
    const input = await inputTables(ctx, body);
    // Built again here: what is approved and sent is what the server computed, not what a client claims.
    const built = buildChargebackFiles(input.tables, body);
    const problems = [...input.problems, ...built.problems];
    if (built.blocked || hasBlocking(problems)) {
      throw new AppError(422, 'blocking-problems', `The chargeback files have ${countBlocking(problems)} blocking problems; fix them before preparing the batch.`, { problems });
    }
    const partners = await listPartners(ctx.store, ctx.secrets);
    const files = built.files.map((f) => {
      const chosen = body.partners?.[f.network];
      const candidates = chosen ? partners.filter((p) => p.id === chosen) : partners.filter((p) => p.networks.includes(f.network));
      if (candidates.length !== 1) {
        throw badRequest(
          'no-partner',
          candidates.length === 0
            ? `No delivery partner receives ${f.network} files; an admin must add one (or choose one for ${f.network}).`
            : `Several partners receive ${f.network} files (${candidates.map((c) => c.name).join(', ')}); choose one.`,
        );
      }
      return { fileName: f.fileName, content: Buffer.from(f.csv, 'utf8'), partnerId: candidates[0]!.id, label: f.network };
    });
    const batch = await prepareDelivery(
      { store: ctx.store, secrets: ctx.secrets, audit: ctx.audit },
      {
        job: 'chargebacks',
        preparedBy: user,
        files,
        payload: {
          batchLabel: body.batch,
          date: body.date,
          records: built.records.length,
          networks: built.files.map((f) => ({ network: f.network, fileName: f.fileName, records: f.records.length, totals: f.totals })),
          warnings: countWarnings(problems),
        },
      },
    );
    reply.code(201);
    return { ...(await describeDelivery(ctx.store, batch.id)), ...filesView(built) };
  });
}
