/** Small helpers shared by route modules. */
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
