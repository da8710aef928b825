/**
 * Monthly tuition invoices as a table (./invoices.ts makes the invoice objects from it): lines held as
 * columns grouped by integer ids (customer key, currency, user key, expense type) — no key string per
 * line — and the invoices' lines kept as typed columns, so a host writing invoices.csv makes no object
 * per invoice line (a million expense lines give hundreds of thousands).
 *
 * Public API
 * - `buildInvoiceTable(columns, month, { references? })` → `InvoiceTable`: the invoices in their order
 *   (number, customer, currency, partners, total) each with its lines [from, to) in `line`, an index into
 *   the per-line columns `user` (id in `names`), `type`, `cents`, `items`; `references(l)`, sorted.
 *   `references: false` leaves them out (invoices.csv does not show them; the approval document does).
 * - `invoiceTableCsv(table, options)`: invoices.csv as UTF-8 pieces — the same bytes as invoicesCsv of its invoices;
 *   `invoiceTableCsvViews`: the same pieces as views of one reused buffer (each valid until the next is asked for).
 */
import { addCents, formatAmount, minorUnitDigits, writeAmountAscii } from '../kernel/money';
import { ByteWriter } from '../kernel/byte-writer';
import { csvCell, csvRow, type CsvOptions } from '../kernel/csv';
import { KeyIds, resized, TextIds, type ExpenseColumns } from './columns';
import { compareText, customerKey, invoiceNumber } from './invoice-keys';
import { EXPENSE_TYPES } from './profiles';

/** An invoice of the table: its lines are the table's `line[from]`, …, `line[to - 1]`. */
export interface InvoiceHead {
  number: string;
  customer: string;
  month: string;
  currency: string;
  partners: string[];
  totalCents: number;
  from: number;
  to: number;
}

export interface InvoiceTable {
  month: string;
  invoices: InvoiceHead[];
  line: Int32Array;
  user: Int32Array;
  type: Uint8Array;
  cents: Float64Array;
  items: Int32Array;
  names: readonly string[];
  /** An invoice line's partner references (`partner:reference`), sorted; none when built without them. */
  references(l: number): string[];
}

export const INVOICE_CSV_HEADER = ['Customer', 'Month', 'User', 'Expense Type', 'Amount', 'Currency'] as const;

