/**
 * The Zoho request contract against Zoho's own OpenAPI description of Books v3.
 *
 * Zoho's files are not part of the repository (no licence is stated on them). When a copy sits at
 * `<repo>/../shared/external/zoho-books-oas` (the team's machines and CI), every operation, query
 * parameter and body field of server/zoho/contract.ts is checked against it. Without it this test
 * prints one line saying the cross-check was not run, and asserts only that the folder is indeed
 * absent: it does not claim the contract agrees.
 *
 * The comparison itself is proven on every run against a small description written here, with a
 * deliberately wrong schema it must catch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ZOHO_OPERATIONS, type AnyOperation } from '../../server/zoho/contract';
import { compareContract, compareFields, compareOperation, describeOas, describeZod, erratumStillPresent, loadOas, type Erratum, type OasDoc } from './zoho-oas-compare';

const ROOT = path.resolve(__dirname, '..', '..');
const OAS_DIR = path.resolve(ROOT, '..', 'shared', 'external', 'zoho-books-oas');

/** Places where Zoho's description is known to be wrong, each with its reason. */
const ERRATA: Erratum[] = [
  { operation: 'createPayment', field: 'invoice_id', reason: 'Zoho lists invoice_id as a required top-level field of a payment; it belongs to each entry of invoices[] (a payment applies to several invoices).' },
  { operation: 'createPayment', field: 'amount_applied', reason: 'Same as invoice_id: amount_applied belongs to each entry of invoices[].' },
];

/** A miniature description in OpenAPI's shape, for proving the comparison without Zoho's files. */
const MINI: OasDoc = {
  paths: {
    '/journals': {
      post: {
        parameters: [{ $ref: '#/components/parameters/organization_id' }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/create-a-journal-request' } } } },
      },
    },
  },
  components: {
    parameters: { organization_id: { name: 'organization_id', in: 'query', required: true, schema: { type: 'string' } } },
    schemas: {
      'create-a-journal-request': {
        type: 'object',
        required: ['journal_date'],
        properties: {
          journal_date: { type: 'string' },
          reference_number: { type: 'string' },
          line_items: {
            type: 'array',
            items: {
              type: 'object',
              required: ['amount', 'debit_or_credit'],
              properties: {
                account_id: { type: 'string' },
                amount: { type: 'number', format: 'double' },
                debit_or_credit: { $ref: '#/components/schemas/debit_or_credit' },
              },
            },
          },
        },
      },
      debit_or_credit: { type: 'string', description: 'Allowed Values: <code>debit</code> and <code>credit</code>.' },
    },
  },
};

const journalOp = (body: z.AnyZodObject): AnyOperation => ({ method: 'POST', path: '/journals', organization: true, query: z.object({}).strict(), body });
const line = { account_id: z.string(), amount: z.number(), debit_or_credit: z.enum(['debit', 'credit']) };

describe('Zoho contract comparison (proven on a small description)', () => {
  it('finds nothing to say about a schema that matches', () => {
    const ok = z.object({ journal_date: z.string(), reference_number: z.string().optional(), line_items: z.array(z.object(line)) });
    expect(compareOperation('createJournal', journalOp(ok), [MINI])).toEqual([]);
  });

  it('catches an invented field, a wrong type, a value Zoho does not allow and a required field we lack or make optional', () => {
    const wrong = z.object({
      // journal_date missing: Zoho requires it.
      reference_number: z.number(),
      colour: z.string().optional(),
      line_items: z.array(z.object({ account_id: z.string(), amount: z.number().optional(), debit_or_credit: z.enum(['debit', 'both']) })),
    });
    expect(compareOperation('createJournal', journalOp(wrong), [MINI]).sort()).toEqual(
      [
        'createJournal body reference_number: we send number, Zoho declares string.',
        'createJournal body colour: not a field of Zoho\'s request.',
        'createJournal body line_items[].debit_or_credit: value both not among Zoho\'s (debit, credit).',
        'createJournal body line_items[].amount: Zoho requires it and our schema makes it optional.',
        'createJournal body journal_date: Zoho requires it and our schema lacks it.',
      ].sort(),
    );
  });

  it('catches an operation Zoho does not have and a wrong organization_id rule', () => {
    const body = z.object({ journal_date: z.string() });
    expect(compareOperation('x', { ...journalOp(body), path: '/journal' }, [MINI])).toEqual(["x: Zoho's description has no POST /journal."]);
    expect(compareOperation('x', { ...journalOp(body), organization: false }, [MINI])).toEqual(['x: we omit organization_id; Zoho requires it.']);
    expect(compareOperation('x', { ...journalOp(body), query: z.object({ send: z.boolean().optional() }).strict() }, [MINI])).toEqual(["x query send: not a field of Zoho's request."]);
  });

  it('accepts an integer where Zoho says number, not the other way round', () => {
    expect(compareFields({ type: 'integer', required: true }, { type: 'number', required: true }, 'n')).toEqual([]);
    expect(compareFields({ type: 'number', required: true }, { type: 'integer', required: true }, 'n')).toEqual(['n: we send number, Zoho declares integer.']);
  });

  it('reads our schemas and theirs into the same shape', () => {
    expect(describeZod(z.object({ a: z.string().regex(/x/).optional(), n: z.number().int() }))).toEqual({
      type: 'object',
      required: true,
      properties: { a: { type: 'string', required: false }, n: { type: 'integer', required: true } },
    });
    const schemas = (MINI.components as { schemas: Record<string, unknown> }).schemas;
    expect(describeOas(MINI, schemas.debit_or_credit)).toEqual({ type: 'string', required: false, enum: ['debit', 'credit'] });
  });
});

const available = fs.existsSync(OAS_DIR);

if (available) {
  describe("Zoho contract against Zoho's OpenAPI files", () => {
    const docs = loadOas(OAS_DIR);

    it('every operation, parameter and field we send is in Zoho\'s description with the same type; every field it requires of us, we send', () => {
      expect(Object.keys(ZOHO_OPERATIONS).length).toBeGreaterThanOrEqual(20);
      expect(compareContract(docs, ERRATA)).toEqual([]);
    });

    it('each known erratum in Zoho\'s description is still there (else drop it from the list)', () => {
      for (const e of ERRATA) expect({ ...e, present: erratumStillPresent(docs, e) }).toEqual({ ...e, present: true });
    });

    it('catches a deliberately wrong copy of our invoice schema', () => {
      const real = ZOHO_OPERATIONS.createInvoice;
      const wrongBody = real.body.omit({ customer_id: true }).extend({ customer: z.string(), date: z.number().optional() });
      const findings = compareOperation('createInvoice', { ...real, body: wrongBody }, docs);
      expect(findings.sort()).toEqual(
        [
          'createInvoice body customer: not a field of Zoho\'s request.',
          'createInvoice body customer_id: Zoho requires it and our schema lacks it.',
          'createInvoice body date: we send number, Zoho declares string.',
        ].sort(),
      );
    });
  });
} else {
  describe("Zoho contract against Zoho's OpenAPI files", () => {
    it('is not run: the files are not beside this checkout (the folder is asserted absent, nothing is claimed about the contract)', () => {
      expect(fs.existsSync(OAS_DIR)).toBe(false);
      process.stdout.write(`Zoho contract cross-check NOT RUN: ${OAS_DIR} does not exist, so our request schemas were not compared with Zoho's OpenAPI description.\n`);
    });
  });
}
