import { z } from 'zod';
import { TERMS_VERSION_DEFAULT } from './providers.js';

/** Roles of API callers (docs/api.md). `support` is read-only. */
export const roles = ['backend', 'admin', 'support'] as const;
export type Role = (typeof roles)[number];

export interface ApiToken {
  token: string;
  role: Role;
  /** When set, the token may only touch this tenant. */
  tenant?: string;
}

const apiTokens = z
  .string()
  .transform((raw, ctx): ApiToken[] => {
    const out: ApiToken[] = [];
    for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [token, role, tenant, ...rest] = part.split(':');
      if (!token || !role || rest.length > 0 || !(roles as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `expected token:role or token:role:tenant with role one of ${roles.join('|')}` });
        return z.NEVER;
      }
      out.push({ token, role: role as Role, ...(tenant ? { tenant } : {}) });
    }
    return out;
  });

const key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes');

/** A key of the Temporal payload codec (lib/codec.ts). */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/** `keyId:base64key32,…`; the first key encrypts, every key decrypts (rotation: put the new key first, keep the old ones). */
const payloadKeys = z.string().transform((raw, ctx): PayloadKey[] => {
  const out: PayloadKey[] = [];
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  for (const [i, part] of parts.entries()) {
    const sep = part.indexOf(':');
    const id = sep > 0 ? part.slice(0, sep) : '';
    const b64 = sep > 0 ? part.slice(sep + 1) : '';
    // Messages name the position and the key id, never the key.
    if (!keyIdPattern.test(id)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: expected keyId:base64key with a key id of letters, digits, '.', '_' or '-'` });
      return z.NEVER;
    }
    const key = Buffer.from(b64, 'base64');
    if (!base64Pattern.test(b64) || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `key '${id}': must be base64 of exactly 32 bytes` });
      return z.NEVER;
    }
    if (out.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id '${id}' appears twice` });
      return z.NEVER;
    }
    out.push({ id, key });
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one keyId:base64key is required' });
    return z.NEVER;
  }
  return out;
});

/** Comma-separated browser origins (scheme://host[:port]) allowed to call the codec endpoint. */
const origins = z.string().transform((raw, ctx): string[] => {
  const out: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    let origin: string | undefined;
    try {
      origin = new URL(part).origin;
    } catch {
      origin = undefined;
    }
    if (!origin || origin === 'null' || origin !== part.replace(/\/$/, '')) {
      ctx.addIssue({ code: 'custom', message: `'${part}' is not an origin like http://localhost:8233` });
      return z.NEVER;
    }
    out.push(origin);
  }
  return out;
});

/** A comma-separated list of non-empty strings. */
const list = z.string().transform((raw) => raw.split(',').map((p) => p.trim()).filter(Boolean));

