/**
 * Request validation against Zoho's official OpenAPI files (../shared/external/zoho-books-oas).
 * Every operation of the loaded modules gets a body validator (the request schema with its $refs
 * resolved by Ajv) and a query validator (the operation's declared query parameters). The schemas
 * list the fields Zoho accepts but never say `additionalProperties: false`; the sandbox adds it so
 * a misspelt field is refused instead of silently dropped, which is what we want from a test double.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { load as loadYaml } from 'js-yaml';

/** ../shared/external/zoho-books-oas beside the project (found walking up, so it works from dist/ too). */
export function findOasDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'shared', 'external', 'zoho-books-oas');
    if (fs.existsSync(path.join(p, 'invoices.yml'))) return p;
    if (path.dirname(dir) === dir) throw new Error('The Zoho Books OpenAPI files (shared/external/zoho-books-oas) were not found above ' + from + '.');
  }
}
export const OAS_MODULES = ['organizations', 'contacts', 'items', 'chart-of-accounts', 'invoices', 'customer-payments', 'journals'] as const;

interface ParamSpec {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string; enum?: unknown[] };
}

export interface OperationSpec {
  module: string;
  method: string;
  /** OpenAPI path template, e.g. /invoices/{invoice_id}. */
  template: string;
  operationId: string;
  query: Map<string, ParamSpec>;
  /** Ajv reference of the request body schema; compiled on first use (compiling all 290 takes seconds). */
  bodyRef?: string;
}

export type ValidationFailure = { code: number; message: string };

type Json = Record<string, unknown>;

/** Adds additionalProperties:false to every object schema that lists its properties. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (o.properties && typeof o.properties === 'object' && o.additionalProperties === undefined) o.additionalProperties = false;
  for (const v of Object.values(o)) closeObjects(v);
}

function resolveParam(doc: Json, p: Json): ParamSpec {
  const ref = p.$ref as string | undefined;
  if (!ref) return p as unknown as ParamSpec;
  const name = ref.replace('#/components/parameters/', '');
  return ((doc.components as Json).parameters as Json)[name] as unknown as ParamSpec;
}

/**
 * Spec quirks, fixed here and nowhere else (see zoho-books-oas/SOURCE.txt): create-a-payment-request
 * lists invoice_id and amount_applied as top-level "required" although they belong in invoices[].
 */
function patchQuirks(module: string, doc: Json): void {
  const schemas = (doc.components as Json).schemas as Json;
  if (module === 'customer-payments') {
    for (const name of ['create-a-payment-request', 'update-a-payment-request']) {
      const s = schemas[name] as Json | undefined;
      if (s && Array.isArray(s.required)) s.required = (s.required as string[]).filter((r) => r !== 'invoice_id' && r !== 'amount_applied');
    }
  }
}

export class OasValidator {
  readonly operations: OperationSpec[] = [];
  private readonly ajv: Ajv;

  constructor(dir = findOasDir(), modules: readonly string[] = OAS_MODULES) {
    this.ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, validateFormats: true });
    addFormats(this.ajv);
    for (const f of ['double', 'float', 'int32', 'int64', 'binary']) this.ajv.addFormat(f, true);
    for (const module of modules) {
      const doc = loadYaml(fs.readFileSync(path.join(dir, `${module}.yml`), 'utf8')) as Json;
      patchQuirks(module, doc);
      closeObjects((doc.components as Json).schemas);
      closeObjects(doc.paths);
      const id = `${module}.yml`;
      this.ajv.addSchema({ ...doc, $id: id }, id);
      for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
        const shared = ((item.parameters as Json[]) ?? []).map((p) => resolveParam(doc, p));
        for (const method of ['get', 'post', 'put', 'delete']) {
          const op = item[method] as Json | undefined;
          if (!op) continue;
          const params = [...shared, ...((op.parameters as Json[]) ?? []).map((p) => resolveParam(doc, p))];
          const query = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
          const schema = (((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
          const bodyRef = schema && typeof schema.$ref === 'string' ? `${id}${schema.$ref}` : undefined;
          this.operations.push({ module, method: method.toUpperCase(), template, operationId: String(op.operationId ?? ''), query, bodyRef });
        }
      }
    }
  }

  find(method: string, template: string): OperationSpec | undefined {
    return this.operations.find((o) => o.method === method && o.template === template);
  }

  /** Checks the query string values (always text on the wire) against the declared parameters. */
  checkQuery(op: OperationSpec, query: Record<string, string>, opts: { needsOrganization: boolean }): ValidationFailure | null {
    for (const [name, value] of Object.entries(query)) {
      const spec = op.query.get(name);
      if (!spec) return { code: 2, message: `Invalid value passed for ${name}: this API does not take a ${name} parameter.` };
      const type = spec.schema?.type;
      const bad =
        (type === 'boolean' && value !== 'true' && value !== 'false') ||
        (type === 'integer' && !/^-?\d+$/.test(value)) ||
        (type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) ||
        (spec.schema?.enum && !spec.schema.enum.map(String).includes(value));
      if (bad) return { code: 2, message: `Invalid value passed for ${name}` };
    }
    for (const spec of op.query.values()) {
      if (spec.required && query[spec.name] === undefined) {
        if (spec.name === 'organization_id' && !opts.needsOrganization) continue;
        return spec.name === 'organization_id'
          ? { code: 6041, message: 'Organization ID is not passed. Please pass the organization_id parameter.' }
          : { code: 2, message: `Invalid value passed for ${spec.name}: it is required.` };
      }
    }
    return null;
  }

  private readonly compiled = new Map<string, ValidateFunction>();

  checkBody(op: OperationSpec, body: unknown): ValidationFailure | null {
    if (!op.bodyRef) return null;
    let validate = this.compiled.get(op.bodyRef);
    if (!validate) {
      validate = this.ajv.compile({ $ref: op.bodyRef });
      this.compiled.set(op.bodyRef, validate);
    }
    if (validate(body)) return null;
    return { code: 2, message: describeAjvError(validate.errors?.[0]) };
  }
}

function describeAjvError(e: ErrorObject | undefined): string {
  if (!e) return 'Invalid value passed';
  const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `Invalid value passed for ${where ? where + '.' : ''}${extra}: the field is not part of this API.`;
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `Invalid value passed for ${where ? where + '.' : ''}${missing}: it is required.`;
  }
  return `Invalid value passed for ${where || 'the request body'}: ${e.message ?? 'not allowed'}.`;
}

let shared: OasValidator | undefined;
/** One compiled validator per process (compiling the YAML takes a moment). */
export function sharedValidator(): OasValidator {
  return (shared ??= new OasValidator());
}
