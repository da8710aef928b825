/**
 * The job's verb: settlement files in, Zoho documents, sheets, reconciliation and problems out.
 * `buildSettlementPosting(files, config, { invoiceMode })`; nothing is posted here.
 */
import { hasBlocking, type Problem } from '../kernel/problems';
import type { SheetSpec } from '../workbook/sheet-spec';
import { buildSettlementDocuments, type BuildOptions, type SettlementBuild, type SettlementReconciliation } from './build';
import type { SettlementDocument } from './documents';
import type { SettlementConfig } from './mapping';
import { parseSettlementFiles, type Settlement, type SettlementFileInput } from './parse';
import { buildSettlementSheets } from './sheets';

export interface SettlementPosting {
  settlements: Settlement[];
  documents: SettlementDocument[];
  sheets: SheetSpec[];
  reconciliation: SettlementReconciliation[];
  problems: Problem[];
  build: SettlementBuild;
  /** True when a blocking problem remains: nothing may be posted. */
  blocked: boolean;
}

export function buildSettlementPosting(files: readonly SettlementFileInput[], config: SettlementConfig, options: BuildOptions = {}): SettlementPosting {
  const parsed = parseSettlementFiles(files);
  return buildSettlementPostingFrom(parsed.settlements, parsed.problems, config, options);
}

/** Same, from settlements parsed earlier (the task pane parses while files load). */
export function buildSettlementPostingFrom(
  settlements: Settlement[],
  parseProblems: readonly Problem[],
  config: SettlementConfig,
  options: BuildOptions = {},
): SettlementPosting {
  const build = buildSettlementDocuments(settlements, config, options);
  const problems = [...parseProblems, ...build.problems];
  return {
    settlements,
    documents: build.documents,
    sheets: buildSettlementSheets(build, problems),
    reconciliation: build.reconciliation,
    problems,
    build,
    blocked: hasBlocking(problems),
  };
}
