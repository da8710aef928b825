/** Worker thread of ./read-files.ts: reads each partner file it is given as a part and posts it back (moved, not copied). */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { ExpenseLineReader } from '../../../src/tuition';
import { partTransferList } from '../../../src/tuition/parts';
import { readTuitionFileInto } from './inputs';
import type { FileDone, FileJob } from './read-files';

async function read(job: FileJob): Promise<void> {
  const reader = new ExpenseLineReader(job.options, { part: true });
  const problems = await readTuitionFileInto(reader, path.basename(job.file), fs.readFileSync(job.file));
  const part = reader.part();
  parentPort!.postMessage({ index: job.index, part, problems } satisfies FileDone, partTransferList(part));
}

// a failure is left unhandled: the worker stops and the reading thread sees its error
parentPort!.on('message', (job: FileJob) => void read(job));
