/** `closedesk fifo` — FIFO matching of reward cash (./run-command.ts has the work and the exit codes). */
import type { CliCommand } from '../../cli/command';
import { FIFO_USAGE, runFifoCommand } from './run-command';

export const command: CliCommand = {
  name: 'fifo',
  summary: 'FIFO matching of reward cash: TC_Data (.xlsx or .csv) to allocations, balances and analytics; --sql for warehouses.',
  usage: FIFO_USAGE,
  run: (argv, io) =>
    runFifoCommand(argv, {
      stdout: (t) => io.out.write(t),
      stderr: (t) => io.err.write(t),
      env: io.env,
      cwd: io.cwd,
    }),
};
