import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { bump } from '../kit.js';

/**
 * The Visma Connect half of the fake (https://connect.visma.com/connect/…): the OAuth2 authorization-code flow
 * of an interactive app. `/connect/authorize` plays the signed-in user who consents and picks a company in the
 * context selector, and redirects back with a code; `/connect/token` exchanges a code or a refresh token.
 * Access tokens are JWT-shaped (base64url JSON with `tenant_id`, `exp`), unsigned: the fake API looks them up
 * in the shared state instead of verifying a signature. Tokens are bound to the company chosen at sign-on, as
 * Visma Connect binds a token to one tenant per sign-on flow (docs.vismasoftware.no/vismanetapi/authentication).
 */

export interface FakeVismaClient {
  clientId: string;
  clientSecret: string;
}

export interface FakeVismaCompany {
  /** The company number shown under the user name in Visma.net (manual §5.2); no API endpoint exposes it. */
  id: string;
  name: string;
  /** Visma Connect tenant id of the company (the token's `tenant_id` claim). */
  tenantId: string;
  /** `GET /v1/organization` → `organizationCd`. */
  organizationCd: string;
}

export interface FakeVismaUser {
  id: string;
  /** Companies where the user has the "API User" role. */
  companyIds: string[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  companyId: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  /** PKCE (RFC 7636), S256 only. */
  codeChallenge: string | null;
}

export interface IssuedToken {
  clientId: string;
  userId: string;
  companyId: string;
  scope: string;
  expiresAt: number;
}

interface IssuedRefreshToken {
  clientId: string;
  userId: string;
  companyId: string;
  scope: string;
  /** When it was exchanged; a one-time token stays usable for a short grace period (parallel refreshes). */
  usedAt: number | null;
  revoked: boolean;
}

export interface FakeConnectState {
  clients: FakeVismaClient[];
  companies: FakeVismaCompany[];
  users: FakeVismaUser[];
  /** Who is "signed in" at the authorize page, and which company they pick in the context selector. */
  signOn: { userId: string; companyId: string | null; deny: boolean };
  accessTokenTtlSeconds: number;
  /**
   * The app's refresh-token setting in the Developer Portal: "one-time" (a new refresh token on every refresh, the
   * old one usable for a grace period) or "reuse" (the same refresh token comes back and stays valid).
   */
  refreshMode: 'one-time' | 'reuse';
  refreshGraceSeconds: number;
  codes: Map<string, IssuedCode>;
  accessTokens: Map<string, IssuedToken>;
  refreshTokens: Map<string, IssuedRefreshToken>;
  /** Per "METHOD path" on the connect server, e.g. `connectRequests['POST token']`. */
  connectRequests: Record<string, number>;
}

export const DEFAULT_VISMA_CLIENT: FakeVismaClient = { clientId: 'simon-dev', clientSecret: 'simon-dev-secret' };
export const CONNECT_PREFIX = '/connect/';

export function createConnectState(): FakeConnectState {
  return {
    clients: [{ ...DEFAULT_VISMA_CLIENT }],
    companies: [
      { id: '1234567', name: 'ISV - Simple Simon', tenantId: 'b4c1d6a0-5f0e-4f6e-9c52-0a2f6e1d7c11', organizationCd: 'SIMON' },
      { id: '7654321', name: 'Simon Installatietechniek B.V.', tenantId: '2e9f0c34-8b1a-4d7e-a4c3-5d6e7f8a9b0c', organizationCd: 'SIMONINST' },
    ],
    users: [{ id: 'beheerder@simon.example', companyIds: ['1234567', '7654321'] }],
    signOn: { userId: 'beheerder@simon.example', companyId: null, deny: false },
    accessTokenTtlSeconds: 3600,
    refreshMode: 'one-time',
    refreshGraceSeconds: 60,
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    connectRequests: {},
  };
}

/** The token the fake API accepts, or why not (for the WWW-Authenticate answer). */
export function lookUpAccessToken(state: FakeConnectState, header: string | undefined): IssuedToken | 'missing' | 'invalid' | 'expired' {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return 'missing';
  const token = state.accessTokens.get(match[1]);
  if (!token) return 'invalid';
  if (token.expiresAt <= Date.now()) return 'expired';
  return token;
}

/** Whether a token was granted `scope` (the space-separated `scope` asked for at authorize). */
export function hasScope(token: IssuedToken, scope: string): boolean {
  return token.scope.split(/\s+/).includes(scope);
}

/** Makes access tokens stale (the next API call answers 401 and the client must refresh): one, or all. */
export function expireAccessTokens(state: FakeConnectState, accessToken?: string): void {
  for (const [token, t] of state.accessTokens) if (accessToken === undefined || token === accessToken) t.expiresAt = Date.now() - 1;
}

export interface ConnectAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function handleConnect(method: string, path: string, url: URL, raw: string, req: http.IncomingMessage, state: FakeConnectState): ConnectAnswer {
  bump(state.connectRequests, `${method} ${path}`);
  if (path === 'authorize' && method === 'GET') return authorize(url, state);
  // The issuer is the server's origin, as https://connect.visma.com is (its discovery document sits at the origin).
  if (path === 'token' && method === 'POST') return token(raw, req.headers.authorization, state, `http://${req.headers.host ?? 'fake'}`);
  if (path === '.well-known/openid-configuration') return { status: 404, body: { error: 'not_found' } };
  return { status: 404, body: { error: 'not_found', error_description: `Unknown endpoint ${path}` } };
}

function authorize(url: URL, state: FakeConnectState): ConnectAnswer {
  const q = url.searchParams;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  const client = state.clients.find((c) => c.clientId === clientId);
  // Without a valid client and redirect URI there is nowhere safe to send the user: an error page, no redirect.
  if (!client) return { status: 400, body: { error: 'invalid_client', error_description: `Unknown client_id '${clientId}'` } };
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return { status: 400, body: { error: 'invalid_request', error_description: 'redirect_uri is missing or not an absolute URL' } };
  }
  // Visma Connect's default response_mode is form_post (D14): a page that POSTs the answer to the redirect URI.
  const mode = q.get('response_mode') ?? 'form_post';
  const back = (params: Record<string, string>): ConnectAnswer => {
    const s = q.get('state');
    const all = { ...params, ...(s !== null ? { state: s } : {}) };
    if (mode === 'form_post') {
      const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
      const inputs = Object.entries(all).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
      return { status: 200, body: `<html><body onload="document.forms[0].submit()"><form method="post" action="${esc(target.toString())}">${inputs}</form></body></html>`, headers: { 'content-type': 'text/html; charset=utf-8' } };
    }
    for (const [k, v] of Object.entries(all)) target.searchParams.set(k, v);
    return { status: 302, body: '', headers: { location: target.toString() } };
  };
  if (mode !== 'query' && mode !== 'form_post') return { status: 400, body: { error: 'invalid_request', error_description: `Unsupported response_mode '${mode}'` } };
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  if (state.signOn.deny) return back({ error: 'access_denied', error_description: 'The user did not give consent' });
  const user = state.users.find((u) => u.id === state.signOn.userId);
  const companyId = state.signOn.companyId ?? user?.companyIds[0] ?? null;
  if (!user || !companyId || !user.companyIds.includes(companyId)) {
    return back({ error: 'invalid_tenant', error_description: "The user has no 'API User' role on the selected company" });
  }
  const challenge = q.get('code_challenge');
  if (challenge !== null && q.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  const code = randomBytes(16).toString('base64url');
  state.codes.set(code, { clientId, redirectUri, userId: user.id, companyId, scope: q.get('scope') ?? '', expiresAt: Date.now() + 5 * 60_000, used: false, codeChallenge: challenge });
  return back({ code });
}

function token(raw: string, authorization: string | undefined, state: FakeConnectState, issuer: string): ConnectAnswer {
  const form = new URLSearchParams(raw);
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  let clientId = form.get('client_id') ?? '';
  let clientSecret = form.get('client_secret') ?? '';
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    clientId = decodeURIComponent(decoded.slice(0, colon));
    clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  }
  const client = state.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
  if (!client) return { status: 401, body: { error: 'invalid_client' }, headers: { 'www-authenticate': 'Basic realm="Visma Connect"' } };

  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    const code = state.codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAt <= Date.now() || code.clientId !== clientId) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'The authorization code is invalid, expired or already used' } };
    }
    if (code.redirectUri !== (form.get('redirect_uri') ?? '')) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'redirect_uri does not match the authorization request' } };
    }
    if (code.codeChallenge !== null && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== code.codeChallenge) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge' } };
    }
    code.used = true;
    return { status: 200, body: issue(state, code, issuer) };
  }
  if (grant === 'refresh_token') {
    const presented = form.get('refresh_token') ?? '';
    const rt = state.refreshTokens.get(presented);
    const graceOver = state.refreshMode === 'one-time' && rt?.usedAt !== null && rt?.usedAt !== undefined && Date.now() - rt.usedAt > state.refreshGraceSeconds * 1000;
    if (!rt || rt.revoked || rt.clientId !== clientId || graceOver) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' } };
    }
    rt.usedAt ??= Date.now();
    return { status: 200, body: issue(state, rt, issuer, state.refreshMode === 'reuse' ? presented : undefined) };
  }
  return { status: 400, body: { error: 'unsupported_grant_type' } };
}

