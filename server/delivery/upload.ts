/**
 * Sending one file to one partner, the same way for every protocol:
 * look at the final name first (identical file → adopt, different file → refuse), upload under a
 * temporary name, check the remote size (and SHA-256 when the server can hash), rename to the final
 * name, and return a receipt. Dropped connections and restarts are retried with backoff on a fresh
 * connection; a partial upload only ever exists under the temporary name and is removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { openSession, remotePath, type RemoteSession, type SessionOptions, type SessionPool } from './session';
import { DeliveryError, type Credential, type Endpoint, type FileToSend, type ProgressHandler, type Receipt } from './types';

export interface RetryPolicy {
  /** Attempts in all (first try included). */
  attempts: number;
  /** First wait; doubles each time, with jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface SendOptions extends SessionOptions {
  retry?: Partial<RetryPolicy>;
  onProgress?: ProgressHandler;
  /** Called before each retry, for logs and the item's attempt count. */
  onRetry?: (attempt: number, error: DeliveryError, waitMs: number) => void;
  signal?: AbortSignal;
  /** Whether the bytes were OpenPGP-encrypted (for the receipt only). */
  encrypted?: boolean;
  contentSha256?: string;
  /** Reuse connections across files (a batch, a benchmark); the caller closes the pool. */
  pool?: SessionPool;
  /** Opens connections; tests and benchmarks may pass their own. */
  connect?: (endpoint: Endpoint, credential: Credential, options: SessionOptions) => Promise<RemoteSession>;
}

/** The temporary name is derived from the content, so a later attempt finds and removes an earlier partial. */
export function temporaryName(fileName: string, sha256: string): string {
  return `.${fileName}.${sha256.slice(0, 12)}.part`;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256OfStream(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

export async function describeLocalFile(path: string, fileName: string): Promise<FileToSend> {
  const { sha256, bytes } = await sha256OfStream(createReadStream(path));
  return { fileName, data: { path }, bytes, sha256 };
}

export function fileFromBuffer(fileName: string, data: Buffer): FileToSend {
  return { fileName, data, bytes: data.length, sha256: sha256Hex(data) };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new DeliveryError('transient', 'The delivery was cancelled.'))), { once: true });
  });

/** Content hash of a remote file of `bytes` bytes: by the server when it can, else by reading it back. */
async function remoteSha256(session: RemoteSession, path: string, bytes: number): Promise<string> {
  return (await session.serverSha256(path)) ?? (await sha256OfStream(await session.read(path, bytes))).sha256;
}

/** One attempt on an open session. Returns the receipt fields that depend on what was found. */
async function attemptOnce(
  session: RemoteSession,
  endpoint: Endpoint,
  file: FileToSend,
  onBytes: (n: number) => void,
): Promise<{ adopted: boolean; verifiedBy: string }> {
  const finalPath = remotePath(endpoint.folder, file.fileName);
  const tempPath = remotePath(endpoint.folder, temporaryName(file.fileName, file.sha256));

  const checkExisting = async (): Promise<boolean> => {
    const size = await session.size(finalPath);
    if (size === undefined) return false;
    const same = size === file.bytes && (await remoteSha256(session, finalPath, size)) === file.sha256;
    if (same) return true;
    throw new DeliveryError(
      'conflict',
      `A different file named ${file.fileName} is already on the partner's server (${size} bytes there, ${file.bytes} bytes here); CloseDesk never overwrites it. Ask the partner whether to remove it, or send this file under another name.`,
    );
  };

  if (await checkExisting()) return { adopted: true, verifiedBy: 'size+sha256' };
  // A partial from an earlier attempt (or a crash) would make the upload append or fail.
  if ((await session.size(tempPath)) !== undefined) await session.remove(tempPath);

  await session.upload(file.data, tempPath, file.bytes, onBytes);

  const size = await session.size(tempPath);
  if (size !== file.bytes) {
    await session.remove(tempPath).catch(() => undefined);
    throw new DeliveryError('verification', `The server holds ${size ?? 0} bytes of ${file.fileName} after the upload, not ${file.bytes}; sending again.`);
  }
  let verifiedBy = 'size';
  const hash = await session.serverSha256(tempPath);
  if (hash !== undefined) {
    if (hash !== file.sha256) {
      await session.remove(tempPath).catch(() => undefined);
      throw new DeliveryError('verification', `The server's SHA-256 of ${file.fileName} differs from ours; sending again.`);
    }
    verifiedBy = 'size+sha256';
  }
  // Someone may have put a file there while we uploaded: check again right before the rename.
  if (await checkExisting()) {
    await session.remove(tempPath).catch(() => undefined);
    return { adopted: true, verifiedBy: 'size+sha256' };
  }
  await session.rename(tempPath, finalPath);
  return { adopted: false, verifiedBy };
}

/**
 * Sends one file with retries. Throws a DeliveryError when it cannot: `retryable` errors ran out of
 * attempts; others (auth, host key, permission, conflict) stop at once because retrying cannot help.
 */
export async function sendFile(endpoint: Endpoint, credential: Credential, file: FileToSend, options: SendOptions = {}): Promise<Receipt> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const connect = options.connect ?? openSession;
  let lastError: DeliveryError | undefined;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (options.signal?.aborted) throw new DeliveryError('transient', 'The delivery was cancelled.');
    let session: RemoteSession | undefined;
    let healthy = false;
    try {
      session = options.pool ? await options.pool.acquire(endpoint, credential, options, connect) : await connect(endpoint, credential, options);
      const r = await attemptOnce(session, endpoint, file, (n) => options.onProgress?.(n, file.bytes));
      options.onProgress?.(file.bytes, file.bytes);
      healthy = true;
      return {
        fileName: file.fileName,
        remotePath: remotePath(endpoint.folder, file.fileName),
        bytes: file.bytes,
        sha256: file.sha256,
        contentSha256: options.contentSha256 ?? file.sha256,
        protocol: endpoint.protocol,
        host: endpoint.host,
        serverFingerprint: session.fingerprint,
        verifiedBy: r.verifiedBy,
        adopted: r.adopted,
        encrypted: options.encrypted ?? false,
        attempts: attempt,
        at: new Date().toISOString(),
      };
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError('transient', String((e as Error)?.message ?? e));
      if (!err.retryable) throw err;
      lastError = err;
      if (attempt < policy.attempts) {
        const wait = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
        options.onRetry?.(attempt, err, Math.round(wait));
        await sleep(wait, options.signal);
      }
    } finally {
      if (session) {
        if (options.pool) await options.pool.release(endpoint, session, healthy).catch(() => undefined);
        else await session.close().catch(() => undefined);
      }
    }
  }
  throw new DeliveryError(
    lastError?.kind ?? 'transient',
    `${file.fileName} could not be delivered after ${policy.attempts} attempts: ${lastError?.message ?? 'unknown error'}`,
    lastError?.detail,
  );
}
