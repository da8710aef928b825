/**
 * Which rows a VRET run reads: the options (ledger, geo, period) checked against the mappings, the
 * ledgers and channel they select (EU geos add the Amazon.eu rows of the geo's channel), and the test
 * of one row against that selection, shared by the run and the period survey.
 */
import { blocking, hasBlocking, warning, type Problem } from '../kernel/problems';
import { lookup, type VretConfig } from './config';
import { normalisePeriod } from './period';

export interface VretOptions {
  ledger: string;
  geo: string;
  /** `YYYY-MM`. */
  period: string;
  /** Printed in the batch name and file names; the host makes it unique. */
  runId?: string;
  /** ISO date; default the last day of the period. */
  accountingDate?: string;
}

export interface VretSelection {
  ledger: string;
  geo: string;
  period: string;
  eu: boolean;
  /** Channel of the geo (EU geos). */
  channel?: string;
  /** Lower-case ledger name → details used for the run. */
  ledgers: Map<string, { name: string; currency: string; company: string }>;
  /** Currency of the run ledger (RVR refunds are in it). */
  currency: string;
  /** Lower-case name of the EU ledger (Amazon.eu). */
  euLedgerKey: string;
}

/**
 * Whether a transaction row belongs to the run by ledger and channel: one of the run's ledgers, and
 * for an EU geo, rows of the EU ledger only on the geo's channel (the EU rule).
 */
export function rowInSelection(sel: Pick<VretSelection, 'ledgers' | 'eu' | 'channel' | 'euLedgerKey'>, ledgerKey: string, chan: string): boolean {
  return sel.ledgers.has(ledgerKey) && !(sel.eu && ledgerKey === sel.euLedgerKey && chan !== sel.channel);
}

/** The ledgers and channel whose rows a run reads, whatever its period (null when the ledger or geo is not usable). */
export function vretScope(options: Pick<VretOptions, 'ledger' | 'geo'>, config: VretConfig): VretSelection | null {
  return selectVretRun({ ...options, period: '2000-01' }, config).selection;
}

/** Chooses the ledgers, channel and currency of a run; blocking problems when the options or mappings do not allow it. */
export function selectVretRun(options: VretOptions, config: VretConfig): { selection: VretSelection | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const source = 'VRET options';
  const ledger = options.ledger.trim();
  const geo = options.geo.trim().toUpperCase();
  const period = normalisePeriod(options.period);
  if (!options.period.trim())
    problems.push(
      blocking({ source, column: 'period', value: '', message: 'Enter the period (YYYY-MM): the inputs hold no transaction of this ledger and geo to take it from.', code: 'no-period' }),
    );
  else if (!period || !/^\d{4}-\d{2}$/.test(options.period.trim()))
    problems.push(
      blocking({ source, column: 'period', value: options.period, message: `The period "${options.period}" is not a month written YYYY-MM (for example 2024-11).`, code: 'bad-period' }),
    );
  const country = lookup(config.l2c, ledger);
  if (!ledger) problems.push(blocking({ source, column: 'ledger', value: '', message: 'Choose a ledger.', code: 'no-ledger' }));
  else if (country === undefined)
    problems.push(
      blocking({ source, column: 'ledger', value: ledger, message: `The ledger "${ledger}" has no country in the l2c mapping; add it to l2c.`, code: 'no-l2c' }),
    );
  const knownGeos = new Set([...Object.keys(config.led2chan).map((g) => g.toUpperCase()), ...Object.values(config.l2c).map((c) => c.toUpperCase()), ...config.euGeos]);
  const eu = config.euGeos.includes(geo);
  if (!knownGeos.has(geo) || geo === 'EU')
    problems.push(
      blocking({ source, column: 'geo', value: options.geo, message: `The geo "${options.geo}" is not known (known: ${[...knownGeos].filter((g) => g !== 'EU').sort().join(', ')}).`, code: 'unknown-geo' }),
    );
  const channel = lookup(config.led2chan, geo);
  if (eu && channel === undefined)
    problems.push(
      blocking({ source, column: 'geo', value: geo, message: `The EU geo ${geo} has no channel in the led2chan mapping; add it to led2chan.`, code: 'no-channel' }),
    );
  if (country !== undefined && knownGeos.has(geo) && country.toUpperCase() !== geo && !(eu && country.toUpperCase() === 'EU'))
    problems.push(
      warning({ source, column: 'geo', value: geo, message: `The ledger "${ledger}" belongs to ${country} in l2c, not to ${geo}; check the geo.`, code: 'geo-mismatch' }),
    );
  const ledgers = new Map<string, { name: string; currency: string; company: string }>();
  const addLedger = (name: string) => {
    const d = lookup(config.ledgers, name);
    if (!d) {
      problems.push(
        blocking({ source, column: 'ledger', value: name, message: `The ledger "${name}" has no details (currency, company) in the ledgers mapping.`, code: 'no-ledger-details' }),
      );
      return;
    }
    ledgers.set(name.toLowerCase(), { name, currency: d.currency, company: d.company });
  };
  if (ledger && country !== undefined) addLedger(ledger);
  if (eu && ledger.toLowerCase() !== config.euLedger.toLowerCase()) addLedger(config.euLedger);
  if (hasBlocking(problems)) return { selection: null, problems };
  return {
    selection: { ledger, geo, period: period!, eu, channel, ledgers, currency: ledgers.get(ledger.toLowerCase())!.currency, euLedgerKey: config.euLedger.toLowerCase() },
    problems,
  };
}
