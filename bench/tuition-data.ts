/**
 * Data for `npm run bench -- tuition`: `lines` expense lines from 20 partners for `customers`
 * customers in one month, as 20 partner files (even partners in the BrightPath CSV layout, odd ones
 * in the LearnWell layout written as CSV), plus the same lines normalised for loading into PostgreSQL.
 * Deterministic (seeded). 5% of customers are billed in EUR as well as USD.
 */
import fs from 'node:fs';
import path from 'node:path';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PARTNERS = 20;
const BP_WORDS = ['Tuition', 'Books & materials', 'Tutoring'];
const LW_WORDS = ['TUITION', 'MATERIALS', 'TUTORING'];
const NORMAL = ['TUITION', 'MATERIALS', 'TUTORING'];

export interface TuitionBenchData {
  files: string[];
  normalised: string;
  lines: number;
}

export function writeTuitionData(dir: string, lines: number, customers: number): TuitionBenchData {
  fs.mkdirSync(dir, { recursive: true });
  const r = rng(20241130);
  const files: string[] = [];
  const buffers: string[][] = [];
  for (let p = 0; p < PARTNERS; p++) {
    const f = path.join(dir, `partner-${String(p).padStart(2, '0')}.csv`);
    files.push(f);
    buffers.push([p % 2 === 0 ? 'Invoice Ref,Employer,Employee Email,Charge Type,Charge Amount,Currency,Service Date' : 'Reference,Company,Learner,Expense Type,Amount,Currency,Date']);
  }
  const normalisedFile = path.join(dir, 'normalised.csv');
  const norm: string[] = [];
  const fds = files.map((f) => fs.openSync(f, 'w'));
  const nfd = fs.openSync(normalisedFile, 'w');
  const flush = (force: boolean) => {
    for (let p = 0; p < PARTNERS; p++) {
      if (buffers[p]!.length && (force || buffers[p]!.length > 5000)) {
        fs.writeSync(fds[p]!, buffers[p]!.join('\n') + '\n');
        buffers[p] = [];
      }
    }
    if (norm.length && (force || norm.length > 20000)) {
      fs.writeSync(nfd, norm.join('\n') + '\n');
      norm.length = 0;
    }
  };
  for (let i = 0; i < lines; i++) {
    const p = Math.floor(r() * PARTNERS);
    const c = Math.floor(r() * customers);
    const customer = `Customer ${String(c).padStart(5, '0')}`;
    const user = `user${Math.floor(r() * 25)}@c${c}.test`;
    const t = Math.floor(r() * 3);
    const cents = 500 + Math.floor(r() * 250_000);
    const currency = c % 20 === 0 && r() < 0.5 ? 'EUR' : 'USD';
    const day = 1 + Math.floor(r() * 30);
    const dd = String(day).padStart(2, '0');
    const ref = `P${p}-${i}`;
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    buffers[p]!.push(
      p % 2 === 0
        ? `${ref},${customer},${user},${BP_WORDS[t]},${amount},${currency},11/${dd}/2024`
        : `${ref},${customer},${user},${LW_WORDS[t]},${amount},${currency},2024-11-${dd}`,
    );
    norm.push(`P${p},${customer},${user},${NORMAL[t]},${cents},${currency},2024-11-${dd},${ref}`);
    if (i % 10000 === 0) flush(false);
  }
  flush(true);
  for (const fd of fds) fs.closeSync(fd);
  fs.closeSync(nfd);
  return { files, normalised: normalisedFile, lines };
}
