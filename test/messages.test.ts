/**
 * Every message a person reads is in plain words: no placeholder left unfilled (`"%v" has 3
 * decimals`), no `{…}` of a template, no `undefined` or `NaN` from a missing value.
 *
 * 1. Statically: every message template in the engine and the hosts — `message:` and `reason:`
 *    values, Error and AppError arguments, the pane's error and notice setters — read with the
 *    TypeScript parser; the fixed text of each (a template's parts between its `${…}`) is checked.
 * 2. At run time: each job's engine on bad inputs of every kind (numbers with too many decimals,
 *    text where numbers belong, blanks, dates, booleans) and the checked-in bad fixtures; every
 *    problem's sentence is checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parseCsv } from '../src/kernel/csv';
import { tableFromValues, type Cell, type Table } from '../src/kernel/table';
import { parseAmount } from '../src/kernel/money';
import type { Problem } from '../src/kernel/problems';
import { allocateFifo, readFifoWorkbook, validateFifoResults } from '../src/fifo';
import { buildVretRun } from '../src/vendor-returns';
import { buildChargebackFiles } from '../src/chargebacks';
import { readExpenseLines } from '../src/tuition';
import { buildSettlementPosting } from '../src/settlements/posting';
import { defaultSettlementConfig } from '../src/settlements/mapping';

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const NOT_PLAIN = /%|\{|\}|\bundefined\b|\bNaN\b/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...sourceFiles(p));
    } else if (/\.tsx?$/.test(e.name) && !/\.(test|e2e)\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Braces a person types: the chargeback file name pattern's own fields, named in its messages. */
const PATTERN_FIELD = /\{(network|merchant|yyyymmdd|date|batch|count)\}/g;
/** Messages to whoever writes a command module, never shown to a finance user. */
const FOR_DEVELOPERS = ['server/cli.ts'];

const MESSAGE_PROPERTIES = new Set(['message', 'reason']);
const MESSAGE_CALLS = /^(set(Error|Notice|ListError|ConnectionsError)|errorSentence|runErrorMessage|fail)$/;

/** The fixed text of a string expression: literals, a template's parts, both sides of + and ?:. */
function fixedText(node: ts.Expression): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
  if (ts.isParenthesizedExpression(node)) return fixedText(node.expression);
  if (ts.isConditionalExpression(node)) return [...fixedText(node.whenTrue), ...fixedText(node.whenFalse)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return [...fixedText(node.left), ...fixedText(node.right)];
  // `'…'.replace(…)` and the like: the text the call starts from is what is shown.
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) return fixedText(node.expression.expression);
  return [];
}

interface Template {
  where: string;
  text: string;
}

