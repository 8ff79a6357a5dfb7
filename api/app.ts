import { Scalar } from '@scalar/hono-api-reference';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { createLogger } from '../lib/logger.js';
import { authenticate, tenantScope } from './auth.js';
import { HttpError, isZodError, validationIssues } from './errors.js';
import { rejectNulCharacters } from './nul.js';
import { RETRY_AFTER_SECONDS, infrastructureFailure, infrastructureMessages } from './infrastructure.js';
import { createRouter } from './router.js';
import { v1Routers } from './routes.js';
import codecRouter from './codec/codec.index.js';
import metricsRouter from './metrics/metrics.index.js';
import type { AppBindings, AppDeps, AppOpenAPI } from './types.js';

export { createRouter } from './router.js';
export type { AppBindings, AppDeps, AppOpenAPI, AppRouteHandler, AuthContext } from './types.js';

export const apiBasePath = '/v1';
export const openApiPath = '/v1/openapi.json';
/** The API reference a person reads (Scalar), rendered in the browser from the document at openApiPath. */
export const docsPath = '/v1/docs';
/** Reachable without a token. */
const publicPaths = new Set([openApiPath, docsPath, '/v1/health', '/v1/ready']);
/** The OAuth callback: the browser returns from the provider without a token; the single-use state authenticates it (api/oauth). */
const oauthCallbackPath = /^\/v1\/oauth\/[^/]+\/callback$/;
const maxBodyBytes = 5 * 1024 * 1024;
const tenantInPath = /^\/v1\/tenants\/([^/]+)/;

/**
 * Mounts area routers under /v1. Each router comes from `createRouter()` and declares its paths relative to
 * /v1 (e.g. `/tenants/{tenant}/logs`); its OpenAPI definitions are copied into the app's document here, so
 * define all of a router's routes before registering it. Routers registered after `createApp` still get the
 * request id, auth, tenant scope and error handling, which are app-wide middleware.
 */
export function registerRoutes(app: AppOpenAPI, routers: readonly AppOpenAPI[], basePath: string = apiBasePath): AppOpenAPI {
  for (const router of routers) app.route(basePath, router);
  return app;
}

export interface CreateAppOptions {
  /** The routers to mount under /v1; default: every area of the API (api/routes.ts). */
  routers?: readonly AppOpenAPI[];
}

/**
 * The HTTP API: request id, request logging, body limit, bearer auth on /v1 (except the OpenAPI document),
 * tenant scoping, the routers, JSON 404 and one error handler that never answers 500 for a client's mistake.
 */
export function createApp(deps: AppDeps, options: CreateAppOptions = {}): AppOpenAPI {
  const logger = deps.logger ?? createLogger(deps.env, { service: 'api' });
  const app = createRouter();

  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', async (c, next) => {
    // Every line of a request carries its request id, and the tenant when the path names one.
    const tenant = tenantInPath.exec(c.req.path)?.[1];
    const log = logger.child({ requestId: c.get('requestId'), ...(tenant ? { tenant } : {}) });
    c.set('deps', deps);
    c.set('logger', log);
    const started = performance.now();
    await next();
    // Path only: query strings and headers may carry search terms or tokens.
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => c.json({ error: 'payload_too_large', message: `Request body larger than ${maxBodyBytes} bytes` }, 413),
    }),
  );

  app.use('/v1/*', rejectNulCharacters());

  const auth = authenticate(deps.env.API_TOKENS);
  const authUnlessPublic: MiddlewareHandler<AppBindings> = async (c, next) => {
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/+$/, '') : c.req.path;
    if (publicPaths.has(path) || oauthCallbackPath.test(path)) return next();
    return auth(c, next);
  };
  app.use('/v1/*', authUnlessPublic);
  app.use('/v1/tenants/:tenant', tenantScope());
  app.use('/v1/tenants/:tenant/*', tenantScope());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API token from API_TOKENS (token:role or token:role:tenant); roles backend, admin, support (read-only).',
  });
  app.doc31(openApiPath, {
    openapi: '3.1.0',
    info: {
      title: 'Simon accounting integrations API',
      version: '1.0.0',
      description: 'Integration service between Simon and its accounting packages: status, activation, sync, exports and the integration log.',
    },
    security: [{ bearerAuth: [] }],
  });
  // The page loads Scalar's script from its CDN and then fetches the same document the API serves (README, "Trying the API").
  app.get(docsPath, Scalar({ url: openApiPath, pageTitle: 'Simon accounting integrations API' }));

  registerRoutes(app, options.routers ?? v1Routers);
  // The Temporal UI's codec server: outside /v1, with its own token check and CORS (api/codec).
  app.route('/', codecRouter);
  // Prometheus scrapes /metrics (api/metrics, docs/metrics.md): outside /v1, with its own optional METRICS_TOKEN.
  app.route('/', metricsRouter);

  // A known path with a method it does not have is 405 with Allow, not 404 (RFC 9110 §15.5.6).
  const methodsOf = allowedMethods(app);
  app.notFound((c) => {
    const allowed = methodsOf(c.req.path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return c.json({ error: 'method_not_allowed', message: `${c.req.method} is not allowed here; allowed: ${allowed.join(', ')}` }, 405);
    }
    return c.json({ error: 'not_found', message: 'No such route' }, 404);
  });
  app.onError(errorHandler(logger));
  return app;
}

/** The methods the app's routes declare for a path (middleware aside), computed once from the route table. */
function allowedMethods(app: AppOpenAPI): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | undefined;
  return (path) => {
    table ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+').replace(/\*/g, '.*')}/?$`) }));
    const methods = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/** Builds the app with only the given routers (starter habit `createTestApp(router)`). */
export function createTestApp(deps: AppDeps, ...routers: AppOpenAPI[]): AppOpenAPI {
  return createApp(deps, { routers });
}

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

function errorHandler(logger: Logger): ErrorHandler<AppBindings> {
  return (err, c) => {
    if (err instanceof HttpError) {
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer');
      // A validation answer always names the field(s), as the OpenAPI document promises.
      const issues = err.code === 'validation' && !err.details?.issues ? { issues: [{ path: '', message: err.message }] } : {};
      return c.json({ error: err.code, message: err.message, ...(err.details ?? {}), ...issues }, err.status);
    }
    if (isZodError(err)) {
      return c.json({ error: 'validation', issues: validationIssues(err) }, 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's validator throws 400 "Malformed JSON in request body"; zod-openapi throws 415 for a wrong content type.
      const malformed = err.status === 400 && /json/i.test(err.message);
      const status = err.status;
      return c.json(
        { error: malformed ? 'malformed_json' : (codeByStatus[status] ?? 'bad_request'), message: err.message || 'Bad request' },
        status,
      );
    }
    if (err instanceof SyntaxError && /json/i.test(err.message)) {
      // A handler that reads the body itself (c.req.json()) throws this on a malformed body.
      return c.json({ error: 'malformed_json', message: 'Malformed JSON in request body' }, 400);
    }
    const log = c.get('logger') ?? logger;
    const infrastructure = infrastructureFailure(err);
    if (infrastructure) {
      log.warn({ err, code: infrastructure, method: c.req.method, path: c.req.path }, 'infrastructure unavailable');
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json({ error: infrastructure, message: infrastructureMessages[infrastructure], retryAfter: RETRY_AFTER_SECONDS, requestId: c.get('requestId') }, 503);
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: 'Internal server error', requestId: c.get('requestId') }, 500);
  };
}
