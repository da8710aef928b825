import { createSecrets } from '../../secrets';
import { deliverBatch, describeDelivery } from '../../delivery/service';
import { cliAudit, cliConfig, withStore } from '../setup';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'deliver',
  summary: 'Send an approved file-delivery batch to its partners (FTP, FTPS, SFTP); resumes an interrupted one.',
  usage: [
    'closedesk deliver <batch-id> [--as USER] [--json]',
    '',
    'Sends every file of the batch that is not delivered yet, exactly once: files already delivered are skipped and a',
    'file left half-sent by a stopped process is checked on the partner server first. The batch must be approved by',
    'someone other than its preparer. Prints one receipt per file (SHA-256, bytes, remote path, server fingerprint).',
    'Exit code 0 when every file is delivered, 1 when a file failed or needs review.',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({ args: argv, allowPositionals: true, options: { as: { type: 'string' }, json: { type: 'boolean' } } });
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError('Give the batch id, e.g. closedesk deliver bat_3f2a…');
    const config = cliConfig(io);
    const actor = values.as ?? (io.env.USER ? `cli:${io.env.USER}` : 'cli');
    return withStore(config, async (store) => {
      const deps = { store, secrets: createSecrets(store, config.masterKey), audit: cliAudit(config, store) };
      const id = positionals[0]!;
      const before = await describeDelivery(store, id);
      const names = new Map(before.items.map((i) => [i.seq, (i.request as { fileName: string }).fileName]));
      let lastShown = new Map<number, number>();
      const out = await deliverBatch(deps, id, {
        actor,
        onProgress: (p) => {
          // One line per quarter of each file keeps logs readable for 100 MB files.
          const q = p.total ? Math.floor((4 * p.sent) / p.total) : 4;
          if ((lastShown.get(p.seq) ?? -1) < q) {
            lastShown.set(p.seq, q);
            println(io.err, `${names.get(p.seq)}: ${p.sent}/${p.total} bytes`);
          }
        },
      });
      lastShown = new Map();
      if (values.json) println(io.out, JSON.stringify(out, null, 2));
      else {
        for (const i of out.items) {
          const r = out.receipts.find((x) => x.seq === i.seq);
          if (r)
            println(io.out, `${i.state}: ${r.fileName} → ${r.host}:${r.remotePath} ${r.bytes} bytes sha256 ${r.sha256} server ${r.serverFingerprint || '(plain FTP)'}${r.adopted ? ' (already there, adopted)' : ''}`);
          else println(io.out, `${i.state}: ${names.get(i.seq)}${i.error ? ` — ${i.error}` : ''}`);
        }
        println(io.out, `Batch ${id}: ${out.batch.state}`);
      }
      return out.batch.state === 'done' ? 0 : 1;
    });
  },
};
