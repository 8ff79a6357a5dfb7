import type { ProviderId } from '../../lib/providers.js';
import type { Client } from '@temporalio/client';
import { createApp, type AppDeps, type AppOpenAPI } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { integrations, type IntegrationStatus } from '../../db/schema.js';
import { parseEnv } from '../../lib/env.js';

export const tokens = {
  admin: 'test-admin-token',
  support: 'test-support-token',
  backend: 'test-backend-token',
  /** Admin token scoped to tenant `acme`. */
  acmeAdmin: 'test-acme-admin-token',
  /** Backend token scoped to tenant `acme`. */
  acmeBackend: 'test-acme-backend-token',
} as const;

export const testEnv = () =>
  parseEnv({
    API_TOKENS: [
      `${tokens.admin}:admin`,
      `${tokens.support}:support`,
      `${tokens.backend}:backend`,
      `${tokens.acmeAdmin}:admin:acme`,
      `${tokens.acmeBackend}:backend:acme`,
    ].join(','),
    LOG_LEVEL: 'silent',
  });

export function buildApp(database: Database, extra: Partial<AppDeps> = {}): AppOpenAPI {
  return createApp({ database, env: testEnv(), ...extra });
}

/** deps.temporal with only what the read-side needs (the UI link); the client is never called here. */
export const fakeTemporal = (uiUrl?: string): NonNullable<AppDeps['temporal']> => ({
  client: {} as Client,
  namespace: 'default',
  taskQueue: 'test',
  ...(uiUrl ? { uiUrl } : {}),
});

export function auth(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

export async function seedTenant(
  database: Database,
  tenantId: string,
  opts: { provider?: ProviderId; status?: IntegrationStatus } = {},
): Promise<void> {
  await database.db.insert(integrations).values({
    tenantId,
    provider: opts.provider ?? 'factuursturen',
    status: opts.status ?? 'active',
  });
}

export async function getJson(app: AppOpenAPI, path: string, token?: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers: token ? auth(token, headers) : headers });
  return { res, status: res.status, body: (await res.json()) as any };
}

export async function postJson(app: AppOpenAPI, path: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { res, status: res.status, body: (await res.json()) as any };
}
