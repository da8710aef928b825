import fs from 'node:fs';
import path from 'node:path';
import { FunctionError } from './adapt';
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import * as functions from './functions';
import { invoiceNumber, version } from './functions';

describe('CLOSEDESK functions', () => {
  it('INVOICENUMBER gives AMZN and the last 7 digits', () => {
    expect(invoiceNumber('114-1234567-7654321')).toBe('AMZN7654321');
    expect(invoiceNumber(98765432)).toBe('AMZN8765432');
  });

  it('INVOICENUMBER shows #VALUE! with the reason for an unusable order id', () => {
    expect(() => invoiceNumber('11-2345')).toThrow(FunctionError);
    expect(() => invoiceNumber('11-2345')).toThrow('The order id "11-2345" has 6 digits; an invoice number needs at least 7.');
    expect(() => invoiceNumber(11412345677654321)).toThrow(/too large to be exact/);
  });

  it('VERSION is the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(version()).toBe(pkg.version);
  });

  it('exports a function for every id in the metadata, as the appended associate calls expect', async () => {
    // The build appends `CustomFunctions.associate(id, jsName)` to functions.ts for each entry.
    const { associate, errors } = await generateCustomFunctionsMetadata(path.join(__dirname, 'functions.ts'), false);
    expect(errors).toEqual([]);
    expect(associate.map((a) => a.id)).toEqual(expect.arrayContaining(['VERSION', 'INVOICENUMBER']));
    for (const a of associate) expect(typeof (functions as Record<string, unknown>)[a.functionName]).toBe('function');
    // In jest nothing is appended, so the deferred registry is empty and Excel is never touched.
    expect(functions.registry.ids).toEqual([]);
  });
});
