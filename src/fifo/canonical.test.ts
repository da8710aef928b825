import { tableFromValues, type Cell } from '../kernel/table';
import { allocateFifo, readFifoWorkbook } from './index';
import {
  RedemptionSuffixes,
  allocationCsvBytes,
  allocationCsvChunks,
  balanceHistoryCsvBytes,
  balanceHistoryCsvChunks,
  currentBalanceCsvBytes,
  currentBalanceCsvChunks,
  unmatchedCsvBytes,
  unmatchedCsvChunks,
} from './canonical';
import { ByteWriter } from '../kernel/byte-writer';

const HEADER = ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON'];

/** The byte chunks joined (each copied at once: a chunk is only valid until the next one). */
function bytesOf(chunks: Iterable<Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

function utf8Of(chunks: Iterable<string>): Buffer {
  return Buffer.from([...chunks].join(''), 'utf8');
}

/** Random transactions with numeric and odd ids and customers (non-ASCII, formula-like, quotes, emoji). */
function randomRun(n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const odd = ['A-1', 'ü7', '=SUM(1)', 'x"y', 'a,b', '😀z', '\ud800x', '-3', 'é'];
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const id = rand() < 0.1 ? `${odd[Math.floor(rand() * odd.length)]}${i}` : String(1000 + i * 7 + Math.floor(rand() * 5) * 10 ** Math.floor(rand() * 12));
    const type = rand() < 0.5 ? 'earned' : rand() < 0.8 ? 'spent' : 'expired';
    const day = 1 + Math.floor(rand() * 28);
    const ms = rand() < 0.1 ? `.${100 + Math.floor(rand() * 899)}` : '';
    const created = `2024-0${1 + Math.floor(rand() * 9)}-${String(day).padStart(2, '0')} ${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}${ms}`;
    const customer = rand() < 0.2 ? `${odd[Math.floor(rand() * odd.length)]}c${Math.floor(rand() * 50)}` : String(Math.floor(rand() * 300));
    const cents = Math.floor(rand() * 10 ** (1 + Math.floor(rand() * 9)));
    const amount = (type === 'earned' ? '' : '-') + (cents / 100).toFixed(2);
    rows.push([id, type, created, '', customer, '', amount, 'r']);
  }
  const input = readFifoWorkbook([tableFromValues('TC_Data', [HEADER, ...rows])]);
  return { input, result: allocateFifo(input.transactions, { mode: 'lots' }) };
}

describe('CSV byte writers give the bytes of the string writers', () => {
  test.each([
    [40_000, 7],
    [300, 11],
  ])('%i random rows (seed %i), every output', (n, seed) => {
    const { result } = randomRun(n, seed);
    expect(result.allocations.count).toBeGreaterThan(0);
    const alloc = bytesOf(allocationCsvBytes(result));
    expect(alloc.length).toBeGreaterThan(n); // crosses the 1 MB chunk boundary on the big run
    expect(alloc.equals(utf8Of(allocationCsvChunks(result)))).toBe(true);
    const history = bytesOf(balanceHistoryCsvBytes(result));
    expect(history.equals(utf8Of(balanceHistoryCsvChunks(result)))).toBe(true);
    // the odd cases are really in there: quoted and neutralised ids, non-ASCII, times with milliseconds
    const historyText = history.toString('utf8');
    for (const bit of ['"x""y', "'=SUM(1)", '😀', 'ü7', '\ufffdx']) expect(historyText).toContain(bit);
    expect(historyText).toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(bytesOf(currentBalanceCsvBytes(result)).equals(utf8Of(currentBalanceCsvChunks(result)))).toBe(true);
    expect(bytesOf(currentBalanceCsvBytes(result, '2024-05-01')).equals(utf8Of(currentBalanceCsvChunks(result, '2024-05-01')))).toBe(true);
    expect(bytesOf(unmatchedCsvBytes(result)).equals(utf8Of(unmatchedCsvChunks(result)))).toBe(true);

    const bySuffix = new RedemptionSuffixes(result);
    const byWrite = new RedemptionSuffixes(result);
    const out = new ByteWriter(16);
    let text = '';
    for (let i = 0; i < result.rowOfSource.length; i++) {
      text += bySuffix.suffix(i);
      byWrite.write(i, out);
    }
    expect(Buffer.from(out.take()).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
