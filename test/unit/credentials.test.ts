import { describe, expect, it } from 'vitest';
import { oauthTokens, readCredentials } from '../../connectors/credentials.js';
import type { ConnectorContext, OAuthTokens } from '../../connectors/types.js';
import { ProviderError } from '../../lib/errors.js';

/** Each connector reads its package's credentials through one parse at its edge (connectors/credentials.ts). */

const refused = (lead: string) => () => new ProviderError({ kind: 'auth', provider: 'Test', message: lead });

describe('readCredentials: typed credentials, or the connector\'s auth error when a field is missing', () => {
  it('gives the fields of the package, and nothing else', () => {
    const read = readCredentials('factuursturen', { username: 'jansen', apiKey: 'k-123456', extra: 'x' }, refused('ontbreekt'));
    expect(read.value).toEqual({ username: 'jansen', apiKey: 'k-123456' });
    expect(read.get()).toEqual({ username: 'jansen', apiKey: 'k-123456' });
  });

  it('refuses a missing or empty field only when the credentials are used', () => {
    const incomplete: Record<string, string>[] = [{ username: 'jansen' }, { username: 'jansen', apiKey: '' }, {}];
    for (const stored of incomplete) {
      const read = readCredentials('factuursturen', stored, refused('Gebruikersnaam of API sleutel ontbreekt'));
      expect(read.value).toBeNull();
      expect(() => read.get()).toThrow('Gebruikersnaam of API sleutel ontbreekt');
    }
    expect(readCredentials('octopus', { username: 'u' }, refused('x')).value).toBeNull();
    expect(readCredentials('imuis', { environmentCode: '   ' }, refused('x')).value).toBeNull();
  });

  it('trims the iMuis omgevingscode, as the connect step stored it', () => {
    expect(readCredentials('imuis', { environmentCode: ' ABC-123 ' }, refused('x')).get()).toEqual({ environmentCode: 'ABC-123' });
  });

  it('reads OAuth tokens as connectors/oauth.ts writes them; without an access and a refresh token there is no connection', () => {
    expect(readCredentials('rompslomp', { accessToken: 'at', refreshToken: 'rt' }, refused('x')).value).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresAt: '', scope: '' });
    expect(readCredentials('visma-net', { refreshToken: 'rt' }, refused('x')).value).toMatchObject({ accessToken: '', refreshToken: 'rt' });
    expect(readCredentials('visma-net', { scope: 'read' }, refused('x')).value).toBeNull();
  });
});

describe('oauthTokens: the tokens a connector holds, refreshed one at a time', () => {
  const fail = { notConnected: refused('niet gekoppeld'), cannotRefresh: refused('verlopen') };
  const context = (credentials: Record<string, string>, refresh?: (stale: OAuthTokens) => Promise<OAuthTokens>): ConnectorContext => ({
    baseUrl: 'http://127.0.0.1:1/', credentials, ...(refresh ? { refreshCredentials: refresh } : {}),
  });

  it('refuses to make a call without tokens', async () => {
    const tokens = oauthTokens(context({}), 'rompslomp', fail);
    await expect(tokens.fresh()).rejects.toThrow('niet gekoppeld');
    expect(tokens.accessToken).toBe('');
  });

  it('refreshes a lapsed access token before the call, once for concurrent callers', async () => {
    let refreshes = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tokens = oauthTokens(
      context({ accessToken: 'old', refreshToken: 'rt', expiresAt: new Date(Date.now() - 1_000).toISOString() }, async (stale) => {
        refreshes++;
        expect(stale.accessToken).toBe('old');
        await gate;
        return { accessToken: 'new', refreshToken: 'rt2', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), scope: '' };
      }),
      'visma-net',
      fail,
    );
    const both = Promise.all([tokens.fresh(), tokens.fresh()]);
    release();
    expect(await both).toEqual(['new', 'new']);
    expect(refreshes).toBe(1);
    expect(tokens.accessToken).toBe('new');
    // A token without a known expiry is used until the package refuses it.
    expect(await tokens.fresh()).toBe('new');
    expect(refreshes).toBe(1);
  });

  it('cannot refresh without the context\'s hook, and says so with the connector\'s error', async () => {
    const tokens = oauthTokens(context({ accessToken: 'at', expiresAt: new Date(Date.now() - 1_000).toISOString() }), 'visma-net', fail);
    expect(tokens.renewable).toBe(false);
    // Without a hook a lapsed token is sent as it is: the package's 401 is the answer.
    expect(await tokens.fresh()).toBe('at');
    await expect(tokens.refresh()).rejects.toThrow('verlopen');
  });
});
