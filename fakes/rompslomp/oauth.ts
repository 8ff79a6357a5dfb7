import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { ROMPSLOMP_SCOPES, type AccessToken, type FakeRompslompState } from './types.js';

/**
 * The fake's OAuth2 authorization code flow, as Doorkeeper (which Rompslomp runs, judging by its Dutch error texts)
 * does it: `GET /oauth/authorize` answered at once by the fake's one user, `POST /oauth/token` form-encoded for the
 * code and refresh grants, refresh tokens rotated with the old pair revoked at once (docs/providers/rompslomp.md §2).
 */

const CODE_TTL_MS = 10 * 60_000;

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** The consent screen, answered at once by the fake's user (`authorizeDecision`). */
export function authorize(url: URL, res: http.ServerResponse, state: FakeRompslompState, reply: Reply): void {
  const q = url.searchParams;
  const app = state.apps.find((a) => a.clientId === q.get('client_id'));
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!app) return reply(400, '<html><body><h1>Onbekende client</h1><p>De client_id is niet bij Rompslomp geregistreerd.</p></body></html>');
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return reply(400, '<html><body><h1>Ongeldige redirect_uri</h1></body></html>');
  }
  if (app.redirectUris && !app.redirectUris.includes(redirectUri)) return reply(400, '<html><body><h1>Ongeldige redirect_uri</h1></body></html>');
  state.oauthRequests.authorize++;
  const clientState = q.get('state');
  const redirect = (params: Record<string, string>) => {
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    if (clientState !== null) target.searchParams.set('state', clientState);
    res.writeHead(302, { location: target.toString(), 'content-length': '0' });
    res.end();
  };
  if (q.get('response_type') !== 'code') return redirect({ error: 'unsupported_response_type' });
  // Space-separated; `public` when absent (developer pages, "Autorisatie").
  const scope = (q.get('scope') ?? 'public').split(/\s+/).filter(Boolean);
  if (scope.some((s) => !(ROMPSLOMP_SCOPES as readonly string[]).includes(s))) return redirect({ error: 'invalid_scope' });
  if (state.authorizeDecision === 'deny') return redirect({ error: 'access_denied', error_description: 'De eigenaar van de bron of de autorisatieserver heeft het verzoek geweigerd.' });
  const code = randomBytes(16).toString('hex');
  state.codes.set(code, { clientId: app.clientId, redirectUri, scope: scope.join(' '), expiresAt: Date.now() + CODE_TTL_MS, used: false });
  redirect({ code });
}

export function tokenEndpoint(req: http.IncomingMessage, raw: string, state: FakeRompslompState): [number, unknown] {
  const form = new URLSearchParams(raw);
  let clientId = form.get('client_id');
  let clientSecret = form.get('client_secret');
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map((p) => decodeURIComponent(p ?? ''));
    clientId = id ?? null;
    clientSecret = secret ?? null;
  }
  const app = state.apps.find((a) => a.clientId === clientId && a.clientSecret === clientSecret);
  if (!app) {
    return [401, { error: 'invalid_client', error_description: 'Client verificatie is mislukt door onbekende klant, geen client authenticatie opgegeven, of een niet-ondersteunde authenticatie methode.' }];
  }
  const invalidGrant: [number, unknown] = [400, {
    error: 'invalid_grant',
    error_description: 'De verstrekte autorisatieverlening is ongeldig, verlopen, ingetrokken, komt niet overeen met de redirect URI die is opgegeven in het autorisatieverzoek, of is uitgegeven aan een andere client.',
  }];
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    state.oauthRequests.authorization_code++;
    const code = state.codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== app.clientId || code.redirectUri !== form.get('redirect_uri')) return invalidGrant;
    code.used = true;
    return [200, issueTokens(state, app.clientId, code.scope, randomBytes(8).toString('hex'))];
  }
  if (grant === 'refresh_token') {
    state.oauthRequests.refresh_token++;
    const old = form.get('refresh_token') ?? '';
    const refresh = state.refreshTokens.get(old);
    if (!refresh || refresh.revoked || refresh.clientId !== app.clientId) return invalidGrant;
    // Rotation: the old refresh token and its access token stop working (stricter than Doorkeeper's revoke-on-use).
    refresh.revoked = true;
    for (const t of state.accessTokens.values()) if (t.refreshToken === old) t.revoked = true;
    return [200, issueTokens(state, app.clientId, refresh.scope, refresh.grant)];
  }
  return [400, { error: 'unsupported_grant_type', error_description: 'Het type autorisatieverlening wordt niet ondersteund door de autorisatieserver.' }];
}

function issueTokens(state: FakeRompslompState, clientId: string, scope: string, grant: string) {
  const accessToken = randomBytes(24).toString('base64url');
  const refreshToken = randomBytes(24).toString('base64url');
  state.refreshTokens.set(refreshToken, { clientId, scope, revoked: false, grant });
  state.accessTokens.set(accessToken, { clientId, scope, expiresAt: Date.now() + state.accessTokenLifetimeSeconds * 1000, revoked: false, refreshToken, grant });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: state.accessTokenLifetimeSeconds,
    refresh_token: refreshToken,
    scope,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** The bearer token of a request, whether or not it is still valid (for the request log). */
export function bearerOf(header: string | undefined, state: FakeRompslompState): AccessToken | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? state.accessTokens.get(match[1]) ?? null : null;
}

export function authenticate(header: string | undefined, state: FakeRompslompState): AccessToken | { error: string } {
  if (!/^Bearer\s+\S+$/i.test(header ?? '')) return { error: 'Geen toegangstoken meegestuurd' };
  const token = bearerOf(header, state);
  if (!token || token.revoked) return { error: 'Het toegangstoken is ongeldig of ingetrokken' };
  if (token.expiresAt <= Date.now()) return { error: 'Het toegangstoken is verlopen' };
  return token;
}
