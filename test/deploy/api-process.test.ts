import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { freePort } from '../../scripts/local/temporal-server.js';
import { freshDatabase } from '../helpers/db.js';
import { exitWithin, startService, type ServiceProcess } from './process.js';

/**
 * `npm run api` as its own process (issue 7): JSON logs, /v1/health and /v1/ready over real HTTP, and a SIGTERM
 * that stops new connections while a request in flight still gets its answer.
 */

const adminToken = 'api-process-admin-token';
const graceMs = 5_000;
let database: Database;
let api: ServiceProcess;
let port: number;

function request(method: string, path: string, opts: { body?: string; token?: string } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  const db = await freshDatabase('api-process');
  database = db.database;
  port = await freePort();
  api = startService('api.ts', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: String(port),
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    API_TOKENS: `${adminToken}:admin`,
    API_SHUTDOWN_GRACE: `${graceMs}ms`,
  });
  await api.waitForLine((e) => e.msg === 'API listening');
});

afterAll(async () => {
  api?.kill();
  await database?.close();
});

describe('API process', () => {
  it('answers /v1/health and /v1/ready without a token', async () => {
    expect(await request('GET', '/v1/health')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await request('GET', '/v1/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('on SIGTERM stops accepting connections, finishes the request in flight, then exits 0', async () => {
    const tenant = 'graceful-1';
    // A request whose body is still arriving when the signal comes: the server has it in hand and must answer it.
    const inFlight = new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: `/v1/tenants/${tenant}/integration/activation`, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.write('{"provider":');
      void api.waitForLine((e) => e.msg?.startsWith('shutting down')).then(async () => {
        // The listener is closed now: a new connection is refused while this request is still open.
        await expect(request('GET', '/v1/health')).rejects.toThrow(/ECONNREFUSED/);
        req.end('"factuursturen"}');
      }, reject);
    });
    // Let the request's headers reach the server before the signal.
    await new Promise((r) => setTimeout(r, 300));
    api.child.kill('SIGTERM');

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenant, status: 'activating' });
    expect(await exitWithin(api, graceMs + 5_000)).toBe(0);
    const rows = await database.sql`select status from integration.integrations where tenant_id = ${tenant}`;
    expect(rows.map((r) => r.status)).toEqual(['activating']);
  });

  it('logged JSON lines only, with the request id and tenant on request lines and never the token', () => {
    const entries = api.lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(entries.length).toBeGreaterThan(3);
    for (const e of entries) expect(e).toMatchObject({ service: 'api', level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    const post = entries.find((e) => e.msg === 'request' && e.method === 'POST');
    expect(post).toMatchObject({ tenant: 'graceful-1', status: 200, requestId: expect.any(String) });
    expect(entries.some((e) => e.msg === 'API stopped')).toBe(true);
    expect(api.lines.join('\n')).not.toContain(adminToken);
  });
});
