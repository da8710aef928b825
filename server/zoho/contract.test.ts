import { checkRequest, operation, operationFor, ZOHO_OPERATIONS } from './contract';

describe('Zoho request contract', () => {
  it('names the operation of a concrete request, and nothing outside the contract', () => {
    expect(operationFor('GET', '/invoices')).toBe('listInvoices');
    expect(operationFor('GET', '/invoices/460000000000000123')).toBe('getInvoice');
    expect(operationFor('POST', '/invoices/460000000000000123/status/void')).toBe('voidInvoice');
    expect(operationFor('DELETE', '/journals/460000000000000123')).toBe('deleteJournal');
    expect(operationFor('PUT', '/invoices/460000000000000123')).toBeUndefined();
    expect(operationFor('GET', '/invoices/1/comments')).toBeUndefined();
    expect(operationFor('GET', '/organizations/1')).toBeUndefined();
  });

  it('every call but GET /organizations carries organization_id', () => {
    const without = Object.entries(ZOHO_OPERATIONS)
      .filter(([, o]) => !o.organization)
      .map(([n]) => n);
    expect(without).toEqual(['listOrganizations']);
  });

  it('reads query text by the declared type and leaves organization_id to the caller', () => {
    const ok = checkRequest('createInvoice', {
      query: { organization_id: '1', ignore_auto_number_generation: 'true' },
      body: { customer_id: '9', invoice_number: 'A-1', date: '2026-01-15', line_items: [{ item_id: '7', rate: 1.5, quantity: 2 }] },
    });
    expect(ok).toMatchObject({ ok: true, query: { ignore_auto_number_generation: true } });
    expect(checkRequest('listInvoices', { query: { per_page: '200', page: '2' }, body: undefined })).toMatchObject({ ok: true, query: { per_page: 200, page: 2 } });
    expect(checkRequest('listInvoices', { query: { per_page: '201' }, body: undefined })).toMatchObject({ ok: false, violation: { field: 'per_page' } });
    expect(checkRequest('createInvoice', { query: { ignore_auto_number_generation: 'yes' }, body: {} })).toMatchObject({ ok: false, violation: { field: 'ignore_auto_number_generation' } });
    // GET /organizations takes no organization_id: sent anyway, it is a parameter the call does not have.
    expect(checkRequest('listOrganizations', { query: { organization_id: '1' }, body: undefined })).toEqual({
      ok: false,
      violation: { field: 'organization_id', problem: 'the field is not part of this API' },
    });
  });

  it('says which field is wrong, missing or not part of the API', () => {
    const journal = (line: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      checkRequest('createJournal', { query: {}, body: { journal_date: '2026-01-20', line_items: [line], ...extra } });
    expect(journal({ account_id: '1', debit_or_credit: 'debit', amount: 1 })).toMatchObject({ ok: true });
    expect(journal({ account_id: '1', amount: 1 })).toEqual({ ok: false, violation: { field: 'line_items.0.debit_or_credit', problem: 'it is required' } });
    expect(journal({ account_id: '1', debit_or_credit: 'both', amount: 1 })).toMatchObject({ ok: false, violation: { field: 'line_items.0.debit_or_credit' } });
    expect(journal({ account_id: 1, debit_or_credit: 'debit', amount: 1 })).toMatchObject({ ok: false, violation: { field: 'line_items.0.account_id' } });
    expect(journal({ account_id: '1', debit_or_credit: 'debit', amount: 1 }, { colour: 'red' })).toEqual({ ok: false, violation: { field: 'colour', problem: 'the field is not part of this API' } });
    expect(journal({ account_id: '1', debit_or_credit: 'debit', amount: 1 }, { journal_date: '20/01/2026' })).toMatchObject({ ok: false, violation: { field: 'journal_date' } });
  });

  it('operations without a body or query take none', () => {
    expect(operation('markInvoiceSent').body).toBeUndefined();
    expect(checkRequest('publishJournal', { query: { page: '1' }, body: undefined })).toMatchObject({ ok: false, violation: { field: 'page' } });
  });
});
