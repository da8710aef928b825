import { parseSettlementFile, parseSettlementFiles, decimalEvidence, settlementTotalsMatch } from './parse';
import { decodeSettlementBytes } from './decode';
import { order, v2File, V1_HEADER, money } from '../../test/fixtures/settlements/make';

const enc = (s: string) => new TextEncoder().encode(s);
const codes = (ps: { code?: string }[]) => ps.map((p) => p.code);

describe('decodeSettlementBytes', () => {
  it('reads UTF-8 and strips the BOM', () => {
    const d = decodeSettlementBytes(enc('\uFEFFMünchen'));
    expect(d).toEqual({ text: 'München', encoding: 'utf-8', bom: true });
  });
  it('falls back to windows-1252 when the bytes are not UTF-8', () => {
    // "Caf\xe9 \x80 \x93" in windows-1252: é, €, left double quote
    const d = decodeSettlementBytes(new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x20, 0x93]));
    expect(d.encoding).toBe('windows-1252');
    expect(d.text).toBe('Café € \u201c');
  });
});

describe('decimalEvidence', () => {
  it.each([
    ['12.34', 'dot'], ['12,34', 'comma'], ['1,234.56', 'dot'], ['1.234,56', 'comma'], ['1,234', 'grouped'], ['1.234', 'grouped'],
    ['1,234,567', 'dot'], ['1.234.567', 'comma'], ['-5', 'none'], ['12,3', 'comma'],
  ])('%s → %s', (t, e) => expect(decimalEvidence(t)).toBe(e));
});

