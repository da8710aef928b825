/**
 * Settlement files and settings from disk for the CLI and the server: bytes in (the engine decodes
 * UTF-8 / windows-1252), a JSON mapping file validated before use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SettlementFileInput } from '../../src/settlements/parse';
import { defaultSettlementConfig, mergeSettlementConfig, type SettlementConfig } from '../../src/settlements/mapping';

/** Extensions of settlement flat files inside a folder (files named explicitly are read whatever their extension). */
export const SETTLEMENT_EXTENSIONS = ['.txt', '.tsv', '.csv', '.tab'];

export class SettlementFilesError extends Error {}

/** Files and folders (their settlement files, sorted) → inputs with raw bytes. */
export function readSettlementInputs(paths: readonly string[], cwd = process.cwd()): SettlementFileInput[] {
  const out: SettlementFileInput[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new SettlementFilesError(`${p} does not exist.`);
    }
    const files = st.isDirectory()
      ? fs
          .readdirSync(abs)
          .filter((f) => !f.startsWith('.') && SETTLEMENT_EXTENSIONS.includes(path.extname(f).toLowerCase()))
          .sort()
          .map((f) => path.join(abs, f))
      : [abs];
    if (st.isDirectory() && !files.length) throw new SettlementFilesError(`${p} has no settlement files (${SETTLEMENT_EXTENSIONS.join(', ')}).`);
    for (const f of files) out.push({ name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(f)) });
  }
  return out;
}

const idMap = z.record(z.string(), z.string().regex(/^\S+$/, 'an id is text without spaces (quote Zoho ids as strings)'));
const rule = z.object({
  transactionType: z.string().optional(),
  amountType: z.string().optional(),
  amountDescription: z.string().optional(),
  account: z.string().min(1),
  posting: z.enum(['sale', 'journal']),
  line: z.string().optional(),
});
const configFile = z
  .object({
    rules: z.array(rule).optional(),
    accounts: idMap.optional(),
    items: idMap.optional(),
    chargeItems: idMap.optional(),
    customers: idMap.optional(),
    currencies: idMap.optional(),
    nonSalesMarketplaces: z.array(z.string()).optional(),
    clearingAccount: z.string().min(1).optional(),
    bankAccount: z.string().min(1).optional(),
    paymentMode: z.string().min(1).optional(),
  })
  .strict();

/** The defaults, with the JSON file's settings over them (its rules first, so they win ties). */
export function loadSettlementConfig(file?: string, cwd = process.cwd()): SettlementConfig {
  const base = defaultSettlementConfig();
  if (!file) return base;
  const abs = path.resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new SettlementFilesError(`The settlement mapping ${file} cannot be read: ${(err as Error).message}`);
  }
  const parsed = configFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new SettlementFilesError(`The settlement mapping ${file} is not valid: ${issues}`);
  }
  return mergeSettlementConfig(base, parsed.data as Partial<SettlementConfig>);
}
