import * as oauth from 'oauth4webapi';
import { ProviderError, describeProviderError } from '../lib/errors.js';
import { oauthTokenTexts as oauthTexts } from '../lib/messages.js';
import { ReconnectRequiredError, authorizationServer, authorizeUrl, isLoopbackHttp, type OAuthClientConfig } from '../lib/oauth.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, DEFAULT_TIMEOUT_MS, classifyStatus, clipMessage, defaultErrorMessage, parseRetryAfter, transportFailure } from './http.js';
import type { OAuthTokens } from '../lib/credentials.js';
import type { OAuthConnectorFactory } from './types.js';

/**
 * The OAuth2 authorization-code flow's token calls (RFC 6749 §4.1, optional PKCE per RFC 7636) for every provider
 * that connects this way (Rompslomp, Visma.net), on oauth4webapi: it sends the requests and checks the answers
 * (`token_type`, `expires_in`, an ID token's issuer and audience); here its errors become the ProviderErrors the
 * rest of the code acts on (ARCHITECTURE.md "What is hand-written and why"). The configuration is lib/oauth.ts's.
 */

const OPERATION = 'POST oauth/token';


type Grant = 'authorization_code' | 'refresh_token';

/** What the token endpoint answered when it did not give tokens. */
interface Refusal {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * A failed token request as the ProviderError the code uses (docs/providers/rompslomp.md §2, visma-net.md §2):
 * `invalid_grant` → ReconnectRequiredError ("koppel opnieuw"); `invalid_client` or a 401 → a refused app;
 * 429, 5xx and no answer → retryable; an answer oauth4webapi finds malformed → retryable, one it does not trust
 * (an ID token for another issuer or client, an unknown `token_type`) → not, nor an endpoint without https.
 */
export async function tokenFailure(provider: string, grant: Grant, err: unknown): Promise<unknown> {
  if (err instanceof ProviderError) return err;
  const refusal = await refusalOf(err);
  if (refusal) return refusalError(provider, grant, refusal);
  if (err instanceof oauth.OperationProcessingError && (err.code === oauth.PARSE_ERROR || err.code === oauth.INVALID_RESPONSE || err.code === oauth.RESPONSE_IS_NOT_JSON)) {
    return new ProviderError({
      kind: 'unavailable', provider, operation: OPERATION, providerMessage: err.message,
      message: describeProviderError('unavailable', { provider, lead: oauthTexts.noAccessToken(provider), providerMessage: err.message }),
    });
  }
  if (err instanceof oauth.OperationProcessingError && (err.code === oauth.HTTP_REQUEST_FORBIDDEN || err.code === oauth.REQUEST_PROTOCOL_FORBIDDEN)) {
    // Refused before sending: a configured http:// endpoint that is not a fake on this machine.
    return new ProviderError({
      kind: 'auth', provider, operation: OPERATION, providerMessage: err.message,
      message: describeProviderError('auth', { provider, lead: oauthTexts.insecureEndpoint(provider) }),
    });
  }
  if (err instanceof oauth.OperationProcessingError || err instanceof oauth.UnsupportedOperationError) {
    return new ProviderError({
      kind: 'auth', provider, operation: OPERATION, providerMessage: err.message,
      message: describeProviderError('auth', { provider, lead: oauthTexts.untrusted(provider), providerMessage: err.message }),
    });
  }
  return err;
}

/** The provider's refusal inside one of oauth4webapi's errors: an OAuth error body, a challenge, or a non-200 answer. */
async function refusalOf(err: unknown): Promise<Refusal | null> {
  if (err instanceof oauth.ResponseBodyError) return { status: err.status, headers: err.response.headers, body: err.cause };
  if (err instanceof oauth.WWWAuthenticateChallengeError) return { status: err.status, headers: err.response.headers, body: await readBody(err.response) };
  if (err instanceof oauth.OperationProcessingError && err.cause instanceof Response && err.cause.status !== 200) {
    return { status: err.cause.status, headers: err.cause.headers, body: await readBody(err.cause) };
  }
  return null;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.bodyUsed) return null;
  try {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  } catch {
    return null;
  }
}

