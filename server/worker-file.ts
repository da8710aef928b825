/**
 * A worker thread from a module next to the caller's: the built JavaScript (dist/, a bundle) runs as it
 * is; from the TypeScript sources (tsx, tests) the worker compiles its modules the same way its parent does.
 *
 * Public API
 * - `startWorkerFile(callerFile, name, options?)`: `new Worker(<its folder>/<name><its extension>)`.
 */
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `callerFile`: the caller's __filename (its extension is the worker's). */
export function startWorkerFile(callerFile: string, name: string, options: WorkerOptions = {}): Worker {
  const ext = path.extname(callerFile);
  return new Worker(path.join(path.dirname(callerFile), `${name}${ext}`), {
    ...options,
    execArgv: ext === '.ts' ? [...process.execArgv, '--require', 'tsx/cjs'] : process.execArgv,
  });
}
