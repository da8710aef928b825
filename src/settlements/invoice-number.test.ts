import { invoiceNumberForOrder } from './invoice-number';

describe('invoiceNumberForOrder', () => {
  it('takes the last 7 digits of an Amazon order id', () => {
    expect(invoiceNumberForOrder('114-1234567-7654321')).toEqual({ ok: true, invoiceNumber: 'AMZN7654321' });
    expect(invoiceNumberForOrder('  026-0000001-0012345 ')).toEqual({ ok: true, invoiceNumber: 'AMZN0012345' });
  });

  it('keeps leading zeros of the last 7 digits', () => {
    expect(invoiceNumberForOrder('111-2222222-0000007')).toEqual({ ok: true, invoiceNumber: 'AMZN0000007' });
  });

  it('ignores letters and separators, counting digits only', () => {
    // Multi-channel ids start with letters; the digits still decide.
    expect(invoiceNumberForOrder('S01-9876543-1234567')).toEqual({ ok: true, invoiceNumber: 'AMZN1234567' });
    expect(invoiceNumberForOrder('12-34-56-78')).toEqual({ ok: true, invoiceNumber: 'AMZN2345678' });
  });

  it('accepts an exact numeric cell', () => {
    expect(invoiceNumberForOrder(98765432)).toEqual({ ok: true, invoiceNumber: 'AMZN8765432' });
  });

  it('refuses an id with fewer than 7 digits, saying how many it has', () => {
    expect(invoiceNumberForOrder('11-2345')).toEqual({
      ok: false,
      reason: 'The order id "11-2345" has 6 digits; an invoice number needs at least 7.',
    });
    expect(invoiceNumberForOrder('112-3456').ok).toBe(true);
  });

  it('refuses short, empty and inexact ids', () => {
    const short = invoiceNumberForOrder('AB-12345');
    expect(short).toEqual({ ok: false, reason: 'The order id "AB-12345" has 5 digits; an invoice number needs at least 7.' });
    const one = invoiceNumberForOrder('X1');
    expect(one.ok || one.reason).toContain('has 1 digit;');
    const empty = invoiceNumberForOrder('');
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.reason).toMatch(/empty/);
    const rounded = invoiceNumberForOrder(11412345677654321);
    expect(rounded.ok).toBe(false);
    if (!rounded.ok) expect(rounded.reason).toMatch(/too large to be exact/);
  });
});
