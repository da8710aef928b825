/**
 * The settlement mapping as a JSON file (CLI `--config`, the task pane's "Mapping file"): the same
 * shape as SettlementConfig, every part optional, laid over the defaults. Validated here once so
 * both hosts refuse the same mistakes (a Zoho id written as a JSON number loses digits).
 */
import { z } from 'zod';
import { defaultSettlementConfig, mergeSettlementConfig, type SettlementConfig } from './mapping';

const idMap = z.record(z.string(), z.string().regex(/^\S+$/, 'an id is text without spaces (write Zoho ids in quotes)'));
const rule = z
  .object({
    transactionType: z.string().optional(),
    amountType: z.string().optional(),
    amountDescription: z.string().optional(),
    account: z.string().min(1),
    posting: z.enum(['sale', 'journal']),
    line: z.string().optional(),
  })
  .strict();
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

export type SettlementConfigFile = Partial<SettlementConfig>;

export type ConfigFileResult = { ok: true; config: SettlementConfig; file: SettlementConfigFile } | { ok: false; reason: string };

/** JSON text → the defaults with the file's settings over them (its rules first, so they win ties). */
export function readSettlementConfigJson(text: string, name = 'the mapping file'): ConfigFileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${name} is not JSON: ${(err as Error).message}` };
  }
  const parsed = configFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `${name} is not a valid settlement mapping: ${issues}` };
  }
  const file = parsed.data as SettlementConfigFile;
  return { ok: true, config: mergeSettlementConfig(defaultSettlementConfig(), file), file };
}
