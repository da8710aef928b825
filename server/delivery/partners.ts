/**
 * Delivery partners: where files go and how to sign in. Passwords and private keys are written to
 * the encrypted secrets store and never read back by anything but the sender; the API only ever
 * sees `hasSecret`.
 */
import { z } from 'zod';
import { badRequest, conflict, notFound } from '../errors';
import type { Secrets } from '../secrets';
import type { Queryable, Store } from '../store';
import { newId, nowIso, parseJson } from '../store/ids';
import type { PartnerView } from '../../platform/delivery/views';
import { DeliveryError, PROTOCOLS, type Credential, type Endpoint, type Protocol } from './types';

/** A partner as the API shows it (platform/delivery/views.ts): never a secret. */
export type Partner = PartnerView;

const DEFAULT_PORTS: Record<Protocol, number> = { ftp: 21, ftps: 21, sftp: 22 };

export const partnerInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    protocol: z.enum(PROTOCOLS as [Protocol, ...Protocol[]]),
    host: z.string().trim().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, 'host name or IP address'),
    port: z.number().int().min(1).max(65535).optional(),
    folder: z.string().trim().max(500).regex(/^[^\0]*$/).optional(),
    username: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(1000).optional(),
    privateKey: z.string().min(1).max(20000).optional(),
    passphrase: z.string().min(1).max(1000).optional(),
    hostFingerprint: z.string().trim().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'SHA256:… as ssh-keygen -lf prints it').nullable().optional(),
    tlsFingerprint: z.string().trim().regex(/^(sha256:)?([0-9A-Fa-f]{2}:?){32}$/, 'SHA-256 certificate fingerprint in hex').nullable().optional(),
    pgpPublicKey: z.string().trim().max(100000).nullable().optional(),
    networks: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  })
  .strict();

export type PartnerInput = z.infer<typeof partnerInputSchema>;

interface PartnerRow {
  id: string;
  name: string;
  protocol: Protocol;
  host: string;
  port: number;
  folder: string;
  username: string;
  auth: 'password' | 'key';
  host_fingerprint: string | null;
  tls_fingerprint: string | null;
  pgp_public_key: string | null;
  networks: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export const secretNameFor = (partnerId: string, what: 'password' | 'private-key' | 'passphrase') => `delivery/${partnerId}/${what}`;

function parseInput(body: unknown, partial: boolean): PartnerInput {
  const schema = partial ? partnerInputSchema.partial() : partnerInputSchema;
  const r = schema.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw badRequest('bad-partner', `Partner setting ${first.path.join('.') || '(body)'}: ${first.message}.`, r.error.issues);
  }
  return r.data as PartnerInput;
}

