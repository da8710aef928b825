import { parseCsv } from '../kernel/csv';
import { defaultSettlementConfig } from './mapping';
import { checkMappingAgainstLists, mappingCsv, readMappingFile, settlementIdsFromMapping, settlementMappingKeys } from './mapping-file';

const LISTS = {
  accounts: [
    { account_id: '460000000000101', account_name: 'Amazon Sales' },
    { account_id: '460000000000112', account_name: 'Amazon Clearing' },
  ],
  items: [
    { item_id: '460000000000201', name: 'Red mug', sku: 'SKU-RED-MUG' },
    { item_id: '460000000000301', name: 'Sales Tax' },
  ],
  contacts: [{ contact_id: '460000000000401', contact_name: 'Amazon.com' }],
};

describe('readMappingFile: CSV', () => {
  it('reads kinds in the words people use, ids as text', () => {
    const csv = [
      'Kind,Key,Zoho_Id,Zoho_Name',
      'account,Amazon Sales,460000000000101,Amazon Sales',
      'SKU,SKU-RED-MUG,460000000000201,',
      'charge item,Tax,460000000000301,Sales Tax',
      'marketplace,Amazon.com,460000000000401,',
    ].join('\r\n');
    const r = readMappingFile('mapping.csv', csv);
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      { kind: 'account', key: 'Amazon Sales', zohoId: '460000000000101', zohoName: 'Amazon Sales', row: 2, column: 'KEY' },
      { kind: 'item', key: 'SKU-RED-MUG', zohoId: '460000000000201', row: 3, column: 'KEY' },
      { kind: 'charge-item', key: 'Tax', zohoId: '460000000000301', zohoName: 'Sales Tax', row: 4, column: 'KEY' },
      { kind: 'customer', key: 'Amazon.com', zohoId: '460000000000401', row: 5, column: 'KEY' },
    ]);
  });

  it('names file, row, column and value of each mistake, and keeps the good rows', () => {
    const csv = [
      'KIND,KEY,ZOHO_ID',
      'account,Amazon Sales,460000000000101',
      'acount,Bank,460000000000113',
      'account,,460000000000114',
      'item,SKU-1,4.6E+14',
      'item,SKU-2,46000 0001',
      'charge-item,Freight,460000000000302',
      'account,amazon sales,460000000000999',
      'account,Amazon Sales,460000000000101',
    ].join('\n');
    const r = readMappingFile('bad.csv', csv);
    expect(r.entries.map((e) => e.key)).toEqual(['Amazon Sales']);
    expect(r.problems.map((p) => [p.severity, p.source, p.row, p.column, p.value, p.code])).toEqual([
      ['blocking', 'bad.csv', 3, 'KIND', 'acount', 'mapping-unknown-kind'],
      ['blocking', 'bad.csv', 4, 'KEY', '', 'mapping-key-empty'],
      ['blocking', 'bad.csv', 5, 'ZOHO_ID', '4.6E+14', 'mapping-bad-id'],
      ['blocking', 'bad.csv', 6, 'ZOHO_ID', '46000 0001', 'mapping-bad-id'],
      ['blocking', 'bad.csv', 7, 'KEY', 'Freight', 'mapping-unknown-charge'],
      ['blocking', 'bad.csv', 8, 'KEY', 'amazon sales', 'mapping-conflict'],
      ['warning', 'bad.csv', 9, 'KEY', 'Amazon Sales', 'mapping-repeated'],
    ]);
    expect(r.problems[0]!.message).toBe('"acount" is not a kind of mapping; use account, item, charge-item or customer.');
    expect(r.problems[2]!.message).toBe('The id "4.6E+14" is in scientific notation, so its digits are lost; store the column as text (the Zoho id for "SKU-1").');
    expect(r.problems[5]!.message).toBe('"amazon sales" is mapped twice, to 460000000000101 (row 2) and to 460000000000999; keep one.');
  });

  it('a file without the columns says which are missing', () => {
    const r = readMappingFile('cols.csv', 'name,id\r\nBank,1\r\n');
    expect(r.entries).toEqual([]);
    expect(r.problems.map((p) => [p.column, p.code])).toEqual([['KIND', 'missing-column']]);
  });
});

