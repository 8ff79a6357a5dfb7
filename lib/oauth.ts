import * as oauth from 'oauth4webapi';
import { ProviderError } from './errors.js';
import type { Env } from './env.js';
import type { OAuthTokens } from './credentials.js';
import type { ProviderId } from './providers.js';


/**
 * The OAuth2 authorization-code flow (RFC 6749 §4.1, optional PKCE per RFC 7636) for every provider that connects
 * this way (Rompslomp, Visma.net), on oauth4webapi (ARCHITECTURE.md "What is hand-written and why"). The API builds
 * the authorize URL from this configuration and keeps the state; an activity exchanges the code (connectors/oauth.ts)
 * and refreshes tokens, so tokens never pass through the API or a workflow. Tokens are kept as `OAuthTokens`
 * (lib/credentials.ts): `{ accessToken, refreshToken, expiresAt, scope }`.
 */

/** How long a state handed to the browser stays valid (single use). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
/** Refresh this long before the provider's expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_SKEW_MS = 60_000;

export interface OAuthClientConfig {
  /** Display name, e.g. "Rompslomp". */
  provider: string;
  /**
   * The authorization server's issuer identifier: oauth4webapi checks an ID token's `iss` (and an `iss` in the
   * callback, RFC 9207) against it. Neither provider is discovered: the endpoints below are configured.
   */
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes. */
  scope: string;
  pkce?: boolean;
  /**
   * `query`: ask for the code in the redirect's query string. Visma Connect answers with `form_post` (a page that POSTs
   * to the redirect URI) unless asked (docs/providers/visma-net.md §2, D14); our callback is a GET.
   */
  responseMode?: 'query';
  /** How the token endpoint wants the client credentials: form fields (`client_secret_post`, default) or HTTP Basic. */
  clientAuthentication?: 'body' | 'basic';
  timeoutMs?: number;
}

/**
 * The authorisation is gone (refresh token revoked or expired, code already used): only the admin can fix this
 * by connecting again. A ProviderError of kind 'auth', so code that does not know OAuth treats it as a refused login.
 */
export class ReconnectRequiredError extends ProviderError {
  readonly reconnectRequired = true;
}

export function isReconnectRequired(err: unknown): err is ReconnectRequiredError {
  return err instanceof ReconnectRequiredError;
}

/** The provider's authorization server as oauth4webapi wants it, from our configured endpoints (no discovery). */
export function authorizationServer(config: OAuthClientConfig): oauth.AuthorizationServer {
  return { issuer: config.issuer, authorization_endpoint: config.authorizeUrl, token_endpoint: config.tokenUrl };
}

/** Plain http is allowed only towards a fake on this machine (tests, the local stack); anything else must be https. */
export function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
}

/** An unguessable state value for the authorize redirect. */
export function newOAuthState(): string {
  return oauth.generateRandomState();
}

/** A PKCE verifier and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/** Whether the access token has expired (or will within the skew); unknown expiry counts as valid until a 401. */
export function accessTokenExpired(credentials: Partial<OAuthTokens>, now: number = Date.now()): boolean {
  if (!credentials.accessToken) return true;
  const at = credentials.expiresAt ? Date.parse(credentials.expiresAt) : NaN;
  return Number.isFinite(at) && at - REFRESH_SKEW_MS <= now;
}

/** The provider's authorize URL for the browser redirect. */
export function authorizeUrl(config: OAuthClientConfig, state: string, redirectUri: string, codeChallenge?: string): string {
  // oauth4webapi has no builder for this redirect: its documentation sets the parameters on the endpoint as here.
  const url = new URL(authorizationServer(config).authorization_endpoint!);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', state);
  if (config.responseMode) url.searchParams.set('response_mode', config.responseMode);
  if (config.pkce && codeChallenge) {
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

/** Rompslomp's OAuth scopes (docs/providers/rompslomp.md). */
export const ROMPSLOMP_SCOPE = 'public manage:contacts manage:products manage:sales_invoices';
/**
 * Visma Connect scopes (docs/providers/visma-net.md §2): the ERP API with a user token (names seen in live clients),
 * and SalesOrders V3 (documented in its swagger); `offline_access` gives the refresh token.
 */
export const VISMA_SCOPES = [
  'openid', 'offline_access',
  'vismanet_erp_interactive_api:create', 'vismanet_erp_interactive_api:read', 'vismanet_erp_interactive_api:update',
  'visma.net.erp.salesorder:read', 'visma.net.erp.salesorder:write',
].join(' ');

/**
 * The OAuth client configuration of a provider that connects with OAuth2 (Rompslomp, Visma.net); null for the
 * others. Rompslomp's endpoints live at the API's origin (`/oauth/authorize`, `/oauth/token`) unless configured apart; Visma Connect's
 * under VISMA_CONNECT_BASE_URL (`authorize`, `token`).
 */
export function oauthConfig(env: Env, provider: ProviderId, opts: { timeoutMs?: number } = {}): OAuthClientConfig | null {
  const timeout = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
  switch (provider) {
    case 'rompslomp': {
      const tokenUrl = env.ROMPSLOMP_OAUTH_TOKEN_URL ?? new URL('/oauth/token', env.ROMPSLOMP_BASE_URL).toString();
      return {
        provider: 'Rompslomp',
        // Plain OAuth2 (Doorkeeper), no issuer documented: the token endpoint's origin stands in (it is only
        // compared with an ID token, which Rompslomp does not send).
        issuer: new URL(tokenUrl).origin,
        // Configurable apart from the API base (docs/providers/rompslomp.md, U18); by default at the API's origin.
        authorizeUrl: env.ROMPSLOMP_OAUTH_AUTHORIZE_URL ?? new URL('/oauth/authorize', env.ROMPSLOMP_BASE_URL).toString(),
        tokenUrl,
        clientId: env.ROMPSLOMP_CLIENT_ID,
        clientSecret: env.ROMPSLOMP_CLIENT_SECRET,
        scope: ROMPSLOMP_SCOPE,
        // PKCE is not in the swagger; the client secret authenticates the exchange.
        pkce: false,
        clientAuthentication: 'body',
        ...timeout,
      };
    }
    case 'visma-net': {
      const base = env.VISMA_CONNECT_BASE_URL.replace(/\/?$/, '/');
      return {
        provider: 'Visma.net',
        // The discovery document lives at https://connect.visma.com/.well-known/openid-configuration, so the issuer
        // is the origin (OpenID Connect Discovery §4); the ID token Visma Connect returns must name it.
        issuer: new URL(base).origin,
        authorizeUrl: new URL('authorize', base).toString(),
        tokenUrl: new URL('token', base).toString(),
        clientId: env.VISMA_CLIENT_ID,
        clientSecret: env.VISMA_CLIENT_SECRET,
        scope: VISMA_SCOPES,
        // A confidential web app: the client secret as form fields (Visma's documented example; Basic is not shown
        // anywhere), and PKCE on top (optional for such apps, recommended).
        pkce: true,
        responseMode: 'query',
        clientAuthentication: 'body',
        ...timeout,
      };
    }
    default:
      return null;
  }
}
