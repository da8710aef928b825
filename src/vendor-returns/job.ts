/**
 * A VRET run as every host runs it (task pane, server route, CLI): the request and the input tables
 * in; sheets, the SPURSH table, the file names, problems and the words for the outcome out. The
 * rules a host would otherwise repeat live here:
 * - the period: the one asked for, else the latest period the run's transaction rows hold (its
 *   ledgers and channel, so the default is a period with rows to post);
 * - the run id `YYYYMMDDTHHMMSS-xxxxxx` (the host gives the time and six random hex digits);
 * - the file names `VRET_{LEDGER}_{RUN}.xlsx` and `SPURSH_{LEDGER}_{RUN}.csv`;
 * - SPURSH is held back while a blocking problem remains, and when the run selected no transaction;
 * - a run that selects no transaction is a warning naming the periods the inputs hold, never a success.
 *
 * Hosts that stream rows (THR files of any size) use `VendorReturnsRun` chunk by chunk; hosts with
 * whole tables call `runVendorReturns`.
 */
import { countBlocking, type Problem } from '../kernel/problems';
import { chosenPeriod } from '../kernel/periods';
import type { Table } from '../kernel/table';
import type { CurrencyBalance, Journal } from '../journal/journal';
import type { SheetSpec } from '../workbook/sheet-spec';
import { readMappingTables, vretConfig, type MappingTables, type VretConfig, type VretConfigOverrides } from './config';
import { classifyVretInputs } from './inputs';
import { latestVretPeriod } from './period';
import { VretRunBuilder, type AddOptions, type SourceCount, type VretResult } from './run';
import { vretScope } from './select';
import { buildSpurshSheet, buildVretSheets, problemsSheet, spurshCsv } from './sheets';

export interface VendorReturnsRequest {
  ledger: string;
  geo: string;
  /** `YYYY-MM`; blank or absent: the latest period the transaction rows hold. */
  period?: string;
  /** From `vretRunId`; printed in the file names and the GLDI batch name. */
  runId: string;
  /** ISO date; default the last day of the period. */
  accountingDate?: string;
}

export interface VendorReturnsFiles {
  /** `VRET_{LEDGER}_{RUN}.xlsx`: the VRET sheets, and a Problems sheet when there are problems. */
  workbook: string;
  /** `SPURSH_{LEDGER}_{RUN}.csv`. */
  spursh: string;
}

export interface VendorReturnsOutput {
  runId: string;
  /** The period the run used (as asked, or the latest in the inputs); '' when neither gave one. */
  period: string;
  /** True when no period was asked for and the inputs gave it. */
  periodFromData: boolean;
  files: VendorReturnsFiles;
  /** GLDI, 20321 JE, 20321 Analysis, RVR Report, Funding by vendor (long tables split at Excel's last row). */
  sheets: SheetSpec[];
  /** What the workbook file holds: the sheets, then a Problems sheet when there are problems. */
  workbookSheets: SheetSpec[];
  spursh: SheetSpec;
  /** Why SPURSH is held back (a blocking problem remains), or null when it may be exported. */
  spurshHeldBack: string | null;
  balances: CurrencyBalance[];
  journals: Journal[];
  problems: Problem[];
  counts: SourceCount[];
  /** The run selected no transaction: its sentence (shown amber), else null. */
  noRows: string | null;
  result: VretResult;
  config: VretConfig;
}

/** `YYYYMMDDTHHMMSS-xxxxxx`: when the run started (UTC) and six random hex digits from the host. */
export function vretRunId(startedAt: Date, randomHex: string): string {
  const suffix = randomHex.toLowerCase().replace(/[^0-9a-f]/g, '').padStart(6, '0').slice(-6);
  return `${startedAt.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${suffix}`;
}

/** A ledger name as a file-name part: `Amazon.com, Inc.` → `Amazon.com_Inc`. */
export function ledgerFilePart(ledger: string): string {
  return ledger.trim().replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').replace(/\.+$/, '') || 'LEDGER';
}

export function vretFileNames(ledger: string, runId: string): VendorReturnsFiles {
  const part = ledgerFilePart(ledger);
  return { workbook: `VRET_${part}_${runId}.xlsx`, spursh: `SPURSH_${part}_${runId}.csv` };
}

/** A run that selected no transaction has no SPURSH to send (an empty file is not a result). */
export const NO_ROWS_HELD_BACK = 'SPURSH is held back: the run selected no transaction.';

/** The sentence under the SPURSH buttons and in the CLI when the file is held back. */
export function spurshHeldBackSentence(blockingCount: number): string {
  return `SPURSH is held back while ${blockingCount === 1 ? 'a blocking problem remains' : `${blockingCount} blocking problems remain`}.`;
}

