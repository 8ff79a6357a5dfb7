import { createOAuthClient } from '../../../connectors/oauth.js';
import { parseEnv } from '../../../lib/env.js';
import { authorizeUrl, newOAuthState, oauthConfig, pkcePair } from '../../../lib/oauth.js';
import type { ProviderId } from '../../../lib/providers.js';

/** Tokens from a fake's OAuth server the way a browser would get them: authorize (consented at once), then exchange. */
export async function oauthTokens(provider: ProviderId, settings: Record<string, string>): Promise<Record<string, string>> {
  const config = oauthConfig(parseEnv(settings), provider)!;
  const redirectUri = 'http://127.0.0.1:1/v1/oauth/callback';
  const pkce = config.pkce ? await pkcePair() : null;
  const consent = await fetch(authorizeUrl(config, newOAuthState(), redirectUri, pkce?.challenge), { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`${provider}: the fake's consent gave no code`);
  return createOAuthClient(config).exchangeCode(code, redirectUri, pkce?.verifier);
}
