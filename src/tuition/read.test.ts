/**
 * The column reader gives exactly what the simple reader gives — lines, problems in order, layouts,
 * and the invoices grouped from them — on random partner files: both layouts and an unknown one, CSV
 * read from bytes (split where it lies, or parsed when its form asks for it: quotes, other delimiters,
 * line breaks, BOM, blank lines) and sheets with numbers and dates, bad values of every kind, credit
 * words and marks, duplicates within and across files, messy spaces and non-ASCII names.
 */
import { parseCsv, type Cell, type Table } from '../kernel';
import { splitCsvBytes } from '../kernel/csv-bytes';
import { buildInvoiceTable, buildTuitionInvoices, buildTuitionInvoicesFromColumns, EXPENSE_TYPES, ExpenseLineReader, invoicesCsv, invoicesCsvPieces, invoicesOfTable, invoiceTableCsv, invoiceTableCsvViews, type ExpenseLine } from '.';
import { applyLearners, isPlainAddress, learnerSpellings, matchLearners } from './learners';
import { customerKey } from './invoice-keys';
import { matchColumnLearners } from './learner-columns';
import { lineTrios } from './trios';
import { ReferenceExpenseLineReader, referenceBuildTuitionInvoices, referenceInvoicesCsv } from '../../test/fixtures/tuition/reference';

const BP = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date', 'Credit'];
const LW = ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'];

function random(seed: number) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  return { rand, pick };
}

function partnerFile(seed: number, index: number): { name: string; rows: string[][] } {
  const { rand, pick } = random(seed * 31 + index);
  const bp = rand() < 0.5;
  const header = [...(bp ? BP : LW)];
  if (rand() < 0.05) header[3] = 'Kind';
  if (rand() < 0.1) header.reverse();
  const rows: string[][] = [header];
  // a file of mostly good rows in ASCII (most rows then read the plain way), or of anything
  const good = rand() < 0.5;
  const customers = good ? ['Northwind Traders', 'northwind  traders', 'Contoso', ' Contoso ', 'Contoso'] : ['Northwind Traders', 'northwind  traders', 'Contoso', ' Contoso ', 'Fabrikam, Inc.', 'Café Müller', 'Acme "Ltd"', 'A\u00a0B'];
  const users = good ? ['alice@x.com', 'ALICE@x.com', 'bob', ' carol ', 'dave@y.org', 'alice', 'dave', 'dave@z.org'] : ['alice@x.com', 'ALICE@x.com', 'bob', 'Zoë', 'Zoe\u0308', ' carol ', 'dave@y.org', 'alice', 'dave', 'dave@z.org'];
  const n = 3 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    // in a good file, most values are good ones (credit words, negative amounts and cross-file duplicates included)
    const fine = good && rand() < 0.85;
    const type = bp
      ? pick(fine ? ['Tuition', 'Books & materials', 'Tutoring', 'tuition', 'Tuition refund'] : ['Tuition', 'Books & materials', 'Books', 'Tutoring', 'tuition', 'Tuition refund', 'Lunch', ''])
      : pick(fine ? ['TUITION', 'MATERIALS', 'TUTORING', 'CREDIT_TUITION', 'tutoring'] : ['TUITION', 'MATERIALS', 'TUTORING', 'CREDIT_TUITION', 'tutoring', 'Snacks']);
    const amount = fine ? pick(['120.50', '75', '0.10', '-50.00', ' 9.99 ', '100.5']) : pick(['120.50', '75', '0.10', '-50.00', '0', '0.00', '1,234.50', '3O.00', '12.345', '', ' 9.99 ', '-0.00', '1e3', '(5.00)', '100.5']);
    const day = 1 + Math.floor(rand() * 30);
    const date = bp
      ? pick(fine ? [`11/${String(day).padStart(2, '0')}/2024`, '2024-11-05'] : [`11/${String(day).padStart(2, '0')}/2024`, `10/31/2024`, '2024-11-05', '13/13/2024', ''])
      : pick(fine ? [`2024-11-${String(day).padStart(2, '0')}`] : [`2024-11-${String(day).padStart(2, '0')}`, '2024-12-01', 'soon', '2024-11-05T10:00:00Z']);
    const ref = pick(fine ? [`R${index}-${i}`, `R${index}-${i}`, `R0-${i % 5}`, ` R${i} `] : [`R${index}-${i}`, `R${index}-${i}`, `R0-${i % 5}`, '12.0', '1.2e21', '', ` R${i} `, '00123']);
    const values: Record<string, string> = {
      [header.includes('Invoice Ref') ? 'Invoice Ref' : 'Reference']: ref,
      [bp ? 'Employer' : 'Company']: rand() < 0.05 ? '' : pick(customers),
      [bp ? 'Employee Email' : 'Learner']: pick(users),
      [bp ? (header.includes('Kind') ? 'Kind' : 'Charge Type') : 'Expense Type']: type,
      [bp ? 'Charge Amount' : 'Amount']: amount,
      Currency: pick(fine ? ['USD', 'USD', 'EUR', 'usd', ''] : ['USD', 'USD', 'EUR', 'usd', 'US', '']),
      [bp ? 'Service Date' : 'Date']: date,
      Credit: pick(['', '', 'Y', 'no', 'REFUND']),
    };
    rows.push(header.map((h) => values[h] ?? ''));
    if (rand() < 0.05) rows.push(header.map(() => pick(['', ' '])));
  }
  return { name: `p${seed}-${index}.csv`, rows };
}

