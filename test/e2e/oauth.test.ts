import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRompslomp, type FakeRompslomp } from '../../fakes/rompslomp/server.js';
import { oauthFactory } from '../../connectors/index.js';
import { DEFAULT_FS_ACCOUNT } from '../../fakes/factuursturen/server.js';
import { startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { allTables } from '../helpers/activation.js';

/**
 * The generic OAuth2 authorization-code flow of the API (docs/api.md): `GET …/activation/oauth-url` and
 * `GET /v1/oauth/{provider}/callback`, exercised with Rompslomp's fake as the provider. The state is bound to
 * the tenant and the provider, lives ten minutes and works once; whatever the browser brings back, the answer
 * is a clear 4xx, never a 500.
 */
let stack: Stack;
let fake: FakeRompslomp;
const redirectBase = 'http://simon-api.test';

beforeAll(async () => {
  fake = await startFakeRompslomp({ seed: { customers: 5, suppliers: 0, products: 5 } });
  stack = await startStack('oauth', { env: { ROMPSLOMP_BASE_URL: fake.url, OAUTH_REDIRECT_BASE_URL: redirectBase }, extraTokens: ['scoped-token:admin:someone-else'] });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

/** A tenant that has started a Rompslomp activation and wiped (so it waits for the connection). */
async function wipedTenant(prefix = 'oa'): Promise<string> {
  const tenant = uniqueTenant(prefix);
  stack.tenants.push(tenant);
  expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'rompslomp' })).status).toBe(200);
  expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables })).status).toBe(200);
  return tenant;
}

async function authorizeUrl(tenant: string): Promise<URL> {
  const res = await stack.api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new URL(res.body.url);
}

/** The fake's consent screen answers at once: where it sends the browser back to. */
async function consent(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The browser's request to our callback (no bearer token). */
async function callback(path: string, html = false) {
  const res = await stack.app.request(path, { headers: html ? { accept: 'text/html,application/xhtml+xml' } : {} });
  const text = await res.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* an HTML page */ }
  return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
}

const pathOf = (u: URL) => `${u.pathname}${u.search}`;

