/** `closedesk chargebacks` (files + problems.csv, exit 2 on blocking) and `closedesk deliver` against a real FTP server. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { runCli } from '../../server/cli';
import { loadConfig } from '../../server/config';
import { createSecrets } from '../../server/secrets';
import { openStore } from '../../server/store';
import { decideBatch } from '../../server/store/batches';
import { createPartner } from '../../server/delivery/partners';
import { prepareDelivery } from '../../server/delivery/service';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { approverUser, person } from './people';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const HEADER = 'CASE_ID,NETWORK,REASON_CODE,AMOUNT,CURRENCY,TRANSACTION_DATE,ARN,MERCHANT_ID,DUE_DATE,STATUS';
const ARN = '74567890123456789012345';

describe('closedesk chargebacks / deliver', () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = async (...argv: string[]) => {
    const out = new Capture();
    const err = new Capture();
    const code = await runCli(argv, { out, err, env, cwd: dir });
    return { code, out: out.text, err: err.text };
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-cb-cli-'));
    env = { CLOSEDESK_DATA_DIR: path.join(dir, 'data'), CLOSEDESK_HTTPS: 'off', CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'), PATH: process.env.PATH ?? '' };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('valid CSV → one file per network and an empty problems.csv, exit 0', async () => {
    fs.writeFileSync(
      path.join(dir, 'cb.csv'),
      [HEADER, `CB-1,VISA,13.1,125.50,USD,2026-10-01,${ARN},M1,2026-11-20,OPEN`, `CB-2,AMEX,C08,10.00,USD,2026-10-02,${ARN},M1,2026-11-20,OPEN`].join('\r\n'),
    );
    const r = await cli('chargebacks', 'cb.csv', '--out', 'out1', '--batch', 'B5', '--date', '2026-11-21');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out1')).sort()).toEqual(['AMEX_M1_20261121_B5.csv', 'VISA_M1_20261121_B5.csv', 'problems.csv']);
    expect(fs.readFileSync(path.join(dir, 'out1', 'problems.csv'), 'utf8')).toBe('SEVERITY,SOURCE,ROW,COLUMN,VALUE,MESSAGE,CODE\r\n');
    expect(r.out).toContain('written: VISA_M1_20261121_B5.csv (1 records, 125.50 USD)');
  });

  test('an XLSX with an ARN stored as a number: problems.csv names the cell, no network file, exit 2', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Chargebacks');
    ws.addRow(HEADER.split(','));
    ws.addRow(['CB-1', 'VISA', '13.1', 12.5, 'USD', new Date(Date.UTC(2026, 9, 1)), ARN, 'M1', new Date(Date.UTC(2026, 10, 20)), 'OPEN']);
    ws.addRow(['CB-2', 'VISA', '10.4', -3, 'USD', new Date(Date.UTC(2026, 9, 1)), 7.456789012345679e22, 'M1', new Date(Date.UTC(2026, 10, 20)), 'OPEN']);
    await wb.xlsx.writeFile(path.join(dir, 'cb.xlsx'));
    const r = await cli('chargebacks', 'cb.xlsx', '--out', 'out2', '--date', '2026-11-21');
    expect(r.code).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'out2'))).toEqual(['problems.csv']);
    const problems = fs.readFileSync(path.join(dir, 'out2', 'problems.csv'), 'utf8');
    expect(problems).toMatch(/blocking,cb.xlsx Chargebacks,3,AMOUNT,-3,/);
    expect(problems).toContain(
      // The sentence holds a ';', so it is quoted (any common delimiter is, whatever the file's own).
      'blocking,cb.xlsx Chargebacks,3,ARN,7.456789012345679e+22,"The ARN 7.456789012345679e+22 is stored as a number too large to be exact (over 15 digits); store the column as text.",bad-arn',
    );
    expect(r.out).toContain('not written: VISA_M1_20261121_B20261121.csv');
  });

  test('a JSON array input and a bad usage', async () => {
    fs.writeFileSync(path.join(dir, 'cb.json'), JSON.stringify([{ case_id: 'CB-7', network: 'Discover', reason_code: 'NF', amount: '1.00', currency: 'USD', transaction_date: '2026-10-01', arn: ARN, merchant_id: 'M2', due_date: '2026-10-31' }]));
    expect((await cli('chargebacks', 'cb.json', '--out', 'out3', '--batch', 'J')).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out3')).some((f) => /^DISCOVER_M2_\d{8}_J\.csv$/.test(f))).toBe(true);
    const bad = await cli('chargebacks', 'cb.json');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--out <dir> is required');
  });

  describe('deliver', () => {
    let server: TestFtpServer;
    let root: string;
    beforeAll(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-cli-ftp-'));
      server = await startFtpServer({ root, users: { u: 'pw' } });
    });
    afterAll(() => server.close());

    test('refuses an unapproved batch, then sends the approved one and prints receipts', async () => {
      const config = loadConfig(env, dir);
      const store = await openStore({ sqliteFile: config.sqliteFile });
      let id: string;
      try {
        const secrets = createSecrets(store, config.masterKey);
        const p = await createPartner(store, secrets, { name: 'CLI FTP', protocol: 'ftp', host: '127.0.0.1', port: server.port, username: 'u', password: 'pw' }, 'admin');
        const b = await prepareDelivery({ store, secrets }, { job: 'chargebacks', preparedBy: person('alice'), files: [{ fileName: 'VISA_M1_20261121_B5.csv', content: fs.readFileSync(path.join(dir, 'out1', 'VISA_M1_20261121_B5.csv')), partnerId: p.id }] });
        id = b.id;
      } finally {
        await store.close();
      }
      const early = await cli('deliver', id);
      expect(early.code).toBe(1);
      expect(early.err).toMatch(/no approval/);
      expect(fs.readdirSync(root)).toEqual([]);

      const s2 = await openStore({ sqliteFile: config.sqliteFile });
      await decideBatch(s2, { id, version: 1, user: approverUser('bob'), decision: 'approved' });
      await s2.close();
      const r = await cli('deliver', id, '--as', 'bob');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^done: VISA_M1_20261121_B5.csv → 127.0.0.1:VISA_M1_20261121_B5.csv \d+ bytes sha256 [0-9a-f]{64} server \(plain FTP\)$/m);
      expect(r.out).toContain(`Batch ${id}: done`);
      expect(fs.readFileSync(path.join(root, 'VISA_M1_20261121_B5.csv'))).toEqual(fs.readFileSync(path.join(dir, 'out1', 'VISA_M1_20261121_B5.csv')));
    });
  });
});
