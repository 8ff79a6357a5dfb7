import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { activate } from '../helpers/activation.js';

/**
 * "Never a 500 for a client's mistake": every route of the OpenAPI document, for a known and an unknown tenant,
 * with odd path values and a series of bad bodies, answered by every role. A 5xx fails the test with the request.
 */
let stack: Stack;
const tenant = uniqueTenant('fuzz');

beforeAll(async () => {
  stack = await startStack('fuzz');
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 10 });
  await activate(stack, { provider: 'factuursturen', tenant });
});
afterAll(async () => {
  await stack?.stop();
});

const badBodies: (string | undefined)[] = [undefined, '', '{', 'null', '[]', '"text"', '{}', '{"settings":{"provider":"nope"}}',
  '{"confirm":"yes"}', '{"customers":"maybe"}', '{"number":123,"status":"completed"}', JSON.stringify({ x: 'a'.repeat(20_000) })];
const oddValues = ['x', 'does-not-exist', '%20', 'a'.repeat(300), '..', 'ü'];

describe('every route', () => {
  it('answers bad input with a 4xx, never a 5xx', async () => {
    const doc = (await stack.api('GET', '/v1/openapi.json', undefined, null)).body as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.entries(doc.paths);
    expect(paths.length).toBeGreaterThan(25);
    const failures: string[] = [];
    let requests = 0;
    const statuses = new Set<number>();
    for (const [template, methods] of paths) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        for (const value of oddValues.slice(0, 3)) {
          for (const t of [tenant, 'unknown-tenant']) {
            const path = template.replace('{tenant}', t).replace(/\{[^}]+\}/g, encodeURIComponent(value));
            for (const body of method === 'GET' ? [undefined] : badBodies) {
              for (const token of [tokens.admin, tokens.support, null]) {
                const res = await stack.api(method, path, body, token);
                requests++;
                statuses.add(res.status);
                if (res.status >= 500) failures.push(`${method} ${path} body=${String(body).slice(0, 40)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
              }
            }
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
    // The requests reached the handlers: validation, auth, role, unknown tenant and wrong state all answered.
    expect([...statuses]).toEqual(expect.arrayContaining([400, 401, 403, 404, 409]));
    expect(failures).toEqual([]);
  }, 240_000);
});
