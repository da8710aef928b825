import { visibleTo } from '../visible';
import {
  chargebackRows,
  choiceText,
  emptyPartnerForm,
  mappingRows,
  partnerBody,
  partnerFormProblem,
  spurshRows,
  tuitionCustomerNames,
  zohoOptions,
  type Partner,
  type StoredTarget,
} from './settings-api';

const partner = (over: Partial<Partner> = {}): Partner => ({
  id: 'p1',
  name: 'Acquirer SFTP',
  protocol: 'sftp',
  host: 'sftp.acq.test',
  port: 22,
  folder: '/in',
  username: 'm77',
  auth: 'password',
  hostFingerprint: `SHA256:${'a'.repeat(43)}`,
  tlsFingerprint: null,
  pgpPublicKey: null,
  networks: [],
  hasSecret: true,
  version: 1,
  ...over,
});

const target = (over: Partial<StoredTarget>): StoredTarget => ({ job: 'chargebacks', key: 'VISA', label: 'VISA', partnerId: 'p1', partnerName: 'Acquirer SFTP', folder: '', fileNamePattern: '', version: 1, updatedBy: 'root', updatedAt: '2024-11-01T00:00:00Z', ...over });

describe('partner form', () => {
  it('sends a secret only when typed, fingerprints only for their protocol, the default port for a new partner', () => {
    const f = { ...emptyPartnerForm(), name: ' Visa ', host: 'sftp.visa.test', username: 'u', password: 'pw', hostFingerprint: ` SHA256:${'b'.repeat(43)} `, tlsFingerprint: 'ignored' };
    expect(partnerBody(f)).toEqual({ name: 'Visa', protocol: 'sftp', host: 'sftp.visa.test', folder: '', username: 'u', hostFingerprint: `SHA256:${'b'.repeat(43)}`, tlsFingerprint: null, pgpPublicKey: null, port: 22, password: 'pw' });
    // A change without a new password keeps the stored one; the port is not sent again.
    const existing = partner();
    expect(partnerBody({ ...f, password: '' }, existing)).not.toHaveProperty('password');
    expect(partnerBody({ ...f, password: '' }, existing)).not.toHaveProperty('port');
    expect(partnerBody({ ...f, auth: 'key', privateKey: 'KEY', passphrase: 'pp' }, existing)).toMatchObject({ privateKey: 'KEY', passphrase: 'pp' });
    expect(partnerBody({ ...f, protocol: 'ftps', tlsFingerprint: 'AA:BB' }, existing)).toMatchObject({ port: 21, hostFingerprint: null, tlsFingerprint: 'AA:BB' });
  });

  it('says what is missing: a secret for a new partner or a new sign-in kind, the SFTP pin', () => {
    const f = { ...emptyPartnerForm(), name: 'Visa', host: 'h', username: 'u' };
    expect(partnerFormProblem(f)).toBe('Give the password CloseDesk signs in with.');
    expect(partnerFormProblem({ ...f, password: 'x' })).toBe("Pin the server's host key: read it from the server and compare it with the fingerprint the partner gave you.");
    expect(partnerFormProblem({ ...f, password: 'x', hostFingerprint: 'SHA256:x' })).toBeNull();
    expect(partnerFormProblem({ ...f, hostFingerprint: 'SHA256:x' }, partner())).toBeNull();
    expect(partnerFormProblem({ ...f, hostFingerprint: 'SHA256:x', auth: 'key' }, partner())).toBe('Paste the private key CloseDesk signs in with.');
    expect(partnerFormProblem({ ...f, protocol: 'ftp', password: 'x', port: '2x' })).toBe('The port is a number, e.g. 22.');
  });
});

