/**
 * The FIFO helper thread: its checksum is the file's SHA-256; the balance files it writes, from columns
 * moved there (views of longer buffers, as a run that gives its input up leaves them), are the files
 * written on this thread; and what this thread still writes from afterwards (allocations, unmatched) is
 * untouched. A thread closed without work, or whose file cannot be read, ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { allocateFifo } from '../../../src/fifo/allocate';
import { allocationCsvBytes, unmatchedCsvBytes } from '../../../src/fifo/canonical';
import { readFifoCsv } from './read-csv';
import { writeBalanceFiles } from './balance-files';
import { FifoHelperThread } from './helper-thread';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fifo-balances-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function randomCsv(seed: number, rows: number): string {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const lines = ['TRANS_ID,TCTYPE,CREATEDAT,EXPIREDAT,CUSTOMERID,AMOUNT'];
  for (let i = 0; i < rows; i++) {
    const type = rand() < 0.5 ? 'earned' : rand() < 0.8 ? 'spent' : 'expired';
    const cents = 1 + Math.floor(rand() * 5000);
    const id = i % 211 === 7 ? 'A' + i : String(10 + i);
    lines.push([id, type, `2024-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)} 0${Math.floor(rand() * 3)}:00:00`, '', String(1 + Math.floor(rand() * 300)), (type === 'earned' ? '' : '-') + (cents / 100).toFixed(2)].join(','));
  }
  return lines.join('\n') + '\n';
}

function joined(chunks: Iterable<Uint8Array>): Buffer {
  return Buffer.concat([...chunks].map((c) => Buffer.from(c)));
}

test('checksum; balance files from the helper equal those written here; this thread keeps what it writes next', async () => {
  const input = path.join(dir, 'in.csv');
  fs.writeFileSync(input, randomCsv(5, 20_000));
  const helper = new FifoHelperThread(input);
  const here = allocateFifo((await readFifoCsv(input, { capacity: 21_000 })).transactions, { release: true });
  const there = allocateFifo((await readFifoCsv(input, { capacity: 21_000 })).transactions, { release: true });
  const moved = () => [there.transactions.customerOf, there.transactions.createdMs, there.transactions.amount, there.balanceAfter];
  expect(moved().some((a) => a.buffer.byteLength > a.byteLength)).toBe(true); // views of longer spares among them
  const files = (tag: string) => ({ history: path.join(dir, `history-${tag}.csv`), balances: path.join(dir, `balances-${tag}.csv`) });
  writeBalanceFiles(here, files('here'), '2024-05-01');
  expect(await helper.checksum).toBe(createHash('sha256').update(fs.readFileSync(input)).digest('hex'));
  await helper.writeBalanceFiles(there, files('there'), '2024-05-01');
  expect(moved().map((a) => a.length)).toEqual([0, 0, 0, 0]); // moved, not copied
  for (const f of ['history', 'balances'] as const) {
    const a = fs.readFileSync(files('here')[f]);
    expect(a.length).toBeGreaterThan(1000);
    expect(a.equals(fs.readFileSync(files('there')[f]))).toBe(true);
  }
  expect(joined(allocationCsvBytes(there)).equals(joined(allocationCsvBytes(here)))).toBe(true);
  expect(joined(unmatchedCsvBytes(there)).equals(joined(unmatchedCsvBytes(here)))).toBe(true);
});

test('a helper closed without work gives its checksum and ends; an unreadable file rejects the checksum', async () => {
  const input = path.join(dir, 'small.csv');
  fs.writeFileSync(input, 'TRANS_ID\n1\n');
  const helper = new FifoHelperThread(input);
  helper.close();
  expect(await helper.checksum).toBe(createHash('sha256').update('TRANS_ID\n1\n').digest('hex'));
  await expect(new FifoHelperThread(path.join(dir, 'nope.csv')).checksum).rejects.toThrow(/nope\.csv/);
});
