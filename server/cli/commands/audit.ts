import path from 'node:path';
import { auditProtection, createAudit } from '../../audit';
import { cliConfig, withStore } from '../setup';
import { parseCommandArgs, println, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'audit',
  summary: 'Check the audit log: `audit verify` (exit 1 and name the entry when broken), `audit list [N]`.',
  usage: [
    'closedesk audit verify [--checkpoints <file>]',
    '        Recompute the MAC chain under the audit key (CLOSEDESK_AUDIT_KEY or the master key) and compare it',
    '        with the signed checkpoints (CLOSEDESK_AUDIT_CHECKPOINTS, or the file given); exit 0 when intact,',
    '        1 naming the first entry that disagrees.',
    'closedesk audit list [N]   Show the N newest entries (default 20).',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs({ args: argv, allowPositionals: true, options: { checkpoints: { type: 'string' } } });
    const [sub, arg] = positionals;
    if (sub !== 'verify' && sub !== 'list') throw new UsageError('Say what to do: audit verify, or audit list.');
    const config = cliConfig(io);
    const protection = auditProtection(config);
    if (values.checkpoints) protection.checkpointsFile = path.resolve(io.cwd, values.checkpoints);
    return withStore(config, async (store) => {
      const audit = createAudit(store, protection);
      if (sub === 'list') {
        const n = arg ? Number(arg) : 20;
        if (!Number.isInteger(n) || n < 1) throw new UsageError('N must be a whole number.');
        for (const e of (await audit.recent({ limit: n })).reverse()) {
          println(io.out, `${e.seq}\t${e.at}\t${e.actor}\t${e.action}\t${e.subjectType}${e.subjectId ? ':' + e.subjectId : ''}`);
        }
        return 0;
      }
      const v = await audit.verify();
      println(v.ok ? io.out : io.err, v.message);
      return v.ok ? 0 : 1;
    });
  },
};
