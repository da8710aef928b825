/**
 * Vendor returns for the task pane:
 * - GET  /api/vret/options → which inputs the server has (source, THR folder, CSV folder) and the known ledgers/geos
 * - POST /api/vret/build {ledger, geo, period} → the VRET sheets (GLDI, 20321 JE, 20321 Analysis, RVR Report, Funding by vendor), the SPURSH CSV, balances and problems
 *   (built on the server: THR files can be far too big to ship to Excel row by row); the run is recorded
 * - POST /api/vret/spursh {fileName, csv} → the SPURSH file saved (atomically) in <data dir>/vret/outbox for delivery
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
import { recordRun } from '../../runs';
import { hasBlocking } from '../../../src/kernel/problems';
import { defaultVretConfig, spurshCsv } from '../../../src/vendor-returns';
import { buildVretFromSources, ledgerFilePart, VretSourceError } from './job';

function vretSettings(env: Record<string, string | undefined> = process.env) {
  const v = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  return { source: v('CLOSEDESK_VRET_SOURCE'), thrDir: v('CLOSEDESK_VRET_THR_DIR'), inputsDir: v('CLOSEDESK_VRET_INPUTS_DIR') };
}

const buildBody = z.object({
  ledger: z.string().trim().min(1).max(200),
  geo: z.string().trim().min(1).max(10),
  period: z.string().trim().min(1).max(20),
});

const spurshBody = z.object({
  fileName: z.string().regex(/^SPURSH_[A-Za-z0-9._-]+\.csv$/, 'must look like SPURSH_<ledger>_<run>.csv'),
  csv: z.string().min(1),
});

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const preparer = app.requireRole('preparer');

  app.get('/api/vret/options', { preHandler: preparer }, async () => {
    const s = vretSettings();
    const d = defaultVretConfig();
    return {
      source: Boolean(s.source),
      thr: Boolean(s.thrDir),
      inputs: Boolean(s.inputsDir),
      ledgers: Object.keys(d.l2c),
      geos: [...new Set([...Object.values(d.l2c).filter((c) => c !== 'EU'), ...d.euGeos])].sort(),
    };
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
    const { run, runId, inputs, inputChecksum } = built;
    const blocked = hasBlocking(run.problems);
    const csv = spurshCsv(run.spursh, run.config);
    const rec = await ctx.store.transaction(async (tx) => {
      const r = await recordRun(
        tx,
        {
          job: 'vret',
          inputChecksum,
          rowCounts: Object.fromEntries(run.result.counts.map((c) => [c.source, c.rowsSelected])),
          mode: blocked ? 'blocked' : 'complete',
          options: { runId, ...body, inputs, problems: run.problems.length, host: 'task pane' },
          version: '1',
          resultChecksum: createHash('sha256').update(csv).digest('hex'),
        },
        user.id,
      );
      await ctx.audit.append({ actor: user.id, action: 'run.recorded', subjectType: 'run', subjectId: r.id, details: { job: 'vret', runId, ...body } }, tx);
      return r;
    });
    return {
      runId,
      recordedRunId: rec.id,
      sheets: run.sheets,
      spursh: { fileName: `SPURSH_${ledgerFilePart(body.ledger)}_${runId}.csv`, rows: run.spursh.rows.length, csv: blocked ? null : csv },
      balances: run.balances,
      problems: run.problems,
      counts: run.result.counts,
    };
  });

  app.post('/api/vret/spursh', { preHandler: preparer }, async (req) => {
    const body = parseWith(spurshBody, req.body, 'SPURSH upload');
    const user = currentUser(req);
    const dir = path.join(ctx.config.dataDir, 'vret', 'outbox');
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, body.fileName);
    if (fs.existsSync(target)) throw new AppError(409, 'spursh-exists', `${body.fileName} was already sent; build again for a new run.`);
    const tmp = `${target}.part`;
    fs.writeFileSync(tmp, body.csv, 'utf8');
    fs.renameSync(tmp, target);
    const sha256 = createHash('sha256').update(body.csv, 'utf8').digest('hex');
    const bytes = Buffer.byteLength(body.csv, 'utf8');
    await ctx.audit.append({ actor: user.id, action: 'vret.spursh.saved', subjectType: 'file', subjectId: body.fileName, details: { sha256, bytes } });
    return { fileName: body.fileName, sha256, bytes };
  });
}
