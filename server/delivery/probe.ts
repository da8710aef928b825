/**
 * What key or certificate a partner's server presents, without signing in or sending anything, so
 * an admin can compare it with the fingerprint the partner gave them before pinning it; and a
 * sign-in check with the stored credential that writes nothing. Both are bounded by one deadline
 * (../deadline.ts) that destroys the socket, like every delivery step.
 */
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Client as FtpClient } from 'basic-ftp';
import { Client as SshClient } from 'ssh2';
import { withDeadline } from '../deadline';
import { openSession, type RemoteSession } from './session';
import { sshFingerprint } from './sftp';
import { DeliveryError, type Credential, type Endpoint } from './types';

export async function probeServerFingerprint(endpoint: Pick<Endpoint, 'protocol' | 'host' | 'port'>, timeoutMs = 15_000): Promise<string> {
  if (endpoint.protocol === 'ftp') return '';
  if (endpoint.protocol === 'ftps') {
    const client = new FtpClient(0);
    try {
      return await withDeadline(timeoutMs, `asking ${endpoint.host}:${endpoint.port} for its certificate`, () => client.close(), async () => {
        await client.connect(endpoint.host, endpoint.port);
        await client.useTLS({ rejectUnauthorized: false });
        const fp = (client.ftp.socket as TLSSocket).getPeerCertificate()?.fingerprint256;
        if (!fp) throw new DeliveryError('host-key', 'The FTPS server presented no certificate.');
        return `sha256:${fp}`;
      });
    } catch (e) {
      if (e instanceof DeliveryError) throw e;
      throw new DeliveryError('transient', `The FTPS server could not be reached: ${(e as Error).message}.`);
    } finally {
      client.close();
    }
  }
  const sock = net.connect({ host: endpoint.host, port: endpoint.port });
  sock.on('error', () => undefined); // reported through ssh2
  const ssh = new SshClient();
  let seen = '';
  try {
    await withDeadline(timeoutMs, `asking ${endpoint.host}:${endpoint.port} for its host key`, () => sock.destroy(), () =>
      new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => (seen ? resolve() : reject(err ?? new Error('no host key')));
        ssh.on('error', (e) => done(e));
        ssh.on('close', () => done());
        ssh.connect({
          sock,
          username: 'closedesk-probe',
          readyTimeout: 0, // the deadline above is the only clock
          // Refusing the key ends the handshake before any authentication.
          hostVerifier: (key: Buffer | string) => {
            seen = Buffer.isBuffer(key) ? sshFingerprint(key) : String(key);
            return false;
          },
        });
      }),
    );
    return seen;
  } catch (e) {
    throw new DeliveryError('transient', `The SFTP server could not be reached: ${(e as Error).message}.`);
  } finally {
    sock.destroy();
  }
}

export interface SignInCheck {
  ok: boolean;
  /** What happened, in one sentence for the admin. */
  message: string;
  /** The key or certificate fingerprint the server presented ('' for plain FTP or when unreachable). */
  presented: string;
}

/**
 * Signs in with the stored credential, through the same pinned handshake a delivery uses, and
 * leaves at once: nothing is written to the partner's server.
 */
export async function checkSignIn(endpoint: Endpoint, credential: () => Promise<Credential>, timeoutMs = 15_000): Promise<SignInCheck> {
  let session: RemoteSession | undefined;
  try {
    session = await openSession(endpoint, await credential(), { timeoutMs });
    const pin = endpoint.protocol === 'sftp' ? ' The server\'s host key matches the pinned one.' : endpoint.protocol === 'ftps' ? (endpoint.tlsFingerprint ? ' The server\'s certificate matches the pinned one.' : ' The server\'s certificate is publicly trusted.') : ' Plain FTP: nothing is encrypted.';
    return { ok: true, message: `Signed in to ${endpoint.host}:${endpoint.port} as ${endpoint.username}.${pin}`, presented: session.fingerprint };
  } catch (e) {
    return { ok: false, message: e instanceof DeliveryError ? e.message : `The sign-in did not work: ${(e as Error).message}.`, presented: '' };
  } finally {
    await session?.close().catch(() => undefined);
  }
}
