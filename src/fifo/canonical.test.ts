import { tableFromValues, type Cell } from '../kernel/table';
import { allocateFifo, readFifoWorkbook, type FifoResult } from './index';
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

describe('balance history times: the tables of day and second texts give isoDateTime', () => {
  /** A result of hand-made rows, one per time (each its own customer's row; only what the history reads). */
  function withTimes(created: number[]): FifoResult {
    const n = created.length;
    const transactions = {
      count: n,
      active: new Uint8Array(n).fill(1),
      customerOf: Int32Array.from(created, (_, i) => i % 3),
      customers: ['7', 'A', '=x'],
      createdMs: Float64Array.from(created),
      type: Uint8Array.from(created, (_, i) => i % 3),
      amount: Float64Array.from(created, (_, i) => (i % 3 === 0 ? 1 : -1) * (i + 1)),
      idNum: Float64Array.from(created, (_, i) => i + 1),
      idText: new Map<number, string>(),
    };
    return { order: Int32Array.from(created, (_, i) => i), balanceAfter: new Float64Array(n), transactions } as unknown as FifoResult;
  }

  test.each([
    ['a few years around 1970, before and after', -2 * 365 * 86_400_000, 4 * 365 * 86_400_000],
    ['years 0000 to 9999 (wider than the day table)', -62167219200000, 253402300799000],
  ])('%s', (_, from, to) => {
    let s = 9;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    const created = Array.from({ length: 20_000 }, () => {
      const ms = from + Math.floor(rand() * (to - from));
      return rand() < 0.9 ? ms - (((ms % 1000) + 1000) % 1000) : ms; // whole seconds, and some not
    });
    created.push(from, to, 0, -1000, 86_399_000);
    const result = withTimes(created);
    const bytes = bytesOf(balanceHistoryCsvBytes(result));
    expect(bytes.equals(utf8Of(balanceHistoryCsvChunks(result)))).toBe(true);
    expect(bytes.toString('utf8')).toContain(',1970-01-01T23:59:59Z,');
  });
});