describe('GET …/activation/oauth-url', () => {
  it('gives the provider’s authorize URL with client id, our callback, code, the scopes and a fresh state bound to the tenant', async () => {
    const tenant = await wipedTenant();
    const url = await authorizeUrl(tenant);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.origin}/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(stack.env.ROMPSLOMP_CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${redirectBase}/v1/oauth/rompslomp/callback`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')).toBe('public manage:contacts manage:products manage:sales_invoices');
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(40);

    const [row] = await stack.database.sql`select tenant_id, provider, redirect_uri, used_at, extract(epoch from expires_at - created_at)::int as ttl from integration.oauth_states where state = ${state}`;
    expect(row).toMatchObject({ tenant_id: tenant, provider: 'rompslomp', redirect_uri: `${redirectBase}/v1/oauth/rompslomp/callback`, used_at: null });
    // Single use within ten minutes.
    expect(row.ttl).toBeGreaterThan(590);
    expect(row.ttl).toBeLessThanOrEqual(601);
    const second = await authorizeUrl(tenant);
    expect(second.searchParams.get('state')).not.toBe(state);
  });

  it('answers 409 before the wipe, for a provider without OAuth, and refuses callers without the right token', async () => {
    const tenant = uniqueTenant('oa');
    stack.tenants.push(tenant);
    await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'rompslomp' });
    expect((await stack.api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`)).status).toBe(409);

    const fs = uniqueTenant('oa-fs');
    stack.tenants.push(fs);
    await stack.api('POST', `/v1/tenants/${fs}/integration/activation`, { provider: 'factuursturen' });
    await stack.api('POST', `/v1/tenants/${fs}/integration/activation/wipe`, { tables: allTables });
    const notOauth = await stack.api('GET', `/v1/tenants/${fs}/integration/activation/oauth-url`);
    expect(notOauth.status).toBe(409);
    expect(notOauth.body.error).toBe('oauth_not_supported');
    // …whose own connect step still takes a username and key.
    const fsConnect = await stack.api('POST', `/v1/tenants/${fs}/integration/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
    expect(fsConnect.status).toBe(200);

    const wiped = await wipedTenant();
    const path = `/v1/tenants/${wiped}/integration/activation/oauth-url`;
    expect((await stack.api('GET', path, undefined, null)).status).toBe(401);
    expect((await stack.api('GET', path, undefined, tokens.support)).status).toBe(403);
    expect((await stack.api('GET', path, undefined, 'scoped-token')).status).toBe(403);
    expect((await stack.api('GET', `/v1/tenants/nobody-${Date.now()}/integration/activation/oauth-url`)).status).toBe(404);
  });
});

describe('GET /v1/oauth/{provider}/callback', () => {
  it('connects without a bearer token, answers the browser with a Dutch page, and refuses the same state a second time', async () => {
    const tenant = await wipedTenant();
    const back = await consent(await authorizeUrl(tenant));
    expect(`${back.origin}${back.pathname}`).toBe(`${redirectBase}/v1/oauth/rompslomp/callback`);

    const ok = await callback(pathOf(back), true);
    expect(ok.status).toBe(200);
    expect(ok.contentType).toContain('text/html');
    expect(ok.body).toContain('Koppelen met Rompslomp gelukt (Jan Jansen), je kunt dit venster sluiten.');
    const integ = await stack.api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support);
    expect(integ.body.steps).toMatchObject({ wiped: true, connected: true });
    const [cred] = await stack.database.sql`select sealed, pending_sealed from integration.credentials where tenant_id = ${tenant}`;
    expect(cred).toMatchObject({ sealed: expect.stringMatching(/^v1\./), pending_sealed: null });
    expect(cred.sealed).not.toContain(back.searchParams.get('code'));

    const replay = await callback(pathOf(back));
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_state', reason: 'used' });
    expect(replay.body.message).toContain('al gebruikt');
    const replayPage = await callback(pathOf(back), true);
    expect(replayPage.status).toBe(400);
    expect(replayPage.body).toContain('Koppelen met Rompslomp mislukt');
  });

  it('refuses a missing, unknown or expired state and an unknown provider with 400, never 500', async () => {
    expect(await callback('/v1/oauth/rompslomp/callback?code=abc')).toMatchObject({ status: 400, body: { error: 'invalid_state', reason: 'missing' } });
    const unknown = await callback('/v1/oauth/rompslomp/callback?code=abc&state=made-up');
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_state', reason: 'unknown' } });
    expect(unknown.body.message).toContain('onbekend');
    expect((await callback('/v1/oauth/nope/callback?code=abc&state=x')).status).toBe(400);
    expect((await callback(`/v1/oauth/rompslomp/callback?state=${'x'.repeat(500)}`)).status).toBe(400);

    const tenant = await wipedTenant();
    const back = await consent(await authorizeUrl(tenant));
    await stack.database.sql`update integration.oauth_states set expires_at = now() - interval '1 minute' where state = ${back.searchParams.get('state')}`;
    const expired = await callback(pathOf(back));
    expect(expired).toMatchObject({ status: 400, body: { error: 'invalid_state', reason: 'expired' } });
    expect(expired.body.message).toContain('verlopen');
  });

  it('refuses a state made for another provider, without using it up', async () => {
    const tenant = await wipedTenant();
    const back = await consent(await authorizeUrl(tenant));
    const foreign = await callback(`/v1/oauth/visma-net/callback${back.search}`);
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_state', reason: 'other-provider' } });
    expect((await callback(pathOf(back))).status).toBe(200);
  });

  it('says so when the admin refused access on the provider’s page', async () => {
    const tenant = await wipedTenant();
    fake.state.authorizeDecision = 'deny';
    try {
      const back = await consent(await authorizeUrl(tenant));
      expect(back.searchParams.get('error')).toBe('access_denied');
      const page = await callback(pathOf(back), true);
      expect(page.status).toBe(400);
      expect(page.body).toContain('je hebt Simon in Rompslomp geen toegang gegeven');
    } finally {
      fake.state.authorizeDecision = 'approve';
    }
    const integ = await stack.api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support);
    expect(integ.body.steps.connected).toBe(false);
  });

  it('stores nothing and logs why when Rompslomp no longer accepts the code', async () => {
    const tenant = await wipedTenant();
    const back = await consent(await authorizeUrl(tenant));
    // Someone used the code first (a code works once at Rompslomp).
    await oauthFactory('rompslomp', stack.env)!
      .exchangeCode(back.searchParams.get('code')!, `${redirectBase}/v1/oauth/rompslomp/callback`);
    const res = await callback(pathOf(back));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('connect_failed');
    expect(res.body.message).toContain('Koppelen met Rompslomp mislukt');
    expect(await stack.database.sql`select 1 from integration.credentials where tenant_id = ${tenant}`).toHaveLength(0);
    const logs = await stack.api('GET', `/v1/tenants/${tenant}/logs?severity=error`, undefined, tokens.support);
    expect(logs.body.entries[0]).toMatchObject({ message: expect.stringContaining('Koppelen met Rompslomp mislukt'), action: expect.stringContaining('opnieuw te koppelen') });
  });

  it('answers 409 when the integration no longer waits for this connection', async () => {
    const tenant = await wipedTenant();
    const back = await consent(await authorizeUrl(tenant));
    expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/deactivate`, { confirm: true })).status).toBe(200);
    const res = await callback(pathOf(back));
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('wacht niet (meer)');
  });

  it('is described in the OpenAPI document, the callback without bearer security', async () => {
    const doc = (await stack.api('GET', '/v1/openapi.json', undefined, null)).body;
    expect(doc.paths['/v1/tenants/{tenant}/integration/activation/oauth-url'].get).toBeDefined();
    expect(doc.paths['/v1/oauth/{provider}/callback'].get.security).toEqual([]);
  });
});
