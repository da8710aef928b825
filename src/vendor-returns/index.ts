/**
 * Vendor returns (VRET); the business rules are in docs/rules.md ("Vendor returns"). Verbs:
 * - `runVendorReturns(tables, request, overrides?)`: the run every host makes (see ./job.ts): period from the
 *   request or the data, run id, file names, SPURSH held back while a blocking problem remains, the empty-run warning.
 * - `VendorReturnsRun` for hosts that stream rows in (THR files), with `VretPeriodSurvey` for the period.
 * - `buildVretRun(inputs, options, overrides?)`: the same run on inputs already sorted by kind (tests, benches).
 * - `rvrAmount(amount, refund)`, `creditAccountFor(productLine, config)` for the custom functions.
 */
import type { VretConfigOverrides } from './config';
import { configFromMappings, VendorReturnsRun, type VendorReturnsOutput } from './job';
import type { AddOptions, VretInputs } from './run';
import type { VretOptions } from './select';

export * from './config';
export * from './inputs';
export * from './job';
export * from './period';
export * from './run';
export * from './select';
export * from './sheets';
export * from './rvr-amount';

export type VretRun = VendorReturnsOutput;

/** One call from tables sorted by kind to sheets: mapping tables in `inputs` are laid over the defaults and `overrides`. */
export function buildVretRun(inputs: VretInputs, options: VretOptions, overrides: VretConfigOverrides = {}, addOptions: AddOptions = {}): VretRun {
  const { config, problems } = configFromMappings(overrides, inputs);
  const run = new VendorReturnsRun({ ...options, runId: options.runId ?? '' }, config, { problems });
  for (const t of inputs.transactions) run.addTransactions(t, addOptions);
  for (const t of inputs.rvr ?? []) run.addRvr(t, addOptions);
  return run.finish();
}
