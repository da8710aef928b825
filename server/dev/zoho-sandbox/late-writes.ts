/**
 * A fault for the exactly-once tests: a write that lands late. The sandbox holds chosen writes
 * (validated, not yet applied) until their client has given up and closed the connection — its hard
 * deadline passed, or its process died — and applies them some time afterwards, as a slow Zoho does
 * with a request that outlived its caller. The answer goes nowhere; only a later look-up sees it.
 *
 * const late = lateWrites({ match: (w) => w.template === '/journals', times: 1, land: 300 });
 * startZohoSandbox({ port: 0, beforeWrite: late.hook });  … await late.landed(1);
 */
import type { WriteHook } from './app';

export interface LateWriteEvent {
  method: string;
  template: string;
  body: unknown;
  /** When the sandbox received the write (epoch ms). */
  receivedAt: number;
  /** When the client's connection closed. */
  clientGoneAt: number;
  /** When the write was applied (after the client was gone). */
  landedAt: number;
}

export interface LateWrites {
  hook: WriteHook;
  /** Resolves once n held writes lost their client. */
  clientGone(n: number): Promise<void>;
  /** Writes applied after their client left, in order. */
  readonly events: LateWriteEvent[];
  /** Writes held now. */
  readonly holding: number;
  /** The invoice number or reference of each write held so far, in order. */
  readonly held: string[];
  /** Resolves once n held writes were applied. */
  landed(n: number): Promise<LateWriteEvent[]>;
}

export function lateWrites(o: {
  /** Which writes to hold (default: every write). */
  match?: (w: { method: string; template: string; body: unknown }) => boolean;
  /** How many writes to hold (default 1); later ones pass straight through. */
  times?: number;
  /**
   * When the write is applied after the client's connection closed: after this many ms (a Zoho that
   * finishes within the margin the worker allows), or when the promise a function returns settles
   * (a test that lands it at a chosen moment, e.g. after a retry, to show what the wait prevents).
   */
  land: number | (() => Promise<unknown>);
}): LateWrites {
  const events: LateWriteEvent[] = [];
  const waiters: { n: number; resolve: (e: LateWriteEvent[]) => void }[] = [];
  let gone = 0;
  const goneWaiters: { n: number; resolve: () => void }[] = [];
  let left = o.times ?? 1;
  const held: string[] = [];
  let holding = 0;
  const hook: WriteHook = async ({ method, template, body, req }) => {
    if (left <= 0 || (o.match && !o.match({ method, template, body }))) return;
    left--;
    holding++;
    const b = (body ?? {}) as { invoice_number?: unknown; reference_number?: unknown };
    held.push(String(template === '/invoices' ? b.invoice_number : b.reference_number));
    const receivedAt = Date.now();
    const socket = req.raw.socket;
    // Held until the client is gone: its deadline closed the socket, or its process died.
    if (!socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const clientGoneAt = Date.now();
    gone++;
    for (const w of goneWaiters.splice(0)) {
      if (gone >= w.n) w.resolve();
      else goneWaiters.push(w);
    }
    const land = o.land;
    if (typeof land === 'number') await new Promise((r) => setTimeout(r, land));
    else await land().catch(() => undefined);
    holding--;
    events.push({ method, template, body, receivedAt, clientGoneAt, landedAt: Date.now() });
    // Returning lets the sandbox apply the write (its answer goes to a closed socket); waiters hear
    // of it on the next turn, once it is applied.
    setImmediate(() => {
      for (const w of waiters.splice(0)) {
        if (events.length >= w.n) w.resolve(events.slice());
        else waiters.push(w);
      }
    });
  };
  return {
    hook,
    clientGone(n) {
      if (gone >= n) return Promise.resolve();
      return new Promise((resolve) => goneWaiters.push({ n, resolve }));
    },
    events,
    held,
    get holding() {
      return holding;
    },
    landed(n) {
      if (events.length >= n) return Promise.resolve(events.slice());
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}
