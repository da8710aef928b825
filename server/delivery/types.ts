/**
 * Partner file delivery: shared types and the error kinds that decide what happens next
 * (retry with backoff, stop and ask a person, or fix the configuration), and the deadlines every
 * protocol applies to its steps.
 */
import { formatSeconds, type DeadlineExceeded, type DeadlineOptions } from '../deadline';

export type Protocol = 'ftp' | 'ftps' | 'sftp';
export const PROTOCOLS: readonly Protocol[] = ['ftp', 'ftps', 'sftp'];

/** What the server knows to connect; the secret is loaded from the encrypted store just before use. */
export interface Endpoint {
  protocol: Protocol;
  host: string;
  port: number;
  username: string;
  /** Remote folder the files go into ('' or '/' = login folder). */
  folder: string;
  /** SFTP: pinned host key fingerprint, `SHA256:…` as `ssh-keygen -lf` prints it. Required for SFTP. */
  hostFingerprint?: string;
  /** FTPS: pinned certificate fingerprint (SHA-256, hex with colons); without it the certificate must be publicly trusted. */
  tlsFingerprint?: string;
}

export type Credential = { password: string } | { privateKey: string; passphrase?: string };

export type DeliveryErrorKind =
  /** Network drop, timeout, server restarting: retried with backoff. */
  | 'transient'
  /** Wrong user, password or key. */
  | 'auth'
  /** The server's key or certificate is not the pinned one (or none is pinned). */
  | 'host-key'
  /** The server refused to let us write or rename there. */
  | 'permission'
  /** A different file already has the final name; never overwritten. */
  | 'conflict'
  /** The upload did not verify (size or checksum differs) after every retry. */
  | 'verification'
  /** Partner configuration is incomplete. */
  | 'config';

export class DeliveryError extends Error {
  constructor(
    public readonly kind: DeliveryErrorKind,
    message: string,
    public readonly detail?: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'verification';
  }
}

/** Proof that one file reached the partner, kept with the batch item and listed on the Activity page. */
export interface Receipt {
  fileName: string;
  remotePath: string;
  bytes: number;
  /** SHA-256 (hex) of the bytes on the wire (after encryption when the partner wants OpenPGP). */
  sha256: string;
  /** SHA-256 of the file before encryption (same as sha256 when not encrypted). */
  contentSha256: string;
  protocol: Protocol;
  host: string;
  /** `SHA256:…` of the SSH host key, `sha256:AA:BB…` of the TLS certificate, '' for plain FTP. */
  serverFingerprint: string;
  /** 'size' or 'size+sha256' (when the server could hash the remote file). */
  verifiedBy: string;
  /** True when the identical file was already there (a previous attempt got through) and was adopted. */
  adopted: boolean;
  encrypted: boolean;
  attempts: number;
  at: string;
}

export interface FileToSend {
  fileName: string;
  /** File bytes, or a local path for large files (benchmarks, exports written to disk). */
  data: Buffer | { path: string };
  bytes: number;
  sha256: string;
}

export type ProgressHandler = (bytesSent: number, bytesTotal: number) => void;

/**
 * Default deadline of every step that waits on a partner server, and how long a transfer may go
 * without a byte moving (SessionOptions.timeoutMs overrides it).
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The slowest partner link a transfer waits for: besides "no byte for timeoutMs", a transfer has a
 * hard deadline of timeoutMs plus its size at this rate, so a server that trickles cannot hold it.
 */
export const SLOWEST_BYTES_PER_SECOND = 16 * 1024;

/** Deadline options for a transfer of `bytes` whose progress `moved` reports. */
export function transferDeadline(timeoutMs: number, bytes: number, moved: () => number): DeadlineOptions {
  return { progress: moved, maxMs: timeoutMs + Math.ceil((bytes / SLOWEST_BYTES_PER_SECOND) * 1000) };
}

/** An expired deadline as the delivery error the retry loop acts on: transient, on a new connection. */
export function deadlineError(protocol: 'FTP' | 'SFTP', e: DeadlineExceeded): DeliveryError {
  return new DeliveryError('transient', `The ${protocol} server did not answer within ${formatSeconds(e.ms)} while ${e.doing}; the connection was closed.`, e.message);
}
