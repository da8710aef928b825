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
 *   `references: false` leaves them out (invoices.csv does not show them; the approval document does);
 *   `trios`: the lines' trios as matchColumnLearners left them (./trios.ts), used when every line is of the month.
 * - `invoiceTableCsv(table, options)`: invoices.csv as UTF-8 pieces — the same bytes as invoicesCsv of its invoices;
 *   `invoiceTableCsvViews`: the same pieces as views of one reused buffer (each valid until the next is asked for).
 */
import { addCents, formatAmount, minorUnitDigits, writeAmountAscii } from '../kernel/money';
import { ByteWriter } from '../kernel/byte-writer';
import { csvCell, csvRow, type CsvOptions } from '../kernel/csv';
import { resized } from '../kernel/typed-arrays';
import { KeyIds, TextIds, type ExpenseColumns } from './columns';
import { compareText, customerKey, invoiceNumber, TextOrder } from './invoice-keys';
import { EXPENSE_TYPES } from './profiles';
import { lineTrios, type LineTrios } from './trios';

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

export function buildInvoiceTable(c: ExpenseColumns, month: string, options: { references?: boolean; trios?: LineTrios } = {}): InvoiceTable {
  const withReferences = options.references !== false;
  const names = c.names.values;
  const T = EXPENSE_TYPES.length;
  const W = names.length + 1;
  const inMonth = c.dates.values.map((d) => d.startsWith(month));
  // 1. Each line of the month as its trio (customer, user, currency: ./trios.ts), as the caller found them
  //    when every line is of the month (the learners' trios, users rewritten to learners), else here.
  const given = options.trios && options.trios.of.length === c.count && inMonth.every(Boolean) ? options.trios : null;
  const { of: trioOfLine, customer: trioCustomer, user: trioUser, currency: trioCurrency } = given ?? lineTrios(c, c.count, inMonth);
  // 2. Per trio (not per line): its invoice (customer key, currency) and its slot there (a user key: the
  //    user's name in lower case), each numbered when first met.
  const customerKeys = new TextIds();
  const customerKeyOf = new Int32Array(names.length).fill(-1);
  // A user key is a user's name in lower case, numbered as that text's name id when it is a name (most names
  // are written in lower case already), else after the names.
  const otherKeys = new Map<string, number>();
  const otherText: string[] = [];
  const userKey = (user: number): number => {
    const name = names[user]!;
    const lower = name.toLowerCase();
    if (lower === name) return user;
    const n = c.names.find(lower);
    if (n >= 0) return n;
    let uk = otherKeys.get(lower);
    if (uk === undefined) otherKeys.set(lower, (uk = names.length + otherText.push(lower) - 1));
    return uk;
  };
  const groupOf = new KeyIds();
  const groupOfName = new Int32Array(names.length).fill(-1);
  const groupCustomer: number[] = [];
  const groupCurrency: number[] = [];
  const groupKey: number[] = [];
  // (a slot per trio at most)
  const slotGroup = new Int32Array(trioCustomer.length);
  const slotUser = new Int32Array(trioCustomer.length);
  let S = 0;
  let lastSlot = new Int32Array(names.length); // per user key: its last slot + 1 (0: none yet)
  const slotIds = new KeyIds();
  const slotOfId: number[] = [];
  const tabledSlot = (s: number): number => {
    const id = slotIds.id(slotGroup[s]! * (W + trioCustomer.length) + slotUser[s]!); // (user keys: fewer than names and trios)
    if (id === slotOfId.length) slotOfId.push(s);
    return slotOfId[id]!;
  };
  const trioSlot = new Int32Array(trioCustomer.length);
  for (let t = 0; t < trioCustomer.length; t++) {
    const customer = trioCustomer[t]!;
    const user = trioUser[t]!;
    const currency = trioCurrency[t]!;
    // the invoice of a customer's name is nearly always the one of its last trio (one currency): the table only when not
    let g = groupOfName[customer]!;
    if (g < 0 || groupCurrency[g] !== currency) {
      let ck = customerKeyOf[customer]!;
      if (ck < 0) ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
      g = groupOfName[customer] = groupOf.id(ck * W + currency);
      if (g === groupCustomer.length) {
        groupCustomer.push(customer);
        groupCurrency.push(currency);
        groupKey.push(ck);
      }
    }
    const uk = userKey(user);
    if (uk >= lastSlot.length) lastSlot = resized(lastSlot, 2 * uk);
    // (a user key is nearly always on one invoice: its last slot is tried first, as trios are)
    let s = lastSlot[uk]! - 1;
    if (s < 0 || slotGroup[s] !== g) {
      const known = s >= 0;
      if (known) tabledSlot(s);
      s = S++;
      slotGroup[s] = g;
      slotUser[s] = uk;
      if (known) {
        const found = tabledSlot(s);
        if (found !== s) {
          S--;
          s = found;
        }
      }
      lastSlot[uk] = s + 1;
    }
    trioSlot[t] = s;
  }
  // 3. Invoices sorted by customer, currency, then the customer key and invoice first met (ties keep that
  //    order; each name in lower case once). Each invoice's slots sorted by user key in the collator's order,
  //    keys it finds equal in the order met; a slot's place is its position over all invoices in that order.
  const G = groupCustomer.length;
  const keyMet = new Int32Array(customerKeys.values.length).fill(-1);
  const met = new Float64Array(G);
  for (let g = 0, n = 0; g < G; g++) {
    if (keyMet[groupKey[g]!]! < 0) keyMet[groupKey[g]!] = n++;
    met[g] = keyMet[groupKey[g]!]! * G + g;
  }
  const lower = groupCustomer.map((n) => names[n]!.toLowerCase());
  const invoiceOrder = Array.from({ length: G }, (_, g) => g).sort(
    (a, b) => compareText(lower[a]!, lower[b]!) || compareText(names[groupCurrency[a]!]!, names[groupCurrency[b]!]!) || met[a]! - met[b]!,
  );
  const slotsFrom = new Int32Array(G + 1);
  for (let s = 0; s < S; s++) slotsFrom[slotGroup[s]! + 1]!++;
  for (let g = 0; g < G; g++) slotsFrom[g + 1]! += slotsFrom[g]!;
  const slotsOf = new Int32Array(S);
  const next = slotsFrom.slice(0, G);
  for (let s = 0; s < S; s++) slotsOf[next[slotGroup[s]!]!++] = s;
  const byUser = new TextOrder(otherText.length ? names.concat(otherText) : names);
  const place = new Int32Array(S);
  // tie[p]: the slot at place p has the user key of the one before it (the collator finds them equal)
  const tie = new Uint8Array(S);
  const slotOfKey = new Int32Array(names.length + otherText.length);
  const keysAt = new Int32Array(S);
  let p = 0;
  for (const g of invoiceOrder) {
    const keys = keysAt.subarray(p, p + slotsFrom[g + 1]! - slotsFrom[g]!);
    for (let k = 0; k < keys.length; k++) {
      const s = slotsOf[slotsFrom[g]! + k]!;
      keys[k] = slotUser[s]!;
      slotOfKey[slotUser[s]!] = s;
    }
    byUser.sort(keys, tie, p);
    for (let k = 0; k < keys.length; k++) place[slotOfKey[keys[k]!]!] = p++;
  }
  // 4. The lines summed per (slot, expense type), at place * T + type: in the order invoices.csv shows them.
  //    Per trio side by side: its slot's place and its invoice (one look-up per line, not two far apart).
  const trioAt = new Int32Array(2 * trioCustomer.length);
  for (let t = 0; t < trioCustomer.length; t++) {
    trioAt[2 * t] = place[trioSlot[t]!]! * T;
    trioAt[2 * t + 1] = slotGroup[trioSlot[t]!]!;
  }
  const lineUser = new Int32Array(S * T);
  const lineCents = new Float64Array(S * T);
  const lineItems = new Int32Array(S * T);
  // references of a line as a chain through the expense lines: first, then next of each
  const firstRef = withReferences ? new Int32Array(S * T) : lineItems;
  const lastRef = withReferences ? new Int32Array(S * T) : lineItems;
  const nextRef = withReferences ? new Int32Array(c.count).fill(-1) : lineItems;
  const groupPartners = Array.from({ length: G }, () => new Set<number>());
  const groupLastPartner = new Int32Array(G).fill(-1); // lines of one file come together: the set is asked only when the partner changes
  let lineCount = 0;
  for (let i = 0; i < c.count; i++) {
    const t = trioOfLine[i]!;
    if (t < 0) continue;
    const l = trioAt[2 * t]! + c.type[i]!;
    const g = trioAt[2 * t + 1]!;
    const partner = c.partner[i]!;
    if (groupLastPartner[g] !== partner) groupPartners[g]!.add((groupLastPartner[g] = partner));
    if (lineItems[l] === 0) {
      lineCount++;
      lineUser[l] = c.user[i]!;
      lineCents[l] = c.cents[i]!;
      lineItems[l] = 1;
      if (withReferences) firstRef[l] = lastRef[l] = i;
    } else {
      lineCents[l] = addCents(lineCents[l]!, c.cents[i]!);
      lineItems[l]!++;
      if (withReferences) lastRef[l] = nextRef[lastRef[l]!] = i;
    }
  }
  // 5. Each invoice's lines: by place and type, but slots with equal user keys by type first, then place.
  const line = new Int32Array(lineCount);
  const lineType = new Uint8Array(S * T);
  for (let l = 0; l < S * T; l++) lineType[l] = l % T;
  // an invoice's partners as .sort() orders their names: the names ranked once, each invoice's sorted as numbers
  const partnersSorted = [...c.partners.values].sort();
  const rankOf = new Map(partnersSorted.map((n, r) => [n, r]));
  const partnerRank = c.partners.values.map((n) => rankOf.get(n)!);
  const invoices: InvoiceHead[] = [];
  let k = 0;
  p = 0;
  for (const g of invoiceOrder) {
    const from = k;
    const end = p + slotsFrom[g + 1]! - slotsFrom[g]!;
    let total = 0;
    while (p < end) {
      let q = p + 1;
      while (q < end && tie[q]) q++;
      for (let type = 0; type < T; type++)
        for (let r = p; r < q; r++) {
          const l = r * T + type;
          if (lineItems[l] === 0) continue;
          line[k++] = l;
          total = addCents(total, lineCents[l]!);
        }
      p = q;
    }
    const customer = names[groupCustomer[g]!]!;
    const currency = names[groupCurrency[g]!]!;
    invoices.push({
      number: invoiceNumber(customer, month, currency),
      customer,
      month,
      currency,
      partners: Array.from(Int32Array.from(groupPartners[g]!, (n) => partnerRank[n]!).sort(), (r) => partnersSorted[r]!),
      totalCents: total,
      from,
      to: k,
    });
  }
  const references = (l: number): string[] => {
    const out: string[] = [];
    if (!withReferences) return out;
    for (let i = firstRef[l]!; i >= 0; i = nextRef[i]!) out.push(`${c.partners.values[c.partner[i]!]}:${c.references.text(c.reference[i]!)}`);
    return out.sort();
  };
  return { month, invoices, line, user: lineUser, type: lineType, cents: lineCents, items: lineItems, names, references };
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
