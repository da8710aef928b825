/**
 * Worker thread of ./read-file.ts: reads the second part's bytes into the shared memory, then its lines
 * when told, and posts them back (its arrays moved, not copied).
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { readSettlementPart } from '../../../src/settlements/parts';
import { partTransferList } from '../../../src/settlements/read-lines';
import { NOT_UTF8 } from '../../../src/settlements/rows';
import { readRange, type PartBytes, type PartDone, type PartJob } from './read-file';

let bytes: Uint8Array | undefined;
// a failure other than bytes that are not UTF-8 is left unhandled: the worker stops and the reading thread sees its error
parentPort!.on('message', (m: PartBytes | PartJob) => {
  if ('file' in m) {
    const fd = fs.openSync(m.file, 'r');
    try {
      readRange(fd, m.bytes, m.from, m.to);
    } finally {
      fs.closeSync(fd);
    }
    bytes = m.bytes;
    return;
  }
  let part;
  try {
    part = readSettlementPart(bytes!, m.job).part();
  } catch (e) {
    if (e !== NOT_UTF8) throw e;
    parentPort!.postMessage({ notUtf8: true } satisfies PartDone);
    return;
  }
  parentPort!.postMessage({ part } satisfies PartDone, partTransferList(part));
});
