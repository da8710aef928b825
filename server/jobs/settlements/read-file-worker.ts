/**
 * Worker thread of ./read-file.ts: reads its part of the file through its own window, and posts it back
 * (its arrays moved, not copied), or word that the file must be read whole.
 */
import { parentPort } from 'node:worker_threads';
import { partTransferList } from '../../../src/settlements/read-lines';
import { readPartOf, type PartDone, type PartJob } from './read-file';

// any other failure is left unhandled: the worker stops and the reading thread sees its error
parentPort!.on('message', (m: PartJob) => {
  const pass = readPartOf(m.file, m.job, m.window);
  if (!pass) {
    parentPort!.postMessage({ whole: true } satisfies PartDone);
    return;
  }
  const part = pass.part();
  parentPort!.postMessage({ part } satisfies PartDone, partTransferList(part));
});
