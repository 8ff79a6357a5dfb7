import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiToken, Role } from '../lib/env.js';
import { tenantExists } from '../db/queries/tenants.js';
import { forbidden, notFound, unauthorized } from './errors.js';
import type { AppBindings, AuthContext } from './types.js';

/**
 * Role policy (docs/api.md):
 * - `support`: read-only (GET);
 * - `admin`: reads + admin actions (activation steps, settings, pause/resume/deactivate, sync now, export retry);
 * - `backend`: everything admin can, plus archiving work orders and adding work addresses.
 */
export const rolePolicy = {
  read: ['support', 'admin', 'backend'],
  admin: ['admin', 'backend'],
  backend: ['backend'],
} as const satisfies Record<string, readonly Role[]>;

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Optional caller-supplied name of the person behind the request (e.g. the Simon user accepting the terms). */
const actorHeader = 'x-actor';
const actorPattern = /^[\p{L}\p{N} ._@+\-']{1,100}$/u;

/**
 * Bearer-token authentication from `env.API_TOKENS`. Every configured token is compared, in constant time on
 * fixed-length digests, so neither the match position nor the token length leaks through timing.
 * Sets `c.var.auth`; `support` tokens are refused on anything but reads, whatever the route says.
 */
export function authenticate(tokens: readonly ApiToken[]): MiddlewareHandler<AppBindings> {
  const known = tokens.map((t, i) => ({ ...t, digest: digest(t.token), label: `${t.role}#${i + 1}` }));
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) throw unauthorized();
    const presented = digest(match[1]);
    let found: (typeof known)[number] | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(candidate.digest, presented) && !found) found = candidate;
    }
    if (!found) throw unauthorized();

    const person = c.req.header(actorHeader)?.trim();
    const auth: AuthContext = {
      role: found.role,
      ...(found.tenant ? { tenant: found.tenant } : {}),
      actor: person && actorPattern.test(person) ? `${found.label}:${person}` : found.label,
    };
    c.set('auth', auth);
    if (auth.role === 'support' && !readOnlyMethods.has(c.req.method)) throw forbidden('Support tokens are read-only');
    await next();
  };
}

/** Route middleware: only these roles may call the route (403 otherwise). */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppBindings> {
  const allowed = new Set<Role>(roles);
  return async (c, next) => {
    const auth = c.get('auth');
    if (!auth) throw unauthorized();
    if (!allowed.has(auth.role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
    await next();
  };
}

function assertTenantInScope(c: Context<AppBindings>, tenant: string | undefined): void {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  // Checked before the tenant is looked up, so a scoped token learns nothing about other tenants, not even existence.
  if (auth.tenant !== undefined && auth.tenant !== tenant) throw forbidden('Token is not valid for this tenant');
}

/** App-wide guard for /v1/tenants/{tenant}/…: a tenant-scoped token may only touch its own tenant. */
export function tenantScope(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    assertTenantInScope(c, c.req.param('tenant'));
    await next();
  };
}

/**
 * Route middleware for routes under /v1/tenants/{tenant}: scope check, then 404 unless the tenant has a row in
 * integration.integrations. Routes that create that row (starting an activation) leave this out.
 */
export function knownTenant(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const tenant = c.req.param('tenant');
    assertTenantInScope(c, tenant);
    if (!tenant || !(await tenantExists(c.get('deps').database, tenant))) throw notFound('Tenant not found');
    await next();
  };
}

/** Which tenant check a route needs, after its roles (see `access`). */
export type TenantCheck = 'known' | 'scope' | 'none';

/**
 * The access rule of one route, declared in its `createRoute` as `middleware: access(policy, { tenant })`: the roles
 * of `rolePolicy[policy]`, then the tenant check:
 * - `known`: the tenant is in the token's scope and has a row in integration.integrations (404 otherwise);
 * - `scope`: only the scope check (the routes that create that row, or look the tenant up themselves);
 * - `none`: the path names no tenant.
 * The app-wide `tenantScope` (api/app.ts) checks the scope of every /v1/tenants/{tenant}/… path before this, so a
 * scoped token on another tenant is refused for its tenant before its role is looked at. `test/api/access.test.ts`
 * holds every route's rule and walks the OpenAPI document to check each operation refuses what it must.
 */
export function access(policy: keyof typeof rolePolicy, { tenant }: { tenant: TenantCheck }): MiddlewareHandler<AppBindings>[] {
  const roleCheck = requireRole(...rolePolicy[policy]);
  if (tenant === 'known') return [roleCheck, knownTenant()];
  if (tenant === 'scope') return [roleCheck, tenantScope()];
  return [roleCheck];
}
