/** Worker thread of ./read-files.ts: reads its group of partner files as one part and posts it back (its arrays moved, not copied). */
import { parentPort, workerData } from 'node:worker_threads';
import { ExpenseLineReader } from '../../../src/tuition';
import { partTransferList } from '../../../src/tuition/parts';
import { readInOrder, type GroupDone, type GroupJob } from './read-files';

async function read(job: GroupJob): Promise<void> {
  const reader = new ExpenseLineReader(job.options, { part: true });
  const problems = await readInOrder(reader, job.files);
  const part = reader.part();
  parentPort!.postMessage({ part, problems } satisfies GroupDone, partTransferList(part));
}

// a failure is left unhandled: the worker stops and the reading thread sees its error
void read(workerData as GroupJob);
