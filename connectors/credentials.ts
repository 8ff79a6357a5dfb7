import type { ProviderError } from '../lib/errors.js';
import { storedCredentialSchemas, type CredentialsOf, type OAuthTokens, type StoredCredentials } from '../lib/credentials.js';
import { accessTokenExpired } from '../lib/oauth.js';
import type { ProviderId } from '../lib/providers.js';
import type { ConnectorContext } from './types.js';

/**
 * A connector's credentials, read once at its edge (lib/credentials.ts names each package's fields): `value` is
 * the typed credentials, or null when a field is missing; `get()` gives them or throws the connector's own auth
 * error, so the refusal comes with the call that needed them (and after any configuration check made before it).
 */
export interface CredentialsReader<T> {
  readonly value: T | null;
  get(): T;
}

export function readCredentials<P extends ProviderId>(provider: P, stored: StoredCredentials, missing: () => ProviderError): CredentialsReader<CredentialsOf<P>> {
  const parsed = storedCredentialSchemas[provider].safeParse(stored);
  const value = parsed.success ? parsed.data : null;
  return {
    value,
    get() {
      if (value === null) throw missing();
      return value;
    },
  };
}

/**
 * The OAuth tokens a connector holds (Rompslomp, Visma.net): read from the context, renewed by the caller's
 * `refreshCredentials` one refresh at a time per connector (the caller serialises across workers and stores them,
 * activities/oauth.ts), and refreshed before a call when the access token has lapsed.
 */
export function oauthTokens(
  ctx: ConnectorContext,
  provider: 'rompslomp' | 'visma-net',
  fail: { notConnected: () => ProviderError; cannotRefresh: () => ProviderError },
) {
  let tokens: OAuthTokens | null = readCredentials(provider, ctx.credentials, fail.notConnected).value;
  let refreshing: Promise<void> | null = null;

  /** New tokens for the ones held now; concurrent callers share one refresh. */
  async function refresh(): Promise<void> {
    const renew = ctx.refreshCredentials;
    if (!renew) throw fail.cannotRefresh();
    if (tokens === null) throw fail.notConnected();
    refreshing ??= renew(tokens)
      .then((fresh) => {
        tokens = { ...fresh };
      })
      .finally(() => {
        refreshing = null;
      });
    await refreshing;
  }

  return {
    refresh,
    /** The access token held now ('' when there is none): what a request carries. */
    get accessToken(): string {
      return tokens?.accessToken ?? '';
    },
    /** An access token for the next call: refreshed first when it has lapsed and the context can renew it. */
    async fresh(): Promise<string> {
      if (tokens === null) throw fail.notConnected();
      if (accessTokenExpired(tokens) && ctx.refreshCredentials) await refresh();
      return tokens.accessToken;
    },
    /** Whether the context can renew tokens at all. */
    get renewable(): boolean {
      return ctx.refreshCredentials !== undefined;
    },
  };
}

export type OAuthTokenHolder = ReturnType<typeof oauthTokens>;