/** A duration as milliseconds: `30s`, `500ms`, `2m`, or a bare number of milliseconds. */
const durationMs = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m)?$/, 'expected a duration like 30s, 500ms, 2m or a number of milliseconds')
  .transform((raw) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(raw)!;
    return Math.round(Number(n) * (unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1));
  });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('simon-integrations'),
  TEMPORAL_UI_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Graceful shutdown on SIGTERM: in-flight activities (worker) and requests (API) get this long to finish.
  /** The version of the terms of use in force; a new one asks every admin to accept again at the next save (docs/terms.md). */
  TERMS_VERSION: z.string().min(1).max(40).default(TERMS_VERSION_DEFAULT),
  /** How long a provider call may take before it counts as timed out (docs/exactly-once.md). */
  PROVIDER_TIMEOUT: z.string().default('20s').pipe(durationMs),
  /**
   * After a create whose outcome is unknown (timeout, dropped connection, 5xx, a crash), how long the export waits
   * before it looks the document up again and creates it only if it is still missing: longer than a provider could
   * still be working on the first request (docs/exactly-once.md).
   */
  EXPORT_IN_DOUBT_WINDOW: z.string().default('3m').pipe(durationMs),
  /** The weekly reconciliation compares the exports of this many days back with the package (docs/reconciliation.md). */
  RECONCILE_DAYS: z.coerce.number().int().min(1).max(366).default(35),
  /** How often the sweep starts exports that were recorded but never started (docs/exactly-once.md); 0 = no sweep. */
  EXPORT_SWEEP_INTERVAL: z.string().default('1m').pipe(durationMs),
  /** How often the sweep starts event deliveries that were written but never kicked (docs/events.md); 0 = no sweep. */
  EVENT_SWEEP_INTERVAL: z.string().default('1m').pipe(durationMs),
  WORKER_SHUTDOWN_GRACE: z.string().default('30s').pipe(durationMs),
  API_SHUTDOWN_GRACE: z.string().default('10s').pipe(durationMs),
  // When set, the worker touches this file while it runs (the container health check reads its age).
  WORKER_HEALTH_FILE: z.string().min(1).optional(),
  // When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (docs/metrics.md); otherwise it is open.
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  // When set, the worker serves the Temporal SDK's own metrics (Prometheus, GET /metrics) on this address (docs/metrics.md).
  WORKER_METRICS_ADDRESS: z.string().regex(/^([^\s:/]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'expected host:port such as 0.0.0.0:9464').optional(),
  API_TOKENS: z.string().default('').pipe(apiTokens),
  // Development default only; production sets its own. 32 zero-ish bytes would be too obvious, so it is a fixed random value.
  CREDENTIALS_KEY: key32.default('q0bU8wT7bq9y7VxJr2b3sQeH0mC4n6X1Zk8pL5dA9fE='),
  // Temporal payload encryption keys (lib/codec.ts). Development default only; production sets its own.
  PAYLOAD_KEYS: z.string().default('dev-1:hFmPE3VtoGwyuasYc/73Yk172urq7alJVhsJIhfdK4c=').pipe(payloadKeys),
  // Where the Temporal Web UI runs: the codec endpoint answers CORS requests from these origins only.
  TEMPORAL_UI_ORIGIN: z.string().default('http://127.0.0.1:8233,http://localhost:8233').pipe(origins),
  FACTUURSTUREN_BASE_URL: z.string().url().default('http://127.0.0.1:3101/api/v1/'),
  // FactuurSturen answers its hourly call limit with a 403 and no reset time; the connector then waits until the next
  // full hour plus 1-5 minutes (docs/providers/factuursturen.md, §4). Set only by tests, to a short fixed wait.
  FACTUURSTUREN_RATE_LIMIT_WAIT: z.string().pipe(durationMs).optional(),
  OCTOPUS_BASE_URL: z.string().url().default('http://127.0.0.1:3102/octopus-rest-api/v1/'),
  // The software house identification Octopus issues to an integrator (header `softwareHouseUuid` on POST /authentication).
  // Development default = the fake's; production sets the one Octopus issued.
  OCTOPUS_SOFTWARE_HOUSE_UUID: z.string().min(1).default('5f1d3c2a-7b4e-4c8d-9a61-0c7e2b9d4f10'),
  // Per-tenant quota guard (lib/quota.ts) of the API-limited providers: calls per Europe/Amsterdam day and per minute.
  // Neither provider publishes numbers (docs/quota.md, docs/providers/octopus.md §4); these defaults are deliberately low
  // (Octopus: "very low daily limits"). Syncs may use the daily quota up to QUOTA_EXPORT_RESERVE_PERCENT below it;
  // that reserve is kept for exports (archived work orders) and the admin's settings screen (docs/quota.md).
  QUOTA_OCTOPUS_PER_DAY: z.coerce.number().int().min(1).default(500),
  QUOTA_OCTOPUS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  // Octopus limits each endpoint per day (docs/providers/octopus.md §4, U3): the guard counts these per tenant and
  // endpoint class on top of the totals above. Reported numbers; keep them configurable until Octopus confirms them.
  QUOTA_OCTOPUS_PRODUCTS_PER_DAY: z.coerce.number().int().min(1).default(2),
  QUOTA_OCTOPUS_PRODUCTGROUPS_PER_DAY: z.coerce.number().int().min(1).default(2),
  QUOTA_OCTOPUS_RELATIONS_PER_DAY: z.coerce.number().int().min(1).default(2),
  // Each `…/modified` endpoint (relations, invoices) has its own 48.
  QUOTA_OCTOPUS_MODIFIED_PER_DAY: z.coerce.number().int().min(1).default(48),
  QUOTA_OCTOPUS_SEARCH_PER_DAY: z.coerce.number().int().min(1).default(400),
  QUOTA_OCTOPUS_DOSSIERS_PER_DAY: z.coerce.number().int().min(1).default(150),
  QUOTA_OCTOPUS_BOOKYEARS_PER_DAY: z.coerce.number().int().min(1).default(24),
  QUOTA_OCTOPUS_INVOICES_PER_DAY: z.coerce.number().int().min(1).default(400),
  // How long an Octopus listing downloaded by this worker (products, product groups) is reused instead of spending
  // another of its two calls a day: "Controleer", the initial import and the cleanup right after share one download.
  OCTOPUS_LISTING_REUSE: z.string().default('10m').pipe(durationMs),
  QUOTA_ROMPSLOMP_PER_DAY: z.coerce.number().int().min(1).default(1000),
  QUOTA_ROMPSLOMP_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  QUOTA_EXPORT_RESERVE_PERCENT: z.coerce.number().int().min(0).max(90).default(30),
  IMUIS_BASE_URL: z.string().url().default('http://127.0.0.1:3103/'),
  // The partner key iMuis issues to the integrator (not per tenant; tenants connect with their omgevingscode).
  // Development default = the fake's; production sets the one Muis Software issued.
  IMUIS_PARTNER_KEY: z.string().min(1).default('simon-dev-partner-key'),
  // Records per GETSTAMTABELRECORDS page (iMuis tells no maximum; the PHP client asks 10000).
  IMUIS_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  ROMPSLOMP_BASE_URL: z.string().url().default('http://127.0.0.1:3104/api/v1/'),
  // Rompslomp's OAuth endpoints, when they are not `/oauth/authorize` and `/oauth/token` at the API's origin (the host of
  // the token endpoint is not documented for certain: docs/providers/rompslomp.md, U18).
  ROMPSLOMP_OAUTH_AUTHORIZE_URL: z.string().url().optional(),
  ROMPSLOMP_OAUTH_TOKEN_URL: z.string().url().optional(),
  VISMA_NET_BASE_URL: z.string().url().default('http://127.0.0.1:3105/v1/'),
  VISMA_CONNECT_BASE_URL: z.string().url().default('http://127.0.0.1:3106/connect/'),
  // Visma.net sales orders live in a separate service, SalesOrders V3 (production: https://salesorder.visma.net/api/v3/).
  VISMA_NET_SALESORDER_BASE_URL: z.string().url().default('http://127.0.0.1:3107/api/v3/'),
  // The order's free field that holds our reference (docs/providers/visma-net.md, "Exactly once"): not printed.
  VISMA_NET_REFERENCE_FIELD: z.enum(['customStr1', 'customStr2', 'customStr3', 'customStr4', 'customStr5']).default('customStr5'),
  // OAuth2 apps registered with the providers (Rompslomp: the fake's development client by default; production sets its own).
  ROMPSLOMP_CLIENT_ID: z.string().min(1).default('simon-dev-client'),
  ROMPSLOMP_CLIENT_SECRET: z.string().min(1).default('simon-dev-secret'),
  // Visma.net: the app registered in the Visma Developer Portal (development default = the fake Visma Connect's client).
  VISMA_CLIENT_ID: z.string().min(1).default('simon-dev'),
  VISMA_CLIENT_SECRET: z.string().min(1).default('simon-dev-secret'),
  // Where browsers come back after authorising at a provider: the API's public base URL (…/v1/oauth/{provider}/callback is appended).
  // Default: the API on this machine at PORT.
  OAUTH_REDIRECT_BASE_URL: z.string().url().optional(),
  // The codec endpoint also accepts the access token the Temporal UI forwards after an OIDC login
  // (docs/production-stack.md, "The Temporal UI and the codec"): a JWT signed by a key of CODEC_JWT_JWKS_URL, from
  // CODEC_JWT_ISSUER, for CODEC_JWT_AUDIENCE; the role is read from CODEC_JWT_ROLE_CLAIM (a dotted path such as
  // `realm_access.roles`; a string or a list of strings). Unset = API tokens only. The three first go together.
  CODEC_JWT_ISSUER: z.string().url().optional(),
  CODEC_JWT_AUDIENCE: z.string().default('').pipe(list),
  CODEC_JWT_JWKS_URL: z.string().url().optional(),
  CODEC_JWT_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:/.-]{1,200}$/, 'expected a claim name or a dotted path like realm_access.roles').default('groups'),
  /** Claim values that mean `support` (decode only) and `admin` (decode and encode). */
  CODEC_JWT_SUPPORT_VALUES: z.string().default('temporal-support').pipe(list),
  CODEC_JWT_ADMIN_VALUES: z.string().default('temporal-admin').pipe(list),
  /** The Temporal UI's port on this machine (npm start); the default codec CORS origins follow it. */
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
});

