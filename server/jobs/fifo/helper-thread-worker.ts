/** Worker thread of ./helper-thread.ts: hashes the input file, then writes the balance files if it is handed them. */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256File } from '../../file-checksum';
import { writeBalanceFiles, type BalanceFilesJob } from './balance-files';

const port = parentPort!;
port.postMessage({ checksum: sha256File(workerData as string) });
// One job or null (nothing to write); with no listener left the thread ends.
port.once('message', (job: BalanceFilesJob | null) => {
  if (!job) return;
  writeBalanceFiles(job.input, job.files, job.asOf);
  port.postMessage('done');
});
