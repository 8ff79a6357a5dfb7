import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { createPayloadCodec } from '../../lib/codec.js';
import { ConfigError, parseEnv } from '../../lib/env.js';
import { createLogger } from '../../lib/logger.js';
import { toWire, wireValue } from '../helpers/codec-wire.js';

/**
 * The codec endpoint's JWT path (docs/production-stack.md, "The Temporal UI and the codec"): the Temporal UI logs a
 * person in with OIDC and forwards the access token; the API verifies it against the issuer's JWKS, here served
 * over real HTTP by a local identity provider with its own RSA key.
 */
const issuer = 'https://login.simon.test/realms/support';
const audience = 'temporal-ui';
const apiToken = 'codec-jwt-test-admin-token';
const noDatabase = new Proxy({}, { get: () => { throw new Error('the codec endpoint must not use the database'); } }) as Database;

let jwks: http.Server;
let jwksUrl: string;
let jwksRequests = 0;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
const logLines: string[] = [];
const issuedTokens: string[] = [];

function appWith(extra: Record<string, string>) {
  const env = parseEnv({ API_TOKENS: `${apiToken}:admin`, LOG_LEVEL: 'debug', TEMPORAL_UI_ORIGIN: 'https://temporal.simon.test', ...extra });
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString('utf8')); done(); } });
  return { env, app: createApp({ database: noDatabase, env, logger: createLogger(env, { service: 'api' }, destination) }) };
}

