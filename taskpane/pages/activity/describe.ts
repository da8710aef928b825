/** Turns a run or audit record from the backend into the three lines the Activity page shows. */
import type { ActivityRecord } from '../../api';

export type Tone = 'success' | 'danger' | 'warning' | 'informative' | 'subtle';

export interface ActivityLine {
  title: string;
  detail?: string;
  meta?: string;
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

export function describeActivity(r: ActivityRecord, kind: 'run' | 'audit'): ActivityLine {
  const who = text(r, ['user', 'actor', 'by', 'userId', 'preparedBy']);
  const when = formatWhen(text(r, ['at', 'startedAt', 'started_at', 'createdAt', 'created_at', 'time', 'ts', 'finishedAt']));
  const status = text(r, ['status', 'state', 'outcome']);
  const title =
    kind === 'run'
      ? text(r, ['job', 'kind', 'name', 'type', 'command']) ?? 'Run'
      : text(r, ['action', 'event', 'type', 'kind']) ?? 'Entry';
  const detail =
    kind === 'run'
      ? text(r, ['summary', 'message', 'inputs', 'dataset', 'id'])
      : [text(r, ['target', 'batchId', 'batch_id', 'subject', 'object']), text(r, ['detail', 'details', 'message', 'summary'])]
          .filter(Boolean)
          .join(' · ') || undefined;
  const meta = [who, when].filter(Boolean).join(' · ') || undefined;
  return { title, detail, meta, status, tone: toneOf(status) };
}
