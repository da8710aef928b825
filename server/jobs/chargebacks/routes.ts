/**
 * Chargebacks:
 * - POST /api/chargebacks/files    validate records and build the network files (no side effects): for a backend dataset or
 *                                   records sent by the task pane; returns files (CSV + sheet), totals, the batch date and
 *                                   label used, and problems (src/chargebacks buildChargebackFiles)
 * - POST /api/chargebacks/batches  preparer: build the files again on the server and prepare a delivery batch, one file per
 *                                   network to the partner the preparer chose, else the network's delivery target with its
 *                                   folder and file name, else the one partner that takes the network (src/delivery/targets.ts);
 *                                   refused while a blocking problem remains or a network has no target
 * Approve with POST /api/batches/:id/approve (another person), send with POST /api/deliveries/:id/send.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import { currentUser, parseWith } from '../../http';
import { buildChargebackFiles, chargebackBatchView, tableFromJson, type ChargebackInput } from '../../../src/chargebacks';
import { chooseTarget } from '../../../src/delivery/targets';
import { countBlocking, countWarnings, type Cell } from '../../../src/kernel';
import { datasetIdSchema, readDatasetTables } from '../../datasets';
import { targetConfig, targetedFile } from '../../delivery/targets';
import { describeDelivery, prepareDelivery } from '../../delivery/service';
import { recordTables } from './inputs';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const tableSchema = z.object({
  name: z.string().min(1).max(200),
  header: z.array(z.string()),
  rows: z.array(z.array(cell)).max(200_000),
  firstRowNumber: z.number().int().positive().optional(),
});
const optionsSchema = {
  /** Blank or absent: B + the batch date. */
  batch: z.string().trim().max(40).optional(),
  /** Blank or absent: the latest transaction date of the records. */
  date: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional(),
  merchant: z.string().trim().max(60).optional(),
  pattern: z.string().trim().max(200).optional(),
};
const filesBody = z
  .object({
    tables: z.array(tableSchema).max(20).optional(),
    records: z.array(z.record(z.unknown())).max(200_000).optional(),
    dataset: datasetIdSchema.optional(),
    sheet: z.string().max(100).optional(),
    ...optionsSchema,
  })
  .refine((b) => [b.tables, b.records, b.dataset].filter((x) => x !== undefined).length === 1, 'give tables, records or a dataset, one of them');
const batchBody = z.intersection(filesBody, z.object({ partners: z.record(z.string()).optional() }));

async function inputTables(ctx: AppContext, body: z.infer<typeof filesBody>): Promise<ChargebackInput> {
  if (body.tables) return { tables: body.tables.map((t) => ({ ...t, rows: t.rows as Cell[][] })), problems: [] };
  if (body.records) {
    const r = tableFromJson('records', body.records);
    return { tables: [r.table], problems: r.problems };
  }
  // A dataset (a whole workbook too) through the datasets service, then a workbook's record sheets.
  const id = body.dataset!;
  const read = await readDatasetTables(ctx.datasets, body.sheet && /\.xlsx$/i.test(id) ? `${id}!${body.sheet}` : id);
  return recordTables(id, read, body.sheet);
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const preparer = app.requireRole('preparer');

  app.post('/api/chargebacks/files', { preHandler: preparer }, async (req) => {
    const body = parseWith(filesBody, req.body, 'chargeback request');
    return chargebackBatchView(buildChargebackFiles(await inputTables(ctx, body), body));
  });

  app.post('/api/chargebacks/batches', { preHandler: preparer }, async (req, reply) => {
    const body = parseWith(batchBody, req.body, 'chargeback batch');
    const user = currentUser(req);
    // Built again here: what is approved and sent is what the server computed, not what a client claims.
    const built = buildChargebackFiles(await inputTables(ctx, body), body);
    const { problems } = built;
    if (built.blocked) {
      throw new AppError(422, 'blocking-problems', `The chargeback files have ${countBlocking(problems)} blocking problems; fix them before preparing the batch.`, { problems });
    }
    // Each network's file goes where the rule says: the partner the preparer chose, else the network's delivery target.
    const targets = await targetConfig(ctx.store, ctx.secrets);
    const files = built.files.map((f) => ({
      ...targetedFile(chooseTarget(targets, 'chargebacks', f.network, { chosen: body.partners }), f.fileName, { network: f.network }),
      content: Buffer.from(f.csv, 'utf8'),
      label: f.network,
    }));
    const batch = await prepareDelivery(
      { store: ctx.store, secrets: ctx.secrets, audit: ctx.audit },
      {
        job: 'chargebacks',
        preparedBy: user,
        files,
        payload: {
          batchLabel: built.batch,
          date: built.date,
          records: built.records.length,
          networks: built.files.map((f) => ({ network: f.network, fileName: f.fileName, records: f.records.length, totals: f.totals })),
          warnings: countWarnings(problems),
        },
      },
    );
    reply.code(201);
    return { ...(await describeDelivery(ctx.store, batch.id)), ...chargebackBatchView(built) };
  });
}
