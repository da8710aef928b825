/**
 * Deadlines for network work. A library's own socket timeouts are idle timers that some phases
 * switch off (basic-ftp between commands and during a TLS upgrade, ssh2 after the handshake, pg
 * after connecting), so every phase that waits on a remote peer runs under one of these instead:
 * a timer we own that, when it expires, destroys the socket (so nothing keeps waiting on it) and
 * rejects at once, whether or not the library ever settles its promise.
 */

export class DeadlineExceeded extends Error {
  constructor(
    /** What was being waited for, e.g. "renaming a.part to a" (part of a sentence). */
    public readonly doing: string,
    public readonly ms: number,
  ) {
    super(`no answer within ${formatSeconds(ms)} while ${doing}; the connection was closed`);
    this.name = 'DeadlineExceeded';
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export interface DeadlineOptions {
  /**
   * For transfers: a counter of bytes moved. The deadline is then "no byte moved for `ms`": it is
   * pushed back each time the counter changes, so a long file is not cut while it flows, and a
   * stalled one is cut `ms` after its last byte.
   */
  progress?: () => number;
  /** Hard limit for a transfer whatever its progress (a peer trickling a byte at a time). */
  maxMs?: number;
}

/**
 * Runs `op` under a deadline of `ms`. On expiry `abort` is called (it must destroy the socket the
 * operation waits on) and the returned promise rejects with DeadlineExceeded, without waiting for
 * `op` to settle. A late rejection of `op` is swallowed.
 */
export function withDeadline<T>(ms: number, doing: string, abort: () => void, op: () => Promise<T>, options: DeadlineOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const started = Date.now();
    let mark = options.progress?.();
    let timer: NodeJS.Timeout | undefined;
    const expire = () => {
      if (settled) return;
      if (options.progress) {
        const now = options.progress();
        const elapsed = Date.now() - started;
        if (now !== mark && (options.maxMs === undefined || elapsed < options.maxMs)) {
          mark = now;
          timer = setTimeout(expire, Math.min(ms, options.maxMs === undefined ? ms : options.maxMs - elapsed));
          return;
        }
      }
      settled = true;
      try {
        abort();
      } catch {
        /* the socket may already be gone */
      }
      reject(new DeadlineExceeded(doing, options.maxMs !== undefined && Date.now() - started >= options.maxMs ? options.maxMs : ms));
    };
    timer = setTimeout(expire, options.maxMs === undefined ? ms : Math.min(ms, options.maxMs));
    let p: Promise<T>;
    try {
      p = op();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