describe('readMappingFile: JSON (the settlement mapping file)', () => {
  it('reads the four sections; other settings are left out with a warning; numbers lose digits', () => {
    const json = JSON.stringify({
      accounts: { 'Amazon Sales': '460000000000101' },
      customers: { 'Amazon.com': 460000000000401 },
      chargeItems: { Tax: '460000000000301' },
      rules: [],
      colours: {},
    });
    const r = readMappingFile('demo-config.json', json);
    expect(r.entries.map((e) => [e.kind, e.key, e.zohoId, e.column])).toEqual([
      ['account', 'Amazon Sales', '460000000000101', 'accounts.Amazon Sales'],
      ['charge-item', 'Tax', '460000000000301', 'chargeItems.Tax'],
    ]);
    expect(r.problems.map((p) => [p.severity, p.column, p.value, p.code])).toEqual([
      ['blocking', 'customers.Amazon.com', '460000000000401', 'mapping-bad-id'],
      ['warning', 'rules', '', 'mapping-other-setting'],
      ['blocking', 'colours', '', 'mapping-unknown-section'],
    ]);
    expect(readMappingFile('x.json', '{ "accounts": ').problems[0]!.message).toBe('x.json is not valid JSON; check its brackets, quotes and commas.');
  });
});

describe('against the organisation and out again', () => {
  it('refuses ids the organisation does not have and fills in the names it shows', () => {
    const { entries } = readMappingFile('m.csv', 'KIND,KEY,ZOHO_ID\r\naccount,Amazon Sales,460000000000101\r\ncustomer,Amazon.de,460000000000402\r\nitem,SKU-RED-MUG,460000000000101\r\n');
    const r = checkMappingAgainstLists('m.csv', entries, LISTS, 'CloseDesk Demo Books');
    expect(r.entries.map((e) => [e.key, e.zohoName])).toEqual([['Amazon Sales', 'Amazon Sales']]);
    expect(r.problems.map((p) => [p.row, p.column, p.value, p.message])).toEqual([
      [3, 'ZOHO_ID', '460000000000402', 'CloseDesk Demo Books has no customer with id 460000000000402 (for "Amazon.de"); pick one of its own.'],
      // An account id given for an item is not one of the items.
      [4, 'ZOHO_ID', '460000000000101', 'CloseDesk Demo Books has no item with id 460000000000101 (for "SKU-RED-MUG"); pick one of its own.'],
    ]);
  });

  it('exports CSV that reads back the same, with formula-like text neutralised', () => {
    const entries = [
      { kind: 'customer' as const, key: 'Amazon.com', zohoId: '460000000000401', zohoName: 'Amazon.com' },
      { kind: 'account' as const, key: '=HYPERLINK("x")', zohoId: '460000000000101', zohoName: 'Amazon Sales' },
      { kind: 'account' as const, key: 'Amazon Clearing', zohoId: '460000000000112' },
    ];
    const csv = mappingCsv(entries);
    expect(csv.split('\r\n')).toEqual([
      'KIND,KEY,ZOHO_ID,ZOHO_NAME',
      `account,"'=HYPERLINK(""x"")",460000000000101,Amazon Sales`,
      'account,Amazon Clearing,460000000000112,',
      'customer,Amazon.com,460000000000401,Amazon.com',
      '',
    ]);
    const back = readMappingFile('export.csv', csv);
    expect(back.problems).toEqual([]);
    expect(back.entries.map((e) => [e.kind, e.key, e.zohoId])).toEqual([
      ['account', `'=HYPERLINK("x")`, '460000000000101'],
      ['account', 'Amazon Clearing', '460000000000112'],
      ['customer', 'Amazon.com', '460000000000401'],
    ]);
    expect(parseCsv(csv, { name: 'export.csv' }).table.rows).toHaveLength(3);
  });

  it('gives the settlement build its ids, and lists the names it looks up', () => {
    const ids = settlementIdsFromMapping([
      { kind: 'account', key: 'Bank', zohoId: '1' },
      { kind: 'item', key: 'SKU-1', zohoId: '2' },
      { kind: 'charge-item', key: 'Tax', zohoId: '3' },
      { kind: 'customer', key: 'Amazon.com', zohoId: '4' },
    ]);
    expect(ids).toEqual({ accounts: { Bank: '1' }, items: { 'SKU-1': '2' }, chargeItems: { Tax: '3' }, customers: { 'Amazon.com': '4' } });
    const keys = settlementMappingKeys(defaultSettlementConfig());
    expect(keys['charge-item']).toEqual(['Tax', 'Shipping', 'ShippingTax', 'GiftWrap', 'GiftWrapTax']);
    expect(keys.account).toEqual(expect.arrayContaining(['Amazon Clearing', 'Bank', 'Amazon Sales', 'FBA Fees', 'Sales Tax Payable']));
    expect(new Set(keys.account).size).toBe(keys.account!.length);
  });
});
