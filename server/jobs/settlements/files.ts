/**
 * Settlement files and settings from disk for the CLI and the server: bytes in (the engine decodes
 * UTF-8 / windows-1252), a JSON mapping file validated before use.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SettlementFileInput } from '../../../src/settlements/parse';
import { defaultSettlementConfig, type SettlementConfig } from '../../../src/settlements/mapping';
import { readSettlementConfigJson } from '../../../src/settlements/config-file';

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