function refusalError(provider: string, grant: Grant, { status, headers, body }: Refusal): ProviderError {
  const o = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const code = typeof o.error === 'string' ? o.error : null;
  const providerMessage = clipMessage(typeof o.error_description === 'string' ? o.error_description : code ?? defaultErrorMessage(body));
  const kind = classifyStatus(status);
  const common = { provider, operation: OPERATION, providerMessage, status };
  // A 429, 408 or 5xx is worth another try whatever its body says.
  if (kind === 'auth' || kind === 'validation' || kind === 'not-found' || kind === 'conflict') {
    if (code === 'invalid_grant') {
      const lead = grant === 'authorization_code' ? oauthTexts.codeRejected(provider) : oauthTexts.grantRevoked(provider);
      return new ReconnectRequiredError({ ...common, kind: 'auth', message: describeProviderError('auth', { provider, lead, providerMessage, status }) });
    }
    if (code === 'invalid_client' || status === 401) {
      return new ProviderError({ ...common, kind: 'auth', message: describeProviderError('auth', { provider, lead: oauthTexts.clientRejected(provider), providerMessage }) });
    }
  }
  const retryAfterMs = kind === 'rate-limited' ? parseRetryAfter(headers.get('retry-after')) ?? DEFAULT_RATE_LIMIT_WAIT_MS : undefined;
  return new ProviderError({
    ...common, kind,
    outcomeUnknown: status >= 500 || status === 408,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    message: describeProviderError(kind, { provider, status, providerMessage }),
  });
}

export function createOAuthClient(config: OAuthClientConfig): OAuthConnectorFactory {
  const name = config.provider;
  const as = authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  // How each provider documents it: form fields for both (docs/providers/*.md §2); Basic where configured.
  const clientAuth = config.clientAuthentication === 'basic' ? oauth.ClientSecretBasic(config.clientSecret) : oauth.ClientSecretPost(config.clientSecret);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Plain http only towards the fakes on this machine; oauth4webapi refuses it otherwise.
  const insecure = isLoopbackHttp(config.tokenUrl);

  /** One token request, its answer checked by oauth4webapi; whatever fails is thrown as tokenFailure maps it. */
  async function tokenRequest(
    grant: Grant,
    send: (options: oauth.TokenEndpointRequestOptions) => Promise<Response>,
    check: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<oauth.TokenEndpointResponse> {
    // One signal for the whole exchange, answer body included (as connectors/http.ts does).
    const signal = AbortSignal.timeout(timeoutMs);
    const options: oauth.TokenEndpointRequestOptions = {
      signal,
      // No answer at all is ours to classify (timeout, refused): oauth4webapi passes the fetch's error on as it is.
      [oauth.customFetch]: (url, init) => fetch(url, init).catch((err: unknown) => {
        throw transportFailure(name, err, OPERATION, timeoutMs);
      }),
      ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
    try {
      return await check(await send(options));
    } catch (err) {
      // The time ran out while the answer was being read: oauth4webapi reports that as an unreadable body.
      if (signal.aborted && !(err instanceof ProviderError)) throw transportFailure(name, signal.reason, OPERATION, timeoutMs);
      throw await tokenFailure(name, grant, err);
    }
  }

  function toCredentials(body: oauth.TokenEndpointResponse, previous?: Partial<OAuthTokens>): OAuthTokens {
    const expiresIn = body.expires_in;
    // "Re-use" refresh tokens (Visma Connect) may not come back: the one we have stays valid.
    const refreshToken = body.refresh_token ?? previous?.refreshToken;
    return {
      accessToken: body.access_token,
      // Our clock, not the provider's `created_at`: a skewed clock must not make a fresh token look expired.
      expiresAt: expiresIn !== undefined && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : '',
      ...(refreshToken ? { refreshToken } : {}),
      scope: body.scope ?? previous?.scope ?? config.scope,
    };
  }

  return {
    pkce: config.pkce ?? false,

    authorizeUrl: (state, redirectUri, codeChallenge) => authorizeUrl(config, state, redirectUri, codeChallenge),

    async exchangeCode(code, redirectUri, codeVerifier) {
      const verifier = config.pkce && codeVerifier ? codeVerifier : oauth.nopkce;
      const body = await tokenRequest(
        'authorization_code',
        (options) => {
          // The API compared the state with the one it stored (single use) before it kept this code; the code is
          // all the callback left us, so the state check is skipped here.
          const callback = oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
          return oauth.authorizationCodeGrantRequest(as, client, clientAuth, callback, redirectUri, verifier, options);
        },
        (response) => oauth.processAuthorizationCodeResponse(as, client, response),
      );
      return toCredentials(body);
    },

    async refresh(credentials) {
      const refreshToken = credentials.refreshToken;
      if (!refreshToken) {
        throw new ReconnectRequiredError({
          kind: 'auth', provider: name, operation: OPERATION,
          message: describeProviderError('auth', { provider: name, lead: oauthTexts.noRefreshToken(name) }),
        });
      }
      const body = await tokenRequest(
        'refresh_token',
        (options) => oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, options),
        (response) => oauth.processRefreshTokenResponse(as, client, response),
      );
      return toCredentials(body, credentials);
    },
  };
}
