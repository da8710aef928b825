/** Turns a run or audit record from the backend into the three lines the Activity page shows. */
import type { ActivityRecord } from '../../api';
import { formatCount } from '../../../src/kernel/counts';

export type Tone = 'success' | 'danger' | 'warning' | 'informative' | 'subtle';

export interface ActivityLine {
  title: string;
  detail?: string;
  meta?: string;
  /** Who, by display name when the server knows it (else the identity key), and when: the parts of `meta`. */
  who?: string;
  when?: string;
  /** The identity key behind `who` when a name is shown (its tooltip). */
  whoKey?: string;
  status?: string;
  tone: Tone;
}

function text(r: ActivityRecord, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = r[k];
    if (typeof v === 'string' && v.trim()) return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** `2026-11-21T23:07:39.000Z` → `2026-11-21 23:07 UTC`; anything else as given. */
export function formatWhen(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(v);
  return m ? `${m[1]} ${m[2]} UTC` : v;
}

function toneOf(status: string | undefined): Tone {
  const s = (status ?? '').toLowerCase();
  if (/(done|ok|success|complete|approved|delivered|posted)/.test(s)) return 'success';
  if (/(fail|error|denied|rejected)/.test(s)) return 'danger';
  if (/(review|warning|cancel)/.test(s)) return 'warning';
  if (s) return 'informative';
  return 'subtle';
}

/** `{ transactions: 1200, allocations: 340 }` → `1,200 transactions · 340 allocations`. */
function rowCounts(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const parts = Object.entries(v as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number')
    .map(([k, n]) => `${formatCount(n as number)} ${k}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** `batch.approved` → `Batch approved`, `auth.dev-sign-in` → `Auth dev sign in`. */
export function humanAction(action: string): string {
  const words = action.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function subject(r: ActivityRecord): string | undefined {
  const type = text(r, ['subjectType']);
  const id = text(r, ['subjectId', 'target', 'batchId']);
  if (type && id) return `${type} ${id}`;
  return id ?? type;
}

export function describeActivity(r: ActivityRecord, kind: 'run' | 'audit'): ActivityLine {
  const key = text(r, ['actor', 'userId', 'user', 'by']);
  const name = text(r, ['actorName', 'userName']);
  const who = name ?? key;
  const when = formatWhen(text(r, ['at', 'startedAt', 'started_at', 'createdAt', 'created_at', 'time', 'ts', 'finishedAt']));
  const status = text(r, ['status', 'state', 'outcome']);
  const title =
    kind === 'run'
      ? text(r, ['job', 'kind', 'name', 'type', 'command']) ?? 'Run'
      : humanAction(text(r, ['action', 'event', 'type', 'kind']) ?? 'entry');
  const detail =
    kind === 'run'
      ? rowCounts(r.rowCounts) ?? text(r, ['summary', 'message', 'mode'])
      : [subject(r), text(r, ['message', 'summary'])]
          .filter(Boolean)
          .join(' · ') || undefined;
  const meta = [who, when].filter(Boolean).join(' · ') || undefined;
  return { title, detail, meta, ...(name && key && name !== key ? { who, when, whoKey: key } : {}), status, tone: toneOf(status) };
}
