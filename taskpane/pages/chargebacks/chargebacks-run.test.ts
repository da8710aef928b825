/**
 * The Chargebacks page's logic: engine on a sheet, sheets written through a WorkbookPort, the
 * approval rule shown to users, and the whole prepare → approve → send flow through the task pane's
 * ApiClient against the real backend (on loopback) delivering to the demo FTP target.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { tableFromValues, type Table } from '../../../src/kernel/table';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { writeSheets } from '../../../src/workbook/write-sheets';
import { buildApp } from '../../../server/app';
import { loadConfig } from '../../../server/config';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../../server/dev/demo-ftp-target';
import { ApiClient } from '../../api';
import {
  approvalRule,
  approveDelivery,
  buildFromSheet,
  candidateSheets,
  canSend,
  filePercent,
  followDelivery,
  listDeliveries,
  listPartners,
  partnerFor,
  prepareBatch,
  startSending,
  type DeliveryView,
  type PartnerView,
} from './chargebacks-run';
import { devId, person, user } from '../../../test/integration/people';

const HEADER = ['CASE_ID', 'NETWORK', 'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE', 'STATUS'];
const ARN = '74567890123456789012345';

/** A workbook in memory with the WorkbookPort contract (what the preview workbook and Excel provide). */
function memoryWorkbook(initial: Record<string, Table>): WorkbookPort & { written: SheetSpec[] } {
  const sheets = new Map(Object.entries(initial));
  const written: SheetSpec[] = [];
  return {
    written,
    async listSheets() {
      return [...sheets.keys(), ...written.map((w) => w.name)];
    },
    async readSheet(name) {
      const t = sheets.get(name);
      if (!t) throw new Error(`no sheet ${name}`);
      return t;
    },
    async writeSheet(spec, o) {
      written.push(spec);
      o?.onProgress?.({ sheet: spec.name, rowsWritten: spec.rows.length, rowsTotal: spec.rows.length });
    },
  };
}

const delivery = (over: Partial<DeliveryView['batch']> = {}, approvedBy: string | null = null): DeliveryView => ({
  batch: { id: 'bat_1', job: 'chargebacks', state: 'awaiting_approval', version: 1, preparedBy: devId('alice'), preparedByName: 'alice', createdAt: '', updatedAt: '', ...over },
  approvedBy,
  items: [{ seq: 1, state: 'pending', error: null, attempts: 0, request: { fileName: 'VISA.csv', bytes: 10, partnerName: 'P', host: 'h', protocol: 'ftp' }, preparedBy: [person('alice')] }],
  receipts: [],
});

describe('chargebacks page logic', () => {
  it('lists likely record sheets first and hides the file sheets it wrote', () => {
    expect(candidateSheets(['Sheet1', 'CB VISA', 'Chargebacks Oct', 'cb_raw', 'CB Problems'])).toEqual(['Chargebacks Oct', 'cb_raw', 'Sheet1']);
  });

  it('builds the files from a sheet and writes one sheet per network', async () => {
    const wb = memoryWorkbook({
      Chargebacks: tableFromValues('Chargebacks', [
        HEADER,
        ['CB-1', 'VISA', '13.1', 10, 'USD', '2026-10-01', ARN, 'M1', '2026-11-01', 'OPEN'],
        ['CB-2', 'AMEX', 'C08', 20, 'USD', '2026-10-01', ARN, 'M1', '2026-09-01', 'OPEN'],
        ['CB-3', 'DISCOVER', 'AP', 5.5, 'USD', '2026-10-01', ARN, 'M1', '2026-11-01', 'OPEN'],
      ]),
    });
    const out = await buildFromSheet(wb, 'Chargebacks', { batch: 'B1', date: '2026-11-21' });
    expect(out.blocked).toBe(true);
    expect(out.problems).toMatchObject([{ source: 'Chargebacks', row: 3, column: 'DUE_DATE', code: 'due-before-transaction' }]);
    expect(out.files.map((f) => f.fileName)).toEqual(['VISA_M1_20261121_B1.csv', 'DISCOVER_M1_20261121_B1.csv']);
    const seen: number[] = [];
    await writeSheets(wb, out.files.map((f) => f.sheet), { onProgress: (done) => seen.push(done) });
    expect(wb.written.map((s) => s.name)).toEqual(['CB VISA', 'CB DISCOVER']);
    expect(seen).toEqual([1, 2]);
  });

  it('says who may approve: an approver who did not prepare the batch', () => {
    const d = delivery();
    expect(approvalRule(user('alice', ['approver']), d)).toEqual({ allowed: false, reason: 'Needs approval by an approver other than alice. You prepared it, so someone else must approve.' });
    expect(approvalRule(user('carol', ['preparer']), d).allowed).toBe(false);
    expect(approvalRule(user('bob', ['approver']), d)).toEqual({ allowed: true, reason: 'Needs approval by an approver other than alice. You can approve it.' });
    expect(approvalRule(null, d).reason).toMatch(/Sign in/);
    expect(approvalRule(user('bob', ['approver']), delivery({ state: 'approved' }, 'bob'))).toEqual({ allowed: false, reason: 'Approved by bob.' });
    // the same rule as the server: an admin who prepared it, another spelling of her name, or the preparer of one file are refused
    expect(approvalRule(user('ALICE', ['admin']), d)).toMatchObject({ allowed: false, reason: expect.stringContaining('You prepared it') });
    const shared = { ...d, items: [...d.items, { ...d.items[0]!, seq: 2, preparedBy: [person('dave')] }] };
    expect(approvalRule(user('dave', ['approver', 'admin']), shared)).toEqual({
      allowed: false,
      reason: 'Needs approval by an approver other than alice and dave. You prepared part of it, so someone else must approve.',
    });
    expect(approvalRule(user('root', ['admin']), d).allowed).toBe(true);
    expect(canSend(d)).toBe(false);
    expect(canSend(delivery({ state: 'approved' }, 'bob'))).toBe(true);
  });

  it('picks the only partner of a network unless one is chosen; file bars count bytes', () => {
    const ps = [
      { id: 'a', name: 'A', networks: ['VISA'] },
      { id: 'b', name: 'B', networks: ['VISA', 'AMEX'] },
    ] as PartnerView[];
    expect(partnerFor('AMEX', ps, {})?.id).toBe('b');
    expect(partnerFor('VISA', ps, {})).toBeUndefined();
    expect(partnerFor('VISA', ps, { VISA: 'a' })?.id).toBe('a');
    const item = { ...delivery().items[0]!, state: 'sending' as const, progress: { sent: 5, total: 20 } };
    expect(filePercent(item)).toBe(25);
    expect(filePercent({ ...item, state: 'done' })).toBe(100);
  });
});

