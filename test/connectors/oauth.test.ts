import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOAuthClient } from '../../connectors/oauth.js';
import { ProviderError } from '../../lib/errors.js';
import { ReconnectRequiredError, authorizeUrl, isLoopbackHttp, pkcePair, type OAuthClientConfig } from '../../lib/oauth.js';
import { freePort } from '../../scripts/local/temporal-server.js';

/**
 * The OAuth client (connectors/oauth.ts on oauth4webapi) against a local token endpoint whose answer each test
 * chooses: `/token/<name>` answers with the canned reply of that name. What is asserted is what the rest of the
 * code acts on: the ProviderError kind, whether it is retried, "koppel opnieuw", and the Dutch log text.
 */

interface Canned {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

const seen: { url: string; headers: http.IncomingHttpHeaders; form: URLSearchParams }[] = [];
const canned = new Map<string, Canned>();
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, form: new URLSearchParams(Buffer.concat(chunks).toString()) });
      const reply = canned.get(req.url!.split('/').pop()!) ?? { status: 404, body: 'no such canned reply' };
      setTimeout(() => {
        if (res.destroyed) return;
        const json = typeof reply.body !== 'string';
        res.writeHead(reply.status, { ...(json ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...reply.headers });
        res.end(json ? JSON.stringify(reply.body) : reply.body);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
});

beforeEach(() => {
  seen.length = 0;
  canned.clear();
});

const tokens = (over: Record<string, unknown> = {}) => ({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2', scope: 'read', ...over });

function configFor(reply: string, over: Partial<OAuthClientConfig> = {}): OAuthClientConfig {
  return {
    provider: 'Testpakket', issuer: origin, authorizeUrl: `${origin}/authorize`, tokenUrl: `${origin}/token/${reply}`,
    clientId: 'simon app', clientSecret: 's3cret:x', scope: 'read', clientAuthentication: 'body', ...over,
  };
}

function reply(name: string, answer: Canned) {
  canned.set(name, answer);
  return createOAuthClient(configFor(name));
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const refresh = (client: ReturnType<typeof createOAuthClient>) => client.refresh({ accessToken: 'old', refreshToken: 'rt-1', scope: 'read' });

/** An ID token as Visma Connect returns one (RS256); oauth4webapi checks its claims, not its signature (it came over TLS). */
function idToken(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [part({ alg: 'RS256', kid: 'k1' }), part({ iss: origin, aud: 'simon app', sub: 'user-1', iat: now, exp: now + 300, ...claims }), 'c2ln'].join('.');
}

describe('OAuth token requests (oauth4webapi)', () => {
  it('exchanges a code with the client secret as form fields, the redirect URI and the PKCE verifier', async () => {
    canned.set('ok', { status: 200, body: tokens() });
    const client = createOAuthClient(configFor('ok', { pkce: true }));
    const creds = await client.exchangeCode('code-1', 'http://simon.test/cb', 'v'.repeat(43));
    expect(creds).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-2', scope: 'read' });
    expect(Date.parse(creds.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(Object.fromEntries(seen[0].form)).toEqual({
      grant_type: 'authorization_code', code: 'code-1', redirect_uri: 'http://simon.test/cb', code_verifier: 'v'.repeat(43),
      client_id: 'simon app', client_secret: 's3cret:x',
    });
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('sends no verifier without PKCE, and the client in an HTTP Basic header when configured so', async () => {
    canned.set('ok', { status: 200, body: tokens() });
    await createOAuthClient(configFor('ok', { clientAuthentication: 'basic' })).exchangeCode('code-1', 'http://simon.test/cb', 'ignored');
    expect(seen[0].form.has('code_verifier')).toBe(false);
    expect(seen[0].form.has('client_secret')).toBe(false);
    const [id, secret] = Buffer.from(seen[0].headers.authorization!.replace(/^Basic /, ''), 'base64').toString().split(':');
    expect([id, secret].map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))).toEqual(['simon app', 's3cret:x']);
  });

  it('refreshes, and keeps the refresh token it has when the provider sends none back (re-use tokens)', async () => {
    const rotated = await refresh(reply('ok', { status: 200, body: tokens() }));
    expect(rotated).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-2' });
    expect(Object.fromEntries(seen[0].form)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
    const reused = await refresh(reply('reuse', { status: 200, body: tokens({ refresh_token: undefined, scope: undefined, expires_in: undefined }) }));
    expect(reused).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', scope: 'read', expiresAt: '' });
  });

  it('accepts an ID token for our issuer and client, and does not trust one for another issuer', async () => {
    expect((await refresh(reply('id', { status: 200, body: tokens({ id_token: idToken({}) }) }))).accessToken).toBe('at-1');
    const err = await failure(refresh(reply('other', { status: 200, body: tokens({ id_token: idToken({ iss: 'https://elders.example' }) }) })));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toContain('Simon vertrouwt het antwoord van Testpakket op de tokenaanvraag niet');
    expect(err.providerMessage).toContain('iss');
  });

  it('refuses a refresh without a refresh token as "connect again", without a request', async () => {
    const err = await failure(reply('ok', { status: 200, body: tokens() }).refresh({ accessToken: 'old' }));
    expect(err).toBeInstanceOf(ReconnectRequiredError);
    expect(err.message).toContain('Testpakket gaf geen refresh token');
    expect(seen).toHaveLength(0);
  });
});

describe('OAuth errors as ProviderErrors', () => {
  const invalidGrant = { status: 400, body: { error: 'invalid_grant', error_description: 'De verstrekte autorisatieverlening is ongeldig' } };

  it('invalid_grant on a refresh: the authorisation is gone, connect again', async () => {
    const err = await failure(refresh(reply('grant', invalidGrant)));
    expect(err).toBeInstanceOf(ReconnectRequiredError);
    expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 400, providerMessage: 'De verstrekte autorisatieverlening is ongeldig' });
    expect(err.message).toBe('De toegang van Simon tot Testpakket is ingetrokken of verlopen (HTTP 400): De verstrekte autorisatieverlening is ongeldig');
  });

  it('invalid_grant on a code exchange: the code is used or expired, connect again', async () => {
    const err = await failure(reply('grant', invalidGrant).exchangeCode('c', 'http://simon.test/cb'));
    expect(err).toBeInstanceOf(ReconnectRequiredError);
    expect(err.message).toContain('Testpakket accepteert de autorisatiecode niet (verlopen of al gebruikt); koppel opnieuw');
  });

  it('invalid_client, with or without a WWW-Authenticate challenge: the app is refused, not retried, no reconnect', async () => {
    for (const headers of [{}, { 'www-authenticate': 'Basic realm="Connect"' }] as Record<string, string>[]) {
      const err = await failure(refresh(reply('client', { status: 401, body: { error: 'invalid_client' }, headers })));
      expect(err).not.toBeInstanceOf(ReconnectRequiredError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401, providerMessage: 'invalid_client' });
      expect(err.message).toContain('Testpakket kent de app van Simon niet (client id of secret onjuist)');
    }
  });

  it('another OAuth error (invalid_request) is a validation error with the provider’s text', async () => {
    const err = await failure(refresh(reply('request', { status: 400, body: { error: 'invalid_request', error_description: 'redirect_uri ontbreekt' } })));
    expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 400 });
    expect(err.message).toContain('redirect_uri ontbreekt');
  });

  it('a 5xx is retryable, whatever its body says', async () => {
    const html = await failure(refresh(reply('down', { status: 503, body: '<html><body><h1>Onderhoud</h1></body></html>', headers: { 'content-type': 'text/html' } })));
    expect(html).toMatchObject({ kind: 'unavailable', retryable: true, status: 503, providerMessage: 'Onderhoud' });
    const json = await failure(refresh(reply('odd', { status: 500, body: { error: 'invalid_grant' } })));
    expect(json).not.toBeInstanceOf(ReconnectRequiredError);
    expect(json).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('a 429 is retryable after its Retry-After', async () => {
    const err = await failure(refresh(reply('busy', { status: 429, body: { error: 'slow_down' }, headers: { 'retry-after': '7' } })));
    expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000 });
  });

  it('no answer (refused, or too slow) is retryable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/token`;
    const refused = await failure(createOAuthClient(configFor('x', { tokenUrl: closed })).refresh({ refreshToken: 'rt-1' }));
    expect(refused).toMatchObject({ kind: 'network', retryable: true, providerMessage: 'ECONNREFUSED' });
    canned.set('slow', { status: 200, body: tokens(), delayMs: 2000 });
    const slow = await failure(createOAuthClient(configFor('slow', { timeoutMs: 200 })).refresh({ refreshToken: 'rt-1' }));
    expect(slow).toMatchObject({ kind: 'timeout', retryable: true });
    expect(slow.message).toContain('geen antwoord binnen 0.2 s');
  });

  it('a 200 without a usable token is retryable; an unknown token type is not trusted', async () => {
    const missing = await failure(refresh(reply('empty', { status: 200, body: { token_type: 'Bearer' } })));
    expect(missing).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(missing.message).toContain('Testpakket gaf geen bruikbaar toegangstoken terug');
    const text = await failure(refresh(reply('text', { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } })));
    expect(text).toMatchObject({ kind: 'unavailable', retryable: true });
    const mac = await failure(refresh(reply('mac', { status: 200, body: tokens({ token_type: 'mac' }) })));
    expect(mac).toMatchObject({ kind: 'auth', retryable: false });
  });

  it('sends nothing to an http:// token endpoint that is not on this machine', async () => {
    const err = await failure(createOAuthClient(configFor('x', { tokenUrl: 'http://rompslomp.example/oauth/token' })).refresh({ refreshToken: 'rt-1' }));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toContain('moet https gebruiken');
  });
});

describe('authorize URL and PKCE (lib/oauth.ts)', () => {
  it('puts client, redirect, scope, state and, with PKCE, an S256 challenge on the configured endpoint', async () => {
    const { verifier, challenge } = await pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(authorizeUrl({ ...configFor('x'), pkce: true }, 'st', 'http://simon.test/cb', challenge));
    expect(`${url.origin}${url.pathname}`).toBe(`${origin}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'simon app', redirect_uri: 'http://simon.test/cb', response_type: 'code', scope: 'read', state: 'st',
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    expect(new URL(authorizeUrl(configFor('x'), 'st', 'http://simon.test/cb', challenge)).searchParams.has('code_challenge')).toBe(false);
  });

  it('allows plain http only towards this machine', () => {
    expect(isLoopbackHttp('http://127.0.0.1:3105/oauth/token')).toBe(true);
    expect(isLoopbackHttp('http://localhost/connect/token')).toBe(true);
    expect(isLoopbackHttp('http://api.rompslomp.nl/oauth/token')).toBe(false);
    expect(isLoopbackHttp('https://connect.visma.com/connect/token')).toBe(false);
  });
});
