/** Worker thread of ./balance-files.ts: writes the balance history and current balances it is handed. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeBalanceFiles, type BalanceFilesJob } from './balance-files';

const job = workerData as BalanceFilesJob;
writeBalanceFiles(job.input, job.files, job.asOf);
parentPort!.postMessage('done');
