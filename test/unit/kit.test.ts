import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkArticleSettings, downloadedListings, filledArticleFields, matchesTerm, offsetCursor, parseRecord, recordList,
  termsCheck, TokenCache, withRenewal,
} from '../../connectors/kit.js';
import type { ConnectorContext } from '../../connectors/types.js';
import { ProviderError } from '../../lib/errors.js';
import type { Settings } from '../../lib/settings.js';

/** The connector kit (ARCHITECTURE.md "Connectors"): what every connector repeats, each piece on its own. */

const ctx = (onUnexpectedFields?: (operation: string, fields: string[]) => void): ConnectorContext =>
  ({ baseUrl: 'http://127.0.0.1:1/', credentials: {}, ...(onUnexpectedFields ? { onUnexpectedFields } : {}) });

describe('parseRecord: provider records parsed at the edge', () => {
  const schema = z.object({ id: z.number(), name: z.string() });

  it('keeps the known fields and reports the unknown ones', () => {
    const seen: string[][] = [];
    const record = parseRecord(ctx((_op, fields) => seen.push(fields)), 'FactuurSturen', 'clients', schema, { id: 1, name: 'Jansen', vat: 'NL1' });
    expect(record).toEqual({ id: 1, name: 'Jansen' });
    expect(seen).toEqual([['vat']]);
  });

  it('refuses a record of the wrong shape as a retryable unexpected answer naming the field', () => {
    try {
      parseRecord(ctx(), 'FactuurSturen', 'clients', schema, { id: 'x', name: 'Jansen' });
      expect.unreachable('a wrong record must throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ProviderError);
      const e = err as ProviderError;
      expect(e.kind).toBe('unavailable');
      expect(e.message).toContain('FactuurSturen gaf een onverwacht antwoord');
      expect(e.providerMessage).toContain('id');
    }
  });
});

describe('recordList: never read an unexpected answer as empty', () => {
  it('accepts an array of objects, or one under a key', () => {
    expect(recordList('Octopus', 'relations', [{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(recordList('Octopus', 'relations', { modified: [{ a: 2 }] }, 'modified')).toEqual([{ a: 2 }]);
    expect(recordList('Octopus', 'relations', [])).toEqual([]);
  });

  it.each([
    ['an HTML error page', '<html>Service Unavailable</html>'],
    ['null', null],
    ['an object without the key', { error: 'x' }],
    ['an array of strings', ['a', 'b']],
  ])('throws for %s', (_what, body) => {
    expect(() => recordList('Octopus', 'relations', body, 'modified')).toThrow(ProviderError);
  });
});

describe('downloadedListings: download once, page in memory', () => {
  it('downloads when a listing starts, then slices; a new start downloads again', async () => {
    let downloads = 0;
    const rows = Array.from({ length: 5 }, (_, i) => ({ id: i }));
    const listings = downloadedListings<'clients'>(() => {
      downloads++;
      return Promise.resolve(rows);
    });
    const first = await listings.page('clients', { cursor: null, since: null, pageSize: 2 }, (r) => r.id, 100);
    expect(first).toMatchObject({ records: [0, 1], nextCursor: '2', total: 5 });
    const second = await listings.page('clients', { cursor: '2', since: null, pageSize: 2 }, (r) => r.id, 100);
    const last = await listings.page('clients', { cursor: '4', since: null, pageSize: 2 }, (r) => r.id, 100);
    expect(second.records).toEqual([2, 3]);
    expect(last).toMatchObject({ records: [4], nextCursor: null, highWaterMark: null });
    expect(downloads).toBe(1);
    await listings.page('clients', { cursor: null, since: null, pageSize: 2 }, (r) => r.id, 100);
    expect(downloads).toBe(2);
  });

  it('forgets a failed download, so the retry of the page downloads again', async () => {
    let calls = 0;
    const listings = downloadedListings<'products'>(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('timeout')) : Promise.resolve([{ id: 'a' }]);
    });
    await expect(listings.get('products', false)).rejects.toThrow('timeout');
    await expect(listings.get('products', false)).resolves.toEqual([{ id: 'a' }]);
    expect(calls).toBe(2);
  });

  it('takes only offset cursors', () => {
    expect(offsetCursor(null)).toBe(0);
    expect(offsetCursor('200')).toBe(200);
    expect(() => offsetCursor('abc')).toThrow("Ongeldige cursor 'abc'");
  });
});

describe('TokenCache: single-flight logins', () => {
  it('shares one login between concurrent callers and renews before expiry', async () => {
    let now = 1_000_000;
    let logins = 0;
    const cache = new TokenCache({ renewMarginMs: 60_000, now: () => now });
    const login = () => Promise.resolve({ value: `t${++logins}`, expiresAt: now + 600_000 });
    const [a, b, c] = await Promise.all([cache.use('k', login), cache.use('k', login), cache.use('k', login)]);
    expect([a, b, c]).toEqual(['t1', 't1', 't1']);
    now += 550_000; // within a minute of expiry: inside the renewal margin
    expect(await cache.use('k', login)).toBe('t2');
    expect(logins).toBe(2);
  });

  it('does not remember a failed login, and forgets only the refused token', async () => {
    const cache = new TokenCache({ renewMarginMs: 0 });
    await expect(cache.use('k', () => Promise.reject(new Error('bad password')))).rejects.toThrow('bad password');
    expect(await cache.use('k', () => Promise.resolve({ value: 'good', expiresAt: Date.now() + 60_000 }))).toBe('good');
    await cache.invalidate('k', 'other');
    expect(await cache.use('k', () => Promise.resolve({ value: 'new', expiresAt: Date.now() + 60_000 }))).toBe('good');
    await cache.invalidate('k', 'good');
    expect(await cache.use('k', () => Promise.resolve({ value: 'new', expiresAt: Date.now() + 60_000 }))).toBe('new');
  });
});

describe('withRenewal: renew and repeat once on an expired token', () => {
  const expired = () => new ProviderError({ kind: 'auth', provider: 'Octopus', message: 'token expired', status: 401 });

  it('repeats the call once with a new token after a 401', async () => {
    const tokens = ['old', 'new'];
    const forgotten: string[] = [];
    const used: string[] = [];
    const result = await withRenewal(
      () => Promise.resolve(tokens[forgotten.length] ?? 'none'),
      (refused) => {
        forgotten.push(refused);
        return Promise.resolve();
      },
      (token) => {
        used.push(token);
        return token === 'old' ? Promise.reject(expired()) : Promise.resolve('ok');
      },
    );
    expect(result).toBe('ok');
    expect(used).toEqual(['old', 'new']);
    expect(forgotten).toEqual(['old']);
  });

  it('gives the second refusal back as the answer, and never retries other errors', async () => {
    let calls = 0;
    await expect(withRenewal(() => Promise.resolve('t'), () => Promise.resolve(), () => { calls++; return Promise.reject(expired()); })).rejects.toThrow('token expired');
    expect(calls).toBe(2);
    calls = 0;
    await expect(withRenewal(() => Promise.resolve('t'), () => Promise.resolve(), () => { calls++; return Promise.reject(new Error('500')); })).rejects.toThrow('500');
    expect(calls).toBe(1);
  });
});

describe('the settings checks every package shares', () => {
  const settings = { workTimeArticle: 'UUR', travelTimeArticle: ' ', defaultArticle: 'VOORRIJ', termsAccepted: true } as Partial<Settings>;

  it('checks each filled article field with one look-up and names what it found', async () => {
    expect(filledArticleFields(settings).map((f) => f.field)).toEqual(['workTimeArticle', 'defaultArticle']);
    const asked: string[][] = [];
    const checks = await checkArticleSettings('Octopus', settings, (codes) => {
      asked.push(codes);
      return Promise.resolve(new Map([['UUR', { code: 'UUR', name: 'Arbeid' }]]));
    });
    expect(asked).toEqual([['UUR', 'VOORRIJ']]);
    expect(checks).toEqual([
      { field: 'workTimeArticle', ok: true, found: { code: 'UUR', name: 'Arbeid' } },
      { field: 'defaultArticle', ok: false, error: 'Artikel niet bekend in Octopus' },
      { field: 'termsAccepted', ok: true },
    ]);
  });

  it('checks the terms only when the body names them', async () => {
    expect(await checkArticleSettings('Octopus', {}, () => Promise.resolve(new Map()))).toEqual([]);
    expect(termsCheck(false)).toEqual({ field: 'termsAccepted', ok: false, error: 'De voorwaarden moeten worden geaccepteerd' });
  });

  it('searches pick-lists case-insensitively over several fields', () => {
    expect(matchesTerm('arb', 'UUR', 'Arbeid')).toBe(true);
    expect(matchesTerm('', 'x')).toBe(true);
    expect(matchesTerm('zzz', 'UUR', null)).toBe(false);
  });
});
