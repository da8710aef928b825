/**
 * Delivery batches end to end on SQLite and PostgreSQL with a real FTP server: maker-checker,
 * exactly once per file across restarts (items left in `sending` are reconciled), conflicts,
 * partner edits after approval, OpenPGP, and credentials that never leave the secrets store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Audit } from '../../server/audit';
import { createSecrets, type Secrets } from '../../server/secrets';
import { decideBatch, listBatchItems, requireBatch, setBatchState, updateBatchItem } from '../../server/store/batches';
import { createPartner, listPartners, updatePartner } from '../../server/delivery/partners';
import { deliverBatch, describeDelivery, listDeliveries, prepareDelivery, type DeliveryDeps } from '../../server/delivery/service';
import { fileFromBuffer, sendFile, temporaryName } from '../../server/delivery/upload';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { BACKENDS, openTestBackend, type TestBackend } from './backends';
import { approverUser, person } from './people';

const retry = { attempts: 4, baseDelayMs: 50, maxDelayMs: 200 };

describe.each(BACKENDS)('delivery batches on %s', (backend) => {
  let t: TestBackend;
  let secrets: Secrets;
  let audit: Audit;
  let deps: DeliveryDeps;
  let server: TestFtpServer;
  let root: string;
  let partnerId: string;
  const inbox = () => path.join(root, 'inbox');

  beforeAll(async () => {
    t = await openTestBackend(backend);
    secrets = createSecrets(t.store, randomBytes(32));
    audit = t.audit;
    deps = { store: t.store, secrets, audit };
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-batch-ftp-'));
    fs.mkdirSync(path.join(root, 'inbox'));
    server = await startFtpServer({ root, users: { acq: 'Pa55-word!' } });
    const p = await createPartner(
      t.store,
      secrets,
      { name: 'Acquirer FTP', protocol: 'ftp', host: '127.0.0.1', port: server.port, folder: 'inbox', username: 'acq', password: 'Pa55-word!', networks: ['visa', 'MASTERCARD'] },
      'admin1',
    );
    partnerId = p.id;
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
  });

  async function approved(files: { fileName: string; content: Buffer }[], preparer = 'alice') {
    const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person(preparer), files: files.map((f) => ({ ...f, partnerId })) });
    await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
    return b;
  }

  test('credentials are stored encrypted and never come back with the partner', async () => {
    const list = await listPartners(t.store, secrets);
    expect(JSON.stringify(list)).not.toContain('Pa55-word!');
    expect(list[0]).toMatchObject({ name: 'Acquirer FTP', hasSecret: true, networks: ['VISA', 'MASTERCARD'], auth: 'password' });
    const rows = await t.store.query<{ ciphertext: string }>('SELECT ciphertext FROM secrets');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Buffer.from(r.ciphertext, 'base64').toString('utf8')).not.toContain('Pa55-word!');
  });

  test('nothing is sent before a second person approves; then every file arrives once with a receipt', async () => {
    const files = [
      { fileName: 'VISA_M1_20261121_B1.csv', content: Buffer.from('CASE_ID\r\nCB-1\r\n') },
      { fileName: 'MASTERCARD_M1_20261121_B1.csv', content: Buffer.from('CASE_ID\r\nCB-2\r\n') },
    ];
    const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person('alice'), files: files.map((f) => ({ ...f, partnerId, label: 'VISA' })) });
    await expect(deliverBatch(deps, b.id, { actor: 'alice', retry })).rejects.toMatchObject({ code: 'not-approved' });
    await expect(decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('alice'), decision: 'approved' })).rejects.toMatchObject({ code: 'maker-checker' });
    expect(fs.readdirSync(inbox())).toEqual([]);

    await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
    const seen: number[] = [];
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry, onProgress: (p) => seen.push(p.seq) });
    expect(out.batch.state).toBe('done');
    expect(out.items.map((i) => i.state)).toEqual(['done', 'done']);
    expect(new Set(seen)).toEqual(new Set([1, 2]));
    for (const f of files) expect(fs.readFileSync(path.join(inbox(), f.fileName)).equals(f.content)).toBe(true);
    expect(out.receipts.map((r) => [r.fileName, r.remotePath, r.bytes, r.adopted, r.sentBy])).toEqual([
      ['VISA_M1_20261121_B1.csv', 'inbox/VISA_M1_20261121_B1.csv', files[0]!.content.length, false, 'bob'],
      ['MASTERCARD_M1_20261121_B1.csv', 'inbox/MASTERCARD_M1_20261121_B1.csv', files[1]!.content.length, false, 'bob'],
    ]);
    const summary = (await listDeliveries(t.store, { job: 'chargebacks' })).find((d) => d.batch.id === b.id)!;
    expect(summary.approvedBy).toBe('bob');
    // Sending again does nothing more.
    const again = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(again.receipts).toHaveLength(2);
    const actions = (await audit.recent({ subjectId: b.id, limit: 50 })).map((e) => e.action);
    expect(actions.filter((a) => a === 'delivery.file-sent')).toHaveLength(2);
    expect(JSON.stringify(await audit.recent({ limit: 200 }))).not.toContain('Pa55-word!');
    expect((await audit.verify()).ok).toBe(true);
  });

  test('after a crash, an item left in sending whose file did arrive is adopted, not sent twice', async () => {
    const content = Buffer.from('CASE_ID\r\nCB-3\r\n');
    const b = await approved([{ fileName: 'AMEX_M1_20261121_B2.csv', content }]);
    // The previous process uploaded and renamed, then died before writing `done`.
    await setBatchState(t.store, b.id, 'sending', ['approved']);
    await updateBatchItem(t.store, b.id, 1, { state: 'sending', countAttempt: true });
    await sendFile(
      { protocol: 'ftp', host: '127.0.0.1', port: server.port, username: 'acq', folder: 'inbox' },
      { password: 'Pa55-word!' },
      fileFromBuffer('AMEX_M1_20261121_B2.csv', content),
    );
    const mtime = fs.statSync(path.join(inbox(), 'AMEX_M1_20261121_B2.csv')).mtimeMs;
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.batch.state).toBe('done');
    expect(out.receipts[0]).toMatchObject({ adopted: true, fileName: 'AMEX_M1_20261121_B2.csv' });
    expect(fs.statSync(path.join(inbox(), 'AMEX_M1_20261121_B2.csv')).mtimeMs).toBe(mtime);
  });

  test('after a crash mid-upload, the partial temporary file is removed and the file sent whole', async () => {
    const content = randomBytes(200_000);
    const b = await approved([{ fileName: 'DISCOVER_M1_20261121_B3.csv', content }]);
    await setBatchState(t.store, b.id, 'sending', ['approved']);
    await updateBatchItem(t.store, b.id, 1, { state: 'sending', countAttempt: true });
    const items = await listBatchItems(t.store, b.id);
    const temp = temporaryName('DISCOVER_M1_20261121_B3.csv', (items[0]!.request as { sha256: string }).sha256);
    fs.writeFileSync(path.join(inbox(), temp), content.subarray(0, 5000));
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.items[0]).toMatchObject({ state: 'done', attempts: 2 });
    expect(fs.readFileSync(path.join(inbox(), 'DISCOVER_M1_20261121_B3.csv')).equals(content)).toBe(true);
    expect(fs.existsSync(path.join(inbox(), temp))).toBe(false);
  });

  test('a different file already under the name is left alone and the item needs review; the others are sent', async () => {
    fs.writeFileSync(path.join(inbox(), 'VISA_M1_20261121_B4.csv'), 'someone else');
    const b = await approved([
      { fileName: 'VISA_M1_20261121_B4.csv', content: Buffer.from('ours') },
      { fileName: 'MASTERCARD_M1_20261121_B4.csv', content: Buffer.from('ours too') },
    ]);
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.batch.state).toBe('failed');
    expect(out.items.map((i) => i.state)).toEqual(['needs_review', 'done']);
    expect(out.items[0]!.error).toMatch(/^\[conflict\] A different file named VISA_M1_20261121_B4.csv/);
    expect(fs.readFileSync(path.join(inbox(), 'VISA_M1_20261121_B4.csv'), 'utf8')).toBe('someone else');
  });

  test('a partner edited after approval is not used for the approved batch', async () => {
    const other = await createPartner(t.store, secrets, { name: 'Edited', protocol: 'ftp', host: '127.0.0.1', port: server.port, folder: 'inbox', username: 'acq', password: 'Pa55-word!' }, 'admin1');
    const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person('alice'), files: [{ fileName: 'EDIT.csv', content: Buffer.from('x'), partnerId: other.id }] });
    await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
    await updatePartner(t.store, secrets, other.id, { folder: 'elsewhere' });
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.items[0]!.state).toBe('failed');
    expect(out.items[0]!.error).toMatch(/was changed after this batch was prepared/);
    expect(fs.existsSync(path.join(inbox(), 'EDIT.csv'))).toBe(false);
  });

  test('a wrong stored password fails the item with a clear error and can be retried after the fix', async () => {
    const p = await createPartner(t.store, secrets, { name: 'Wrong pw', protocol: 'ftp', host: '127.0.0.1', port: server.port, folder: 'inbox', username: 'acq', password: 'nope' }, 'admin1');
    const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person('alice'), files: [{ fileName: 'PW.csv', content: Buffer.from('x'), partnerId: p.id }] });
    await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.items[0]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(out.items[0]!.error).toMatch(/^\[auth\] The FTP server refused the login/);
    expect((await requireBatch(t.store, b.id)).state).toBe('failed');
    expect(fs.existsSync(path.join(inbox(), 'PW.csv'))).toBe(false);
    // A new password for the same place keeps the approval valid.
    await updatePartner(t.store, secrets, p.id, { password: 'Pa55-word!' });
    const retried = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(retried.items[0]).toMatchObject({ state: 'done', attempts: 2 });
    expect(retried.batch.state).toBe('done');
  });

  test('OpenPGP: files for a partner with a public key are encrypted once at preparation and decrypt to the original', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519', userIDs: [{ name: 'Network', email: 'files@network.test' }], format: 'armored' });
    const p = await createPartner(t.store, secrets, { name: 'PGP net', protocol: 'ftp', host: '127.0.0.1', port: server.port, folder: 'inbox', username: 'acq', password: 'Pa55-word!', pgpPublicKey: publicKey }, 'admin1');
    const content = Buffer.from('CASE_ID\r\nCB-9\r\n');
    const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person('alice'), files: [{ fileName: 'PGP.csv', content, partnerId: p.id }] });
    await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
    const out = await deliverBatch(deps, b.id, { actor: 'bob', retry });
    expect(out.receipts[0]).toMatchObject({ fileName: 'PGP.csv.pgp', encrypted: true });
    const onServer = fs.readFileSync(path.join(inbox(), 'PGP.csv.pgp'));
    expect(onServer.includes(content)).toBe(false);
    const message = await openpgp.readMessage({ binaryMessage: onServer });
    const { data } = await openpgp.decrypt({ message, decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }), format: 'binary' });
    expect(Buffer.from(data as Uint8Array).equals(content)).toBe(true);
    expect(out.receipts[0]!.contentSha256).not.toBe(out.receipts[0]!.sha256);
    const d = await describeDelivery(t.store, b.id);
    expect(d.items[0]!.state).toBe('done');
  });
});
