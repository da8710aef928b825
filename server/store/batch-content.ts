/**
 * The content of a batch — exactly what will leave — as the host hashes it and as the approver
 * reviews it. Zoho documents are their canonical JSON (server/canonical-json.ts); files are the
 * bytes in `delivery_blobs`, hashed as they are stored now, so a blob altered after approval no
 * longer matches. Where a batch's payload names its destination (a Zoho connection and
 * organisation), that is part of the content too. Each version of a batch is recorded in
 * `batch_versions` (hash, one manifest entry per item, totals for the inbox), so the approver sees
 * what changed since the previous version. Comparing hashes is the lifecycle's (src/batches).
 */
import { createHash } from 'node:crypto';
import {
  diffManifests,
  diffRows,
  documentTotals,
  mergeMoneyTotals,
  moneyTotals,
  previewDelimited,
  readDelimited,
  type ChangedItem,
  type ContentView,
  type DocumentView,
  type FileView,
  type ManifestDiff,
  type ManifestEntry,
  type MoneyTotal,
  type TablePreview,
  type VersionDiff,
  type VersionSummary,
} from '../../src/batches';

export type { ContentView, VersionSummary } from '../../src/batches';
import { canonicalJson } from '../canonical-json';
import { nowIso, parseJson } from './ids';
import { placeholders, type Queryable } from './index';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The bytes stored under a sha256 in `delivery_blobs`, as they are now (undefined when missing). */
export async function storedBytes(db: Queryable, sha: string): Promise<Buffer | undefined> {
  const r = await db.one<{ content: Buffer | Uint8Array }>('SELECT content FROM delivery_blobs WHERE sha256 = $1', [sha]);
  if (!r) return undefined;
  return Buffer.isBuffer(r.content) ? r.content : Buffer.from(r.content);
}

/** What the store knows of a file item (server/delivery/service.ts DeliveryRequest). */
interface FileRequest {
  fileName?: string;
  sha256?: string;
  contentSha256?: string;
  bytes?: number;
  encrypted?: boolean;
  partnerName?: string;
  protocol?: string;
  host?: string;
  folder?: string;
  neutralised?: { row: number; column: string; value: string }[];
  neutralisedCount?: number;
}

/** What the store knows of a Zoho document (src/settlements/documents.ts). */
interface DocumentRequest {
  kind?: string;
  currency?: string;
  cents?: { total?: number };
  body?: Record<string, unknown>;
}

interface ContentItem {
  seq: number;
  key: string;
  kind: string;
  request: unknown;
}

const isFile = (batchKind: string, item: { kind: string }) => batchKind === 'delivery' && item.kind === 'file';

/** A Zoho document's number or reference, for the screen. */
function documentLabel(key: string, d: DocumentRequest): string {
  const b = d.body ?? {};
  const n = [b.invoice_number, b.reference_number, b.payment_number].find((v) => typeof v === 'string' && v !== '');
  return n ? String(n) : key;
}

/** Where the batch goes, when its payload says (a Zoho connection and organisation): part of what is approved. */
function destination(payload: Record<string, unknown>): Record<string, unknown> | null {
  const picked = Object.fromEntries(['connectionId', 'organizationId'].filter((k) => payload[k] !== undefined).map((k) => [k, payload[k]]));
  return Object.keys(picked).length ? picked : null;
}

/** Text of a stored file for reading its rows: UTF-8, else byte for byte (windows-1252 style). */
export function fileText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

const READABLE = /\.(csv|txt|tsv|psv)$/i;

export interface BatchContent {
  hash: string;
  entries: ManifestEntry[];
  summary: VersionSummary;
}

/**
 * Hashes what the batch would send now: per item a digest of its kind and request (for a file, with
 * the sha256 of the bytes as stored now), then the batch's job, kind, destination and the items in
 * order. Also the manifest (to compare versions) and the totals the inbox shows.
 */
