import { progressSentence } from '../../../src/batches/outcome';
import { createSecrets } from '../../secrets';
import { postBatch } from '../../posting/worker';
import { itemStatuses } from '../../posting/progress';
import { listFindings } from '../../posting/review';
import { cliAudit, cliConfig, withStore } from '../setup';
import { println, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'post',
  summary: 'Post an approved settlements batch to Zoho Books: `post <batch-id>` (exactly once; safe to re-run after a crash).',
  usage: [
    'closedesk post <batch-id> [--concurrency N] [--quiet]',
    '',
    'Sends the approved batch to Zoho Books: invoices, then payments, then journals. Items left',
    'half-sent by an interrupted run are looked up in Zoho before anything is sent again, so the',
    'command can be re-run at any time. When every document is sent, what Zoho holds is read back:',
    'a duplicate or a mismatch leaves the batch for review (the task pane shows the evidence).',
    'Exit 0 when every document is posted exactly once, 1 when some were refused by Zoho, need',
    'review, or the batch is paused (daily limit, reconnect needed) or cancelled.',
  ].join('\n'),
  async run(argv, io) {
    const args = [...argv];
    let concurrency: number | undefined;
    let quiet = false;
    const positional: string[] = [];
    while (args.length) {
      const a = args.shift()!;
      if (a === '--concurrency') {
        concurrency = Number(args.shift());
        if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency takes a whole number of 1 or more.');
      } else if (a === '--quiet') quiet = true;
      else if (a.startsWith('--')) throw new UsageError(`Unknown option ${a}.`);
      else positional.push(a);
    }
    if (positional.length !== 1) throw new UsageError('Give one batch id.');
    const config = cliConfig(io);
    return withStore(config, async (store) => {
      const secrets = createSecrets(store, config.masterKey);
      const audit = cliAudit(config, store);
      const perMinute = io.env.CLOSEDESK_ZOHO_PER_MINUTE ? Number(io.env.CLOSEDESK_ZOHO_PER_MINUTE) : undefined;
      let lastLine = '';
      const outcome = await postBatch({ store, secrets, audit }, positional[0], {
        concurrency,
        leaseMs: config.postingLeaseMs,
        actor: io.env.USER ? `cli:${io.env.USER}` : 'cli',
        // Test and migration knobs: a faster limiter for a sandbox with higher limits.
        clientOptions: {
          ...(perMinute ? { perMinute } : {}),
          ...(io.env.CLOSEDESK_ZOHO_BACKOFF_MS ? { backoffMs: Number(io.env.CLOSEDESK_ZOHO_BACKOFF_MS) } : {}),
        },
        onProgress: (p) => {
          if (quiet) return;
          // the pane's count beside its bar (src/batches/outcome.ts): "37 of 42 posted"
          const line = progressSentence('zoho-post', p.counts);
          if (line !== lastLine) println(io.err, line);
          lastLine = line;
        },
      });
      println(io.out, outcome.message);
      if (outcome.state === 'failed') {
        for (const s of await itemStatuses(store, positional[0])) {
          if (s.state === 'failed' || s.state === 'needs_review') println(io.out, `  ${s.idempotencyKey}: ${s.status}`);
        }
      }
      if (outcome.state === 'needs_review') {
        for (const f of await listFindings(store, { batchId: positional[0], state: 'open' })) println(io.out, `  ${f.idempotencyKey}: ${f.message}`);
      }
      return outcome.state === 'done' ? 0 : 1;
    });
  },
};
