import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRoute } from '@hono/zod-openapi';
import { createRouter, createTestApp, registerRoutes, type AppOpenAPI } from '../../api/app.js';
import { conflict } from '../../api/errors.js';
import type { Database } from '../../db/client.js';
import { customers } from '../../db/schema.js';
import { freshDatabase } from '../helpers/db.js';
import { auth, buildApp, getJson, postJson, seedTenant, testEnv, tokens } from './helpers.js';

let database: Database;
let app: AppOpenAPI;
let acmeCustomerId: string;
let otherCustomerId: string;

const tenantGetRoutes = (tenant: string, customerId: string) => [
  `/v1/tenants/${tenant}/integration`,
  `/v1/tenants/${tenant}/simon-tables`,
  `/v1/tenants/${tenant}/logs`,
  `/v1/tenants/${tenant}/customers`,
  `/v1/tenants/${tenant}/customers/${customerId}/work-addresses`,
  `/v1/tenants/${tenant}/work-addresses`,
  `/v1/tenants/${tenant}/articles`,
  `/v1/tenants/${tenant}/article-groups`,
  `/v1/tenants/${tenant}/work-orders?source=quote`,
];

beforeAll(async () => {
  ({ database } = await freshDatabase('api_app'));
  app = buildApp(database);
  await seedTenant(database, 'acme');
  await seedTenant(database, 'other');
  [{ id: acmeCustomerId }] = await database.db
    .insert(customers)
    .values({ tenantId: 'acme', name: 'Jan den Butter', number: 'K1', externalId: 'c-1' })
    .returning({ id: customers.id });
  [{ id: otherCustomerId }] = await database.db
    .insert(customers)
    .values({ tenantId: 'other', name: 'Geheim BV', number: 'K9', externalId: 'c-9' })
    .returning({ id: customers.id });
});

afterAll(async () => {
  await database?.close();
});

