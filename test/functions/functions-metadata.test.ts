/**
 * Golden test of the custom functions metadata (dist/functions.json). When a function is added or
 * changed on purpose, run `npm run functions:golden` and review the golden file's diff.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GOLDEN_FILE, generateFunctionsMetadata } from '../../build/functions-golden';

interface Metadata {
  functions: { id: string; name: string; parameters: { name: string; type?: string; optional?: boolean }[]; result: { type?: string; dimensionality?: string } }[];
}

describe('CLOSEDESK functions metadata', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await generateFunctionsMetadata();
  });

  it('equals the committed golden file', () => {
    const golden = fs.readFileSync(GOLDEN_FILE, 'utf8');
    expect(JSON.parse(generated)).toEqual(JSON.parse(golden));
  });

  it('declares the functions with upper-case ids and names Excel accepts', () => {
    const meta = JSON.parse(generated) as Metadata;
    const ids = meta.functions.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['VERSION', 'INVOICENUMBER']));
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of meta.functions) {
      expect(f.id).toMatch(/^[A-Z][A-Z0-9._]*$/);
      expect(f.name).toBe(f.id);
    }
    const invoice = meta.functions.find((f) => f.id === 'INVOICENUMBER')!;
    expect(invoice.parameters.map((p) => p.name)).toEqual(['orderId']);
    expect(invoice.result.type).toBe('string');
  });

  it('reports JSDoc mistakes instead of emitting metadata', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-'));
    const file = `${dir}/bad.ts`;
    fs.writeFileSync(
      file,
      `/**\n * @customfunction TWICE\n */\nexport function a(x: number): number { return x; }\n` +
        `/**\n * @customfunction TWICE\n */\nexport function b(x: number): number { return x; }\n`,
    );
    try {
      await expect(generateFunctionsMetadata(file)).rejects.toThrow(/duplicate/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