let configured: ReturnType<typeof appWith>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
  jwks = http.createServer((req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/protocol/openid-connect/certs`;
  configured = appWith({ CODEC_JWT_ISSUER: issuer, CODEC_JWT_AUDIENCE: audience, CODEC_JWT_JWKS_URL: jwksUrl });
});
afterAll(() => new Promise<void>((r) => jwks.close(() => r())));

async function token(claims: JWTPayload, opts: { key?: CryptoKey; iss?: string; aud?: string; exp?: number | string; kid?: string } = {}) {
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'idp-key-1', typ: 'JWT' })
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? audience)
    .setSubject('f3a1c2d4-support-anna')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(opts.key ?? signingKey);
  issuedTokens.push(jwt);
  return jwt;
}

const workOrder = { tenantId: 'demo', workOrderId: 'WB-2024-0042' };
async function encryptedBody(env: ReturnType<typeof parseEnv>) {
  const [p] = await createPayloadCodec(env).encode([defaultPayloadConverter.toPayload(workOrder)]);
  return {
    payloads: [toWire(p)],
  };
}

async function call(target: ReturnType<typeof appWith>, op: 'decode' | 'encode', bearer: string) {
  const res = await target.app.request(`/codec/${op}?preserveStorageRefs=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'x-namespace': 'default', origin: 'https://temporal.simon.test' },
    body: JSON.stringify(op === 'decode' ? await encryptedBody(target.env) : { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { payloads?: { metadata: Record<string, string>; data: string }[]; error?: string; message?: string } };
}
const decodedValue = wireValue;

describe('codec endpoint: access tokens forwarded by the Temporal UI', () => {
  it('decodes for a valid token with the support value in the role claim (200), and audits the subject', async () => {
    const res = await call(configured, 'decode', await token({ groups: ['staff', 'temporal-support'] }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://temporal.simon.test');
    expect(res.body.payloads!.map(decodedValue)).toEqual([workOrder]);
    expect(jwksRequests).toBeGreaterThan(0);
    const audit = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'codec decode');
    expect(audit).toMatchObject({ actor: 'oidc:f3a1c2d4-support-anna', payloads: 1 });
  });

  it('lets support decode but not encode; the admin value may encode', async () => {
    const support = await call(configured, 'encode', await token({ groups: ['temporal-support'] }));
    expect(support.status).toBe(403);
    expect(support.body.message).toContain('admin');
    const admin = await call(configured, 'encode', await token({ groups: ['temporal-admin'] }));
    expect(admin.status).toBe(200);
  });

  it('refuses an expired token (401)', async () => {
    const res = await call(configured, 'decode', await token({ groups: ['temporal-support'] }, { exp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toMatchObject({ error: 'unauthorized', message: 'Access token expired' });
    expect(JSON.stringify(res.body)).not.toContain('WB-2024-0042');
  });

  it('refuses a token of another issuer or for another audience (401)', async () => {
    const otherIssuer = await call(configured, 'decode', await token({ groups: ['temporal-support'] }, { iss: 'https://login.elsewhere.test/' }));
    expect(otherIssuer.status).toBe(401);
    expect(otherIssuer.body.message).toContain('iss');
    const otherAudience = await call(configured, 'decode', await token({ groups: ['temporal-support'] }, { aud: 'some-other-app' }));
    expect(otherAudience.status).toBe(401);
    expect(otherAudience.body.message).toContain('aud');
  });

  it('refuses a token signed by a key the issuer does not publish, and one that is no JWT (401)', async () => {
    expect((await call(configured, 'decode', await token({ groups: ['temporal-support'] }, { key: strangerKey }))).status).toBe(401);
    expect((await call(configured, 'decode', await token({ groups: ['temporal-support'] }, { key: strangerKey, kid: 'unknown-kid' }))).status).toBe(401);
    expect((await call(configured, 'decode', 'not.a.jwt')).status).toBe(401);
  });

  it('refuses a valid token without the role claim or with another value in it (403)', async () => {
    const missing = await call(configured, 'decode', await token({ email: 'anna@simon.test' }));
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ error: 'forbidden', message: expect.stringContaining('groups') });
    const wrong = await call(configured, 'decode', await token({ groups: ['sales', 'temporal-supporter'] }));
    expect(wrong.status).toBe(403);
  });

  it('reads the role from a configured nested claim and values (Keycloak realm roles)', async () => {
    const keycloak = appWith({
      CODEC_JWT_ISSUER: issuer, CODEC_JWT_AUDIENCE: `${audience},account`, CODEC_JWT_JWKS_URL: jwksUrl,
      CODEC_JWT_ROLE_CLAIM: 'realm_access.roles', CODEC_JWT_SUPPORT_VALUES: 'support,helpdesk', CODEC_JWT_ADMIN_VALUES: 'ops',
    });
    expect((await call(keycloak, 'decode', await token({ realm_access: { roles: ['helpdesk'] } }, { aud: 'account' }))).status).toBe(200);
    expect((await call(keycloak, 'encode', await token({ realm_access: { roles: ['ops'] } }))).status).toBe(200);
    expect((await call(keycloak, 'decode', await token({ groups: ['temporal-support'] }))).status).toBe(403);
  });

  it('keeps accepting the API tokens next to access tokens', async () => {
    expect((await call(configured, 'decode', apiToken)).status).toBe(200);
  });

  it('answers 503, not 500 and not a pass, when the identity provider keys cannot be fetched', async () => {
    const unreachable = appWith({ CODEC_JWT_ISSUER: issuer, CODEC_JWT_AUDIENCE: audience, CODEC_JWT_JWKS_URL: 'http://127.0.0.1:9/certs' });
    const res = await call(unreachable, 'decode', await token({ groups: ['temporal-support'] }));
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('identity_provider_unavailable');
  });

  it('accepts no access token when no issuer is configured (API tokens only)', async () => {
    const plain = appWith({});
    expect((await call(plain, 'decode', await token({ groups: ['temporal-support'] }))).status).toBe(401);
  });

  it('never writes a token to the log, accepted or refused', () => {
    expect(issuedTokens.length).toBeGreaterThan(10);
    expect(logLines.some((l) => l.includes('codec access token refused'))).toBe(true);
    const all = logLines.join('\n');
    for (const t of [...issuedTokens, apiToken]) {
      expect(all).not.toContain(t);
      // Not even the signature part on its own.
      expect(all).not.toContain(t.split('.').pop()!);
    }
  });
});

describe('codec JWT configuration', () => {
  it('names the setting that is missing when only part of it is configured', () => {
    expect(() => parseEnv({ CODEC_JWT_ISSUER: issuer, CODEC_JWT_JWKS_URL: 'https://login.simon.test/certs' })).toThrow(ConfigError);
    const err = (() => {
      try {
        parseEnv({ CODEC_JWT_ISSUER: issuer });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).fields.map((f) => f.field).sort()).toEqual(['CODEC_JWT_AUDIENCE', 'CODEC_JWT_JWKS_URL']);
  });
});
