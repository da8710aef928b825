/**
 * Custom functions that need the backend send one request per recalculation, not one per cell:
 * calls made within a short window (Excel invokes the cells of one recalculation back to back)
 * are collected and sent as a single POST; each call's promise settles with its own result.
 *
 * Wire format (the server's /api/functions/batch implements the other side):
 *   request  { calls: [{ id, fn, args }] }
 *   response { results: [{ id, ok: true, value } | { id, ok: false, message }] }
 */

export interface BatchCall {
  id: number;
  fn: string;
  args: unknown[];
}

export type BatchResult = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export interface BackendBatcherOptions {
  /** Endpoint URL, e.g. '/api/functions/batch' on the add-in's origin. */
  url: string;
  fetch?: typeof fetch;
  /** Extra headers per request, e.g. the bearer token. */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  /** How long to collect calls before sending; default 100 ms as in Microsoft's batching sample. */
  windowMs?: number;
  /** Replaces the timer (tests flush by hand). */
  schedule?: (send: () => void) => void;
  /** Larger batches are split so one request body stays reasonable. */
  maxCallsPerRequest?: number;
}

/** A call the backend answered with an error, or a request that failed; carries a sentence for the cell. */
export class BackendCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendCallError';
  }
}

interface Waiting extends BatchCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface BackendBatcher {
  call(fn: string, args: unknown[]): Promise<unknown>;
  /** Sends whatever is queued now (also what the scheduled timer does). */
  flush(): Promise<void>;
}

export function createBackendBatcher(options: BackendBatcherOptions): BackendBatcher {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const windowMs = options.windowMs ?? 100;
  const schedule = options.schedule ?? ((send: () => void) => void setTimeout(send, windowMs));
  const maxCalls = options.maxCallsPerRequest ?? 1000;
  let queue: Waiting[] = [];
  let scheduled = false;
  let nextId = 1;

  async function send(calls: Waiting[]): Promise<void> {
    let results: BatchResult[];
    try {
      const headers = { 'content-type': 'application/json', ...(options.headers ? await options.headers() : {}) };
      const body = JSON.stringify({ calls: calls.map(({ id, fn, args }) => ({ id, fn, args })) });
      const res = await doFetch(options.url, { method: 'POST', headers, body });
      const payload = (await res.json().catch(() => null)) as
        | { results?: BatchResult[]; error?: { message?: string } }
        | null;
      if (!res.ok) {
        throw new BackendCallError(payload?.error?.message ?? `The CloseDesk server answered ${res.status}.`);
      }
      if (!payload || !Array.isArray(payload.results)) throw new BackendCallError('The CloseDesk server sent an unreadable answer.');
      results = payload.results;
    } catch (e) {
      const error =
        e instanceof BackendCallError ? e : new BackendCallError(`The CloseDesk server could not be reached: ${(e as Error).message}`);
      for (const c of calls) c.reject(error);
      return;
    }
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const c of calls) {
      const r = byId.get(c.id);
      if (!r) c.reject(new BackendCallError(`The CloseDesk server did not answer the ${c.fn} call.`));
      else if (r.ok) c.resolve(r.value);
      else c.reject(new BackendCallError(r.message));
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const calls = queue;
    queue = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < calls.length; i += maxCalls) sends.push(send(calls.slice(i, i + maxCalls)));
    await Promise.all(sends);
  }

  return {
    call(fn, args) {
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, fn, args, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          schedule(() => void flush());
        }
      });
    },
    flush,
  };
}
