/**
 * Compares the Zoho request contract (server/zoho/contract.ts) with an OpenAPI 3 description of
 * Zoho Books: every operation we call exists with the same method and path; every query parameter
 * and body field we declare exists there with the same type (enum values we allow are among the
 * ones it allows, declared as `enum` or listed as <code>…</code> "allowed values" in the field's
 * description); every parameter and field it marks required, in the objects we send, is required
 * in ours. Findings are plain sentences; an empty list means the contract agrees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { ZOHO_OPERATIONS, type AnyOperation, type OperationName } from '../../server/zoho/contract';

type Json = Record<string, unknown>;

/** One OpenAPI document (a module of Zoho's API). */
export type OasDoc = Json;

/** The modules our operations live in, as Zoho names its OpenAPI files. */
export const OAS_MODULES = ['organizations', 'contacts', 'items', 'chart-of-accounts', 'invoices', 'customer-payments', 'journals'] as const;

export function loadOas(dir: string): OasDoc[] {
  return OAS_MODULES.map((m) => loadYaml(fs.readFileSync(path.join(dir, `${m}.yml`), 'utf8')) as OasDoc);
}

/** A schema field as both sides describe it. */
export interface FieldSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'unknown';
  required: boolean;
  enum?: string[];
  properties?: Record<string, FieldSpec>;
  items?: FieldSpec;
}

/** Our side: a zod schema as a FieldSpec (optional wrappers make a field not required). */
export function describeZod(schema: z.ZodTypeAny, required = true): FieldSpec {
  if (schema instanceof z.ZodOptional) return describeZod(schema.unwrap(), false);
  if (schema instanceof z.ZodDefault) return describeZod(schema._def.innerType, false);
  if (schema instanceof z.ZodNullable) return describeZod(schema.unwrap(), required);
  if (schema instanceof z.ZodEffects) return describeZod(schema.innerType(), required);
  if (schema instanceof z.ZodString) return { type: 'string', required };
  if (schema instanceof z.ZodNumber) return { type: schema.isInt ? 'integer' : 'number', required };
  if (schema instanceof z.ZodBoolean) return { type: 'boolean', required };
  if (schema instanceof z.ZodEnum) return { type: 'string', required, enum: [...(schema.options as string[])] };
  if (schema instanceof z.ZodLiteral) return { type: typeof schema.value === 'string' ? 'string' : typeof schema.value === 'boolean' ? 'boolean' : 'number', required, enum: [String(schema.value)] };
  if (schema instanceof z.ZodArray) return { type: 'array', required, items: describeZod(schema.element) };
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    return { type: 'object', required, properties: Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, describeZod(v)])) };
  }
  throw new Error(`The contract uses a zod type the comparison does not know (${schema.constructor.name}); teach describeZod about it.`);
}

function resolve(doc: OasDoc, node: unknown): Json {
  let n = node as Json;
  for (let hops = 0; n && typeof n.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`Circular $ref ${String(n.$ref)}`);
    n = (n.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)?.[key], doc) as Json;
  }
  if (n && Array.isArray(n.allOf)) {
    const parts = (n.allOf as unknown[]).map((p) => resolve(doc, p));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
    };
  }
  return n ?? {};
}

/** Their side: an OpenAPI schema as a FieldSpec, $refs resolved, enum values from `enum` or the description. */
export function describeOas(doc: OasDoc, node: unknown, required = false): FieldSpec {
  const s = resolve(doc, node);
  const type = (typeof s.type === 'string' ? s.type : s.properties ? 'object' : 'unknown') as FieldSpec['type'];
  const out: FieldSpec = { type, required };
  const listed = Array.isArray(s.enum) ? (s.enum as unknown[]).map(String) : allowedInDescription(s.description);
  if (listed) out.enum = listed;
  if (type === 'object') {
    const req = new Set((s.required as string[] | undefined) ?? []);
    out.properties = Object.fromEntries(Object.entries((s.properties as Json | undefined) ?? {}).map(([k, v]) => [k, describeOas(doc, v, req.has(k))]));
  }
  if (type === 'array') out.items = describeOas(doc, s.items ?? {}, true);
  return out;
}

/** "Allowed values: <code>debit</code> and <code>credit</code>." → ['debit', 'credit']. */
function allowedInDescription(description: unknown): string[] | undefined {
  if (typeof description !== 'string' || !/allowed values|this can be|possible values/i.test(description)) return undefined;
  const values = [...description.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]!.trim());
  return values.length ? values : undefined;
}

function typesAgree(ours: FieldSpec['type'], theirs: FieldSpec['type']): boolean {
  // An integer is a number; 'unknown' on their side accepts anything.
  return theirs === 'unknown' || ours === theirs || (ours === 'integer' && theirs === 'number');
}

/** A field Zoho's description marks required although it is not (each with the reason we know). */
export interface Erratum {
  operation: OperationName;
  /** Dotted path in the body, e.g. invoice_id. */
  field: string;
  reason: string;
}