export async function computeBatchContent(db: Queryable, batchId: string): Promise<BatchContent> {
  const b = await db.one<{ job: string; kind: string; payload: string }>('SELECT job, kind, payload FROM batches WHERE id = $1', [batchId]);
  if (!b) return { hash: sha256(canonicalJson({ missing: batchId })), entries: [], summary: { items: 0 } };
  const rows = await db.query<{ seq: number; idempotency_key: string; kind: string; request: string }>(
    'SELECT seq, idempotency_key, kind, request FROM batch_items WHERE batch_id = $1 ORDER BY seq',
    [batchId],
  );
  const items: ContentItem[] = rows.map((r) => ({ seq: Number(r.seq), key: r.idempotency_key, kind: r.kind, request: parseJson(r.request, {}) }));
  const entries: ManifestEntry[] = [];
  const documents: (DocumentRequest & { kind: string })[] = [];
  const fileTotals: MoneyTotal[] = [];
  let files = 0;
  let fileRows = 0;
  let neutralised = 0;
  for (const item of items) {
    if (isFile(b.kind, item)) {
      const req = item.request as FileRequest;
      const bytes = req.sha256 ? await storedBytes(db, req.sha256) : undefined;
      const stored = bytes ? sha256(bytes) : null;
      entries.push({
        key: item.key,
        kind: item.kind,
        label: req.fileName ?? item.key,
        digest: sha256(canonicalJson({ kind: item.kind, request: item.request, storedSha256: stored })),
        blob: req.sha256,
      });
      files++;
      neutralised += req.neutralisedCount ?? req.neutralised?.length ?? 0;
      const plain = req.encrypted ? (req.contentSha256 ? await storedBytes(db, req.contentSha256) : undefined) : bytes;
      const records = plain && READABLE.test(req.fileName?.replace(/\.pgp$/, '') ?? '') ? readDelimited(fileText(plain)) : undefined;
      if (records) {
        const [header = [], ...data] = records;
        fileRows += data.length;
        fileTotals.push(...moneyTotals(header, data));
      }
    } else {
      const d = item.request as DocumentRequest;
      documents.push({ ...d, kind: d.kind ?? item.kind });
      entries.push({
        key: item.key,
        kind: item.kind,
        label: documentLabel(item.key, d),
        digest: sha256(canonicalJson({ kind: item.kind, request: item.request })),
        ...(Number.isSafeInteger(d.cents?.total) ? { cents: d.cents!.total } : {}),
        ...(d.currency ? { currency: d.currency } : {}),
      });
    }
  }
  const hash = sha256(
    canonicalJson({
      job: b.job,
      kind: b.kind,
      destination: destination(parseJson<Record<string, unknown>>(b.payload, {})),
      items: entries.map((e) => ({ key: e.key, kind: e.kind, digest: e.digest })),
    }),
  );
  const summary: VersionSummary = { items: items.length };
  if (documents.length) summary.documents = documentTotals(documents);
  if (files) Object.assign(summary, { files, rows: fileRows, totals: mergeMoneyTotals(fileTotals), neutralised });
  return { hash, entries, summary };
}

/** Records the batch's current version with its content (inside the transaction that made it). */
export async function recordVersion(tx: Queryable, batchId: string): Promise<BatchContent> {
  const content = await computeBatchContent(tx, batchId);
  const v = await tx.one<{ version: number }>('SELECT version FROM batches WHERE id = $1', [batchId]);
  await tx.exec(
    `INSERT INTO batch_versions (batch_id, version, content_hash, manifest, summary, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (batch_id, version) DO UPDATE SET content_hash = $3, manifest = $4, summary = $5, created_at = $6`,
    [batchId, Number(v?.version ?? 1), content.hash, JSON.stringify(content.entries), JSON.stringify(content.summary), nowIso()],
  );
  return content;
}

export interface RecordedVersion {
  version: number;
  contentHash: string;
  summary: VersionSummary;
}

/** The recorded versions of these batches (hash and totals; manifests left out), one query. */
export async function recordedVersions(db: Queryable, batchIds: readonly string[]): Promise<Map<string, RecordedVersion[]>> {
  const out = new Map<string, RecordedVersion[]>(batchIds.map((id) => [id, []]));
  if (batchIds.length === 0) return out;
  const rows = await db.query<{ batch_id: string; version: number; content_hash: string; summary: string }>(
    `SELECT batch_id, version, content_hash, summary FROM batch_versions WHERE batch_id IN (${placeholders(batchIds.length)}) ORDER BY version`,
    [...batchIds],
  );
  for (const r of rows) out.get(r.batch_id)?.push({ version: Number(r.version), contentHash: r.content_hash, summary: parseJson<VersionSummary>(r.summary, { items: 0 }) });
  return out;
}

// ---- the approver's view ----------------------------------------------------------------------

async function fileRecords(db: Queryable, blob: string | undefined): Promise<string[][] | undefined> {
  const bytes = blob ? await storedBytes(db, blob) : undefined;
  return bytes ? readDelimited(fileText(bytes)) : undefined;
}