/** Defaults that follow other settings: the OAuth redirect follows PORT, the codec's CORS origins the UI's port. */
const withDerivedDefaults = (env: z.infer<typeof envSchema>, source: Record<string, string | undefined>) => ({
  ...env,
  OAUTH_REDIRECT_BASE_URL: env.OAUTH_REDIRECT_BASE_URL ?? `http://127.0.0.1:${env.PORT}`,
  TEMPORAL_UI_ORIGIN: source.TEMPORAL_UI_ORIGIN ? env.TEMPORAL_UI_ORIGIN : [`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, `http://localhost:${env.TEMPORAL_UI_PORT}`],
});

export type Env = ReturnType<typeof withDerivedDefaults>;

export class ConfigError extends Error {
  constructor(public readonly fields: { field: string; message: string }[]) {
    super(`Invalid configuration: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses configuration; a bad value throws a ConfigError naming the field (never its value: it may be a secret). */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message })));
  }
  const env = withDerivedDefaults(result.data, cleaned);
  const jwt = { CODEC_JWT_ISSUER: env.CODEC_JWT_ISSUER, CODEC_JWT_AUDIENCE: env.CODEC_JWT_AUDIENCE.length > 0 ? 'set' : undefined, CODEC_JWT_JWKS_URL: env.CODEC_JWT_JWKS_URL };
  const missing = Object.entries(jwt).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0 && missing.length < 3) {
    throw new ConfigError(missing.map((field) => ({ field, message: 'required with the other CODEC_JWT_ISSUER/CODEC_JWT_AUDIENCE/CODEC_JWT_JWKS_URL settings' })));
  }
  return env;
}

/** For entry points: parse or stop the process with the field that is wrong. */
export function loadEnvOrExit(source: Record<string, string | undefined> = process.env): Env {
  try {
    return parseEnv(source);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
