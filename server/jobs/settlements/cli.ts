import fs from 'node:fs';
import path from 'node:path';
import { formatAmount } from '../../../src/kernel/money';
import { describeLocation, isBlocking, PROBLEM_COLUMNS, problemRows } from '../../../src/kernel/problems';
import { toCsv } from '../../../src/kernel/csv';
import { sheetToCsv } from '../../../src/workbook/csv';
import { buildSettlementPostingFrom } from '../../../src/settlements/posting';
import { collectSettlements, parsedFromRead } from '../../../src/settlements/parse';
import { SETTLEMENT_SHEETS } from '../../../src/settlements/sheets';
import type { InvoiceMode } from '../../../src/settlements/build';
import { loadSettlementConfig, settlementFilePaths, SettlementFilesError } from './files';
import { readSettlementFileAt } from './read-file';
import { println, parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../../cli/command';
import { mergeSettlementConfig } from '../../../src/settlements/mapping';
import { settlementIdsFromMapping, type SettlementIds } from '../../../src/settlements/mapping-file';

/**
 * The stored mapping of a connection named by name or id, or the sentence saying there is none.
 * (the store, its drivers and the server's settings are loaded only then: a run without --connection needs none of them)
 */
async function storedIds(io: CliIo, which: string): Promise<{ name: string; entries: number; ids: SettlementIds } | string> {
  const { cliConfig, withStore } = require('../../cli/setup') as typeof import('../../cli/setup');
  const { listConnections } = require('../../zoho/connections') as typeof import('../../zoho/connections');
  const { listMappings } = require('./mapping-store') as typeof import('./mapping-store');
  return withStore(cliConfig(io), async (store) => {
    const all = await listConnections(store);
    const c = all.find((x) => x.id === which) ?? all.find((x) => x.name.toLowerCase() === which.trim().toLowerCase());
    if (!c) return `There is no Zoho connection "${which}"; ${all.length ? `the connections are ${all.map((x) => x.name).join(', ')}` : 'none is connected yet'}.`;
    const entries = await listMappings(store, c.id);
    return { name: c.name, entries: entries.length, ids: settlementIdsFromMapping(entries) };
  });
}

const MAX_PROBLEMS_SHOWN = 50;
const CSV_FILES: Record<string, string> = {
  [SETTLEMENT_SHEETS.invoices]: 'invoices.csv',
  [SETTLEMENT_SHEETS.payments]: 'payments.csv',
  [SETTLEMENT_SHEETS.journals]: 'journals.csv',
  [SETTLEMENT_SHEETS.reconciliation]: 'reconciliation.csv',
};

export const command: CliCommand = {
  name: 'settlements',
  summary: 'Amazon settlements: build the Zoho invoices, payments, journals and reconciliation as CSV files (no posting).',
  usage: [
    'closedesk settlements <file or folder>… --out <dir> [--invoices per-order|per-settlement] [--config mapping.json] [--connection <name>] [--json]',
    '',
    '  <file or folder>  settlement flat files (V2 or legacy V1; a folder: its .txt, .tsv, .csv files)',
    '  --invoices        per-order (default): one invoice per order, number AMZN + last 7 digits of the order id;',
    '                    per-settlement: one summary invoice per settlement and currency',
    '  --config          JSON mapping over the defaults: rules, accounts (GL name → Zoho account id), items (SKU → item id),',
    '                    chargeItems, customers (marketplace → customer id), nonSalesMarketplaces, clearingAccount, bankAccount',
    '  --connection      a Zoho connection (name or id): its stored mapping (Settings → Zoho mappings) gives the Zoho ids,',
    '                    over those of --config; read from the store, nothing is sent to Zoho',
    '',
    'Writes invoices.csv, payments.csv, journals.csv, reconciliation.csv, problems.csv and documents.json (the Zoho',
    'request bodies) to --out. Nothing is posted. Exit code 2 while a blocking problem remains (listed on stderr and in',
    'problems.csv), 0 otherwise.',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, invoices: { type: 'string' }, config: { type: 'string' }, connection: { type: 'string' }, json: { type: 'boolean' } },
    });
    const { values, positionals } = parsed;
    if (!positionals.length) throw new UsageError('Give at least one settlement file or folder.');
    if (!values.out) throw new UsageError('--out is required.');
    const mode = (values.invoices ?? 'per-order') as InvoiceMode;
    if (mode !== 'per-order' && mode !== 'per-settlement') throw new UsageError(`--invoices is per-order or per-settlement, not "${values.invoices}".`);
    let files;
    let config;
    try {
      files = settlementFilePaths(positionals, io.cwd);
      config = loadSettlementConfig(values.config, io.cwd);
    } catch (err) {
      if (err instanceof SettlementFilesError) {
        println(io.err, err.message);
        return 2;
      }
      throw err;
    }
    if (values.connection) {
      const stored = await storedIds(io, values.connection);
      if (typeof stored === 'string') {
        println(io.err, stored);
        return 2;
      }
      config = mergeSettlementConfig(config, stored.ids);
      println(io.err, `Zoho ids: ${stored.entries} entries of the stored mapping of ${stored.name}.`);
    }
    const read = [];
    for (const f of files) read.push(parsedFromRead(await readSettlementFileAt(f)));
    const { settlements, problems } = collectSettlements(read);
    const result = buildSettlementPostingFrom(settlements, problems, config, { invoiceMode: mode });
    const out = path.resolve(io.cwd, values.out);
    fs.mkdirSync(out, { recursive: true });
    for (const sheet of result.sheets) {
      const name = CSV_FILES[sheet.name];
      if (name) fs.writeFileSync(path.join(out, name), sheetToCsv(sheet, { lineEnding: '\r\n' }));
    }
    fs.writeFileSync(path.join(out, 'problems.csv'), toCsv([...PROBLEM_COLUMNS], problemRows(result.problems), { lineEnding: '\r\n' }));
    fs.writeFileSync(path.join(out, 'documents.json'), JSON.stringify(result.documents, null, 2) + '\n');

    const blocking = result.problems.filter(isBlocking);
    if (values.json) {
      println(io.out, JSON.stringify({ out, blocked: result.blocked, reconciliation: result.reconciliation, documents: result.documents.length, problems: result.problems }, null, 2));
    } else {
      const count = (k: string) => result.documents.filter((d) => d.kind === k).length;
      println(io.out, `${result.settlements.length} settlement${result.settlements.length === 1 ? '' : 's'}, ${count('invoice')} invoices (${mode}), ${count('payment')} payments, ${count('journal')} journals → ${out}`);
      for (const r of result.reconciliation) {
        const f = (c: number) => formatAmount(c, r.currency);
        println(
          io.out,
          `${r.settlementId} ${r.currency}: total ${f(r.totalCents)} = invoiced ${f(r.invoicedCents)} + journal items ${f(r.journalItemsCents)}` +
            `${r.unmappedCents ? ` + unmapped ${f(r.unmappedCents)}` : ''}; payment ${f(r.paymentCents)}; clearing ${f(r.clearingCents)} — ${r.balanced ? 'balanced' : r.status}`,
        );
      }
      println(io.out, blocking.length ? `${blocking.length} blocking problem${blocking.length === 1 ? '' : 's'}: nothing may be posted (see problems.csv).` : 'Ready to post.');
    }
    for (const p of result.problems.slice(0, MAX_PROBLEMS_SHOWN)) println(io.err, `${p.severity}: ${describeLocation(p)}: ${p.message}`);
    if (result.problems.length > MAX_PROBLEMS_SHOWN) println(io.err, `… and ${result.problems.length - MAX_PROBLEMS_SHOWN} more in problems.csv.`);
    return blocking.length ? 2 : 0;
  },
};
