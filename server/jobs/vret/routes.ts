/**
 * Vendor returns for the task pane:
 * - GET  /api/vret/options → which inputs the server has (source, THR folder, CSV folder) and the known ledgers/geos
 * - POST /api/vret/build {ledger, geo, period?} → the run of src/vendor-returns on the server's inputs (THR files can be far
 *   too big to ship to Excel row by row): sheets, SPURSH (null while held back), file names, balances, problems, and the
 *   period used (the latest the inputs hold when none is given); the run is recorded
 * - POST /api/vret/spursh {fileName, csv, ledger?} → the SPURSH file kept (atomically) in <data dir>/vret/outbox and prepared
 *   for approval as a delivery batch to the ledger's SPURSH target (spursh-delivery.ts); without one it waits in the outbox,
 *   and the same file sent again once a target is set is prepared then, once; nothing is sent before approval
 *
 * Settings (environment): CLOSEDESK_VRET_SOURCE (postgres:// URL of the VRET tables), CLOSEDESK_VRET_THR_DIR,
 * CLOSEDESK_VRET_INPUTS_DIR (cm.csv, adj.csv, … as for `closedesk vret --inputs`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError, upstreamFailed } from '../../errors';
import { currentUser, parseWith } from '../../http';
import { defaultVretConfig, spurshText, vretChoices } from '../../../src/vendor-returns';
import { buildVretFromSources, recordVretRun, VretSourceError } from './job';
import { prepareSpurshDelivery } from './spursh-delivery';

function vretSettings(env: Record<string, string | undefined> = process.env) {
  const v = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  return { source: v('CLOSEDESK_VRET_SOURCE'), thrDir: v('CLOSEDESK_VRET_THR_DIR'), inputsDir: v('CLOSEDESK_VRET_INPUTS_DIR') };
}

const buildBody = z.object({
  ledger: z.string().trim().min(1).max(200),
  geo: z.string().trim().min(1).max(10),
  /** Blank or absent: the latest period the inputs hold. */
  period: z.string().trim().max(20).optional(),
});

const spurshBody = z.object({
  fileName: z.string().regex(/^SPURSH_[A-Za-z0-9._-]+\.csv$/, 'must look like SPURSH_<ledger>_<run>.csv'),
  csv: z.string().min(1),
  /** The ledger whose SPURSH target receives the file (else the target for every ledger). */
  ledger: z.string().trim().min(1).max(200).optional(),
});

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const preparer = app.requireRole('preparer');

  app.get('/api/vret/options', { preHandler: preparer }, async () => {
    const s = vretSettings();
    return { source: Boolean(s.source), thr: Boolean(s.thrDir), inputs: Boolean(s.inputsDir), ...vretChoices(defaultVretConfig()) };
  });

  app.post('/api/vret/build', { preHandler: preparer }, async (req) => {
    const body = parseWith(buildBody, req.body, 'VRET build request');
    const user = currentUser(req);
    const s = vretSettings();
    if (!s.source && !s.thrDir && !s.inputsDir)
      throw new AppError(
        409,
        'vret-not-configured',
        'The server has no VRET inputs configured (CLOSEDESK_VRET_SOURCE, CLOSEDESK_VRET_THR_DIR or CLOSEDESK_VRET_INPUTS_DIR). Use the sheets in the workbook instead, or ask an administrator.',
      );
    let built;
    try {
      built = await buildVretFromSources({ ...body, ...s });
    } catch (err) {
      if (err instanceof VretSourceError) {
        throw upstreamFailed('vret-source-unreachable', 'The VRET source database could not be read, so nothing was built. Try again; if it keeps failing, ask an administrator to look at the server log.', err);
      }
      throw err;
    }
    const { output } = built;
    const csv = spurshText(output);
    const recordedRunId = await recordVretRun(ctx.store, ctx.audit, built, {
      ledger: body.ledger,
      geo: body.geo,
      resultChecksum: createHash('sha256').update(csv ?? '').digest('hex'),
      userId: user.id,
      extra: { host: 'task pane' },
    });
    return {
      runId: output.runId,
      recordedRunId,
      period: output.period,
      periodFromData: output.periodFromData,
      files: output.files,
      sheets: output.sheets,
      spursh: { fileName: output.files.spursh, rows: output.spursh.rows.length, csv, heldBack: output.spurshHeldBack },
      balances: output.balances,
      problems: output.problems,
      counts: output.counts,
      noRows: output.noRows,
    };
  });

  app.post('/api/vret/spursh', { preHandler: preparer }, async (req) => {
    const body = parseWith(spurshBody, req.body, 'SPURSH upload');
    const user = currentUser(req);
    const dir = path.join(ctx.config.dataDir, 'vret', 'outbox');
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, body.fileName);
    const sha256 = createHash('sha256').update(body.csv, 'utf8').digest('hex');
    const bytes = Buffer.byteLength(body.csv, 'utf8');
    // The same file again (e.g. once a SPURSH target is set) is prepared for delivery; a different one under its name is refused.
    const same = fs.existsSync(target) && createHash('sha256').update(fs.readFileSync(target)).digest('hex') === sha256;
    if (fs.existsSync(target) && !same) throw new AppError(409, 'spursh-exists', `${body.fileName} was already sent; build again for a new run.`);
    if (!same) {
      const tmp = `${target}.part`;
      fs.writeFileSync(tmp, body.csv, 'utf8');
      fs.renameSync(tmp, target);
      await ctx.audit.append({ actor: user.id, action: 'vret.spursh.saved', subjectType: 'file', subjectId: body.fileName, details: { sha256, bytes } });
    }
    const prepared = await prepareSpurshDelivery(ctx, { fileName: body.fileName, content: Buffer.from(body.csv, 'utf8'), sha256, ledger: body.ledger, preparedBy: user });
    return { fileName: body.fileName, sha256, bytes, ...prepared };
  });
}
