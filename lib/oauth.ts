import { createHash, randomBytes } from 'node:crypto';
import { ProviderError, describeProviderError } from '../connectors/errors.js';
import { HttpClient } from '../connectors/http.js';
import type { OAuthConnectorFactory, ProviderCredentials } from '../connectors/types.js';

/**
 * The OAuth2 authorization-code flow (RFC 6749 §4.1, optional PKCE per RFC 7636), written once for every
 * provider that connects this way (Rompslomp, Visma.net). The API builds the authorize URL and keeps the
 * state; an activity exchanges the code and refreshes tokens, so tokens never pass through the API or a
 * workflow. Tokens are kept as ProviderCredentials: `{ accessToken, refreshToken, expiresAt, scope }`.
 */

/** How long a state handed to the browser stays valid (single use). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
/** Refresh this long before the provider's expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_SKEW_MS = 60_000;

export interface OAuthClientConfig {
  /** Display name, e.g. "Rompslomp". */
  provider: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes. */
  scope: string;
  pkce?: boolean;
  /** How the token endpoint wants the client credentials: form fields (default) or HTTP Basic. */
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

/** An unguessable state value for the authorize redirect. */
export function newOAuthState(): string {
  return randomBytes(32).toString('base64url');
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Whether the access token has expired (or will within the skew); unknown expiry counts as valid until a 401. */
export function accessTokenExpired(credentials: ProviderCredentials, now: number = Date.now()): boolean {
  if (!credentials.accessToken) return true;
  const at = credentials.expiresAt ? Date.parse(credentials.expiresAt) : NaN;
  return Number.isFinite(at) && at - REFRESH_SKEW_MS <= now;
}

const texts = {
  codeRejected: (p: string) => `${p} accepteert de autorisatiecode niet (verlopen of al gebruikt); koppel opnieuw`,
  grantRevoked: (p: string) => `De toegang van Simon tot ${p} is ingetrokken of verlopen`,
  noRefreshToken: (p: string) => `${p} gaf geen refresh token; de toegang kan niet worden verlengd`,
  clientRejected: (p: string) => `${p} kent de app van Simon niet (client id of secret onjuist)`,
  noAccessToken: (p: string) => `${p} gaf geen toegangstoken terug`,
};

export function createOAuthClient(config: OAuthClientConfig): OAuthConnectorFactory {
  const name = config.provider;

  /** One token request; OAuth error codes (`invalid_grant`, `invalid_client`) become errors a person can act on. */
  async function tokenRequest(fields: Record<string, string>, grant: 'authorization_code' | 'refresh_token'): Promise<Record<string, unknown>> {
    const seen: { error: string | null } = { error: null };
    const http = new HttpClient({
      provider: name,
      baseUrl: config.tokenUrl,
      ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
      errorMessage: (body) => {
        if (body && typeof body === 'object') {
          const o = body as Record<string, unknown>;
          if (typeof o.error === 'string') seen.error = o.error;
          return typeof o.error_description === 'string' ? o.error_description : typeof o.error === 'string' ? o.error : null;
        }
        return null;
      },
    });
    const form = new URLSearchParams({ grant_type: grant, ...fields });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (config.clientAuthentication === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', config.clientId);
      form.set('client_secret', config.clientSecret);
    }
    try {
      const { body } = await http.request<unknown>({ method: 'POST', path: config.tokenUrl, body: form.toString(), headers });
      if (!body || typeof body !== 'object' || typeof (body as Record<string, unknown>).access_token !== 'string') {
        throw new ProviderError({
          kind: 'unavailable', provider: name, operation: 'POST oauth/token',
          message: describeProviderError('unavailable', { provider: name, lead: texts.noAccessToken(name) }),
        });
      }
      return body as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof ProviderError) || err.retryable) throw err;
      const said = err.providerMessage;
      if (seen.error === 'invalid_grant') {
        const lead = grant === 'authorization_code' ? texts.codeRejected(name) : texts.grantRevoked(name);
        throw new ReconnectRequiredError({
          kind: 'auth', provider: name, operation: 'POST oauth/token', providerMessage: said,
          ...(err.status !== undefined ? { status: err.status } : {}),
          message: describeProviderError('auth', { provider: name, lead, providerMessage: said, ...(err.status !== undefined ? { status: err.status } : {}) }),
        });
      }
      if (seen.error === 'invalid_client' || err.status === 401) {
        throw new ProviderError({
          kind: 'auth', provider: name, operation: 'POST oauth/token', providerMessage: said,
          ...(err.status !== undefined ? { status: err.status } : {}),
          message: describeProviderError('auth', { provider: name, lead: texts.clientRejected(name), providerMessage: said }),
        });
      }
      throw err;
    }
  }

  function toCredentials(body: Record<string, unknown>, previous?: ProviderCredentials): ProviderCredentials {
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in);
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : previous?.refreshToken;
    return {
      accessToken: body.access_token as string,
      // Our clock, not the provider's `created_at`: a skewed clock must not make a fresh token look expired.
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : '',
      ...(refreshToken ? { refreshToken } : {}),
      scope: typeof body.scope === 'string' ? body.scope : previous?.scope ?? config.scope,
    };
  }

  return {
    pkce: config.pkce ?? false,

    authorizeUrl(state, redirectUri, codeChallenge) {
      const url = new URL(config.authorizeUrl);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', config.scope);
      url.searchParams.set('state', state);
      if (config.pkce && codeChallenge) {
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
      }
      return url.toString();
    },

    async exchangeCode(code, redirectUri, codeVerifier) {
      const body = await tokenRequest(
        { code, redirect_uri: redirectUri, ...(config.pkce && codeVerifier ? { code_verifier: codeVerifier } : {}) },
        'authorization_code',
      );
      return toCredentials(body);
    },

    async refresh(credentials) {
      if (!credentials.refreshToken) {
        throw new ReconnectRequiredError({
          kind: 'auth', provider: name, operation: 'POST oauth/token',
          message: describeProviderError('auth', { provider: name, lead: texts.noRefreshToken(name) }),
        });
      }
      const body = await tokenRequest({ refresh_token: credentials.refreshToken }, 'refresh_token');
      return toCredentials(body, credentials);
    },
  };
}
