/**
 * The batch this workbook prepared, kept by the workbook's title across sign-ins (the approver
 * signs in on the same pane) and page changes: in sessionStorage, and in memory too, as storage may
 * be blocked (it throws, or is null) or full — the panel then still follows the batch while the
 * pane's runtime lives. Only the id is kept: each row's STATUS is asked of the server (where its
 * document is now, /api/posting/statuses), so no status is lost with the storage, and a batch of
 * the rest of thousands of documents does not fill it.
 */
import { browserStorage } from '../../browser-storage';

const BATCH_KEY = 'closedesk.settlements.postBatch';
const inMemory = new Map<string, string>();

const sessionStore = () => browserStorage('session');

export function keptBatchId(title: string, storage: () => Storage | null = sessionStore): string | null {
  const kept = inMemory.get(title);
  if (kept) return kept;
  try {
    const v = JSON.parse(storage()?.getItem(BATCH_KEY) ?? 'null') as { title?: string; id?: string } | null;
    return v && v.title === title && typeof v.id === 'string' ? v.id : null;
  } catch {
    return null;
  }
}

export function keepBatchId(title: string, id: string, storage: () => Storage | null = sessionStore): void {
  inMemory.set(title, id);
  try {
    storage()?.setItem(BATCH_KEY, JSON.stringify({ title, id }));
  } catch {
    /* blocked or full: kept in memory */
  }
}