describe('authentication', () => {
  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const { status, body, res } = await getJson(app, '/v1/providers');
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'unauthorized' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses an unknown token, a prefix of a real token and a non-Bearer scheme', async () => {
    for (const authorization of ['Bearer nope', `Bearer ${tokens.admin.slice(0, -1)}`, `Bearer ${tokens.admin}x`, `Basic ${tokens.admin}`, 'Bearer']) {
      const res = await app.request('/v1/tenants/acme/logs', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('accepts every configured role for reads', async () => {
    for (const token of [tokens.admin, tokens.support, tokens.backend, tokens.acmeAdmin]) {
      const { status } = await getJson(app, '/v1/tenants/acme/logs', token);
      expect(status).toBe(200);
    }
  });

  it('refuses every tenant route without a token, before looking at the tenant', async () => {
    for (const path of tenantGetRoutes('acme', acmeCustomerId)) {
      const { status } = await getJson(app, path);
      expect(status, path).toBe(401);
    }
  });

  it('serves the API reference page at /v1/docs without a token, built from /v1/openapi.json', async () => {
    const res = await app.request('/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Simon accounting integrations API</title>');
    expect(html).toContain('/v1/openapi.json');
    expect(html).toContain('@scalar/api-reference');
  });

  it('serves the OpenAPI document without a token', async () => {
    const { status, body } = await getJson(app, '/v1/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(body.info.title).toBe('Simon accounting integrations API');
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(body.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/providers',
        '/v1/tenants/{tenant}/integration',
        '/v1/tenants/{tenant}/simon-tables',
        '/v1/tenants/{tenant}/logs',
        '/v1/tenants/{tenant}/customers',
        '/v1/tenants/{tenant}/customers/{customerId}/work-addresses',
        '/v1/tenants/{tenant}/work-addresses',
        '/v1/tenants/{tenant}/articles',
        '/v1/tenants/{tenant}/article-groups',
        '/v1/tenants/{tenant}/work-orders',
      ]),
    );
    expect(body.paths['/v1/tenants/{tenant}/customers/{customerId}/work-addresses'].post.requestBody).toBeDefined();
    expect(body.paths['/v1/tenants/{tenant}/logs'].get.responses['200']).toBeDefined();
    // The document preview (docs/preview.md): the archive's snapshot in, the document, request body and problems out.
    const preview = body.paths['/v1/tenants/{tenant}/work-orders/{id}/preview'].post;
    expect(preview.requestBody.content['application/json'].schema).toEqual(body.paths['/v1/tenants/{tenant}/work-orders/{id}/archive'].post.requestBody.content['application/json'].schema);
    expect(Object.keys(preview.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(Object.keys(body.components.schemas.DocumentPreview.properties)).toEqual(expect.arrayContaining(['document', 'requestBody', 'problems']));
  });
});

describe('roles', () => {
  const newAddress = { street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven' };

  it('adding a work address is for the backend only', async () => {
    const path = `/v1/tenants/acme/customers/${acmeCustomerId}/work-addresses`;
    for (const token of [tokens.support, tokens.admin, tokens.acmeAdmin]) {
      const { status, body } = await postJson(app, path, token, newAddress);
      expect(status, token).toBe(403);
      expect(body.error).toBe('forbidden');
    }
    expect((await postJson(app, path, tokens.backend, newAddress)).status).toBe(201);
    expect((await postJson(app, path, tokens.acmeBackend, newAddress)).status).toBe(201);
  });

  it('support is read-only on any path, even one without a role rule', async () => {
    const { status } = await postJson(app, '/v1/providers', tokens.support, {});
    expect(status).toBe(403);
  });
});

describe('tenant scoping', () => {
  it("refuses a tenant-scoped token on another tenant's routes with 403 and no data", async () => {
    for (const path of tenantGetRoutes('other', otherCustomerId)) {
      const { status, body } = await getJson(app, path, tokens.acmeAdmin);
      expect(status, path).toBe(403);
      expect(body).toEqual({ error: 'forbidden', message: expect.any(String) });
      expect(JSON.stringify(body)).not.toContain('Geheim');
    }
    const write = await postJson(app, `/v1/tenants/other/customers/${otherCustomerId}/work-addresses`, tokens.acmeBackend, {
      street: 'a', postalCode: 'b', city: 'c',
    });
    expect(write.status).toBe(403);
  });

  it('answers 403, not 404, for an unknown tenant with a scoped token (existence does not leak)', async () => {
    const { status } = await getJson(app, '/v1/tenants/ghost/logs', tokens.acmeAdmin);
    expect(status).toBe(403);
  });

  it("never returns another tenant's customer through the caller's own tenant", async () => {
    const { status } = await getJson(app, `/v1/tenants/acme/customers/${otherCustomerId}/work-addresses`, tokens.acmeAdmin);
    expect(status).toBe(404);
    const write = await postJson(app, `/v1/tenants/acme/customers/${otherCustomerId}/work-addresses`, tokens.acmeBackend, {
      street: 'a', postalCode: 'b', city: 'c',
    });
    expect(write.status).toBe(404);
  });
});

describe('unknown tenant and routes', () => {
  it('answers 404 not_found for every tenant route of an unknown tenant', async () => {
    for (const path of tenantGetRoutes('ghost', acmeCustomerId)) {
      const { status, body } = await getJson(app, path, tokens.admin);
      expect(status, path).toBe(404);
      expect(body.error).toBe('not_found');
    }
    const { status } = await postJson(app, `/v1/tenants/ghost/customers/${acmeCustomerId}/work-addresses`, tokens.backend, {
      street: 'a', postalCode: 'b', city: 'c',
    });
    expect(status).toBe(404);
  });

  it('answers a JSON 404 for an unknown route', async () => {
    const { status, body } = await getJson(app, '/v1/nothing-here', tokens.admin);
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found' });
    const outside = await getJson(app, '/elsewhere');
    expect(outside.status).toBe(404);
  });
});

describe('bad input', () => {
  const path = () => `/v1/tenants/acme/customers/${acmeCustomerId}/work-addresses`;

  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const { status, body } = await postJson(app, path(), tokens.backend, '{"street": "Dunantstraat 140",');
    expect(status).toBe(400);
    expect(body.error).toBe('malformed_json');
  });

  it('answers 400 with the zod issues (path and message) for a bad body', async () => {
    const { status, body } = await postJson(app, path(), tokens.backend, { street: 12, city: '' , color: 'red' });
    expect(status).toBe(400);
    expect(body.error).toBe('validation');
    const paths = body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['street', 'postalCode', 'city']));
    for (const issue of body.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('answers 400 for a body that is JSON but not an object, and for an empty body', async () => {
    expect((await postJson(app, path(), tokens.backend, '[1,2]')).status).toBe(400);
    expect((await postJson(app, path(), tokens.backend, 'null')).status).toBe(400);
    const empty = await app.request(path(), { method: 'POST', headers: auth(tokens.backend) });
    expect(empty.status).toBe(400);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const res = await app.request(path(), {
      method: 'POST',
      headers: { ...auth(tokens.backend), 'content-type': 'text/plain' },
      body: 'street=x',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('answers 400 with the path for a bad path parameter', async () => {
    const { status, body } = await getJson(app, '/v1/tenants/acme/customers/not-a-uuid/work-addresses', tokens.admin);
    expect(status).toBe(400);
    expect(body.issues[0].path).toBe('customerId');
  });

  it('answers 400 for bad query parameters on every list', async () => {
    const cases = [
      '/v1/tenants/acme/logs?severity=fatal',
      '/v1/tenants/acme/logs?severity=warning,nope',
      '/v1/tenants/acme/logs?table=Factuur',
      '/v1/tenants/acme/logs?cursor=garbage!',
      '/v1/tenants/acme/logs?cursor=WzEsMl0',
      '/v1/tenants/acme/logs?limit=0',
      '/v1/tenants/acme/logs?limit=201',
      '/v1/tenants/acme/logs?limit=abc',
      '/v1/tenants/acme/customers?active=maybe',
      '/v1/tenants/acme/customers?limit=-1',
      '/v1/tenants/acme/work-addresses?origin=elsewhere',
      '/v1/tenants/acme/articles?groupId=1',
      '/v1/tenants/acme/work-orders?source=sales',
    ];
    for (const url of cases) {
      const { status, body } = await getJson(app, url, tokens.admin);
      expect(status, url).toBe(400);
      expect(body.error, url).toBe('validation');
      expect(body.issues.length, url).toBeGreaterThan(0);
    }
  });

  it('answers 413 for an oversized body', async () => {
    const { status } = await postJson(app, path(), tokens.backend, { street: 'x'.repeat(6 * 1024 * 1024), postalCode: '1', city: 'c' });
    expect(status).toBe(413);
  });
});

describe('error handling', () => {
  const boom = createRoute({
    method: 'get',
    path: '/boom/{kind}',
    request: { params: z.object({ kind: z.string() }) },
    responses: { 200: { description: 'never' } },
  });
  const errorsRouter = createRouter().openapi(boom, (c) => {
    const { kind } = c.req.valid('param');
    if (kind === 'conflict') throw conflict('Integration is not active');
    if (kind === 'zod') z.object({ n: z.number() }).parse({ n: 'x' });
    throw new Error('password=hunter2 at db.internal');
  });

  it('maps thrown errors: HttpError to its status, ZodError to 400, anything else to a bare 500', async () => {
    const testApp = createTestApp({ database, env: testEnv() }, errorsRouter);
    const c409 = await getJson(testApp, '/v1/boom/conflict', tokens.admin);
    expect(c409.status).toBe(409);
    expect(c409.body).toEqual({ error: 'conflict', message: 'Integration is not active' });

    const c400 = await getJson(testApp, '/v1/boom/zod', tokens.admin);
    expect(c400.status).toBe(400);
    expect(c400.body).toMatchObject({ error: 'validation', issues: [{ path: 'n' }] });

    const c500 = await getJson(testApp, '/v1/boom/crash', tokens.admin);
    expect(c500.status).toBe(500);
    expect(c500.body).toEqual({ error: 'internal', message: 'Internal server error', requestId: expect.any(String) });
    const text = JSON.stringify(c500.body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
  });

  it('lets another engineer add a router with registerRoutes after createApp, behind the same auth', async () => {
    const extra = createRouter().openapi(
      createRoute({ method: 'get', path: '/tenants/{tenant}/extra', request: { params: z.object({ tenant: z.string() }) }, responses: { 200: { description: 'ok' } } }),
      (c) => c.json({ ok: true, actor: c.get('auth').actor }, 200),
    );
    const extended = buildApp(database);
    registerRoutes(extended, [extra]);
    expect((await getJson(extended, '/v1/tenants/acme/extra')).status).toBe(401);
    expect((await getJson(extended, '/v1/tenants/other/extra', tokens.acmeAdmin)).status).toBe(403);
    const ok = await getJson(extended, '/v1/tenants/acme/extra', tokens.admin, { 'x-actor': 'jan@bedrijf.nl' });
    expect(ok.body).toEqual({ ok: true, actor: 'admin#1:jan@bedrijf.nl' });
    const doc = await getJson(extended, '/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/v1/tenants/{tenant}/extra');
  });
});

describe('request id', () => {
  it('echoes a valid x-request-id and makes one otherwise, also on errors', async () => {
    const given = await app.request('/v1/providers', { headers: auth(tokens.admin, { 'x-request-id': 'req-123' }) });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const made = await app.request('/v1/providers');
    expect(made.status).toBe(401);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