async function toPartner(r: PartnerRow, secrets: Secrets): Promise<Partner> {
  const names = new Set((await secrets.listNames()).map((s) => s.name));
  return {
    id: r.id,
    name: r.name,
    protocol: r.protocol,
    host: r.host,
    port: Number(r.port),
    folder: r.folder,
    username: r.username,
    auth: r.auth,
    hostFingerprint: r.host_fingerprint,
    tlsFingerprint: r.tls_fingerprint,
    pgpPublicKey: r.pgp_public_key,
    networks: parseJson<string[]>(r.networks, []),
    hasSecret: names.has(secretNameFor(r.id, r.auth === 'key' ? 'private-key' : 'password')),
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function checkCombination(p: { protocol: Protocol; password?: string; privateKey?: string; hostFingerprint?: string | null }) {
  if (p.protocol !== 'sftp' && p.privateKey) throw badRequest('bad-partner', 'Only SFTP partners sign in with a private key; FTP and FTPS use a password.');
  if (p.password && p.privateKey) throw badRequest('bad-partner', 'Give either a password or a private key, not both.');
}

async function storeSecrets(secrets: Secrets, id: string, input: Partial<PartnerInput>): Promise<void> {
  if (input.password) {
    await secrets.put(secretNameFor(id, 'password'), input.password);
    await secrets.delete(secretNameFor(id, 'private-key'));
    await secrets.delete(secretNameFor(id, 'passphrase'));
  }
  if (input.privateKey) {
    await secrets.put(secretNameFor(id, 'private-key'), input.privateKey);
    await secrets.delete(secretNameFor(id, 'password'));
    if (input.passphrase) await secrets.put(secretNameFor(id, 'passphrase'), input.passphrase);
    else await secrets.delete(secretNameFor(id, 'passphrase'));
  }
}

export async function createPartner(store: Store, secrets: Secrets, body: unknown, actor: string): Promise<Partner> {
  const input = parseInput(body, false);
  checkCombination(input);
  const id = newId('ptn');
  const at = nowIso();
  const dup = await store.one('SELECT id FROM delivery_partners WHERE name = $1', [input.name]);
  if (dup) throw conflict('partner-exists', `A partner named ${input.name} already exists.`);
  await store.exec(
    `INSERT INTO delivery_partners (id, name, protocol, host, port, folder, username, auth, host_fingerprint, tls_fingerprint,
       pgp_public_key, networks, version, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $14)`,
    [
      id, input.name, input.protocol, input.host, input.port ?? DEFAULT_PORTS[input.protocol], input.folder ?? '', input.username,
      input.privateKey ? 'key' : 'password', input.hostFingerprint ?? null, input.tlsFingerprint ?? null, input.pgpPublicKey ?? null,
      JSON.stringify((input.networks ?? []).map((n) => n.toUpperCase())), actor, at,
    ],
  );
  await storeSecrets(secrets, id, input);
  return requirePartner(store, secrets, id);
}

/** Changes settings; when the destination changes the version goes up, so batches approved for the old place are not sent to the new one. */
export async function updatePartner(store: Store, secrets: Secrets, id: string, body: unknown): Promise<Partner> {
  const input = parseInput(body, true);
  const cur = await requirePartner(store, secrets, id);
  const protocol = input.protocol ?? cur.protocol;
  checkCombination({ ...input, protocol });
  const auth = input.privateKey ? 'key' : input.password ? 'password' : cur.auth;
  if (protocol !== 'sftp' && auth === 'key') throw badRequest('bad-partner', 'FTP and FTPS partners need a password; give one when changing the protocol.');
  const next = {
    name: input.name ?? cur.name,
    protocol,
    host: input.host ?? cur.host,
    port: input.port ?? (input.protocol ? DEFAULT_PORTS[protocol] : cur.port),
    folder: input.folder ?? cur.folder,
    username: input.username ?? cur.username,
    auth,
    hostFingerprint: input.hostFingerprint === undefined ? cur.hostFingerprint : input.hostFingerprint,
    tlsFingerprint: input.tlsFingerprint === undefined ? cur.tlsFingerprint : input.tlsFingerprint,
    pgpPublicKey: input.pgpPublicKey === undefined ? cur.pgpPublicKey : input.pgpPublicKey,
    networks: (input.networks ?? cur.networks).map((n) => n.toUpperCase()),
  };
  // Where and how files go decides what an approver approved; a new password for the same place does not.
  const destinationChanged = (['protocol', 'host', 'port', 'folder', 'username', 'auth', 'hostFingerprint', 'tlsFingerprint', 'pgpPublicKey'] as const).some(
    (k) => next[k] !== cur[k],
  );
  await store.exec(
    `UPDATE delivery_partners SET name = $2, protocol = $3, host = $4, port = $5, folder = $6, username = $7, auth = $8,
       host_fingerprint = $9, tls_fingerprint = $10, pgp_public_key = $11, networks = $12, version = version + $13, updated_at = $14
     WHERE id = $1`,
    [
      id, next.name, next.protocol, next.host, next.port, next.folder, next.username, next.auth, next.hostFingerprint, next.tlsFingerprint,
      next.pgpPublicKey, JSON.stringify(next.networks), destinationChanged ? 1 : 0, nowIso(),
    ],
  );
  await storeSecrets(secrets, id, input);
  return requirePartner(store, secrets, id);
}

export async function deletePartner(store: Store, secrets: Secrets, id: string): Promise<void> {
  await requirePartner(store, secrets, id);
  await store.exec('DELETE FROM delivery_partners WHERE id = $1', [id]);
  for (const what of ['password', 'private-key', 'passphrase'] as const) await secrets.delete(secretNameFor(id, what));
}

export async function getPartner(db: Queryable, secrets: Secrets, id: string): Promise<Partner | undefined> {
  const r = await db.one<PartnerRow>('SELECT * FROM delivery_partners WHERE id = $1', [id]);
  return r ? toPartner(r, secrets) : undefined;
}

export async function requirePartner(db: Queryable, secrets: Secrets, id: string): Promise<Partner> {
  const p = await getPartner(db, secrets, id);
  if (!p) throw notFound('partner-not-found', `There is no delivery partner ${id}.`);
  return p;
}

export async function listPartners(db: Queryable, secrets: Secrets): Promise<Partner[]> {
  const rows = await db.query<PartnerRow>('SELECT * FROM delivery_partners ORDER BY name');
  return Promise.all(rows.map((r) => toPartner(r, secrets)));
}

/** Partners that receive files for a network or label (chargebacks: VISA, MASTERCARD, …). */
export async function partnersFor(db: Queryable, secrets: Secrets, network: string): Promise<Partner[]> {
  return (await listPartners(db, secrets)).filter((p) => p.networks.includes(network.toUpperCase()));
}

export function partnerEndpoint(p: Partner): Endpoint {
  return {
    protocol: p.protocol,
    host: p.host,
    port: p.port,
    username: p.username,
    folder: p.folder,
    hostFingerprint: p.hostFingerprint ?? undefined,
    tlsFingerprint: p.tlsFingerprint ?? undefined,
  };
}

/** The decrypted credential, for the sender only (never logged, never returned). */
export async function partnerCredential(secrets: Secrets, p: Partner): Promise<Credential> {
  if (p.auth === 'key') {
    const privateKey = await secrets.get(secretNameFor(p.id, 'private-key'));
    if (!privateKey) throw new DeliveryError('config', `No private key is stored for partner ${p.name}; an admin sets it under Settings → Delivery partners.`);
    const passphrase = await secrets.get(secretNameFor(p.id, 'passphrase'));
    return passphrase ? { privateKey, passphrase } : { privateKey };
  }
  const password = await secrets.get(secretNameFor(p.id, 'password'));
  if (!password) throw new DeliveryError('config', `No password is stored for partner ${p.name}; an admin sets it under Settings → Delivery partners.`);
  return { password };
}
