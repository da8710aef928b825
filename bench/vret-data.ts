/**
 * VRET benchmark data: cm/adj/glap CSVs (transactions), rvr.csv, mapping CSVs and one big THR file,
 * deterministic (fixed seed), written once per size into bench/out/.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface VretBenchSizes {
  transactions: number;
  rvr: number;
  thrLines: number;
}

const TX_HEADER = 'LEDGER,PERIOD,CO,LOC,CC,ACCT,PROD,CHAN,PROJ,TRANSACTION_AMOUNT,VENDOR_NAME,TRANSACTION_NUM,CATEGORY';
const PRODS = ['1810', '2010', '2530', '3000', '4100', '0150'];
const VENDORS = Array.from({ length: 500 }, (_, i) => `Vendor ${String(i).padStart(3, '0')} GmbH`);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function cents(r: () => number): string {
  const c = 100 + Math.floor(r() * 50_000);
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

async function writeLines(file: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((res) => out.once('drain', () => res())));
  await write(header + '\n');
  let buf = '';
  for (let i = 0; i < count; i++) {
    buf += line(i) + '\n';
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  if (buf) await write(buf);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

/** Writes the data set (if not there yet) and returns its folder. */
export async function vretBenchData(root: string, sizes: VretBenchSizes): Promise<string> {
  const dir = path.join(root, `vret-${sizes.transactions}-${sizes.rvr}-${sizes.thrLines}`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'inputs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'thr'), { recursive: true });
  const r = rng(20241130);
  const inputs = path.join(dir, 'inputs');
  // Transactions: all in Amazon.eu / 2024-11 / DE channel except ~3 % noise (France, October).
  const txLine = (prefix: string, cat: string) => (i: number) => {
    const noise = r();
    const chan = noise < 0.015 ? '1020' : '1015';
    const period = noise > 0.985 ? '2024-10' : '2024-11';
    const prod = PRODS[Math.floor(r() * PRODS.length)]!;
    return `Amazon.eu,${period},010,${String(1 + Math.floor(r() * 40)).padStart(4, '0')},0000,99999,${prod},${chan},0000,${cents(r)},${VENDORS[Math.floor(r() * VENDORS.length)]},${prefix}${i},${cat}`;
  };
  const third = Math.floor(sizes.transactions / 3);
  await writeLines(path.join(inputs, 'cm.csv'), TX_HEADER, third, txLine('CM', 'CM'));
  await writeLines(path.join(inputs, 'adj.csv'), TX_HEADER, third, txLine('ADJ', 'ADJ'));
  await writeLines(path.join(inputs, 'glap.csv'), TX_HEADER, sizes.transactions - 2 * third, txLine('GL', 'GLAP'));
  // RVR: 90 % refer to a CM/ADJ transaction, 10 % to none (unmatched).
  await writeLines(path.join(inputs, 'rvr.csv'), 'RETURN_ID,COUNTRY_CODE,RVR_STATUS,CURRENT_STATE,TOT_BASE_REFUND_AMT,RVR_DATE,VENDOR_NAME', sizes.rvr, (i) => {
    const id = r() < 0.9 ? (r() < 0.5 ? `CM${Math.floor(r() * third)}` : `ADJ${Math.floor(r() * third)}`) : `NX${i}`;
    return `${id},DE,CLOSED,REFUNDED,${cents(r)},2024-11-${String(1 + Math.floor(r() * 28)).padStart(2, '0')},${VENDORS[Math.floor(r() * VENDORS.length)]}`;
  });
  fs.writeFileSync(path.join(inputs, 'l2c.csv'), 'LEDGER,COUNTRY\n"Amazon.com, Inc.",US\nAmazon.eu,EU\nAmazon.co.uk Ltd.,UK\n');
  fs.writeFileSync(path.join(inputs, 'led2chan.csv'), 'COUNTRY,CHANNEL\nDE,1015\nFR,1020\nIT,1035\n');
  fs.writeFileSync(path.join(inputs, 'ledgers.csv'), 'LEDGER,CURRENCY,COMPANY\n"Amazon.com, Inc.",USD,001\nAmazon.eu,EUR,010\nAmazon.co.uk Ltd.,GBP,020\n');
  // THR: transaction history over twelve months and three channels; ~1/3 of the lines are this period's DE rows.
  await writeLines(path.join(dir, 'thr', 'thr_history.txt'), TX_HEADER.replace(/,/g, '|'), sizes.thrLines, (i) => {
    const m = r() < 0.4 ? 11 : 1 + Math.floor(r() * 10);
    const chan = r() < 0.85 ? '1015' : '1035';
    return `Amazon.eu|2024-${String(m).padStart(2, '0')}|010|${String(1 + Math.floor(r() * 40)).padStart(4, '0')}|0000|99999|${PRODS[Math.floor(r() * PRODS.length)]}|${chan}|0000|${cents(r)}|${VENDORS[Math.floor(r() * VENDORS.length)]}|TH${i}|THR`;
  });
  fs.writeFileSync(done, new Date().toISOString());
  return dir;
}