/** Compares one of our fields with theirs; `where` names it in findings. */
export function compareFields(ours: FieldSpec, theirs: FieldSpec, where: string, errata: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  if (!typesAgree(ours.type, theirs.type)) {
    out.push(`${where}: we send ${ours.type}, Zoho declares ${theirs.type}.`);
    return out;
  }
  if (ours.enum && theirs.enum) {
    const unknown = ours.enum.filter((v) => !theirs.enum!.includes(v));
    if (unknown.length) out.push(`${where}: value${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not among Zoho's (${theirs.enum.join(', ')}).`);
  }
  if (ours.type === 'object' && theirs.type === 'object') {
    const mine = ours.properties ?? {};
    const zoho = theirs.properties ?? {};
    for (const [k, f] of Object.entries(mine)) {
      const at = where ? `${where}.${k}` : k;
      if (!zoho[k]) out.push(`${at}: not a field of Zoho's request.`);
      else out.push(...compareFields(f, zoho[k]!, at, errata));
    }
    for (const [k, f] of Object.entries(zoho)) {
      const at = where ? `${where}.${k}` : k;
      if (!f.required || errata.has(at)) continue;
      if (!mine[k]) out.push(`${at}: Zoho requires it and our schema lacks it.`);
      else if (!mine[k]!.required) out.push(`${at}: Zoho requires it and our schema makes it optional.`);
    }
  }
  if (ours.type === 'array' && theirs.type === 'array' && ours.items && theirs.items) out.push(...compareFields(ours.items, theirs.items, `${where}[]`, errata));
  return out;
}

interface FoundOperation {
  doc: OasDoc;
  item: Json;
  op: Json;
}

export function findOasOperation(docs: readonly OasDoc[], method: string, template: string): FoundOperation | undefined {
  for (const doc of docs) {
    const item = (doc.paths as Json | undefined)?.[template] as Json | undefined;
    const op = item?.[method.toLowerCase()] as Json | undefined;
    if (item && op) return { doc, item, op };
  }
  return undefined;
}

/** The operation's query parameters as one object FieldSpec (path-level and operation-level). */
function oasQuery(found: FoundOperation): FieldSpec {
  const params = [...((found.item.parameters as unknown[]) ?? []), ...((found.op.parameters as unknown[]) ?? [])].map((p) => resolve(found.doc, p));
  const properties: Record<string, FieldSpec> = {};
  for (const p of params.filter((x) => x.in === 'query')) properties[String(p.name)] = { ...describeOas(found.doc, p.schema ?? {}), required: p.required === true };
  return { type: 'object', required: true, properties };
}

function oasBody(found: FoundOperation): FieldSpec | undefined {
  const schema = (((found.op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
  return schema ? describeOas(found.doc, schema, true) : undefined;
}

/** Every finding for one operation of ours against the OpenAPI documents. */
export function compareOperation(name: string, ours: AnyOperation, docs: readonly OasDoc[], errata: readonly Erratum[] = []): string[] {
  const found = findOasOperation(docs, ours.method, ours.path);
  if (!found) return [`${name}: Zoho's description has no ${ours.method} ${ours.path}.`];
  const out: string[] = [];
  const theirQuery = oasQuery(found);
  const orgParam = theirQuery.properties!.organization_id;
  if (ours.organization !== Boolean(orgParam?.required)) {
    out.push(`${name}: we ${ours.organization ? 'send' : 'omit'} organization_id; Zoho ${orgParam?.required ? 'requires' : 'does not take'} it.`);
  }
  delete theirQuery.properties!.organization_id;
  out.push(...compareFields(describeZod(ours.query), theirQuery, '').map((f) => `${name} query ${f}`));
  const theirBody = oasBody(found);
  if (ours.body && !theirBody) out.push(`${name}: we send a body; Zoho's ${ours.method} ${ours.path} takes none.`);
  if (ours.body && theirBody) {
    const skip = new Set(errata.filter((e) => e.operation === name).map((e) => e.field));
    out.push(...compareFields(describeZod(ours.body), theirBody, '', skip).map((f) => `${name} body ${f}`));
  }
  return out;
}

/** The whole contract. */
export function compareContract(docs: readonly OasDoc[], errata: readonly Erratum[] = [], operations: Record<string, AnyOperation> = ZOHO_OPERATIONS): string[] {
  return Object.entries(operations).flatMap(([name, o]) => compareOperation(name, o, docs, errata));
}

/** Whether Zoho's description still marks the erratum's field required (else the erratum is stale). */
export function erratumStillPresent(docs: readonly OasDoc[], e: Erratum): boolean {
  const o: AnyOperation = ZOHO_OPERATIONS[e.operation];
  const found = findOasOperation(docs, o.method, o.path);
  let at: FieldSpec | undefined = found && oasBody(found);
  for (const key of e.field.split('.')) at = at?.type === 'array' ? at.items?.properties?.[key] : at?.properties?.[key];
  return Boolean(at?.required);
}
