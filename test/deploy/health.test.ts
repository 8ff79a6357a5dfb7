import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { parseEnv } from '../../lib/env.js';
import { createLogger } from '../../lib/logger.js';
import { freePort } from '../../scripts/local/temporal-server.js';
import { freshDatabase } from '../helpers/db.js';

/** /v1/health and /v1/ready (issue 7): public, and ready only when PostgreSQL and Temporal both answer. */

const env = parseEnv({ NODE_ENV: 'test', API_TOKENS: 'health-admin-token:admin', LOG_LEVEL: 'silent' });
let database: Database;
let connection: Connection;
let client: Client;
const closers: (() => Promise<unknown>)[] = [];

function appWith(deps: { database: Database; client: Client }) {
  return createApp({ database: deps.database, env, temporal: { client: deps.client, namespace: env.TEMPORAL_NAMESPACE, taskQueue: 'health-test' } });
}

async function get(app: ReturnType<typeof createApp>, path: string) {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  ({ database } = await freshDatabase('health'));
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await connection?.close();
  await database?.close();
});

describe('/v1/health', () => {
  it('answers 200 without a token', async () => {
    const res = await get(appWith({ database, client }), '/v1/health');
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('/v1/ready', () => {
  it('answers 200 without a token when PostgreSQL and Temporal answer', async () => {
    const res = await get(appWith({ database, client }), '/v1/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('answers 503 naming the database when its URL points at a closed port', async () => {
    const deadDb = connectDatabase(`postgres://nobody:secret@127.0.0.1:${await freePort()}/nothing`, { max: 1 });
    closers.push(() => deadDb.close());
    const res = await get(appWith({ database: deadDb, client }), '/v1/ready');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not_ready');
    expect(res.body.checks.database.ok).toBe(false);
    expect(res.body.checks.database.error).toBe('ECONNREFUSED');
    expect(res.body.checks.temporal).toEqual({ ok: true });
    // The public answer names the failure, never the connection string.
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  it('answers 503 naming Temporal when it does not answer', async () => {
    // A port that accepts TCP and then says nothing: the check must give up instead of hanging.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => {
      for (const s of sockets) s.destroy();
      silent.close(r);
    }));
    const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const deadConnection = Connection.lazy({ address });
    closers.push(() => deadConnection.close());
    const deadClient = new Client({ connection: deadConnection, namespace: env.TEMPORAL_NAMESPACE });
    const res = await get(appWith({ database, client: deadClient }), '/v1/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toEqual({ ok: true });
    expect(res.body.checks.temporal.ok).toBe(false);
    expect(res.body.checks.temporal.error).toBeTruthy();
  });
});

describe('OpenAPI', () => {
  it('describes /v1/health and /v1/ready as public, with the 503 of readiness', async () => {
    const doc = (await get(appWith({ database, client }), '/v1/openapi.json')).body;
    const health = doc.paths['/v1/health'].get;
    const ready = doc.paths['/v1/ready'].get;
    expect(health.security).toEqual([]);
    expect(ready.security).toEqual([]);
    expect(Object.keys(ready.responses).sort()).toEqual(['200', '503']);
    // Everything else still needs a token.
    expect(doc.paths['/v1/providers'].get.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  it('still refuses the other routes without a token', async () => {
    const res = await get(appWith({ database, client }), '/v1/providers');
    expect(res.status).toBe(401);
  });
});

describe('logger', () => {
  it('writes JSON lines at the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ LOG_LEVEL: 'warn' }, { service: 'test' }, { write: (l: string) => void lines.push(l) });
    logger.info('not written');
    logger.warn({ tenant: 'acme' }, 'written');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', service: 'test', tenant: 'acme', msg: 'written' });
  });
});
