/**
 * What the Settlements page hands to the posting panel (taskpane/pages/settlements/post-panel.tsx,
 * default export, written by the Zoho posting work): the documents of the last build (see
 * src/settlements/documents.ts), whether a blocking problem holds them back, and the sheets written,
 * so the panel can write a STATUS column back per row with `withPostingStatus` (src/settlements/sheets.ts).
 */
import type { SettlementDocument } from '../../../src/settlements/documents';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';

export interface SettlementsPostPanelProps {
  /** Invoices, then payments, then journals, as built. */
  documents: readonly SettlementDocument[];
  /** True while a blocking problem remains: nothing may be prepared or posted. */
  blocked: boolean;
  /** The sheets as written (Invoices, Payments, Journals carry a KEY column = idempotency key). */
  sheets: readonly SheetSpec[];
  /** A short title for the batch, e.g. "Settlements 11873355301, 11873355302 (per-order)". */
  title: string;
  /** The connection whose lists gave the Zoho ids, if any: the panel starts on it. */
  connectionId?: string;
}