describe('target rows', () => {
  it('lists every network with where its files go now, by the same rule the jobs apply', () => {
    const partners = [partner(), partner({ id: 'p2', name: 'Demo FTP', protocol: 'ftp', folder: 'inbox', networks: ['AMEX'] })];
    const rows = chargebackRows([target({ folder: 'visa' })], partners);
    expect(rows.map((r) => [r.value, !!r.own, choiceText(r.job, r.choice)])).toEqual([
      ['VISA', true, 'Goes to Acquirer SFTP, folder /in/visa.'],
      ['MASTERCARD', false, 'Not set: a batch with these files cannot be prepared.'],
      ['AMEX', false, 'Goes to Demo FTP, folder inbox (the partner is labelled for it; set a target to be sure).'],
      ['DISCOVER', false, 'Not set: a batch with these files cannot be prepared.'],
    ]);
  });

  it('SPURSH: the default first, then ledgers with their own target and those added, each once', () => {
    const targets = [target({ job: 'spursh', key: '*', label: 'Every ledger' }), target({ job: 'spursh', key: 'amazon.eu', label: 'Amazon.eu', partnerId: 'p1' })];
    const rows = spurshRows(targets, [partner()], ['Amazon.EU', 'Amazon.com, Inc.']);
    expect(rows.map((r) => [r.value, r.title, r.choice.ok && r.choice.source])).toEqual([
      ['*', 'Every ledger (unless set below)', 'target'],
      ['Amazon.com, Inc.', 'Amazon.com, Inc.', 'default'],
      ['Amazon.eu', 'Amazon.eu', 'target'],
    ]);
  });

  it('tuition customers: set up, invoiced and added, each once whatever the spelling', () => {
    const configured = [{ name: 'Northwind Traders', approverEmail: 'ap@n.test', delivery: { method: 'none' as const } }];
    expect(tuitionCustomerNames(configured, ['northwind  traders', 'Contoso Ltd', 'Contoso Ltd'], ['Fabrikam Inc', ' '])).toEqual(['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']);
  });
});

describe('mapping rows', () => {
  const lists = {
    accounts: [{ account_id: '11', account_name: 'Bank' }],
    items: [
      { item_id: '21', name: 'Red mug', sku: 'SKU-RED' },
      { item_id: '22', name: 'Sales Tax' },
    ],
    contacts: [{ contact_id: '31', contact_name: 'Amazon.com' }],
  };

  it('accounts: the names settlements look up, stored ones, added ones; a name found in Zoho is offered', () => {
    const rows = mappingRows('account', [{ kind: 'account', key: 'Legacy Fees', zohoId: '99', zohoName: 'Old' }], lists, ['Custom Account']);
    const keys = rows.map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(['Amazon Clearing', 'Bank', 'FBA Fees', 'Legacy Fees', 'Custom Account']));
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.find((r) => r.key === 'Bank')).toEqual({ key: 'Bank', entry: undefined, byName: '11' });
    expect(rows.find((r) => r.key === 'Legacy Fees')?.entry?.zohoId).toBe('99');
  });

  it('charge lines in the invoice order; items and customers from the organisation; options by name', () => {
    expect(mappingRows('charge-item', [], lists).map((r) => [r.key, r.byName])).toEqual([
      ['Tax', '22'],
      ['Shipping', undefined],
      ['ShippingTax', undefined],
      ['GiftWrap', undefined],
      ['GiftWrapTax', undefined],
    ]);
    expect(mappingRows('item', [], lists).map((r) => [r.key, r.byName])).toEqual([['SKU-RED', '21']]);
    expect(mappingRows('customer', [], lists).map((r) => r.key)).toEqual(['Amazon.com']);
    expect(zohoOptions('item', lists)).toEqual([
      { id: '21', name: 'Red mug (SKU-RED)' },
      { id: '22', name: 'Sales Tax' },
    ]);
  });
});

describe('navigation', () => {
  it('shows a page for administrators to them only, and host-bound pages in their host', () => {
    const pages = [{ id: 'tuition' }, { id: 'settings', roles: ['admin'] as const }, { id: 'workbook', hosts: ['preview'] as const }];
    const ids = (role: Parameters<typeof visibleTo>[2], host: 'preview' | 'excel' = 'preview') => visibleTo(pages, host, role).map((p) => p.id);
    expect(ids('admin')).toEqual(['tuition', 'settings', 'workbook']);
    expect(ids('preparer')).toEqual(['tuition', 'workbook']);
    expect(ids('approver')).toEqual(['tuition', 'workbook']);
    expect(ids(null)).toEqual(['tuition', 'workbook']);
    expect(ids('admin', 'excel')).toEqual(['tuition', 'settings']);
  });
});