/** The rows as CSV bytes, in the form of the seed: delimiter, quoting, line breaks, BOM, blank lines. */
function csvBytes(rows: string[][], seed: number): Uint8Array {
  const { rand, pick } = random(seed);
  const delim = pick([',', ',', ',', ';', '\t']);
  const eol = pick(['\n', '\r\n', '\r\n']);
  const quoteAll = rand() < 0.15;
  const cell = (c: string) => (quoteAll || c.includes(delim) || c.includes('"') || c.includes('\n') ? `"${c.replace(/"/g, '""')}"` : c);
  let text = rows.map((r) => r.map(cell).join(delim)).join(eol) + (rand() < 0.7 ? eol : '');
  if (rand() < 0.1) text = '\uFEFF' + text;
  if (rand() < 0.1) text = text.replace(eol, eol + eol);
  // forms the byte splitter leaves to papaparse: mixed line breaks, a stray quote, a lone CR, a quote not closing a field
  const damage = rand() < 0.3 ? pick(['mixed', 'stray', 'cr', 'after', 'width']) : '';
  if (damage === 'mixed') text = text.replace(eol === '\n' ? '\n' : '\r\n', eol === '\n' ? '\r\n' : '\n');
  if (damage === 'stray') text = text.replace(/(\n[^\n]*?)\d/, '$1"');
  if (damage === 'cr') text = text.replace(/(\n[^\n]*?)\d/, '$1\r');
  if (damage === 'after') text = text.replace(/(\n[^\n]*?)\d/, '$1"x" ');
  // a row one field short, past the first few (a plain row of another width)
  if (damage === 'width') {
    const lines = text.split(eol);
    const at = Math.min(lines.length - 1, 2 + Math.floor(rand() * lines.length));
    lines[at] = lines[at]!.replace(delim, '');
    text = lines.join(eol);
  }
  const bytes = new TextEncoder().encode(text);
  if (rand() < 0.05) return Uint8Array.from([...bytes.subarray(0, bytes.length - 3), 0xff, ...bytes.subarray(bytes.length - 3)]);
  return bytes;
}

/** The same rows as a sheet gives them: numbers and dates where the cell holds one. */
function sheet(name: string, rows: string[][]): Table {
  const cell = (c: string, k: number): Cell => (k % 4 === 0 && /^\d+(\.\d+)?$/.test(c) ? Number(c) : /^2024-11-\d\d$/.test(c) && k % 3 === 0 ? new Date(`${c}T00:00:00Z`) : c);
  return { name, header: rows[0]!, rows: rows.slice(1).map((r) => r.map((c, k) => cell(c, k + r.length))), firstRowNumber: 2 };
}