describe('parseSettlementFile V2', () => {
  const lines = [...order('111-1234567-7654321', 'SKU-A', 2500), ...order('112-0000000-0000002', 'SKU-B', 1000)];

  it('reads a US file: ISO dates, decimal point, summary first, total = Σ amounts', () => {
    const r = parseSettlementFile({ name: 'us.txt', text: v2File(lines) });
    expect(r.problems).toEqual([]);
    const s = r.settlement!;
    expect(s).toMatchObject({ format: 'v2', settlementId: '1000001', currency: 'USD', depositDate: '2024-11-17', startDate: '2024-11-01', dateStyle: 'iso', decimal: '.', summaryRow: 2 });
    expect(s.lines).toHaveLength(10);
    expect(s.totalCents).toBe(lines.reduce((a, l) => a + l.cents, 0));
    expect(settlementTotalsMatch(s)).toBe(true);
    expect(s.lines[0]).toMatchObject({ row: 3, transactionType: 'Order', orderId: '111-1234567-7654321', amountType: 'ItemPrice', amountDescription: 'Principal', cents: 2500, sku: 'SKU-A', quantity: 1, postedDate: '2024-11-05', marketplace: 'Amazon.com' });
  });

  it('reads an EU file: dd.mm.yyyy … UTC dates and decimal comma, from windows-1252 bytes with CRLF', () => {
    const text = v2File(lines, { decimal: ',', currency: 'EUR', date: (iso) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} 00:00:00 UTC`, eol: '\r\n' }).replace(/Amazon\.com/g, 'Amazon.de');
    const withAccent = text.replace('SKU-A', 'SKU-Ä');
    const bytes = Uint8Array.from([...withAccent].map((ch) => (ch === 'Ä' ? 0xc4 : ch.charCodeAt(0))));
    const r = parseSettlementFile({ name: 'de.txt', bytes });
    expect(codes(r.problems)).toEqual(['encoding-fallback']);
    const s = r.settlement!;
    expect(s).toMatchObject({ currency: 'EUR', dateStyle: 'dotted', decimal: ',', depositDate: '2024-11-17', encoding: 'windows-1252' });
    expect(s.lines[0]!.sku).toBe('SKU-Ä');
    expect(s.lines[2]!.cents).toBe(-375);
    expect(settlementTotalsMatch(s)).toBe(true);
  });

  it('tolerates a BOM, blank lines, trailing spaces and one extra field on the summary row, keeping line numbers', () => {
    let text = '\uFEFF' + v2File(lines.slice(0, 2), { summaryExtraField: true });
    const parts = text.split('\n');
    parts.splice(2, 0, '', '   ');
    parts[3 + 1] = parts[3 + 1]!.replace('2.00', '2.00   ');
    text = parts.join('\n');
    const r = parseSettlementFile({ name: 'x.txt', text });
    expect(r.problems).toEqual([]);
    expect(r.settlement!.lines.map((l) => l.row)).toEqual([5, 6]);
    expect(r.settlement!.lines[1]!.cents).toBe(200);
  });

  it('blocks when total-amount differs from the sum, showing both figures', () => {
    const r = parseSettlementFile({ name: 'bad.txt', text: v2File(lines, { total: 100 }) });
    const p = r.problems.find((x) => x.code === 'total-mismatch')!;
    expect(p.severity).toBe('blocking');
    expect(p.message).toContain('1.00 USD');
    expect(p.message).toContain(`${money(lines.reduce((a, l) => a + l.cents, 0))} USD`);
    expect(p.row).toBe(2);
  });

  it('blocks an unknown column by name and a file without an amount column', () => {
    const unknown = v2File(lines).replace('promotion-id', 'promo-code');
    const r = parseSettlementFile({ name: 'u.txt', text: unknown });
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'blocking', code: 'unknown-column', column: 'promo-code' })]);
    const noAmount = v2File(lines).replace(/\tamount-type\tamount-description\tamount\t/, '\tamount-type\tamount-description\tvalue\t');
    const r2 = parseSettlementFile({ name: 'n.txt', text: noAmount });
    expect(r2.settlement).toBeNull();
    expect(codes(r2.problems)).toEqual(expect.arrayContaining(['unknown-column', 'no-amount-column']));
    expect(r2.problems.find((p) => p.code === 'no-amount-column')!.message).toContain('no amount column');
  });

  it('reports a comma/dot ambiguity as blocking, naming both rows', () => {
    const text = v2File(lines).replace('\t25.00\t', '\t25,00\t');
    const r = parseSettlementFile({ name: 'amb.txt', text });
    const p = r.problems.find((x) => x.code === 'decimal-ambiguous')!;
    expect(p.severity).toBe('blocking');
    expect(p.message).toMatch(/row 3 has "25,00".*row \d+ has "\d+\.\d\d"/);
  });

  it('warns when only thousands-like values exist and reads them as thousands', () => {
    const text = v2File([{ type: 'Order', order: '111-1234567-7654321', amountType: 'ItemPrice', desc: 'Principal', cents: 123400, sku: 'SKU-A' }])
      .replace(/1234\.00/g, '1,234');
    const r = parseSettlementFile({ name: 'g.txt', text });
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'decimal-ambiguous', value: '1,234' })]);
    expect(r.settlement!.lines[0]!.cents).toBe(123400);
  });

  it('decides slash dates per file from a day above 12, and blocks contradicting slash dates', () => {
    const slash = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    const text = v2File(lines, { date: slash });
    const r = parseSettlementFile({ name: 's.txt', text });
    expect(r.settlement).toMatchObject({ dateStyle: 'slash-dmy', depositDate: '2024-11-17' });
    const mixed = v2File([...lines.slice(0, 1).map((l) => ({ ...l, posted: '2024-11-05' }))], { date: slash }).replace('05/11/2024', '11/20/2024');
    const r2 = parseSettlementFile({ name: 'm.txt', text: mixed });
    expect(r2.problems.find((p) => p.code === 'date-style-ambiguous')?.severity).toBe('blocking');
  });

  it('blocks bad amounts per row and goes on with the others', () => {
    const text = v2File(lines).replace('\t25.00\t', '\tabc\t');
    const r = parseSettlementFile({ name: 'b.txt', text });
    expect(r.problems.filter((p) => p.code === 'bad-amount')).toEqual([expect.objectContaining({ row: 3, value: 'abc', severity: 'blocking' })]);
    expect(r.settlement!.lines).toHaveLength(9);
    expect(r.problems.find((p) => p.code === 'total-mismatch')!.message).toContain('1 amount was unreadable');
  });

  it('blocks a file without a summary row and an empty file', () => {
    const text = v2File(lines).split('\n').filter((_, i) => i !== 1).join('\n');
    expect(codes(parseSettlementFile({ name: 'ns.txt', text }).problems)).toContain('no-summary');
    expect(codes(parseSettlementFile({ name: 'e.txt', text: '\n\n' }).problems)).toEqual(['empty-file']);
  });

  it('reads a table from a dataset the same way as text', () => {
    const text = v2File(lines);
    const [h, ...rows] = text.trim().split('\n').map((l) => l.split('\t'));
    const r = parseSettlementFile({ name: 'ds', table: { header: h!, rows, firstRowNumber: 2 } });
    const t = parseSettlementFile({ name: 'ds', text });
    expect(r.settlement!.lines).toEqual(t.settlement!.lines);
  });

  it('reports the same settlement loaded twice', () => {
    const text = v2File(lines);
    const r = parseSettlementFiles([{ name: 'a.txt', text }, { name: 'b.txt', text }]);
    expect(r.settlements).toHaveLength(1);
    expect(r.problems).toEqual([expect.objectContaining({ source: 'b.txt', code: 'duplicate-settlement', severity: 'blocking' })]);
  });
});

describe('parseSettlementFile V1 (legacy, 36 columns)', () => {
  const row = (vals: Record<string, string>) => V1_HEADER.map((h) => vals[h] ?? '');
  const file = (total: string) =>
    [
      V1_HEADER,
      row({ 'settlement-id': '77', 'settlement-start-date': '2019-01-01', 'settlement-end-date': '2019-01-15', 'deposit-date': '2019-01-17', 'total-amount': total, currency: 'GBP' }),
      row({ 'settlement-id': '77', 'transaction-type': 'Order', 'order-id': '202-1111111-2222222', 'marketplace-name': 'Amazon.co.uk', sku: 'SKU-A', 'quantity-purchased': '2', 'price-type': 'Principal', 'price-amount': '20.00', 'item-related-fee-type': 'Commission', 'item-related-fee-amount': '-3.00', 'posted-date': '2019-01-05' }),
      row({ 'settlement-id': '77', 'transaction-type': 'Order', 'order-id': '202-1111111-2222222', 'marketplace-name': 'Amazon.co.uk', sku: 'SKU-A', 'promotion-type': 'Principal', 'promotion-amount': '-1.50' }),
      row({ 'settlement-id': '77', 'transaction-type': 'Subscription Fee', 'other-amount': '-25.00' }),
    ]
      .map((r) => r.join('\t'))
      .join('\n');

  it('spreads each type/amount pair into V2-shaped lines', () => {
    const r = parseSettlementFile({ name: 'v1.txt', text: file('-9.50') });
    expect(r.problems).toEqual([]);
    const s = r.settlement!;
    expect(s.format).toBe('v1');
    expect(s.lines.map((l) => [l.row, l.transactionType, l.amountType, l.amountDescription, l.cents])).toEqual([
      [3, 'Order', 'ItemPrice', 'Principal', 2000],
      [3, 'Order', 'ItemFees', 'Commission', -300],
      [4, 'Order', 'Promotion', 'Principal', -150],
      [5, 'Subscription Fee', 'other-transaction', 'Subscription Fee', -2500],
    ]);
    expect(s.lines[0]!.quantity).toBe(2);
  });

  it('checks the same invariant', () => {
    const r = parseSettlementFile({ name: 'v1.txt', text: file('-9.00') });
    expect(codes(r.problems)).toEqual(['total-mismatch']);
  });
});