/**
 * New tokens for a grant; `keepRefreshToken` answers the presented refresh token again (the "reuse" mode). With the
 * `openid` scope an ID token comes along, as Visma Connect's token response has one (`access_token`, `id_token`,
 * `expires_in`, `token_type`, `scope`): RS256 in its header, its signature bytes made up (a client takes it from the
 * token endpoint over TLS and checks its claims: issuer, audience = client id, times).
 */
function issue(state: FakeConnectState, grant: { clientId: string; userId: string; companyId: string; scope: string }, issuer: string, keepRefreshToken?: string) {
  const company = state.companies.find((c) => c.id === grant.companyId);
  const now = Math.floor(Date.now() / 1000);
  const exp = now + state.accessTokenTtlSeconds;
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const accessToken = [
    part({ alg: 'none', typ: 'at+jwt' }),
    part({ iss: 'https://connect.visma.com', sub: grant.userId, client_id: grant.clientId, tenant_id: company?.tenantId, scope: grant.scope, iat: now, exp, jti: randomBytes(8).toString('hex') }),
    '',
  ].join('.');
  state.accessTokens.set(accessToken, { clientId: grant.clientId, userId: grant.userId, companyId: grant.companyId, scope: grant.scope, expiresAt: exp * 1000 });
  const refreshToken = keepRefreshToken ?? randomBytes(24).toString('base64url');
  if (!keepRefreshToken) {
    state.refreshTokens.set(refreshToken, { clientId: grant.clientId, userId: grant.userId, companyId: grant.companyId, scope: grant.scope, usedAt: null, revoked: false });
  }
  const idToken = hasScope({ ...grant, expiresAt: 0 }, 'openid')
    ? [part({ alg: 'RS256', kid: 'fake-connect', typ: 'JWT' }), part({ iss: issuer, aud: grant.clientId, sub: grant.userId, iat: now, exp, auth_time: now }), randomBytes(32).toString('base64url')].join('.')
    : null;
  return {
    access_token: accessToken, token_type: 'Bearer', expires_in: state.accessTokenTtlSeconds, refresh_token: refreshToken, scope: grant.scope,
    ...(idToken ? { id_token: idToken } : {}),
  };
}