describe('the column reader equals the simple reader', () => {
  test('on 150 random runs of several partner files each, as CSV bytes and as sheets', () => {
    // rows read the plain way (readPlainRow took them, or left them to the rules), and files read so until a later row
    const reader = ExpenseLineReader.prototype as unknown as Record<'readPlainRow' | 'readCsvFrom', (...args: unknown[]) => unknown>;
    const plainRow = jest.spyOn(reader, 'readPlainRow');
    const readFrom = jest.spyOn(reader, 'readCsvFrom');
    let fast = 0;
    let parsed = 0;
    let crossFile = 0;
    let plainCustomers = 0;
    let givenTrios = 0;
    const codes = new Set<string>();
    for (let seed = 1; seed <= 150; seed++) {
      const month = '2024-11';
      const reader = new ExpenseLineReader({ month });
      const reference = new ReferenceExpenseLineReader({ month });
      // each file also read on its own as a part, the parts merged in file order (as the CLI does on worker threads)
      const merged = new ExpenseLineReader({ month });
      const partFileProblems = [];
      const fileProblems = [];
      const referenceFileProblems = [];
      const files = 1 + (seed % 4);
      for (let k = 0; k < files; k++) {
        const f = partnerFile(seed, k);
        const part = new ExpenseLineReader(structuredClone({ month }), { part: true });
        // room made ahead (as the CLI does from its files' sizes) changes nothing read
        if ((seed + k) % 3 === 0) for (const r of [reader, part]) r.reserve((seed * (k + 1)) % 60);
        if (k === 2) {
          const t = sheet(f.name.replace('.csv', '.xlsx Sheet1'), f.rows);
          reader.read(t);
          reference.read(t);
          part.read(t);
          merged.merge(structuredClone(part.part()));
          continue;
        }
        const bytes = csvBytes(f.rows, seed * 7 + k);
        const decode = () => new TextDecoder().decode(bytes);
        if (splitCsvBytes(bytes, f.name)) fast++;
        else parsed++;
        fileProblems.push(...reader.readCsv(f.name, bytes, decode));
        partFileProblems.push(...part.readCsv(f.name, bytes, decode));
        merged.merge(structuredClone(part.part()));
        const p = parseCsv(decode(), { name: f.name });
        referenceFileProblems.push(...p.problems);
        reference.read(p.table);
      }
      const { columns, ...got } = reader.result();
      expect(columns!.count).toBe(got.lines.length);
      const want = reference.result();
      expect({ seed, fileProblems, ...got }).toEqual({ seed, fileProblems: referenceFileProblems, ...want });
      const { columns: mergedColumns, ...fromParts } = merged.result();
      expect({ seed, fileProblems: partFileProblems, ...fromParts }).toEqual({ seed, fileProblems: referenceFileProblems, ...want });
      expect({ seed, dates: [...mergedColumns!.dates.values].sort() }).toEqual({ seed, dates: [...columns!.dates.values].sort() });
      if (fromParts.problems.some((p) => p.code === 'duplicate-reference' && !p.message.includes(` on ${p.source} `))) crossFile++;
      const invoices = referenceBuildTuitionInvoices(want.lines, month);
      expect({ seed, invoices: buildTuitionInvoices(got.lines, month) }).toEqual({ seed, invoices });
      const fromColumns = buildTuitionInvoicesFromColumns(reader.columns().columns, month, { references: false });
      expect({ seed, invoices: fromColumns }).toEqual({ seed, invoices: invoices.map((i) => ({ ...i, lines: i.lines.map((l) => ({ ...l, references: [] })) })) });
      // invoices.csv, whole or in pieces, as the kernel's CSV writer writes the rows
      const csvOptions = [{}, { delimiter: ';', lineEnding: '\n', bom: true }] as const;
      const csv = csvOptions.map((o) => ({ whole: invoicesCsv(invoices, o), pieces: [...invoicesCsvPieces(invoices, o)].join('') }));
      expect({ seed, csv }).toEqual({ seed, csv: csvOptions.map((o) => ({ whole: referenceInvoicesCsv(invoices, o), pieces: referenceInvoicesCsv(invoices, o) })) });
      // the invoice table (what the CLI writes invoices.csv from): the same invoices, and invoices.csv as bytes in pieces of any size
      const table = buildInvoiceTable(reader.columns().columns, month, { references: seed % 2 === 0 });
      expect({ seed, invoices: invoicesOfTable(table) }).toEqual({ seed, invoices: seed % 2 === 0 ? invoices : fromColumns });
      const tableCsv = csvOptions.map((o) => {
        const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
        return [...invoiceTableCsv(table, o, 1 + (seed % 97))].map((piece) => utf8.decode(piece, { stream: true })).join('') + utf8.decode();
      });
      expect({ seed, tableCsv }).toEqual({ seed, tableCsv: csvOptions.map((o) => referenceInvoicesCsv(invoices, o)) });
      // the same pieces as views of one buffer, each decoded before the next is asked for (as the CLI writes them)
      const viewsCsv = csvOptions.map((o) => {
        const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
        let text = '';
        for (const view of invoiceTableCsvViews(table, o, 1 + (seed % 89))) text += utf8.decode(view, { stream: true });
        return text + utf8.decode();
      });
      expect({ seed, viewsCsv }).toEqual({ seed, viewsCsv: csvOptions.map((o) => referenceInvoicesCsv(invoices, o)) });
      // learners matched over the columns (users rewritten in place) equal the rules applied to the lines
      // (with rules on odd seeds: aliases for one customer, the part-before-the-@ rule off for another)
      const rules = seed % 2 ? { contoso: { aliases: { BOB: 'dave@y.org', 'alice ': 'ALICE@x.com', 'dave@z.org': 'dave@y.org' } }, 'northwind traders': { localPart: false } } : undefined;
      const learners = matchLearners(learnerSpellings(want.lines), rules);
      const trios = lineTrios(columns!, columns!.count);
      const fromLearnerColumns = matchColumnLearners(columns!, columns!.count, rules, undefined, trios);
      // customers whose spellings are all plain addresses (matchColumnLearners leaves them out of the rules)
      const plain = new Map<string, boolean>();
      for (const l of want.lines) plain.set(customerKey(l.customer), (plain.get(customerKey(l.customer)) ?? true) && isPlainAddress(l.user));
      plainCustomers += [...plain.values()].filter(Boolean).length;
      expect({ seed, matches: fromLearnerColumns.matches, problems: fromLearnerColumns.problems, lines: columns!.toArray() }).toEqual({
        seed,
        matches: learners.matches,
        problems: learners.problems,
        lines: applyLearners(want.lines, learners),
      });
      // the invoice table from the trios the learners rewrote (as buildTuitionMonth builds it) equals the invoices of the lines with their learners
      const learnerInvoices = referenceBuildTuitionInvoices(applyLearners(want.lines, learners), month);
      const fromTrios = invoicesOfTable(buildInvoiceTable(columns!, month, { references: seed % 2 === 0, trios }));
      expect({ seed, invoices: fromTrios }).toEqual({ seed, invoices: seed % 2 === 0 ? learnerInvoices : learnerInvoices.map((i) => ({ ...i, lines: i.lines.map((l) => ({ ...l, references: [] })) })) });
      if (columns!.dates.values.every((d) => d.startsWith(month))) givenTrios++;
      for (const p of [...fileProblems, ...got.problems, ...learners.problems]) codes.add(p.code ?? '');
      for (const m of learners.matches) codes.add(m.rule);
      if (got.lines.length) codes.add('lines');
    }
    const plain = plainRow.mock.results.filter((r) => r.value === true).length;
    const plainToRules = plainRow.mock.results.length - plain;
    const fromLaterRow = readFrom.mock.calls.filter((c) => (c[5] as number) > 0).length;
    plainRow.mockRestore();
    readFrom.mockRestore();
    expect(plain).toBeGreaterThan(500);
    expect(plainToRules).toBeGreaterThan(500);
    expect(fromLaterRow).toBeGreaterThan(50);
    expect(fast).toBeGreaterThan(50);
    expect(plainCustomers).toBeGreaterThan(20);
    expect(givenTrios).toBeGreaterThan(20);
    expect(crossFile).toBeGreaterThan(10);
    expect(parsed).toBeGreaterThan(20);
    for (const code of ['lines', 'local-part', 'ambiguous-learner', 'blank', 'bad-reference', 'unknown-expense-type', 'bad-currency', 'bad-amount', 'negative-not-credit', 'zero-amount', 'bad-date', 'outside-month', 'duplicate-reference', 'unknown-layout', 'field-count'])
      expect([code, codes.has(code)]).toEqual([code, true]);
  });

  test('invoices group users by their name in lower case, whether or not a line writes it so (random lines)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { rand, pick } = random(seed);
      // 'bob' and 'zoë' are never written in lower case; 'alice@x.com' and 'carol' sometimes are
      // (names alike in their first six characters: 'carol.b', 'carol.a@…')
      const users = ['Bob', 'BOB', 'bOb', 'Zoë', 'ZOË', 'ALICE@x.com', 'Alice@X.com', ...(seed % 2 ? ['alice@x.com', 'carol'] : []), 'Carol', 'carol.b', 'Carol.A@x.com', 'carol.b@x.com'];
      const lines: ExpenseLine[] = Array.from({ length: 1 + Math.floor(rand() * 60) }, (_, i) => ({
        partner: pick(['BrightPath', 'LearnWell']),
        customer: pick(['Contoso', 'contoso ', 'Fabrikam']),
        user: pick(users),
        expenseType: pick(EXPENSE_TYPES),
        cents: Math.floor(rand() * 20000) - 5000,
        currency: pick(['USD', 'EUR']),
        date: '2024-11-05',
        reference: `R${i}`,
        credit: false,
        source: 'a.csv',
        row: i + 2,
      }));
      expect({ seed, invoices: buildTuitionInvoices(lines, '2024-11') }).toEqual({ seed, invoices: referenceBuildTuitionInvoices(lines, '2024-11') });
    }
  });
});
