/** Runs `closedesk fifo` directly (`tsx server/fifo/main.ts …`), e.g. in a child process for the benchmark. */
import { runFifoCommand } from './cli';

runFifoCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
