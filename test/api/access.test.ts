import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOpenAPI } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import type { Role } from '../../lib/env.js';
import { freshDatabase } from '../helpers/db.js';
import { buildApp, seedTenant, tokens } from './helpers.js';

/**
 * Every operation of the OpenAPI document with the roles and tenant check it must enforce (docs/api.md, "Roles"),
 * written down here independently of `access(…)` in the routes: a route added without a row fails, and so does a
 * row whose route lets through a token it must refuse.
 * - read: support, admin, backend; admin: admin, backend; backend: backend only.
 * - known: a tenant without an integration row is 404 before anything else; scope: only the token's tenant scope.
 */
const rules: Record<string, { policy: 'read' | 'admin' | 'backend'; tenant: 'known' | 'scope' | 'none' }> = {
  'GET /v1/providers': { policy: 'read', tenant: 'none' },
  'GET /v1/terms': { policy: 'read', tenant: 'none' },
  'GET /v1/tenants/{tenant}/integration': { policy: 'read', tenant: 'known' },
  'POST /v1/tenants/{tenant}/integration/activation': { policy: 'admin', tenant: 'scope' },
  'POST /v1/tenants/{tenant}/integration/activation/wipe': { policy: 'admin', tenant: 'scope' },
  'POST /v1/tenants/{tenant}/integration/activation/connect': { policy: 'admin', tenant: 'scope' },
  'POST /v1/tenants/{tenant}/integration/activation/check-settings': { policy: 'admin', tenant: 'scope' },
  'GET /v1/tenants/{tenant}/integration/activation/oauth-url': { policy: 'admin', tenant: 'scope' },
  'PUT /v1/tenants/{tenant}/integration/settings': { policy: 'admin', tenant: 'scope' },
  'GET /v1/tenants/{tenant}/integration/options/{list}': { policy: 'admin', tenant: 'scope' },
  'POST /v1/tenants/{tenant}/integration/sync': { policy: 'admin', tenant: 'known' },
  'POST /v1/tenants/{tenant}/integration/reconcile': { policy: 'admin', tenant: 'known' },
  'POST /v1/tenants/{tenant}/integration/pause': { policy: 'admin', tenant: 'known' },
  'POST /v1/tenants/{tenant}/integration/resume': { policy: 'admin', tenant: 'known' },
  'POST /v1/tenants/{tenant}/integration/deactivate': { policy: 'admin', tenant: 'known' },
  'GET /v1/tenants/{tenant}/runs': { policy: 'read', tenant: 'known' },
  'POST /v1/tenants/{tenant}/work-orders/{id}/archive': { policy: 'backend', tenant: 'known' },
  'GET /v1/tenants/{tenant}/work-orders/{id}/export': { policy: 'read', tenant: 'known' },
  'POST /v1/tenants/{tenant}/work-orders/{id}/export/retry': { policy: 'admin', tenant: 'known' },
  'POST /v1/tenants/{tenant}/work-orders/{id}/preview': { policy: 'admin', tenant: 'known' },
  'GET /v1/tenants/{tenant}/exports': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/simon-tables': { policy: 'read', tenant: 'known' },
  // The handler looks the tenant up beside the page query (api/logs/logs.handlers.ts).
  'GET /v1/tenants/{tenant}/logs': { policy: 'read', tenant: 'scope' },
  'GET /v1/tenants/{tenant}/customers': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/customers/{customerId}/work-addresses': { policy: 'read', tenant: 'known' },
  'POST /v1/tenants/{tenant}/customers/{customerId}/work-addresses': { policy: 'backend', tenant: 'known' },
  'GET /v1/tenants/{tenant}/work-addresses': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/articles': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/article-groups': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/work-orders': { policy: 'read', tenant: 'known' },
  'POST /v1/webhook-endpoints': { policy: 'admin', tenant: 'none' },
  'GET /v1/webhook-endpoints': { policy: 'admin', tenant: 'none' },
  'PATCH /v1/webhook-endpoints/{id}': { policy: 'admin', tenant: 'none' },
  'DELETE /v1/webhook-endpoints/{id}': { policy: 'admin', tenant: 'none' },
  'POST /v1/webhook-endpoints/{id}/rotate-secret': { policy: 'admin', tenant: 'none' },
  'GET /v1/tenants/{tenant}/events': { policy: 'read', tenant: 'known' },
  'GET /v1/tenants/{tenant}/events/{eventId}': { policy: 'read', tenant: 'known' },
  'POST /v1/tenants/{tenant}/events/{eventId}/redeliver': { policy: 'admin', tenant: 'known' },
};
const policyRoles: Record<string, readonly Role[]> = { read: ['support', 'admin', 'backend'], admin: ['admin', 'backend'], backend: ['backend'] };
/** Reachable without a token (`security: []`). */
const publicOperations = ['GET /v1/health', 'GET /v1/ready', 'GET /v1/oauth/{provider}/callback'];
/** The Temporal codec has its own token check (api/codec/codec.access.ts, test/codec/endpoint.test.ts). */
const codecOperations = ['POST /codec/decode', 'POST /codec/encode'];