export function buildInvoiceTable(c: ExpenseColumns, month: string, options: { references?: boolean } = {}): InvoiceTable {
  const withReferences = options.references !== false;
  const names = c.names.values;
  // Per distinct text, computed once: a name's customer key and lower-case user, whether a date is in the month.
  const customerKeys = new TextIds();
  // A user key is a user's name in lower case. Most names are written so already: such a name (names are
  // distinct texts) stands for its key's text, and only the other keys are looked up by text.
  const userKeyText: string[] = [];
  const keyOfLowerName = new Int32Array(names.length).fill(-1);
  const otherKeys = new Map<string, number>();
  const userKey = (user: number): number => {
    const name = names[user]!;
    const lower = name.toLowerCase();
    const n = lower === name ? user : c.names.find(lower);
    let uk = n >= 0 ? keyOfLowerName[n]! : (otherKeys.get(lower) ?? -1);
    if (uk < 0) {
      uk = userKeyText.push(lower) - 1;
      if (n >= 0) keyOfLowerName[n] = uk;
      else otherKeys.set(lower, uk);
    }
    return uk;
  };
  const customerKeyOf = new Int32Array(names.length).fill(-1);
  const userKeyOf = new Int32Array(names.length).fill(-1);
  const inMonth = c.dates.values.map((d) => d.startsWith(month));
  // Invoices (customer key, currency) and their lines (invoice, user key, expense type) by integer keys;
  // each remembers when it was first met, the order kept among texts the collator finds equal.
  const groupOf = new KeyIds();
  const groupCustomer: number[] = [];
  const groupCurrency: number[] = [];
  const groupPartners: Set<number>[] = [];
  const groupLastPartner: number[] = []; // lines of one file come together: the set is asked only when the partner changes
  // (an invoice line per user name and expense type at most, a currency aside)
  const lineOf = new KeyIds(Math.min(c.count, names.length * EXPENSE_TYPES.length));
  // per invoice line, in typed arrays (grown as lines are met): hundreds of thousands of numbers the collector need not copy
  let lineGroup = new Int32Array(1024);
  let lineUser = new Int32Array(1024);
  let lineUserKey = new Int32Array(1024);
  let lineType = new Uint8Array(1024);
  let lineCents = new Float64Array(1024);
  let lineItems = new Int32Array(1024);
  // references of a line as a chain through the expense lines: first, then next of each
  let firstRef = new Int32Array(1024);
  let lastRef = new Int32Array(1024);
  const nextRef = withReferences ? new Int32Array(c.count).fill(-1) : new Int32Array(0);
  const W = names.length + 1;
  const direct = new Int32Array(names.length * EXPENSE_TYPES.length).fill(-1);
  const groupOfName = new Int32Array(names.length).fill(-1);
  for (let i = 0; i < c.count; i++) {
    if (!inMonth[c.date[i]!]) continue;
    const customer = c.customer[i]!;
    const currency = c.currency[i]!;
    // the invoice of a customer's name is nearly always the one of its last line (one currency): the table only when not
    let g = groupOfName[customer]!;
    if (g < 0 || groupCurrency[g] !== currency) {
      let ck = customerKeyOf[customer]!;
      if (ck < 0) ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
      g = groupOfName[customer] = groupOf.id(ck * W + currency);
      if (g === groupCustomer.length) {
        groupCustomer.push(customer);
        groupCurrency.push(currency);
        groupPartners.push(new Set());
        groupLastPartner.push(-1);
      }
    }
    const partner = c.partner[i]!;
    if (groupLastPartner[g] !== partner) groupPartners[g]!.add((groupLastPartner[g] = partner));
    const user = c.user[i]!;
    let uk = userKeyOf[user]!;
    if (uk < 0) uk = userKeyOf[user] = userKey(user);
    const type = c.type[i]!;
    // a user key is nearly always on one invoice: its line of a type is looked up by (user key, type) in an
    // array, and by (invoice, user key, type) in the table when another invoice's line holds that place
    const d = uk * EXPENSE_TYPES.length + type;
    let l = direct[d]!;
    const known = lineOf.size;
    if (l < 0 || lineGroup[l] !== g) {
      l = lineOf.id((g * W + uk) * EXPENSE_TYPES.length + type);
      if (direct[d]! < 0) direct[d] = l;
    }
    if (l < known) {
      lineCents[l] = addCents(lineCents[l]!, c.cents[i]!);
      lineItems[l]!++;
      if (withReferences) lastRef[l] = nextRef[lastRef[l]!] = i;
    } else {
      if (l === lineGroup.length) {
        const n = l * 2;
        lineGroup = resized(lineGroup, n);
        lineUser = resized(lineUser, n);
        lineUserKey = resized(lineUserKey, n);
        firstRef = resized(firstRef, n);
        lastRef = resized(lastRef, n);
        lineItems = resized(lineItems, n);
        lineType = resized(lineType, n);
        lineCents = resized(lineCents, n);
      }
      lineGroup[l] = g;
      lineUser[l] = user;
      lineUserKey[l] = uk;
      lineType[l] = type;
      lineCents[l] = c.cents[i]!;
      lineItems[l] = 1;
      firstRef[l] = lastRef[l] = i;
    }
  }
  // The lines of each invoice (lines[from[g], from[g + 1]), ascending), then ordered by user (the collator's order, ranked once per invoice), type, and when met.
  const lineCount = lineOf.size;
  const from = new Int32Array(groupCustomer.length + 1);
  for (let l = 0; l < lineCount; l++) from[lineGroup[l]! + 1]!++;
  for (let g = 0; g < groupCustomer.length; g++) from[g + 1]! += from[g]!;
  const lines = new Int32Array(lineCount);
  const next = from.slice(0, groupCustomer.length);
  for (let l = 0; l < lineCount; l++) lines[next[lineGroup[l]!]!++] = l;
  const rank = new Int32Array(userKeyText.length);
  const place = new Int32Array(userKeyText.length);
  const T = EXPENSE_TYPES.length;
  const heads: InvoiceHead[] = [];
  for (let g = 0; g < groupCustomer.length; g++) {
    const ids = lines.subarray(from[g]!, from[g + 1]!);
    // users in the order first met (ids ascend), sorted stably: users the collator finds equal keep that order
    const users = [...new Set(Array.from(ids, (l) => lineUserKey[l]!))].sort((a, b) => compareText(userKeyText[a]!, userKeyText[b]!));
    users.forEach((u, k) => ((place[u] = k), (rank[u] = k > 0 && compareText(userKeyText[users[k - 1]!]!, userKeyText[u]!) === 0 ? rank[users[k - 1]!]! : k)));
    // (rank, type, place) is one number per line, and (place, type) names the line: a typed sort without a comparator
    const U = users.length;
    const lineAt = new Int32Array(U * T);
    const order = new Float64Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const l = ids[k]!;
      const u = lineUserKey[l]!;
      lineAt[place[u]! * T + lineType[l]!] = l;
      order[k] = (rank[u]! * T + lineType[l]!) * U + place[u]!;
    }
    order.sort();
    let total = 0;
    for (let k = 0; k < ids.length; k++) {
      const p = order[k]! % U;
      ids[k] = lineAt[p * T + (((order[k]! - p) / U) % T)]!;
      total = addCents(total, lineCents[ids[k]!]!);
    }
    const customer = names[groupCustomer[g]!]!;
    const currency = names[groupCurrency[g]!]!;
    heads.push({
      number: invoiceNumber(customer, month, currency),
      customer,
      month,
      currency,
      partners: [...groupPartners[g]!].map((p) => c.partners.values[p]!).sort(),
      totalCents: total,
      from: from[g]!,
      to: from[g + 1]!,
    });
  }
  // invoices in the order met first (customer key, then currency), then sorted: ties keep that order
  // (each name in lower case once, not once per comparison)
  const met = new Float64Array(heads.length);
  const lower = heads.map((h) => h.customer.toLowerCase());
  const byCustomer = new Map<number, number>();
  for (let g = 0; g < heads.length; g++) {
    const ck = customerKeyOf[groupCustomer[g]!]!;
    if (!byCustomer.has(ck)) byCustomer.set(ck, byCustomer.size);
    met[g] = byCustomer.get(ck)! * heads.length + g;
  }
  const sorted = heads
    .map((_, g) => g)
    .sort((a, b) => compareText(lower[a]!, lower[b]!) || compareText(heads[a]!.currency, heads[b]!.currency) || met[a]! - met[b]!)
    .map((g) => heads[g]!);
  const references = (l: number): string[] => {
    const out: string[] = [];
    if (!withReferences) return out;
    for (let i = firstRef[l]!; i >= 0; i = nextRef[i]!) out.push(`${c.partners.values[c.partner[i]!]}:${c.references.text(c.reference[i]!)}`);
    return out.sort();
  };
  return { month, invoices: sorted, line: lines, user: lineUser, type: lineType, cents: lineCents, items: lineItems, names, references };
}