function messageTemplates(file: string): Template[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Template[] = [];
  const take = (node: ts.Expression) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    for (const t of fixedText(node)) found.push({ where: `${path.relative(ROOT, file)}:${line}`, text: t });
  };
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && MESSAGE_PROPERTIES.has(node.name.text)) take(node.initializer);
    if (ts.isNewExpression(node) && /Error$/.test(node.expression.getText(sf))) for (const a of node.arguments ?? []) take(a);
    if (ts.isCallExpression(node)) {
      const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : node.expression.getText(sf);
      if (MESSAGE_CALLS.test(callee)) for (const a of node.arguments) take(a);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('message templates in the source', () => {
  const files = ['src', 'server', 'platform', 'taskpane', 'functions', 'commands'].flatMap((d) => sourceFiles(path.join(ROOT, d)));
  const templates = files.flatMap(messageTemplates);

  it('finds the templates (the scan reads what it should)', () => {
    expect(files.length).toBeGreaterThan(100);
    // Known templates from each part, so a broken scan cannot pass by finding nothing.
    const texts = templates.map((t) => t.text);
    expect(texts).toContain(' is not in ');
    expect(texts.some((t) => t.includes('has more than one decimal separator.'))).toBe(true);
    expect(texts.some((t) => t.startsWith('Choose a dataset on the server first.'))).toBe(true);
    expect(templates.length).toBeGreaterThan(500);
  });

  it('leave no placeholder, brace, undefined or NaN in what a person reads', () => {
    const bad = templates
      .filter((t) => NOT_PLAIN.test(t.text.replace(PATTERN_FIELD, '')) && !FOR_DEVELOPERS.includes(t.where.replace(/:\d+$/, '')))
      .map((t) => `${t.where}: ${JSON.stringify(t.text)}`);
    expect(bad).toEqual([]);
  });

  it('would catch the placeholder that once reached the problems list', () => {
    const probe = path.join(ROOT, 'test', 'fixtures', '.message-probe.ts');
    fs.writeFileSync(probe, 'export const r = { ok: false, reason: `"%v" has ${3} decimals; the currency allows ${2}.` };\n');
    try {
      expect(messageTemplates(probe).filter((t) => NOT_PLAIN.test(t.text))).toHaveLength(1);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});

/** Every value a sheet cell can hold that a reader may refuse, in each column of a table. */
const AWKWARD: Cell[] = [1.234, 'ten', '', null, new Date(Date.UTC(2024, 10, 5)), true, -0.005, '12,34,5', '1e400', 1e300];

function spoil(table: Table): Table {
  const rows = table.rows.map((r, i) => r.map((c, j) => ((i + j) % 3 === 0 ? AWKWARD[(i * 7 + j) % AWKWARD.length]! : c)));
  return { ...table, rows };
}

function csvTable(file: string, name = path.basename(file)): Table {
  return { ...parseCsv(fs.readFileSync(file, 'utf8'), { name }).table, name };
}

function expectPlain(problems: readonly Problem[]): void {
  expect(problems.length).toBeGreaterThan(0);
  const bad = problems.filter((p) => NOT_PLAIN.test(p.message)).map((p) => `${p.code ?? ''}: ${p.message}`);
  expect(bad).toEqual([]);
}

describe('problem sentences from bad inputs', () => {
  it('amounts name the value itself', () => {
    for (const c of AWKWARD) {
      const r = parseAmount(c);
      if (!r.ok) expect(r.reason).not.toMatch(NOT_PLAIN);
    }
  });

  it('FIFO', () => {
    const good = csvTable(path.join(FIXTURES, 'fifo', 'worked-example.csv'), 'TC_Data');
    const bad = csvTable(path.join(FIXTURES, 'fifo', 'bad-input.csv'), 'TC_Data');
    for (const t of [good, bad, spoil(good), spoil(bad)]) {
      const input = readFifoWorkbook([t, tableFromValues('Sales', [['ORDERID'], ['1']]), tableFromValues('Customers', [['CUSTOMERID'], ['nobody']])]);
      const result = allocateFifo(input.transactions, { mode: 'lots' });
      expectPlain([...input.problems, ...result.problems, ...validateFifoResults(result)]);
    }
  });

  it('vendor returns', () => {
    for (const dir of ['bad', 'inputs']) {
      const read = (f: string) => csvTable(path.join(FIXTURES, 'vret', dir, f), f.replace('.csv', ''));
      const transactions = ['cm.csv', 'adj.csv', 'glap.csv'].map(read);
      const run = buildVretRun(
        { transactions: dir === 'inputs' ? transactions.map(spoil) : transactions, rvr: [spoil(read('rvr.csv'))], l2c: read('l2c.csv'), led2chan: read('led2chan.csv'), ledgers: read('ledgers.csv') },
        { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11' },
      );
      expectPlain(run.problems);
    }
  });

  it('chargebacks', () => {
    const header = ['CASE_ID', 'NETWORK', 'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE', 'STATUS'];
    const rows: Cell[][] = Array.from({ length: 12 }, (_, i) => ['CB-' + i, ['VISA', 'AMEX', 'NOPE', 'MASTERCARD'][i % 4]!, '13.1', 10.5, 'USD', '2024-11-01', '74567890123456789012345', 'M1', '2024-12-01', 'OPEN']);
    expectPlain(buildChargebackFiles(spoil(tableFromValues('Chargebacks', [header, ...rows])), { batch: 'B1', date: '2024-11-21' }).problems);
  });

  it('tuition', () => {
    const tables = ['brightpath-bad.csv', 'brightpath-good.csv', 'unknown-layout.csv'].map((f) => csvTable(path.join(FIXTURES, 'tuition', f)));
    expectPlain(readExpenseLines([...tables, ...tables.map(spoil)], { month: '2024-11' }).problems);
  });

  it('settlements', () => {
    const files = ['bad/v2-bad.txt', 'v2-us.txt', 'v1-legacy.txt'].map((f) => ({ name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'settlements', f))) }));
    expectPlain(buildSettlementPosting(files, defaultSettlementConfig(), { invoiceMode: 'per-order' }).problems);
  });
});