const callers = [
  { name: 'admin', token: tokens.admin, role: 'admin' },
  { name: 'support', token: tokens.support, role: 'support' },
  { name: 'backend', token: tokens.backend, role: 'backend' },
  { name: 'acmeAdmin', token: tokens.acmeAdmin, role: 'admin', tenant: 'acme' },
  { name: 'acmeBackend', token: tokens.acmeBackend, role: 'backend', tenant: 'acme' },
] as const;

let database: Database;
let app: AppOpenAPI;
let operations: { key: string; method: string; template: string; security?: unknown }[];

beforeAll(async () => {
  ({ database } = await freshDatabase('api_access'));
  app = buildApp(database);
  await seedTenant(database, 'acme');
  await seedTenant(database, 'other');
  const doc = (await (await app.request('/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
  operations = Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template, security: op.security })));
});

afterAll(async () => {
  await database?.close();
});

/** A request to the operation for the tenant; `{}` as the body (validation comes after the access checks). */
async function call(method: string, template: string, tenant: string, token: string) {
  const path = template
    .replace('{tenant}', tenant)
    .replace('{list}', 'articles')
    .replace(/\{(id|eventId|customerId)\}/g, (_, name: string) => (name === 'id' && !template.includes('webhook') ? 'wo-1' : randomUUID()));
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });
  const text = await res.text();
  let message = '';
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? '';
  } catch {
    // An HTML page (the terms).
  }
  return { status: res.status, message, label: `${method} ${path} as ${token}` };
}

describe('access rules of every operation', () => {
  it('the document lists exactly the operations of the table, the public ones without security', () => {
    const keys = operations.map((o) => o.key);
    expect([...keys].sort()).toEqual([...Object.keys(rules), ...publicOperations, ...codecOperations].sort());
    for (const op of operations) expect(op.security, op.key).toEqual(publicOperations.includes(op.key) ? [] : undefined);
  });

  it('refuses every role outside the rule (support on any write) and lets the others through', async () => {
    for (const { key, method, template } of operations.filter((o) => rules[o.key])) {
      const allowed = policyRoles[rules[key].policy];
      expect(method === 'GET' || !allowed.includes('support'), `${key}: support may only read`).toBe(true);
      for (const caller of callers) {
        const { status, message, label } = await call(method, template, 'acme', caller.token);
        if (allowed.includes(caller.role)) {
          expect([401, 403], `${label}: ${status} ${message}`).not.toContain(status);
        } else {
          expect(status, label).toBe(403);
          expect(message, label).toMatch(/^(Requires role|Support tokens are read-only)/);
        }
      }
    }
  });

  it("refuses a tenant-scoped token on another tenant's operations, whatever its role", async () => {
    const tenantOps = operations.filter((o) => rules[o.key] && o.template.includes('{tenant}'));
    expect(tenantOps.length).toBeGreaterThan(25);
    for (const { method, template } of tenantOps) {
      for (const caller of callers.filter((c) => 'tenant' in c)) {
        const { status, message, label } = await call(method, template, 'other', caller.token);
        expect(status, label).toBe(403);
        expect(message, label).toBe('Token is not valid for this tenant');
      }
    }
  });

  it('answers 404 for an unknown tenant on the operations that need a known one, before reading the request', async () => {
    for (const { key, method, template } of operations.filter((o) => rules[o.key]?.tenant === 'known')) {
      const caller = callers.find((c) => !('tenant' in c) && policyRoles[rules[key].policy].includes(c.role))!;
      const { status, message, label } = await call(method, template, 'ghost', caller.token);
      expect(status, label).toBe(404);
      expect(message, label).toBe('Tenant not found');
    }
  });
});