/** The ledgers and geos a user can choose from, from the configuration. */
export function vretChoices(config: Pick<VretConfig, 'l2c' | 'euGeos'>): { ledgers: string[]; geos: string[] } {
  return {
    ledgers: Object.keys(config.l2c),
    geos: [...new Set([...Object.values(config.l2c).filter((c) => c !== 'EU'), ...config.euGeos])].sort(),
  };
}

/**
 * The configuration of a run: the defaults, the caller's overrides, then each set of mapping tables
 * in turn (a later set wins entry by entry: e.g. the inputs folder, then the SQL source).
 */
export function configFromMappings(overrides: VretConfigOverrides, ...sets: MappingTables[]): { config: VretConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const l2c = { ...overrides.l2c };
  const led2chan = { ...overrides.led2chan };
  const ledgers = { ...overrides.ledgers };
  for (const set of sets) {
    const m = readMappingTables(set);
    problems.push(...m.problems);
    Object.assign(l2c, m.mappings.l2c);
    Object.assign(led2chan, m.mappings.led2chan);
    Object.assign(ledgers, m.mappings.ledgers);
  }
  return { config: vretConfig({ ...overrides, l2c, led2chan, ledgers }), problems };
}

export interface StartOptions {
  /** The latest period the inputs hold, from a survey (`VretPeriodSurvey`); used when the request gives none. */
  latestPeriod?: string | null;
  /** Problems found before the run (reading files, mapping tables); listed first. */
  problems?: readonly Problem[];
}

/** One run fed table by table (chunks of a big file too), then finished once. */
export class VendorReturnsRun {
  readonly period: string;
  readonly periodFromData: boolean;
  private readonly builder: VretRunBuilder;

  constructor(
    readonly request: VendorReturnsRequest,
    readonly config: VretConfig,
    options: StartOptions = {},
  ) {
    const chosen = chosenPeriod(request.period, () => options.latestPeriod ?? null);
    this.period = chosen.period ?? '';
    this.periodFromData = chosen.fromData;
    this.builder = new VretRunBuilder({ ledger: request.ledger, geo: request.geo, period: this.period, runId: request.runId, accountingDate: request.accountingDate }, config);
    this.builder.problems.unshift(...(options.problems ?? []));
  }

  addTransactions(table: Table, options?: AddOptions): void {
    this.builder.addTransactions(table, options);
  }

  addRvr(table: Table, options?: AddOptions): void {
    this.builder.addRvr(table, options);
  }

  finish(): VendorReturnsOutput {
    const result = this.builder.build();
    const { runId } = this.request;
    const sheets = buildVretSheets(result, this.config, { runId, accountingDate: this.request.accountingDate });
    const blocking = countBlocking(result.problems);
    const noRows = result.selection && result.transactions.length === 0 ? (result.problems.find((p) => p.code === 'no-transactions')?.message ?? null) : null;
    return {
      runId,
      period: this.period,
      periodFromData: this.periodFromData,
      files: vretFileNames(this.request.ledger, runId),
      sheets,
      workbookSheets: result.problems.length ? [...sheets, problemsSheet(result.problems)] : sheets,
      spursh: buildSpurshSheet(result, this.config),
      spurshHeldBack: blocking ? spurshHeldBackSentence(blocking) : noRows ? NO_ROWS_HELD_BACK : null,
      balances: result.balances,
      journals: result.journals,
      problems: result.problems,
      counts: result.counts,
      noRows,
      result,
      config: this.config,
    };
  }
}

/** The SPURSH file's text, or null while it is held back. */
export function spurshText(output: Pick<VendorReturnsOutput, 'spursh' | 'spurshHeldBack' | 'config'>): string | null {
  return output.spurshHeldBack ? null : spurshCsv(output.spursh, output.config);
}

/**
 * A whole run from tables named as their sources (sheets, datasets or files: `cm`, `rvr.csv`,
 * `THR_2024-11`…); tables that are no VRET input are left out. `overrides` lies under the mapping
 * tables found among them.
 */
export function runVendorReturns(tables: readonly Table[], request: VendorReturnsRequest, overrides: VretConfigOverrides = {}, add: AddOptions = {}): VendorReturnsOutput {
  const inputs = classifyVretInputs(tables);
  const { config, problems } = configFromMappings(overrides, inputs);
  const latestPeriod = request.period?.trim() ? null : latestVretPeriod(inputs.transactions, vretScope(request, config));
  const run = new VendorReturnsRun(request, config, { latestPeriod, problems });
  for (const t of inputs.transactions) run.addTransactions(t, add);
  for (const t of inputs.rvr) run.addRvr(t, add);
  return run.finish();
}
