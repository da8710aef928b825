/** Small helpers shared by route modules. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from './auth';
import { unauthorized } from './auth';
import { badRequest } from './errors';

/** Validates a body/query with zod; a failure is a 400 naming each bad field in a sentence. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, data: unknown, what = 'request'): z.infer<S> {
  const r = schema.safeParse(data ?? {});
  if (r.success) return r.data;
  const parts = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw badRequest('invalid-request', `The ${what} is not valid — ${parts.join('; ')}.`, r.error.issues);
}

/** The signed-in user (every /api route except public ones has one). */
export function currentUser(req: FastifyRequest): Principal {
  if (!req.user) throw unauthorized('no-token', 'Sign in first: this request carries no sign-in token.');
  return req.user;
}

let version: string | undefined;
/** The package version, found by walking up from this file (works from server/ and dist/server/). */
export function appVersion(): string {
  if (version) return version;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'closedesk') return (version = pkg.version ?? '0.0.0');
    }
    if (path.dirname(dir) === dir) return (version = '0.0.0');
  }
}
