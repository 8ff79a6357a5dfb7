import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { createPayloadCodec } from '../../lib/codec.js';
import { parseEnv } from '../../lib/env.js';
import { startCodecProxy } from '../../scripts/local/codec-proxy.js';
import { toWire, wireValue } from '../helpers/codec-wire.js';

/**
 * The local codec proxy of `npm start` (scripts/local/codec-proxy.ts) over real HTTP, in front of the real API,
 * called the way Temporal UI 2.54 calls a codec from the browser (test/ui/ opens the UI itself).
 */
const supportToken = 'proxy-support-token';
const uiOrigin = 'http://127.0.0.1:8233';
const env = parseEnv({ API_TOKENS: `${supportToken}:support`, TEMPORAL_UI_ORIGIN: uiOrigin, LOG_LEVEL: 'silent' });
const noDatabase = new Proxy({}, { get: () => { throw new Error('the codec endpoint must not use the database'); } }) as Database;

let api: ServerType;
let apiUrl: string;
const proxies: { url: string; stop(): Promise<void> }[] = [];

beforeAll(async () => {
  api = await new Promise((resolve) => {
    const s = serve({ fetch: createApp({ database: noDatabase, env }).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const p of proxies) await p.stop();
  await new Promise<void>((r) => api.close(() => r()));
});

async function proxy(token: string) {
  const p = await startCodecProxy({ port: 0, apiUrl, supportToken: token, uiOrigins: [uiOrigin] });
  proxies.push(p);
  return p.url;
}

const workOrder = { tenantId: 'demo', workOrderId: 'WB-2024-0042' };
async function encryptedWire() {
  const [p] = await createPayloadCodec(env).encode([defaultPayloadConverter.toPayload(workOrder)]);
  return toWire(p);
}
const valueOf = wireValue;

const uiHeaders = { origin: uiOrigin, 'content-type': 'application/json', 'x-namespace': 'default' };

describe('local codec proxy', () => {
  it('answers the preflight of the UI origin with the headers and credentials the UI uses', async () => {
    const url = await proxy(supportToken);
    const res = await fetch(`${url}/decode?preserveStorageRefs=true`, {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
  });

  it('decodes POST …/decode?preserveStorageRefs=true with the development support token', async () => {
    const url = await proxy(supportToken);
    const res = await fetch(`${url}/decode?preserveStorageRefs=true`, { method: 'POST', headers: uiHeaders, body: JSON.stringify({ payloads: [await encryptedWire()] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(body.payloads.map(valueOf)).toEqual([workOrder]);
  });

  it('passes the API refusal on when its token is wrong, readable by the UI (CORS on the 401)', async () => {
    const url = await proxy('not-the-support-token');
    const res = await fetch(`${url}/decode?preserveStorageRefs=true`, { method: 'POST', headers: uiHeaders, body: JSON.stringify({ payloads: [await encryptedWire()] }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(await res.text()).not.toContain('WB-2024-0042');
  });

  it('gives another site no CORS headers, and knows only decode and encode', async () => {
    const url = await proxy(supportToken);
    const other = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${url}/download?preserveStorageRefs=true`, { method: 'POST', headers: uiHeaders, body: '{}' })).status).toBe(404);
    expect((await fetch(`${url}/decode`, { headers: { origin: uiOrigin } })).status).toBe(404);
  });
});
