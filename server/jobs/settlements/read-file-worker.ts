/** Worker thread of ./read-file.ts: reads one part of a settlement file from the shared bytes and posts it back (its arrays moved, not copied). */
import { parentPort } from 'node:worker_threads';
import { readSettlementPart } from '../../../src/settlements/parts';
import { partTransferList } from '../../../src/settlements/read-lines';
import { NOT_UTF8 } from '../../../src/settlements/rows';
import type { PartDone, PartJob } from './read-file';

// a failure other than bytes that are not UTF-8 is left unhandled: the worker stops and the reading thread sees its error
parentPort!.once('message', ({ bytes, job }: PartJob) => {
  let part;
  try {
    part = readSettlementPart(bytes, job).part();
  } catch (e) {
    if (e !== NOT_UTF8) throw e;
    parentPort!.postMessage({ notUtf8: true } satisfies PartDone);
    return;
  }
  parentPort!.postMessage({ part } satisfies PartDone, partTransferList(part));
});
