/**
 * buildApp(config) → a Fastify instance with security headers, CORS for the add-in's origin, body
 * limits, JSON errors a finance user can act on, bearer-token auth on /api, every route module in
 * server/routes/, and the built add-in served from dist/ on the same origin. It does not listen.
 */
import fs from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bearerToken, hasRole, unauthorized, type Principal, type Role } from './auth';
import type { Config } from './config';
import { createContext, type AppContext, type ContextDeps } from './context';
import { AppError, forbidden, type ErrorBody } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set for every /api request that is not public. */
    user: Principal | null;
  }
  interface FastifyInstance {
    ctx: AppContext;
    /** preHandler refusing users without one of the roles (admin passes every check). */
    requireRole(...roles: Role[]): (req: FastifyRequest) => Promise<void>;
  }
  interface FastifyContextConfig {
    /** Route reachable without a token (health, dev sign-in, signed-link pages). */
    public?: boolean;
  }
}

/** A route module: server/routes/<name>.ts or server/jobs/<job>/routes.ts exporting `default async function routes(app, ctx)`. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

export interface AppDeps extends ContextDeps {
  /** Use an existing context (the caller closes it); otherwise one is created and closed with the app. */
  context?: AppContext;
  /** Route folder (tests); default server/routes next to this file. */
  routesDir?: string;
}

const SOURCE_EXT = path.extname(__filename);

export function discoverRouteFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => path.extname(f) === SOURCE_EXT && !/\.(test|spec|d)\.[jt]s$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function discoverJobRouteFiles(jobsDir: string): string[] {
  if (!fs.existsSync(jobsDir)) return [];
  return fs
    .readdirSync(jobsDir)
    .sort()
    .map((j) => path.join(jobsDir, j, `routes${SOURCE_EXT}`))
    .filter((f) => fs.existsSync(f));
}

/** Office hosts the task pane in an iframe on these origins (Excel on the web) and loads Office.js from its CDN. */
export const OFFICE_FRAME_ANCESTORS = [
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.officeapps.live.com',
  'https://*.sharepoint.com',
  'https://*.live.com',
  'https://*.microsoft.com',
  'https://*.cloud.microsoft',
];

function errorReply(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

function megabytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const ctx = deps.context ?? (await createContext(config, deps));
  const https = config.tls ? { cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) } : null;
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: config.bodyLimit,
    ...(https ? { https } : {}),
    // Ids in query strings must not become numbers.
    ajv: { customOptions: { coerceTypes: false } },
  }) as unknown as FastifyInstance;
  if (!deps.context) app.addHook('onClose', async () => ctx.close());

  app.decorate('ctx', ctx);
  app.decorateRequest('user', null);
  app.decorate('requireRole', (...roles: Role[]) => async (req: FastifyRequest) => {
    if (!req.user) throw unauthorized('no-token', 'Sign in first: this request carries no sign-in token.');
    if (!hasRole(req.user, roles)) {
      throw forbidden(
        'wrong-role',
        `This needs the ${roles.join(' or ')} role; you are signed in as ${req.user.id} with ${
          req.user.roles.length ? `the ${req.user.roles.join(', ')} role` : 'no CloseDesk role'
        }. Ask an administrator for access.`,
      );
    }
  });

  const loopback = /^(127\.0\.0\.1|localhost|::1)$/.test(config.host);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
        // Fluent UI (Griffel) injects inline styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        fontSrc: ["'self'", 'data:', 'https://res-1.cdn.office.net', 'https://static2.sharepointonline.com'],
        connectSrc: ["'self'", 'https://login.microsoftonline.com', 'https://appsforoffice.microsoft.com', ...config.corsOrigins],
        frameSrc: ["'self'", 'https://login.microsoftonline.com', ...OFFICE_FRAME_ANCESTORS],
        frameAncestors: ["'self'", ...OFFICE_FRAME_ANCESTORS],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // X-Frame-Options cannot list Office's origins; frame-ancestors above does the job.
    frameguard: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    // Office loads the manifest's icons from its own origin.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    hsts: config.tls && !loopback ? { maxAge: 15552000 } : false,
  });

  const allowed = new Set(config.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin ? false : allowed.has(origin.replace(/\/+$/, ''))),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    maxAge: 600,
  });

  app.addHook('onRequest', async (req) => {
    const p = req.url.split('?')[0];
    if (p !== '/api' && !p.startsWith('/api/')) return;
    if (req.method === 'OPTIONS' || req.routeOptions.config?.public) return;
    req.user = await ctx.auth.verify(bearerToken(req.headers.authorization) ?? '');
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) req.log.error({ err }, err.message);
      return errorReply(reply, err.statusCode, err.code, err.message, err.details);
    }
    const code = (err as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return errorReply(
        reply,
        413,
        'body-too-large',
        `The data sent is larger than the server accepts (${megabytes(config.bodyLimit)}). Send it in smaller parts, or ask an administrator to raise BODY_LIMIT_BYTES.`,
      );
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return errorReply(reply, 415, 'unsupported-media-type', 'The server expects JSON here (Content-Type: application/json).');
    }
    if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && (err as FastifyError).statusCode === 400)) {
      return errorReply(reply, 400, 'bad-json', 'The request body is not valid JSON.');
    }
    if ((err as FastifyError).validation) {
      return errorReply(reply, 400, 'invalid-request', `The request is not valid: ${err.message}.`);
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return errorReply(reply, status, 'request-error', err.message);
    req.log.error({ err }, 'unhandled error');
    return errorReply(
      reply,
      500,
      'server-error',
      `Something went wrong on the server and nothing was changed by this step. Try again; if it keeps failing, give the administrator this reference: ${req.id}.`,
    );
  });

  app.setNotFoundHandler((req, reply) => {
    const p = req.url.split('?')[0];
    if (p === '/' || p === '/index.html' || p === '/taskpane.html') {
      return errorReply(reply, 404, 'addin-not-built', 'The add-in is not built yet; run `npm run build` (or `npm start`) and reload.');
    }
    return errorReply(reply, 404, 'not-found', `There is nothing at ${req.method} ${p}. Check the address.`);
  });

  if (fs.existsSync(config.staticDir)) {
    await app.register(fastifyStatic, {
      root: config.staticDir,
      prefix: '/',
      index: ['index.html', 'taskpane.html'],
      // tsc writes the compiled server to dist/server and dist/src: never serve those.
      allowedPath: (pathName) => !/^\/(server|src|test|bench|scripts)(\/|$)/.test(pathName) && !pathName.endsWith('.map'),
      cacheControl: true,
      maxAge: 0,
    });
  }

  // Shared routes in server/routes/, each job's in server/jobs/<job>/routes.ts.
  const routeFiles = deps.routesDir ? discoverRouteFiles(deps.routesDir) : [...discoverRouteFiles(path.join(__dirname, 'routes')), ...discoverJobRouteFiles(path.join(__dirname, 'jobs'))];
  for (const file of routeFiles) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default?: RouteModule };
    if (typeof mod.default !== 'function') throw new Error(`Route module ${file} must export a default async function routes(app, ctx).`);
    await app.register(async (scope) => mod.default!(scope, ctx));
  }
  return app;
}
