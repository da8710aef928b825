/**
 * Vendor returns (VRET), DESIGN.md §4.2. Verbs:
 * - `buildVretRun(inputs, options, overrides?)` → `{ sheets, spursh, spurshCsv, balances, journals, problems, … }`
 * - `VretRunBuilder` for hosts that stream rows in (THR files), then `finishVretRun(builder)`.
 * - `rvrAmount(amount, refund)`, `creditAccountFor(productLine, config)` for the custom functions.
 */
import type { Problem } from '../kernel/problems';
import type { SheetSpec } from '../workbook/sheet-spec';
import type { CurrencyBalance, Journal } from '../journal/journal';
import type { VretConfig, VretConfigOverrides } from './config';
import { configFromInputs, VretRunBuilder, type VretInputs, type VretOptions, type VretResult } from './run';
import { buildSpurshSheet, buildVretSheets } from './sheets';

export * from './config';
export * from './period';
export * from './run';
export * from './sheets';
export * from './rvr-amount';

export interface VretRun {
  /** GLDI, 20321 JE, 20321 Analysis, RVR Report, Funding by vendor. */
  sheets: SheetSpec[];
  spursh: SheetSpec;
  balances: CurrencyBalance[];
  journals: Journal[];
  problems: Problem[];
  result: VretResult;
  config: VretConfig;
}


export function finishVretRun(builder: VretRunBuilder, options: { runId?: string; accountingDate?: string } = {}): VretRun {
  const result = builder.build();
  return {
    sheets: buildVretSheets(result, builder.config, { runId: options.runId ?? builder.options.runId, accountingDate: options.accountingDate ?? builder.options.accountingDate }),
    spursh: buildSpurshSheet(result, builder.config),
    balances: result.balances,
    journals: result.journals,
    problems: result.problems,
    result,
    config: builder.config,
  };
}

/** One call from tables to sheets: mapping tables in `inputs` are laid over the defaults and `overrides`. */
export function buildVretRun(inputs: VretInputs, options: VretOptions, overrides: VretConfigOverrides = {}, addOptions: { checkFieldCount?: boolean } = {}): VretRun {
  const { config, problems } = configFromInputs(inputs, overrides);
  const builder = new VretRunBuilder(options, config);
  builder.problems.unshift(...problems);
  for (const t of inputs.transactions) builder.addTransactions(t, addOptions);
  for (const t of inputs.rvr ?? []) builder.addRvr(t, addOptions);
  return finishVretRun(builder);
}

