import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { freePort } from '../../scripts/local/temporal-server.js';
import { freshDatabase } from '../helpers/db.js';
import { auth, buildApp, fakeTemporal, getJson, postJson, seedTenant, tokens } from './helpers.js';

/**
 * Bad input gets a clear 400 naming the field, never a 500 and never data that cannot be stored or sent right;
 * a database that is away gets 503 with Retry-After, not 500 (docs/api.md, "Errors").
 */
let database: Database;
let app: ReturnType<typeof buildApp>;
const tenant = 'bad-input';

const snapshot = (overrides: Record<string, unknown> = {}) => ({
  number: 'WB-1', status: 'completed', customerId: null, workAddressId: null, description: 'Onderhoud', customerReference: null,
  assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [], ...overrides,
});
const material = (overrides: Record<string, unknown>) => ({ articleId: null, quantity: 1, price: 10, ...overrides });

beforeAll(async () => {
  ({ database } = await freshDatabase('api_bad_input'));
  app = buildApp(database, { temporal: fakeTemporal() });
  await seedTenant(database, tenant, { status: 'deactivated' });
});
afterAll(async () => {
  await database?.close();
});

describe('NUL characters (PostgreSQL cannot store them)', () => {
  it('in any text of a work order: 400 naming the field, nothing stored', async () => {
    for (const [body, path] of [
      [snapshot({ description: 'Lek\u0000kage' }), 'description'],
      [snapshot({ number: 'WB\u00001' }), 'number'],
      [snapshot({ materials: [material({ description: 'Kraan\u0000' })] }), 'materials.0.description'],
    ] as const) {
      const res = await postJson(app, `/v1/tenants/${tenant}/work-orders/wo-nul/archive`, tokens.backend, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation', issues: [{ path }] });
    }
    const [row] = await database.sql`select count(*)::int as n from integration.document_exports where tenant_id = ${tenant}`;
    expect(row.n).toBe(0);
  });

  it("in the settings' filter word and in a query string: 400 at once, no retries, no SQL in the answer", async () => {
    const res = await app.request(`/v1/tenants/${tenant}/integration/settings`, {
      method: 'PUT', headers: auth(tokens.admin, { 'content-type': 'application/json' }),
      body: JSON.stringify({ settings: { provider: 'factuursturen', termsAccepted: true, excludeFilterWord: 'x\u0000y' } }),
    });
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(400);
    expect(body.issues[0].path).toBe('settings.excludeFilterWord');
    expect(JSON.stringify(body)).not.toMatch(/insert|select|update/i);
    const query = await getJson(app, `/v1/tenants/${tenant}/logs?table=Klant%00`, tokens.admin);
    expect(query.status).toBe(400);
    expect(query.body.issues[0].path).toBe('query.table');
  });
});

describe('quantities, prices and dates the product cannot store or send right', () => {
  it.each([
    ['a quantity that rounds to 0 at storage precision', snapshot({ materials: [material({ quantity: 0.00001 })] }), 'materials.0.quantity'],
    ['a quantity with more decimals than stored', snapshot({ materials: [material({ quantity: 2.00005 })] }), 'materials.0.quantity'],
    ['a price with more decimals than stored', snapshot({ materials: [material({ price: 12.34567 })] }), 'materials.0.price'],
    ['an archive date in year 0001', snapshot({ archivedAt: '0001-01-01T00:00:00Z' }), 'archivedAt'],
    ['an archive date in year 9999', snapshot({ archivedAt: '9999-12-31T00:00:00Z' }), 'archivedAt'],
  ])('%s: 400 naming the field', async (_what, body, path) => {
    const res = await postJson(app, `/v1/tenants/${tenant}/work-orders/wo-q/archive`, tokens.backend, body);
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('accepts four decimals and an archive time of today', async () => {
    const res = await postJson(app, `/v1/tenants/${tenant}/work-orders/wo-ok/archive`, tokens.backend,
      snapshot({ materials: [material({ quantity: 0.3333, price: 12.3456 })], archivedAt: new Date().toISOString() }));
    // The integration is deactivated: recorded as held (nothing to start in Temporal).
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.export.state).toBe('held');
  });
});

describe('methods a route does not have', () => {
  it('answers 405 with Allow, not 404', async () => {
    const res = await app.request(`/v1/tenants/${tenant}/logs`, { method: 'DELETE', headers: auth(tokens.admin) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(((await res.json()) as { error: string }).error).toBe('method_not_allowed');
    expect((await app.request('/v1/no-such-thing', { headers: auth(tokens.admin) })).status).toBe(404);
  });
});

describe('a database that is away', () => {
  it('answers 503 with Retry-After and database_unavailable, distinguishable from a bug', async () => {
    const gone = connectDatabase(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/none`);
    try {
      const res = await buildApp(gone).request(`/v1/tenants/${tenant}/integration`, { headers: auth(tokens.admin) });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(body).toMatchObject({ error: 'database_unavailable' });
    } finally {
      await gone.close();
    }
  });
});
