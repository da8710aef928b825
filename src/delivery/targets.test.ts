import { checkTarget, chooseTarget, configuredPartners, joinFolder, targetFileName, targetKey, type DeliveryTarget, type TargetConfig, type TargetPartner } from './targets';

const partner = (id: string, name: string, folder = 'inbox', networks: string[] = []): TargetPartner => ({ id, name, folder, networks });
const target = (job: DeliveryTarget['job'], key: string, partnerId: string, folder = '', fileNamePattern = ''): DeliveryTarget => ({ job, key, partnerId, folder, fileNamePattern });

const ACQ = partner('p1', 'Acquirer FTP', 'in');
const AMEX = partner('p2', 'Amex SFTP', '/upload');
const DEMO = partner('p3', 'Demo FTP', 'inbox', ['VISA', 'MASTERCARD', 'SPURSH']);

describe('chooseTarget', () => {
  it('takes the network target over a partner labelled with the network, keys in any case', () => {
    const config: TargetConfig = { partners: [ACQ, AMEX, DEMO], targets: [target('chargebacks', 'visa', 'p1', 'visa')] };
    expect(chooseTarget(config, 'chargebacks', 'VISA')).toEqual({
      ok: true,
      partnerId: 'p1',
      partnerName: 'Acquirer FTP',
      folder: 'in/visa',
      fileNamePattern: '',
      source: 'target',
      description: 'Acquirer FTP, folder in/visa',
    });
    // MASTERCARD has no target: the only partner labelled MASTERCARD.
    expect(chooseTarget(config, 'chargebacks', 'mastercard')).toMatchObject({ ok: true, partnerId: 'p3', source: 'label', folder: 'inbox' });
  });

  it('names the settings page when nothing is set, and when several partners carry the label', () => {
    expect(chooseTarget({ partners: [ACQ], targets: [] }, 'chargebacks', 'AMEX')).toEqual({
      ok: false,
      code: 'no-target',
      reason: 'No delivery target is set for AMEX chargeback files; an admin sets one under Settings → Delivery targets.',
    });
    const two = { partners: [DEMO, partner('p9', 'Other', '', ['VISA'])], targets: [] };
    expect(chooseTarget(two, 'chargebacks', 'VISA')).toEqual({
      ok: false,
      code: 'ambiguous',
      reason: 'Several partners take VISA chargeback files (Demo FTP, Other); an admin sets which one under Settings → Delivery targets.',
    });
  });

  it("the preparer's choice for the batch comes first, with the partner's own folder", () => {
    const config: TargetConfig = { partners: [ACQ, AMEX, DEMO], targets: [target('chargebacks', 'VISA', 'p1', 'visa', 'CB_{file}')] };
    expect(chooseTarget(config, 'chargebacks', 'VISA', { chosen: { VISA: 'p2' } })).toMatchObject({ ok: true, partnerId: 'p2', folder: '/upload', fileNamePattern: '', source: 'chosen' });
    expect(chooseTarget(config, 'chargebacks', 'VISA', { chosen: { VISA: 'gone' } })).toMatchObject({ ok: false, code: 'chosen-missing' });
    // Another network's choice does not touch this one.
    expect(chooseTarget(config, 'chargebacks', 'VISA', { chosen: { AMEX: 'p2' } })).toMatchObject({ partnerId: 'p1', source: 'target' });
    expect(configuredPartners([...config.targets, target('spursh', '*', 'p3'), target('tuition', 'x', 'p2')], 'chargebacks')).toEqual({ VISA: 'p1' });
    expect(configuredPartners([target('spursh', '*', 'p3'), target('spursh', 'amazon.eu', 'p2')], 'spursh')).toEqual({ SPURSH: 'p3', 'amazon.eu': 'p2' });
  });

  it('says so when the target names a partner that was removed', () => {
    const r = chooseTarget({ partners: [DEMO], targets: [target('chargebacks', 'VISA', 'gone')] }, 'chargebacks', 'VISA');
    expect(r).toMatchObject({ ok: false, code: 'partner-gone' });
  });

  it('tuition: the customer target (name matched ignoring case and spacing), else the customer setting, else none', () => {
    const config: TargetConfig = { partners: [ACQ, AMEX], targets: [target('tuition', 'Contoso  Ltd', 'p2', 'contoso', '{customer}_{file}')] };
    expect(chooseTarget(config, 'tuition', 'contoso ltd')).toMatchObject({ ok: true, partnerId: 'p2', folder: '/upload/contoso', fileNamePattern: '{customer}_{file}', source: 'target' });
    expect(chooseTarget(config, 'tuition', 'Northwind Traders', { customerPartnerId: 'p1' })).toMatchObject({ ok: true, partnerId: 'p1', source: 'customer', folder: 'in' });
    expect(chooseTarget(config, 'tuition', 'Northwind Traders')).toEqual({
      ok: false,
      code: 'no-target',
      reason: "No delivery target is set for Northwind Traders's tuition invoices; an admin sets one under Settings → Delivery targets.",
    });
    // A partner label is not a tuition target.
    expect(chooseTarget({ partners: [partner('p4', 'X', '', ['NORTHWIND TRADERS'])], targets: [] }, 'tuition', 'Northwind Traders').ok).toBe(false);
  });

  it('SPURSH: the ledger target, else the default for every ledger, else the partner labelled SPURSH', () => {
    const config: TargetConfig = { partners: [ACQ, AMEX, DEMO], targets: [target('spursh', 'Amazon.eu', 'p2'), target('spursh', '*', 'p1', '/spursh')] };
    expect(chooseTarget(config, 'spursh', 'amazon.EU')).toMatchObject({ partnerId: 'p2', source: 'target', folder: '/upload' });
    expect(chooseTarget(config, 'spursh', 'Amazon.com, Inc.')).toMatchObject({ partnerId: 'p1', source: 'default', folder: '/spursh' });
    expect(chooseTarget({ partners: [DEMO], targets: [] }, 'spursh', 'Amazon.com, Inc.')).toMatchObject({ partnerId: 'p3', source: 'label' });
    expect(chooseTarget({ partners: [ACQ], targets: [] }, 'spursh', 'Amazon.eu')).toMatchObject({
      ok: false,
      reason: 'No delivery target is set for SPURSH files of Amazon.eu; an admin sets one under Settings → Delivery targets.',
    });
  });
});

