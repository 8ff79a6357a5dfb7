import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { createApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { createPayloadCodec } from '../../lib/codec.js';
import { parseEnv } from '../../lib/env.js';
import { toWire, wireValue } from '../helpers/codec-wire.js';

const tokens = {
  admin: 'codec-admin-token',
  support: 'codec-support-token',
  backend: 'codec-backend-token',
  scopedSupport: 'codec-acme-support-token',
};
const env = parseEnv({
  API_TOKENS: [`${tokens.admin}:admin`, `${tokens.support}:support`, `${tokens.backend}:backend`, `${tokens.scopedSupport}:support:acme`].join(','),
  TEMPORAL_UI_ORIGIN: 'http://localhost:8233,https://temporal.example.nl',
  LOG_LEVEL: 'silent',
});
// The codec endpoints never touch the database; any use would fail loudly.
const noDatabase = new Proxy({}, { get: () => { throw new Error('the codec endpoint must not use the database'); } }) as Database;
const app = createApp({ database: noDatabase, env });

const uiOrigin = 'http://localhost:8233';
const plainPayload = (value: unknown) => toWire(defaultPayloadConverter.toPayload(value));
const valueOf = wireValue;
const metadataText = (p: { metadata: Record<string, string> }, key: string) => Buffer.from(p.metadata[key], 'base64').toString('utf8');

async function post(path: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { res, status: res.status, body: text ? JSON.parse(text) : null };
}

const workOrder = { customer: 'Bakkerij Jansen', street: 'Molenweg 12', total: 845.5 };

describe('codec endpoint access', () => {
  it('refuses a request without a token or with an unknown token (401)', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const none = await post(path, { payloads: [] });
      expect(none.status).toBe(401);
      expect(none.res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await post(path, { payloads: [] }, 'not-a-token')).status).toBe(401);
    }
  });

  it('refuses a backend token and a tenant-scoped token (403)', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const backend = await post(path, { payloads: [plainPayload(workOrder)] }, tokens.backend);
      expect(backend.status).toBe(403);
      expect(backend.body.error).toBe('forbidden');
      expect(JSON.stringify(backend.body)).not.toContain('Bakkerij');
      expect((await post(path, { payloads: [] }, tokens.scopedSupport)).status).toBe(403);
    }
  });

  it('encodes for admin only: support is read-only and may decode', async () => {
    const refused = await post('/codec/encode', { payloads: [plainPayload(workOrder)] }, tokens.support);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('admin');
    const enc = await post('/codec/encode', { payloads: [plainPayload(workOrder)] }, tokens.admin);
    expect(enc.status).toBe(200);
    const dec = await post('/codec/decode', enc.body, tokens.support);
    expect(dec.status).toBe(200);
    expect(dec.body.payloads.map(valueOf)).toEqual([workOrder]);
  });

  it('encodes and decodes for admin, in the Temporal codec protocol shape', async () => {
    for (const token of [tokens.admin]) {
      const enc = await post('/codec/encode', { payloads: [plainPayload(workOrder), plainPayload('tweede')] }, token);
      expect(enc.status).toBe(200);
      expect(enc.body.payloads).toHaveLength(2);
      for (const p of enc.body.payloads) {
        expect(metadataText(p, 'encoding')).toBe('binary/encrypted');
        expect(metadataText(p, 'encryption-key-id')).toBe(env.PAYLOAD_KEYS[0].id);
        expect(Buffer.from(p.data, 'base64').toString('utf8')).not.toContain('Bakkerij');
      }
      const dec = await post('/codec/decode', enc.body, token);
      expect(dec.status).toBe(200);
      expect(dec.body.payloads.map(valueOf)).toEqual([workOrder, 'tweede']);
      expect(metadataText(dec.body.payloads[0], 'encoding')).toBe('json/plain');
    }
  });

  it('decodes what the worker encrypted (same keys), and leaves plaintext payloads alone', async () => {
    const [fromWorker] = await createPayloadCodec(env).encode([defaultPayloadConverter.toPayload(workOrder)]);
    const wire = toWire(fromWorker);
    const dec = await post('/codec/decode', { payloads: [wire, plainPayload('al leesbaar')] }, tokens.support);
    expect(dec.status).toBe(200);
    expect(dec.body.payloads.map(valueOf)).toEqual([workOrder, 'al leesbaar']);
  });

  it('answers 400 for a payload under an unknown key and for a malformed body', async () => {
    const other = createPayloadCodec(parseEnv({ PAYLOAD_KEYS: `elders:${Buffer.alloc(32, 7).toString('base64')}` }));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const wire = toWire(foreign);
    const unknown = await post('/codec/decode', { payloads: [wire] }, tokens.support);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'codec_error', message: expect.stringContaining("'elders'") });

    expect((await post('/codec/decode', { payloads: [{ data: 'niet base64!' }] }, tokens.support)).status).toBe(400);
    expect((await post('/codec/decode', { nothing: true }, tokens.support)).status).toBe(400);
    expect((await post('/codec/decode', '{"payloads": [', tokens.support)).status).toBe(400);
  });
});

describe('codec endpoint CORS for the Temporal UI', () => {
  it('answers the preflight without a token, for a configured UI origin', async () => {
    const res = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.split(',').sort()).toEqual(['authorization', 'authorization-extras', 'content-type', 'x-namespace']);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it("answers the UI's real call: POST …/decode?preserveStorageRefs=true with X-Namespace, after its preflight", async () => {
    // What Temporal UI 2.54 sends (docs/production-stack.md): the query string is no part of the operation.
    const preflight = await app.request('/codec/decode?preserveStorageRefs=true', {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,authorization-extras,content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const [encrypted] = await createPayloadCodec(env).encode([defaultPayloadConverter.toPayload(workOrder)]);
    const wire = toWire(encrypted);
    const dec = await post('/codec/decode?preserveStorageRefs=true', { payloads: [wire] }, tokens.support, { origin: uiOrigin, 'authorization-extras': 'an-id-token' });
    expect(dec.status).toBe(200);
    expect(dec.res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(dec.body.payloads.map(valueOf)).toEqual([workOrder]);
  });

  it('gives no allow-origin to another site', async () => {
    const res = await app.request('/codec/encode', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post401 = await post('/codec/decode', { payloads: [] }, undefined, { origin: 'https://evil.example' });
    expect(post401.res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets the allow-origin on answers too, so the UI can read a 200 and a 401', async () => {
    const ok = await post('/codec/decode', { payloads: [plainPayload(1)] }, tokens.support, { origin: 'https://temporal.example.nl' });
    expect(ok.status).toBe(200);
    expect(ok.res.headers.get('access-control-allow-origin')).toBe('https://temporal.example.nl');
    const denied = await post('/codec/decode', { payloads: [] }, undefined, { origin: uiOrigin });
    expect(denied.status).toBe(401);
    expect(denied.res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });
});

describe('codec endpoint in the API', () => {
  it('is described in the OpenAPI document', async () => {
    const res = await app.request('/v1/openapi.json');
    const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const path of ['/codec/decode', '/codec/encode']) {
      expect(doc.paths[path]?.post, path).toBeDefined();
      expect(Object.keys(doc.paths[path].post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    }
  });

  it('leaves /v1 as it was: the support token is still read-only there', async () => {
    const res = await app.request('/v1/tenants/acme/integration/sync', { method: 'POST', headers: { authorization: `Bearer ${tokens.support}` } });
    expect(res.status).toBe(403);
  });
});