describe('chargebacks page against the real backend', () => {
  let dir: string;
  let app: FastifyInstance;
  let demo: DemoFtpTarget;
  let base: string;
  const client = (token: string) => new ApiClient({ baseUrl: base, getToken: async () => token });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-cb-page-'));
    demo = await startDemoFtpTarget(path.join(dir, 'ftp'), { port: 0 });
    const config = loadConfig({ CLOSEDESK_DATA_DIR: dir, CLOSEDESK_HTTPS: 'off', CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), LOG_LEVEL: 'error' }, dir);
    app = await buildApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await demo?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prepare as alice → approve as bob → send, following per-file progress to the receipts', async () => {
    const sign = app.ctx.auth.devIssuer!.sign;
    const alice = client(await sign({ user: 'alice', roles: ['preparer'] }));
    const bob = client(await sign({ user: 'bob', roles: ['approver'] }));
    const wb = memoryWorkbook({
      CB: tableFromValues('CB', [HEADER, ['CB-1', 'VISA', '13.1', 10, 'USD', '2026-10-01', ARN, 'M1', '2026-11-01', 'OPEN'], ['CB-2', 'MASTERCARD', '4853', 7.25, 'EUR', '2026-10-01', ARN, 'M1', '2026-11-01', 'OPEN']]),
    });
    const options = { batch: 'P1', date: '2026-11-21' };
    const outcome = await buildFromSheet(wb, 'CB', options);
    expect(outcome.blocked).toBe(false);
    const partners = await listPartners(alice);
    expect(outcome.files.every((f) => partnerFor(f.network, partners, {}))).toBe(true);

    const prepared = await prepareBatch(alice, outcome, options, {});
    expect(prepared.batch.state).toBe('awaiting_approval');
    await expect(approveDelivery(alice, prepared)).rejects.toMatchObject({ status: 403 });
    await expect(startSending(bob, prepared.batch.id)).rejects.toMatchObject({ status: 409 });
    await approveDelivery(bob, prepared);

    const started = await startSending(bob, prepared.batch.id);
    expect(['sending', 'approved', 'done']).toContain(started.batch.state);
    const snapshots: DeliveryView[] = [];
    const final = await followDelivery(bob, prepared.batch.id, (d) => snapshots.push(d), { intervalMs: 50 });
    expect(final.batch.state).toBe('done');
    expect(final.receipts.map((r) => r.fileName)).toEqual(['VISA_M1_20261121_P1.csv', 'MASTERCARD_M1_20261121_P1.csv']);
    expect(fs.readFileSync(path.join(demo.dir, 'MASTERCARD_M1_20261121_P1.csv'), 'utf8')).toContain('CB-2,MASTERCARD,4853,7.25,EUR');
    const listed = await listDeliveries(alice, 'chargebacks');
    expect(listed.find((d) => d.batch.id === prepared.batch.id)?.approvedBy).toBe('bob');
  });
});
