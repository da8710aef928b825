/**
 * A batch's content as the approver reviews it — the shape the server answers with
 * (GET /api/batches/:id/content) and the task pane shows: totals of a version for the inbox, Zoho
 * documents, files with their first rows, and what changed since the previous version.
 */
import type { DocumentTotal, ManifestEntry, MoneyTotal, RowDiff, TablePreview } from './content';

/** What the approvals inbox lists for a version: its items and totals. */
export interface VersionSummary {
  items: number;
  /** Zoho documents: count and cents per type and currency. */
  documents?: DocumentTotal[];
  /** Files: how many, their data rows, and money columns summed per currency across them. */
  files?: number;
  rows?: number;
  totals?: MoneyTotal[];
  /** Cells the formula rule neutralised, across the files. */
  neutralised?: number;
}

export interface FileView {
  seq: number;
  key: string;
  fileName: string;
  partnerName?: string;
  protocol?: string;
  host?: string;
  folder?: string;
  bytes?: number;
  sha256?: string;
  encrypted: boolean;
  /** First rows, row count, money totals; null when the file is not delimited text (e.g. .xlsx). */
  preview: TablePreview | null;
  /** Why there is no preview, or that the stored bytes no longer match. */
  note?: string;
  /** Cells the formula rule neutralised when the batch was prepared (the first 100), and how many in all. */
  neutralised: { row: number; column: string; value: string }[];
  neutralisedCount: number;
}

export interface DocumentView {
  seq: number;
  key: string;
  kind: string;
  label: string;
  currency?: string;
  cents?: number;
  date?: string;
}

export interface ChangedItem {
  key: string;
  label: string;
  kind: string;
  /** Files: rows added, removed and changed. */
  rows?: RowDiff;
  /** Documents: the amount before and after. */
  before?: { cents?: number; currency?: string };
  after?: { cents?: number; currency?: string };
}

export interface VersionDiff {
  fromVersion: number;
  toVersion: number;
  added: ManifestEntry[];
  removed: ManifestEntry[];
  changed: ChangedItem[];
  unchanged: number;
}

export interface ContentView {
  version: number;
  /** Hash of what would leave now. */
  contentHash: string;
  summary: VersionSummary;
  documents?: { totals: DocumentTotal[]; count: number; first: DocumentView[] };
  files?: FileView[];
  /** Against the previous recorded version; null for a first version (or one recorded before versions were). */
  diff: VersionDiff | null;
}
