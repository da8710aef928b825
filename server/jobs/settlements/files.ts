/**
 * Settlement files and settings from disk for the CLI and the server: the files named (read by
 * ./read-file.ts; the engine decodes UTF-8 / windows-1252), a JSON mapping file validated before use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultSettlementConfig, type SettlementConfig } from '../../../src/settlements/mapping';
import { readSettlementConfigJson } from '../../../src/settlements/config-file';

/** Extensions of settlement flat files inside a folder (files named explicitly are read whatever their extension). */
export const SETTLEMENT_EXTENSIONS = ['.txt', '.tsv', '.csv', '.tab'];

export class SettlementFilesError extends Error {}

/** Files and folders (their settlement files, sorted) → the files' paths. */
export function settlementFilePaths(paths: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
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
    out.push(...files);
  }
  return out;
}

/** The defaults, with the JSON file's settings over them (its rules first, so they win ties). */
export function loadSettlementConfig(file?: string, cwd = process.cwd()): SettlementConfig {
  if (!file) return defaultSettlementConfig();
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new SettlementFilesError(`The settlement mapping ${file} cannot be read: ${(err as Error).message}`);
  }
  const r = readSettlementConfigJson(text, `The settlement mapping ${file}`);
  if (!r.ok) throw new SettlementFilesError(r.reason);
  return r.config;
}
