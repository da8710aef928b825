/**
 * What can go wrong talking to Zoho, sorted by what the caller must do about it. Every error keeps
 * Zoho's code, message, HTTP status and the full response body, so nobody has to guess from
 * "API returned None" again.
 */
export type ZohoErrorKind =
  /** Zoho answered and refused (code != 0): fix the document; retrying the same call fails the same way. */
  | 'rejected'
  /** 5xx, timeout or dropped connection: the write may or may not have happened — look it up before any retry. */
  | 'uncertain'
  /** Too many calls this minute or at once (44, 1070) after the client's own back-off: nothing was applied. */
  | 'rate-limited'
  /** The organisation's daily quota is used up (45): nothing more can be sent before `resetAt`. */
  | 'daily-limit'
  /** The refresh token or client is no longer accepted: someone must reconnect the organisation. */
  | 'reconnect';

export class ZohoError extends Error {
  override readonly name = 'ZohoError';
  constructor(
    readonly kind: ZohoErrorKind,
    message: string,
    readonly details: {
      code?: number;
      zohoMessage?: string;
      httpStatus?: number;
      /** The response body exactly as received ('' when there was none). */
      body?: string;
      method?: string;
      path?: string;
      /** daily-limit: when calls are accepted again (epoch ms). */
      resetAt?: number;
      /** When the failed HTTP attempt was sent (wall-clock epoch ms). */
      sentAt?: number;
      /**
       * sentAt + the client's timeout: by then the attempt was answered or aborted with its socket
       * closed. An `uncertain` write can only have landed from a request sent before this moment.
       */
      deadline?: number;
      /** uncertain: no answer came before the deadline (as opposed to a dropped connection or a 5xx). */
      timedOut?: boolean;
    } = {},
  ) {
    super(message);
  }

  get code(): number | undefined {
    return this.details.code;
  }
}

export function isZohoError(e: unknown, kind?: ZohoErrorKind): e is ZohoError {
  return e instanceof ZohoError && (kind === undefined || e.kind === kind);
}

/** `Zoho 24016: The amount entered is more than …` — what the sheets' status column shows. */
export function describeZohoError(e: unknown): string {
  if (e instanceof ZohoError) {
    return e.details.code !== undefined && e.details.zohoMessage ? `Zoho ${e.details.code}: ${e.details.zohoMessage}` : e.message;
  }
  return (e as Error)?.message ?? String(e);
}