describe('file names and folders', () => {
  it('fills the pattern; values become safe name parts; no pattern keeps the name', () => {
    expect(targetFileName('', 'TU-1-v2.csv')).toEqual({ ok: true, fileName: 'TU-1-v2.csv' });
    expect(targetFileName('{customer}_{name}.{ext}', 'TU-1-v2.csv', { customer: 'Contoso Ltd.' })).toEqual({ ok: true, fileName: 'Contoso-Ltd._TU-1-v2.csv' });
    expect(targetFileName('CB_{network}_{file}', 'VISA_M77.csv', { network: 'VISA' })).toEqual({ ok: true, fileName: 'CB_VISA_VISA_M77.csv' });
    expect(targetFileName('{ledger}-{file}', 'x.csv')).toEqual({ ok: false, reason: 'The file-name pattern "{ledger}-{file}" names "ledger", which is not one of its placeholders here.' });
    expect(targetFileName('{name}', '.hidden')).toMatchObject({ ok: false });
  });

  it('joins folders: empty keeps the partner folder, relative goes under it, absolute replaces it', () => {
    expect(joinFolder('inbox', '')).toBe('inbox');
    expect(joinFolder('inbox/', 'visa')).toBe('inbox/visa');
    expect(joinFolder('', 'visa')).toBe('visa');
    expect(joinFolder('inbox', '/srv/visa')).toBe('/srv/visa');
  });

  it('checks a target before it is saved', () => {
    expect(checkTarget({ job: 'chargebacks', key: 'VISA', folder: 'visa', fileNamePattern: '{network}_{file}' })).toEqual([]);
    expect(checkTarget({ job: 'chargebacks', key: ' ', folder: '../etc', fileNamePattern: '{customer}.csv' })).toEqual([
      'Say which card network the target is for.',
      'The folder "../etc" climbs out with "..": give the folder itself.',
      '{customer} is not a placeholder of chargebacks file names; use {file}, {name}, {ext}, {network}.',
    ]);
    expect(checkTarget({ job: 'spursh', key: '*', folder: '', fileNamePattern: 'SPURSH {ledger}.csv' })).toEqual([
      'The file-name pattern "SPURSH {ledger}.csv" may only hold letters, digits, dot, dash, underscore and placeholders, and must start with a letter, a digit or a placeholder.',
    ]);
    expect(checkTarget({ job: 'tuition', key: 'Contoso', folder: '', fileNamePattern: '{file' })).toEqual(['The file-name pattern "{file" has a brace without its pair.']);
  });

  it('keys: networks in capitals, customers and ledgers ignoring case and spacing, the default kept', () => {
    expect(targetKey('chargebacks', ' visa ')).toBe('VISA');
    expect(targetKey('tuition', ' Contoso   LTD ')).toBe('contoso ltd');
    expect(targetKey('spursh', '*')).toBe('*');
    expect(targetKey('spursh', 'Amazon.EU')).toBe('amazon.eu');
  });
});
