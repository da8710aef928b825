/**
 * The floor for `npm run bench -- tuition`: not a product and not a peer, but the least a JavaScript
 * reader of the benchmark's partner files must do — our own CSV splitter (src/kernel/csv-plain.ts),
 * then per line the references' duplicates (a bitset per prefix), the amount in cents, the type,
 * currency and date looked up, the customer and the learner looked up (each new one decoded and given
 * an id) and the cents summed per learner, currency and type. No rule, problem, line column, invoice
 * or file. It knows the benchmark's layout (column order, "P<n>-<number>" references, one customer per
 * learner), which a real reader may not assume: it can only be quicker than the real thing.
 *
 * `node tuition-floor.cjs 1 <files…>`: one thread reads every file. `… 2 <files…>`: two threads read
 * half the files each at the same time and nothing is merged (the best two cores could give). Prints
 * one JSON line: lines, invoice lines (groups with cents), total cents and the read's wall time.
 */
import fs from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { csvForm } from '../src/kernel/csv-bytes';
import { PlainRecords, RECORD } from '../src/kernel/csv-plain';
import { ByteKeys } from '../src/kernel/text-bytes';

interface Sums {
  lines: number;
  invoiceLines: number;
  totalCents: number;
  readMs: number;
}

const TYPES: Record<string, number> = { tuition: 0, 'books & materials': 1, materials: 1, tutoring: 2 };

function readFloor(files: string[]): Sums {
  const t0 = performance.now();
  const types = new ByteKeys(true);
  const currencies = new ByteKeys(true);
  const dates = new ByteKeys(true);
  const customers = new ByteKeys(true);
  const learners = new ByteKeys(true);
  const names = new Map<string, number>();
  const nameId = (b: Uint8Array, s: number, e: number): number => {
    const text = String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]);
    let id = names.get(text);
    if (id === undefined) names.set(text, (id = names.size));
    return id;
  };
  // per reference prefix (by a hash of its bytes: the benchmark's 20 prefixes do not collide), its numbers met
  const references: Uint8Array[] = [];
  const typeMeaning: number[] = [];
  const sums: Float64Array[] = [];
  let lines = 0;
  let buf = new Uint8Array(8 << 20);
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size > buf.length) buf = new Uint8Array(size);
    for (let got = 0; got < size; ) got += fs.readSync(fd, buf, got, size - got, null);
    fs.closeSync(fd);
    const b = buf.subarray(0, size);
    const form = csvForm(b);
    const r = form && PlainRecords.open(b, form);
    if (!r) throw new Error(`${file}: not a plain CSV file`);
    while (r.next() === RECORD) {
      const { start, end, hash } = r;
      // reference "P<n>-<number>": the prefix's bitset, the number's bit
      let k = start[0]!;
      let prefix = 0;
      while (b[k] !== 45) prefix = prefix * 31 + b[k++]!;
      let n = 0;
      for (k++; k < end[0]!; k++) n = n * 10 + b[k]! - 48;
      let bits = references[prefix & 1023] ?? (references[prefix & 1023] = new Uint8Array(1 << 18));
      if (n >> 3 >= bits.length) {
        const more = new Uint8Array(Math.max(bits.length * 2, (n >> 3) + 1));
        more.set(bits);
        bits = references[prefix & 1023] = more;
      }
      if (bits[n >> 3]! & (1 << (n & 7))) continue;
      bits[n >> 3]! |= 1 << (n & 7);
      let cents = 0;
      for (k = start[4]!; k < end[4]!; k++) if (b[k] !== 46) cents = cents * 10 + b[k]! - 48;
      const type = types.idHashed(hash[3]!, b, start[3]!, end[3]!);
      const meaning = (typeMeaning[type] ??= TYPES[String.fromCharCode.apply(null, b.subarray(start[3]!, end[3]!) as unknown as number[]).toLowerCase()] ?? -1);
      if (meaning < 0) throw new Error(`${file}: an expense type the floor does not know`);
      const currency = currencies.idHashed(hash[5]!, b, start[5]!, end[5]!);
      dates.idHashed(hash[6]!, b, start[6]!, end[6]!);
      customers.idHashed(hash[1]!, b, start[1]!, end[1]!);
      if (customers.lastValue() < 0) customers.setLastValue(nameId(b, start[1]!, end[1]!));
      learners.idHashed(hash[2]!, b, start[2]!, end[2]!);
      let learner = learners.lastValue();
      if (learner < 0) learners.setLastValue((learner = nameId(b, start[2]!, end[2]!)));
      // per currency, three sums per learner
      let perLearner = sums[currency] ?? (sums[currency] = new Float64Array(3 << 16));
      if (learner * 3 + 2 >= perLearner.length) {
        const more = new Float64Array(perLearner.length * 2);
        more.set(perLearner);
        perLearner = sums[currency] = more;
      }
      perLearner[learner * 3 + meaning]! += cents;
      lines++;
    }
  }
  const readMs = performance.now() - t0;
  let invoiceLines = 0;
  let totalCents = 0;
  for (const perLearner of sums)
    for (let i = 0; i < perLearner.length; i++)
      if (perLearner[i]! !== 0) {
        invoiceLines++;
        totalCents += perLearner[i]!;
      }
  return { lines, invoiceLines, totalCents, readMs };
}

if (!isMainThread) parentPort!.postMessage(readFloor(workerData as string[]));
else {
  const [threads, ...files] = process.argv.slice(2);
  if (threads === '1') process.stdout.write(JSON.stringify(readFloor(files)) + '\n');
  else {
    const t0 = performance.now();
    const half = Math.ceil(files.length / 2);
    const parts = [files.slice(0, half), files.slice(half)].map(
      (part) =>
        new Promise<Sums>((resolve, reject) => {
          const w = new Worker(__filename, { workerData: part });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    );
    void Promise.all(parts).then((done) => {
      // the halves' learners are counted apart: only lines and cents are comparable here
      process.stdout.write(JSON.stringify({ lines: done[0]!.lines + done[1]!.lines, totalCents: done[0]!.totalCents + done[1]!.totalCents, readMs: performance.now() - t0 }) + '\n');
    });
  }
}
