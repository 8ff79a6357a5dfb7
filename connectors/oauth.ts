import { ProviderError, describeProviderError } from '../lib/errors.js';
import { ReconnectRequiredError, authorizeUrl, type OAuthClientConfig } from '../lib/oauth.js';
import { HttpClient } from './http.js';
import type { OAuthConnectorFactory, ProviderCredentials } from './types.js';

/**
 * The OAuth2 authorization-code flow's token calls (RFC 6749 §4.1, optional PKCE per RFC 7636), written once for
 * every provider that connects this way (Rompslomp, Visma.net); the configuration is lib/oauth.ts's.
 */

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

    authorizeUrl: (state, redirectUri, codeChallenge) => authorizeUrl(config, state, redirectUri, codeChallenge),

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