async function versionManifest(db: Queryable, batchId: string, version: number): Promise<ManifestEntry[] | undefined> {
  const r = await db.one<{ manifest: string }>('SELECT manifest FROM batch_versions WHERE batch_id = $1 AND version = $2', [batchId, version]);
  return r ? parseJson<ManifestEntry[]>(r.manifest, []) : undefined;
}

async function versionDiff(db: Queryable, batchId: string, version: number, now: readonly ManifestEntry[]): Promise<VersionDiff | null> {
  const prior = await db.one<{ version: number }>('SELECT MAX(version) AS version FROM batch_versions WHERE batch_id = $1 AND version < $2', [batchId, version]);
  if (prior?.version == null) return null;
  const before = (await versionManifest(db, batchId, Number(prior.version)))!;
  const d: ManifestDiff = diffManifests(before, now);
  const changed: ChangedItem[] = [];
  for (const { before: was, after: is } of d.changed) {
    const item: ChangedItem = { key: is.key, label: is.label, kind: is.kind };
    if (is.blob !== undefined || was.blob !== undefined) {
      const [r1, r2] = [await fileRecords(db, was.blob), await fileRecords(db, is.blob)];
      if (r1 && r2) item.rows = diffRows(r1, r2);
    } else {
      item.before = { cents: was.cents, currency: was.currency };
      item.after = { cents: is.cents, currency: is.currency };
    }
    changed.push(item);
  }
  return { fromVersion: Number(prior.version), toVersion: version, added: d.added, removed: d.removed, changed, unchanged: d.unchanged };
}

/** What an approver reviews: the documents' totals and first documents, or each file's first rows and totals; and the diff. */
export async function describeContent(db: Queryable, batchId: string, opts: { firstRows?: number; firstDocuments?: number } = {}): Promise<ContentView> {
  const b = await db.one<{ kind: string; version: number }>('SELECT kind, version FROM batches WHERE id = $1', [batchId]);
  const content = await computeBatchContent(db, batchId);
  const version = Number(b?.version ?? 1);
  const view: ContentView = { version, contentHash: content.hash, summary: content.summary, diff: await versionDiff(db, batchId, version, content.entries) };
  const rows = await db.query<{ seq: number; idempotency_key: string; kind: string; request: string }>(
    'SELECT seq, idempotency_key, kind, request FROM batch_items WHERE batch_id = $1 ORDER BY seq',
    [batchId],
  );
  const files: FileView[] = [];
  const docs: DocumentView[] = [];
  let docCount = 0;
  for (const r of rows) {
    const item = { seq: Number(r.seq), key: r.idempotency_key, kind: r.kind };
    if (isFile(b?.kind ?? '', item)) {
      const req = parseJson<FileRequest>(r.request, {});
      const plainSha = req.encrypted ? req.contentSha256 : req.sha256;
      const bytes = plainSha ? await storedBytes(db, plainSha) : undefined;
      const name = req.fileName?.replace(/\.pgp$/, '') ?? '';
      let preview: TablePreview | null = null;
      let note: string | undefined;
      if (!bytes) note = req.encrypted ? 'Encrypted for the partner; the file as it was before encryption is not stored.' : 'The file is missing from the store; it cannot be sent.';
      else if (sha256(bytes) !== plainSha) note = 'The stored file no longer matches what was prepared; it will not be sent.';
      else if (!READABLE.test(name)) note = 'Not a delimited text file: shown by size and sha256 only.';
      else {
        preview = previewDelimited(fileText(bytes), opts.firstRows ?? 20) ?? null;
        if (!preview) note = 'The file cannot be read as delimited text.';
      }
      files.push({
        ...item,
        fileName: req.fileName ?? item.key,
        partnerName: req.partnerName,
        protocol: req.protocol,
        host: req.host,
        folder: req.folder,
        bytes: req.bytes,
        sha256: req.sha256,
        encrypted: Boolean(req.encrypted),
        preview,
        ...(note ? { note } : {}),
        neutralised: req.neutralised ?? [],
        neutralisedCount: req.neutralisedCount ?? req.neutralised?.length ?? 0,
      });
    } else {
      docCount++;
      if (docs.length >= (opts.firstDocuments ?? 100)) continue;
      const d = parseJson<DocumentRequest>(r.request, {});
      const body = d.body ?? {};
      const date = [body.date, body.journal_date].find((v) => typeof v === 'string');
      docs.push({ ...item, label: documentLabel(item.key, d), currency: d.currency, cents: d.cents?.total, ...(date ? { date: String(date) } : {}) });
    }
  }
  if (files.length) view.files = files;
  if (docCount) view.documents = { totals: content.summary.documents ?? [], count: docCount, first: docs };
  return view;
}