/**
 * invoices.csv of the table's invoices (a row per invoice line: customer, month, user, expense type,
 * amount, currency) as UTF-8 pieces of about `chunk` bytes: a host writes each as it comes and never holds
 * the whole file. Written as bytes, cell by cell: the same text as invoicesCsv (./invoices.ts) encoded.
 */
export function* invoiceTableCsv(t: InvoiceTable, options: CsvOptions = {}, chunk = 1 << 20): Generator<Uint8Array> {
  for (const piece of invoiceTableCsvViews(t, options, chunk)) yield piece.slice();
}

/**
 * The same pieces as views of one buffer, each valid only until the next is asked for: a host that
 * writes each before asking copies none of them (22 MB of copies on a million lines, each in fresh memory).
 */
export function* invoiceTableCsvViews(t: InvoiceTable, options: CsvOptions = {}, chunk = 1 << 20): Generator<Uint8Array> {
  const eol = options.lineEnding ?? '\r\n';
  const d = options.delimiter ?? ',';
  const out = new ByteWriter(chunk + (1 << 16));
  out.text((options.bom ? '\uFEFF' : '') + csvRow([...INVOICE_CSV_HEADER], options) + eol);
  // Each cell's text is made and encoded once, then copied as bytes on each line it is on: an
  // invoice's own cells, an expense type's, a user's (a learner has a line per expense type).
  const cells = new ByteWriter(1 << 16);
  const encoded = (text: string): number => {
    cells.text(text);
    return cells.pos;
  };
  // a cell's bytes are cells.buf[start, end): the pairs side by side, per expense type and per user name
  const typeCell = new Int32Array(2 * EXPENSE_TYPES.length);
  EXPENSE_TYPES.forEach((type, k) => ((typeCell[2 * k] = cells.pos), (typeCell[2 * k + 1] = encoded(csvCell(type, d) + d))));
  const userCell = new Int32Array(2 * t.names.length).fill(-1);
  // a two-decimal amount is written as bytes when no cell of it can need quotes (digits, '-', '.')
  const plainAmounts = !/[-.0-9]/.test(d);
  // the rows [k, to) of an invoice whose cells before and after the user's are [bs, be) and [as, ae),
  // until the piece is full: where it stopped (a plain function: the generator only hands out pieces)
  const rows = (k: number, to: number, bs: number, be: number, as: number, ae: number, currency: string, twoDecimals: boolean): number => {
    for (; k < to && out.pos < chunk; k++) {
      const l = t.line[k]!;
      const u = t.user[l]!;
      if (userCell[2 * u]! < 0) {
        userCell[2 * u] = cells.pos;
        userCell[2 * u + 1] = encoded(csvCell(t.names[u]!, d) + d);
      }
      const us = userCell[2 * u]!;
      const ue = userCell[2 * u + 1]!;
      const ts = typeCell[2 * t.type[l]!]!;
      const te = typeCell[2 * t.type[l]! + 1]!;
      out.room(be - bs + (ue - us) + (te - ts) + 24 + (ae - as));
      const b = out.buf;
      const c = cells.buf;
      let p = out.pos;
      for (let s = bs; s < be; s++) b[p++] = c[s]!;
      for (let s = us; s < ue; s++) b[p++] = c[s]!;
      for (let s = ts; s < te; s++) b[p++] = c[s]!;
      if (twoDecimals) p = writeAmountAscii(t.cents[l]!, b, p);
      else {
        out.pos = p;
        out.text(csvCell(formatAmount(t.cents[l]!, currency), d));
        p = out.pos;
      }
      for (let s = as; s < ae; s++) out.buf[p++] = c[s]!;
      out.pos = p;
    }
    return k;
  };
  for (const inv of t.invoices) {
    const bs = cells.pos;
    const be = encoded(csvRow([inv.customer, inv.month], options) + d);
    const as = cells.pos;
    const ae = encoded(d + csvCell(inv.currency, d) + eol);
    const twoDecimals = plainAmounts && minorUnitDigits(inv.currency) === 2;
    for (let k = inv.from; k < inv.to; ) {
      k = rows(k, inv.to, bs, be, as, ae, inv.currency, twoDecimals);
      if (out.pos >= chunk) yield out.take();
    }
  }
  if (out.pos > 0) yield out.take();
}
