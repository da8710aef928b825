/** Runs `closedesk fifo` directly (`tsx server/jobs/fifo/main.ts …`), e.g. in a child process for the benchmark. */
import { runFifoCommand } from './run-command';

runFifoCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
