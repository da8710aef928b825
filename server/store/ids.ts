import { randomUUID } from 'node:crypto';

/** Text ids with a readable prefix, e.g. `bat_3f…`; sortable enough by created_at columns. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

export const nowIso = (): string => new Date().toISOString();

export function parseJson<T = unknown>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
