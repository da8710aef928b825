/**
 * buildApp(config) → a Fastify instance with security headers, CORS for the add-in's origin, body
 * limits, JSON errors a finance user can act on, bearer-token auth on every route that is not
 * marked public (decided on the route the router matched, so no spelling of a path skips it), a
 * rate limit on the public ones, every route module in server/routes/, and the built add-in
 * served from dist/ on the same origin. It does not listen, and refuses to build with the
 * development issuer on a non-loopback HOST.
 */
import fs from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { AUTH_REDIRECT_PATH, bearerToken, hasRole, unauthorized, type Principal, type Role } from './auth';
import { assertSafeToServe, isLoopbackHost, type Config } from './config';
import { createContext, type AppContext, type ContextDeps } from './context';
import { AppError, forbidden, type ErrorBody } from './errors';
import { registerRateLimit } from './rate-limit';
import { noteIdentity } from './store/identities';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set for every /api request that is not public. */
    user: Principal | null;
  }
  interface FastifyInstance {
    ctx: AppContext;
    /** preHandler refusing users without one of the roles (admin passes every check). */
    requireRole(...roles: Role[]): RoleCheck;
    /** Every route the app serves, with who may call it (the security tests walk this list). */
    routeTable(): RouteInfo[];
  }
  interface FastifyContextConfig {
    /** Route reachable without a token (health, dev sign-in, signed-link pages); rate-limited per client address. */
    public?: boolean;
    /** Set on the built add-in's files (served without a token, not rate-limited). */
    staticFile?: boolean;
  }
}

/** A preHandler from requireRole, carrying the roles it asks for so the route table can say so. */
export type RoleCheck = ((req: FastifyRequest) => Promise<void>) & { roles: readonly Role[] };

export interface RouteInfo {
  method: string;
  url: string;
  /** Needs no token. */
  public: boolean;
  /** One of these roles is needed (admin passes every check); absent = any signed-in user. */
  roles?: readonly Role[];
  /** Public and counted against CLOSEDESK_PUBLIC_RATE_LIMIT. */
  rateLimited: boolean;
}

/** The path as the router sees it: percent-decoded, duplicate slashes and dot segments removed. */
export function normalisedPath(url: string): string {
  const raw = url.split('?')[0]!.split('#')[0]!;
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    let s = seg;
    try {
      s = decodeURIComponent(seg);
    } catch {
      /* malformed escapes stay as they are; the router refuses them */
    }
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return '/' + out.join('/');
}

function roleCheckOf(route: RouteOptions): RoleCheck | undefined {
  const handlers = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
  return handlers.find((h): h is RoleCheck => Array.isArray((h as Partial<RoleCheck>).roles));
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
  assertSafeToServe(config);
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
  app.decorate('requireRole', (...roles: Role[]): RoleCheck => {
    const check = async (req: FastifyRequest) => {
      if (!req.user) throw unauthorized('no-token', 'Sign in first: this request carries no sign-in token.');
      if (!hasRole(req.user, roles)) {
        throw forbidden(
          'wrong-role',
          `This needs the ${roles.join(' or ')} role; you are signed in as ${req.user.id} with ${
            req.user.roles.length ? `the ${req.user.roles.join(', ')} role` : 'no CloseDesk role'
          }. Ask an administrator for access.`,
        );
      }
    };
    return Object.assign(check, { roles: Object.freeze([...roles]) });
  });

  // Every route, as registered; public ones that are not the add-in's files or the health check get the rate limit.
  // This hook runs before the rate-limit plugin's own onRoute hook (registered below), which reads config.rateLimit.
  const registered: RouteOptions[] = [];
  // Read when asked, after every scope's onRoute hooks have had their say (the add-in's files are marked in their own scope).
  app.decorate('routeTable', () =>
    registered.flatMap((route) => {
      const cfg = route.config ?? {};
      const roles = roleCheckOf(route)?.roles;
      return (Array.isArray(route.method) ? route.method : [route.method]).map((method) => ({
        method,
        url: route.url,
        public: Boolean(cfg.public || cfg.staticFile),
        ...(roles ? { roles } : {}),
        rateLimited: typeof cfg.rateLimit === 'object',
      }));
    }),
  );
  app.addHook('onRoute', (route) => {
    const cfg = route.config ?? {};
    if (cfg.public && !cfg.staticFile && cfg.rateLimit === undefined) {
      route.config = { ...cfg, rateLimit: { max: config.publicRateLimit, timeWindow: 60_000 } };
    }
    registered.push(route);
  });
  await registerRateLimit(app);

  const loopback = isLoopbackHost(config.host);
  // The task pane signs in at the identity provider: it must be allowed to call it and frame it (silent renewal).
  const idpOrigin = config.auth.signIn ? new URL(config.auth.signIn.authority).origin : undefined;
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
        connectSrc: ["'self'", 'https://login.microsoftonline.com', 'https://appsforoffice.microsoft.com', ...config.corsOrigins, ...(idpOrigin ? [idpOrigin] : [])],
        frameSrc: ["'self'", 'https://login.microsoftonline.com', ...OFFICE_FRAME_ANCESTORS, ...(idpOrigin ? [idpOrigin] : [])],
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

  // Sign-in responses land on this page in a popup; an opener policy on it would cut it off from the pane.
  app.addHook('onSend', async (req, reply) => {
    if (normalisedPath(req.url) === AUTH_REDIRECT_PATH) reply.removeHeader('cross-origin-opener-policy');
  });

  // Decided on the route the router matched (it decodes %61pi into api), never on the raw URL: a
  // matched route needs a token unless it is public; an unmatched path needs one when it is under /api.
  app.addHook('onRequest', async (req) => {
    if (req.method === 'OPTIONS') return; // CORS preflight carries no credentials by design
    const matched = req.routeOptions.url;
    if (matched !== undefined && req.routeOptions.config?.public) return;
    // Unmatched paths and the add-in's catch-all: a token is needed when the path is under /api.
    if (matched === undefined || req.routeOptions.config?.staticFile) {
      const p = normalisedPath(req.url);
      if (p !== '/api' && !p.startsWith('/api/')) return;
    }
    req.user = await ctx.auth.verify(bearerToken(req.headers.authorization) ?? '');
    // The name screens show beside the identity key; written only when it changed, and never in the way of the request.
    await noteIdentity(ctx.store, req.user).catch((err: unknown) => req.log.warn({ err }, 'The display name of a signed-in identity could not be recorded'));
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) req.log.error({ err, cause: err.cause }, err.message);
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
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.config = { ...(route.config ?? {}), staticFile: true };
      });
      await scope.register(fastifyStatic, {
        root: config.staticDir,
        prefix: '/',
        index: ['index.html', 'taskpane.html'],
        // tsc writes the compiled server to dist/server and dist/src: never serve those.
        allowedPath: (pathName) => !/^\/(server|src|platform|test|bench|scripts)(\/|$)/.test(pathName) && !pathName.endsWith('.map'),
        cacheControl: true,
        maxAge: 0,
      });
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
