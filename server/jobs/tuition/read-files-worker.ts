/** Worker thread of ./read-files.ts: reads its group of partner files as one part and posts it back (its arrays moved, not copied). */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ExpenseLineReader } from '../../../src/tuition';
import { partTransferList } from '../../../src/tuition/parts';
import { readTuitionFileInto } from './inputs';
import type { GroupDone, GroupJob } from './read-files';

async function read(job: GroupJob): Promise<void> {
  const reader = new ExpenseLineReader(job.options, { part: true });
  const problems: GroupDone['problems'] = [];
  for (const f of job.files) problems.push(...(await readTuitionFileInto(reader, path.basename(f), fs.readFileSync(f))));
  const part = reader.part();
  parentPort!.postMessage({ part, problems } satisfies GroupDone, partTransferList(part));
}

// a failure is left unhandled: the worker stops and the reading thread sees its error
void read(workerData as GroupJob);
