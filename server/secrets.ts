/**
 * Credentials (Zoho refresh tokens, FTP passwords, SFTP keys) encrypted at rest with AES-256-GCM
 * under the master key. The secret's name is bound as additional data, so a ciphertext copied to
 * another name does not decrypt. Values are only ever returned to server code, never by the API.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { badRequest } from './errors';
import { nowIso } from './store/ids';
import type { Store } from './store';

export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface Secrets {
  put(name: string, value: string): Promise<void>;
  /** The plain value, or undefined when no secret has that name. Throws when it cannot be decrypted. */
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<boolean>;
  listNames(): Promise<SecretInfo[]>;
}

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw badRequest(
      'bad-secret-name',
      'A secret name uses letters, digits and . _ : / - (for example zoho/refresh-token), up to 200 characters.',
    );
  }
}

export function createSecrets(store: Store, masterKey: Buffer): Secrets {
  if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes.');
  return {
    async put(name, value) {
      checkName(name);
      if (typeof value !== 'string' || value.length === 0) throw badRequest('empty-secret', 'The secret value is empty.');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      const at = nowIso();
      await store.exec(
        `INSERT INTO secrets (name, ciphertext, iv, tag, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, iv = excluded.iv, tag = excluded.tag,
           updated_at = excluded.updated_at`,
        [name, ciphertext.toString('base64'), iv.toString('base64'), tag.toString('base64'), at],
      );
    },
    async get(name) {
      const r = await store.one<{ ciphertext: string; iv: string; tag: string }>(
        'SELECT ciphertext, iv, tag FROM secrets WHERE name = $1',
        [name],
      );
      if (!r) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(r.iv, 'base64'));
        decipher.setAAD(Buffer.from(name, 'utf8'));
        decipher.setAuthTag(Buffer.from(r.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(r.ciphertext, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(
          `Secret "${name}" cannot be decrypted: it was stored under another CLOSEDESK_MASTER_KEY or altered. Set it again.`,
        );
      }
    },
    async delete(name) {
      const r = await store.exec('DELETE FROM secrets WHERE name = $1', [name]);
      return r.changes > 0;
    },
    async listNames() {
      const rows = await store.query<{ name: string; created_at: string; updated_at: string }>(
        'SELECT name, created_at, updated_at FROM secrets ORDER BY name',
      );
      return rows.map((r) => ({ name: r.name, createdAt: r.created_at, updatedAt: r.updated_at }));
    },
  };
}
