/**
 * Synthetic TC_Data for the FIFO benchmark: about 12 rows per customer, CREATEDAT on the hour so
 * many rows tie, spends drawn larger than lots so some customers overspend, a quoted REASON with
 * a comma now and then. Deterministic (seeded) so runs compare.
 */
import fs from 'node:fs';

export const FIFO_HEADER = 'TRANS_ID,TCTYPE,CREATEDAT,EXPIREDAT,CUSTOMERID,ORDERID,AMOUNT,REASON';

export function writeFifoCsv(file: string, rows: number, seed = 42): void {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const customers = Math.max(1, Math.round(rows / 12));
  const base = Date.UTC(2023, 0, 1);
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [FIFO_HEADER];
  const pad = (n: number) => (n < 10 ? '0' + n : String(n));
  for (let i = 0; i < rows; i++) {
    const customer = 100000 + Math.floor(rand() * customers);
    const hour = Math.floor(rand() * 2 * 365 * 24);
    const d = new Date(base + hour * 3_600_000);
    const created = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00:00`;
    const u = rand();
    const type = u < 0.55 ? 'earned' : u < 0.9 ? 'spent' : 'expired';
    const cents = 1 + Math.floor(rand() * (type === 'earned' ? 5000 : type === 'spent' ? 4000 : 1500));
    const amount = (type === 'earned' ? '' : '-') + (cents / 100).toFixed(2);
    const expires = type === 'earned' ? `${d.getUTCFullYear() + 1}-${pad(d.getUTCMonth() + 1)}-${pad(Math.min(28, d.getUTCDate()))}` : '';
    const order = type === 'spent' ? String(5000000 + i) : '';
    const reason = type === 'spent' ? (rand() < 0.1 ? '"Delivered, Not Received"' : 'order') : type === 'expired' ? 'expiry' : 'reward';
    buf.push(`${10000000 + i},${type},${created},${expires},${customer},${order},${amount},${reason}`);
    if (buf.length >= 100_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}
