/**
 * Errors the API turns into JSON { error: { code, message } }. The message is a sentence a
 * finance user can act on; the code is stable for programs and tests.
 */
export class AppError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
    /** What went wrong underneath (a driver's error): logged, never sent to the client. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AppError';
  }
}

export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
/**
 * A system behind the server failed (a SQL source, a partner's server): the user reads the
 * sentence, the log keeps the driver's text — it can name hosts, users and schema, so it never
 * goes back in the answer.
 */
export const upstreamFailed = (code: string, message: string, cause: unknown) => new AppError(502, code, message, undefined, cause);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}
