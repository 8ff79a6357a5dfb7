import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { createFactuurSturenConnector, type FactuurSturenConnector } from '../../connectors/factuursturen/connector.js';
import {
  noFaults,
  seedFactuurSturen,
  startFakeFactuurSturen,
  createFakeFactuurSturenState,
  type FakeFactuurSturen,
} from '../../fakes/factuursturen/server.js';
import { createConnector } from '../../connectors/index.js';
import type { DocumentDraft } from '../../connectors/types.js';
import { factuurSturenSettings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const account = { username: 'installatiebedrijf-jansen', apiKey: 'fs-key-7d1c2b' };

function draftFor(reference: string, overrides: Partial<DocumentDraft> = {}): DocumentDraft {
  return {
    documentType: 'invoice',
    reference,
    workOrderId: 'wo-1',
    workOrderNumber: 'WB-1001',
    date: '2026-11-23',
    customer: { externalId: '1001', name: 'Klant 1001' },
    lines: [
      { kind: 'text', description: 'CV-ketel maakt geluid' },
      { kind: 'article', role: 'work-time', articleExternalId: '2', articleCode: '0002', description: 'Werktijd', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: '10', articleCode: '1009', description: 'Kogelkraan 15 mm', quantity: 3, unitPrice: '4.25' },
      { kind: 'article', role: 'default', articleExternalId: '3', articleCode: '0003', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
    ],
    paymentReference: 'WB-1001',
    descriptionLines: ['Werkbon WB-1001', 'CV-ketel maakt geluid'],
    memo: null,
    customerReference: null,
    warehouse: null,
    ...overrides,
  };
}

connectorContract('FactuurSturen', async () => {
  const fake = await startFakeFactuurSturen({ accounts: [account], seed: { groups: 3, products: 250, clients: 1200 } });
  return {
    connector: createConnector('factuursturen', { baseUrl: fake.url, credentials: account }),
    badCredentials: createConnector('factuursturen', { baseUrl: fake.url, credentials: { ...account, apiKey: 'wrong' } }),
    expected: { customers: 1200, articles: 250, articleGroups: 3 },
    draft: (reference) => draftFor(reference),
    stop: () => fake.stop(),
  };
});

describe('FactuurSturen connector against the fake', () => {
  let fake: FakeFactuurSturen;
  const connect = (extra: { apiKey?: string; timeoutMs?: number; onRequest?: () => void } = {}): FactuurSturenConnector =>
    createFactuurSturenConnector({
      baseUrl: fake.url,
      credentials: { username: account.username, apiKey: extra.apiKey ?? account.apiKey },
      ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
      ...(extra.onRequest ? { onRequest: extra.onRequest } : {}),
    });
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);

  beforeAll(async () => {
    fake = await startFakeFactuurSturen({ accounts: [account] });
    seedFactuurSturen(fake.state, { groups: 3, products: 250, clients: 1200 });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noFaults());
    fake.state.rateWindows = {};
  });

  describe('listings (no paging upstream: one download, sliced)', () => {
    it('downloads the customer list once per listing and serves it in pages of 200 by default', async () => {
      const connector = connect();
      const before = fake.state.requests['GET clients'] ?? 0;
      const { records, pages, total } = await listAll(({ cursor, since }) => connector.listCustomers({ cursor, since }), 200);
      expect(pages).toBe(6);
      expect(total).toBe(1200);
      expect(records.map((c) => c.externalId)).toEqual(fake.state.clients.map((c) => String(c.clientnr)));
      expect(fake.state.requests['GET clients'] - before).toBe(1);

      // A new listing (cursor null) downloads again, so upstream changes are seen.
      await connector.listCustomers({ cursor: null, since: null });
      expect(fake.state.requests['GET clients'] - before).toBe(2);
    });

    it('sorts by id numerically and returns the offset of the next page as cursor', async () => {
      const connector = connect();
      const first = await connector.listArticles({ cursor: null, since: null, pageSize: 100 });
      expect(first.nextCursor).toBe('100');
      expect(first.records.slice(0, 3).map((a) => a.code)).toEqual(['0001', '0002', '0003']);
      const last = await connector.listArticles({ cursor: '200', since: null, pageSize: 100 });
      expect(last.records).toHaveLength(50);
      expect(last.records.at(-1)!.externalId).toBe('250');
      expect(last.nextCursor).toBeNull();
    });

    it('reads numbers and booleans sent as strings, and maps clients to Simon customers', async () => {
      const connector = connect();
      const { records } = await listAll((req) => connector.listCustomers(req), 500);
      const byNr = new Map(records.map((c) => [c.externalId, c]));
      const raw = fake.state.clients[0];
      expect(byNr.get('1001')).toEqual({
        externalId: '1001',
        number: '1001',
        name: raw.company,
        address: { street: raw.address, postalCode: raw.zipcode, city: raw.city, country: 'Nederland' },
        email: raw.email,
        phone: raw.phone,
        active: true,
        workAddresses: [],
      });
      // Every 30th seeded client is inactive; every 6th is a private person without company name.
      expect(byNr.get('1030')!.active).toBe(false);
      expect(byNr.get('1006')!.name).toBe(fake.state.clients[5].contact);
    });

    it('maps products to articles with decimal prices and their category as group', async () => {
      const connector = connect();
      const page = await connector.listArticles({ cursor: null, since: null, pageSize: 3 });
      expect(page.records).toEqual([
        { externalId: '1', code: '0001', description: 'Reistijd', salesPrice: '45', unit: null, groupExternalId: '1', active: true },
        { externalId: '2', code: '0002', description: 'Werktijd', salesPrice: '62.5', unit: null, groupExternalId: '1', active: true },
        { externalId: '3', code: '0003', description: 'Voorrijkosten', salesPrice: '35', unit: null, groupExternalId: '1', active: true },
      ]);
      const groups = await connector.listArticleGroups({ cursor: null, since: null });
      expect(groups.records.map((g) => g.description)).toEqual(['Tijden', 'Materialen', 'Diensten']);
    });

    it('honours an active flag on products when the provider sends one', async () => {
      const product = fake.state.products[5];
      product.active = false;
      try {
        const { records } = await listAll((req) => connect().listArticles(req), 250);
        expect(records.find((a) => a.externalId === String(product.id))!.active).toBe(false);
      } finally {
        delete product.active;
      }
    });
  });

  describe('connecting', () => {
    it('accepts the right account name and API key', async () => {
      await expect(connect().verifyConnection()).resolves.toEqual({ label: account.username });
    });

    it('rejects a wrong API key with a clear Dutch message and the provider text, without leaking the key', async () => {
      const err = await failure(connect({ apiKey: 'not-the-key' }).verifyConnection());
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
      expect(err.message).toContain('Onjuiste gebruikersnaam of API sleutel');
      expect(err.providerMessage).toContain('wrong username or API key');
      expect(JSON.stringify({ ...err, message: err.message })).not.toContain('not-the-key');
    });

    it('counts every outgoing call through onRequest and exposes the remaining hourly calls', async () => {
      let calls = 0;
      const connector = connect({ onRequest: () => calls++ });
      expect(connector.rateLimitRemaining).toBeNull();
      await connector.verifyConnection();
      await connector.listArticleGroups({ cursor: null, since: null });
      expect(calls).toBe(2);
      expect(connector.rateLimitRemaining).toBe(fake.state.rateLimitPerHour - 2);
    });
  });

  describe('provider faults', () => {
    it('429 with Retry-After → retryable rate-limited error carrying the wait', async () => {
      fake.faults.failNext.push({ status: 429, path: 'clients', retryAfterSeconds: 7 });
      const err = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429, retryAfterMs: 7000 });
    });

    it('hitting the hourly limit → 429 until the hour is over, x-ratelimit-remaining counts down to 0', async () => {
      const limit = fake.state.rateLimitPerHour;
      fake.state.rateLimitPerHour = 2;
      try {
        const connector = connect();
        await connector.verifyConnection();
        expect(connector.rateLimitRemaining).toBe(1);
        await connector.verifyConnection();
        expect(connector.rateLimitRemaining).toBe(0);
        const err = await failure(connector.verifyConnection());
        expect(err).toMatchObject({ kind: 'rate-limited', retryable: true });
        expect(err.retryAfterMs).toBeGreaterThan(3_500_000);
        expect(err.retryAfterMs).toBeLessThanOrEqual(3_600_000);
      } finally {
        fake.state.rateLimitPerHour = limit;
      }
    });

    it.each([500, 502, 503, 504])('%i → retryable unavailable, and the next attempt succeeds', async (status) => {
      fake.faults.failNext.push({ status, method: 'GET', path: 'products' });
      const connector = connect();
      const err = await failure(connector.listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status });
      const page = await connector.listArticles({ cursor: null, since: null });
      expect(page.total).toBe(250);
    });

    it('a slow provider → retryable timeout', async () => {
      fake.faults.latencyMs = 400;
      const err = await failure(connect({ timeoutMs: 100 }).verifyConnection());
      expect(err).toMatchObject({ kind: 'timeout', retryable: true });
      expect(err.message).toContain('FactuurSturen');
    });

    it('a refused invoice (unknown customer) → non-retryable validation with the provider text, nothing stored', async () => {
      const before = fake.state.savedInvoices.length;
      const err = await failure(connect().createDocument(draftFor(`bad-client-${Date.now()}`, { customer: { externalId: '999999', name: 'Onbekend' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 400 });
      expect(err.providerMessage).toBe('Client 999999 does not exist');
      expect(err.message).toContain('Client 999999 does not exist');
      expect(fake.state.savedInvoices.length).toBe(before);
    });

    it('422 with a text body → non-retryable validation with that text', async () => {
      fake.faults.failNext.push({ status: 422, method: 'POST', path: 'invoices', body: 'Line 1: tax_rate 7 is not allowed' });
      const err = await failure(connect().createDocument(draftFor(`unprocessable-${Date.now()}`), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 422, providerMessage: 'Line 1: tax_rate 7 is not allowed' });
    });
  });

  describe('Controleer (checkSettings) and pick-lists', () => {
    const settings = (over: Record<string, unknown>) =>
      factuurSturenSettings.parse({
        provider: 'factuursturen',
        termsAccepted: true,
        workTimeArticle: '0002',
        travelTimeArticle: null,
        defaultArticle: '0003',
        excludeFilterWord: '',
        ...over,
      });

    it('echoes each article it found and names each one it did not', async () => {
      const checks = await connect().checkSettings(settings({ defaultArticle: 'XX-99' }));
      expect(checks).toEqual([
        { field: 'workTimeArticle', ok: true, found: { code: '0002', name: 'Werktijd', price: '62.5' } },
        { field: 'defaultArticle', ok: false, error: 'Artikel niet bekend in FactuurSturen' },
        { field: 'termsAccepted', ok: true },
      ]);
    });

    it('checks every article field that is filled in, and the terms', async () => {
      const s = { ...settings({ travelTimeArticle: '0001' }), termsAccepted: false as never };
      const checks = await connect().checkSettings(s);
      expect(checks.map((c) => [c.field, c.ok])).toEqual([
        ['workTimeArticle', true],
        ['travelTimeArticle', true],
        ['defaultArticle', true],
        ['termsAccepted', false],
      ]);
      expect(checks.find((c) => c.field === 'travelTimeArticle')!.found).toEqual({ code: '0001', name: 'Reistijd', price: '45' });
    });

    it('searches articles by code or name, case-insensitively', async () => {
      const byName = await connect().options!('articles', 'REIS');
      expect(byName.map((o) => o.code)).toContain('0001');
      expect(byName.every((o) => /reis/i.test(`${String(o.code)} ${String(o.name)}`))).toBe(true);
      const byCode = await connect().options!('articles', '0003');
      expect(byCode).toEqual([{ id: '0003', name: 'Voorrijkosten', code: '0003', externalId: '3', group: '1', price: '35' }]);
      await expect(connect().options!('journals', null)).rejects.toThrow(/bestaat niet/);
    });
  });

  describe('concept invoices', () => {
    it('saves a concept invoice for the customer with article codes leading the lines', async () => {
      const reference = `simon-wo-${Date.now()}`;
      const created = await connect().createDocument(draftFor(reference), null);
      const stored = fake.state.savedInvoices.find((i) => i.savename === reference)!;
      expect(created).toEqual({ documentId: String(stored.id), documentNumber: String(stored.id) });
      expect(stored.clientnr).toBe(1001);
      expect(stored.reference).toEqual({ line1: 'Werkbon WB-1001', line2: 'CV-ketel maakt geluid' });
      expect(stored.paymentreference).toBe('WB-1001');
      const product10 = fake.state.products[9];
      expect(stored.lines).toEqual([
        { amount: 0, description: 'CV-ketel maakt geluid', price: 0, tax_rate: null },
        { amount: 2, description: '0002 Werktijd', price: 62.5, tax_rate: 21 },
        { amount: 3, description: '1009 Kogelkraan 15 mm', price: 4.25, tax_rate: product10.taxes },
        { amount: 1, description: '0003 Voorrijkosten', price: 35, tax_rate: 21 },
      ]);
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
    });

    it('finds nothing for a reference that was never saved', async () => {
      expect(await connect().findDocument(lookupOf('simon-never-saved'))).toBeNull();
    });

    it('saving the same reference twice gives the same invoice, not a second one', async () => {
      const reference = `simon-twice-${Date.now()}`;
      const first = await connect().createDocument(draftFor(reference), null);
      const second = await connect().createDocument(draftFor(reference), null);
      expect(second).toEqual(first);
      expect(fake.state.savedInvoices.filter((i) => i.savename === reference)).toHaveLength(1);
    });

    it('a timeout after the write was committed: retryable error, the invoice exists once and is found by reference', async () => {
      const reference = `simon-commit-timeout-${Date.now()}`;
      fake.faults.timeoutAfterCommit = { method: 'POST', path: 'invoices', count: 1 };
      const postsBefore = fake.state.requests['POST invoices'] ?? 0;

      const err = await failure(connect().createDocument(draftFor(reference), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504 });
      const stored = fake.state.savedInvoices.filter((i) => i.savename === reference);
      expect(stored).toHaveLength(1);

      const found = await connect().findDocument(lookupOf(reference));
      expect(found).toEqual({ documentId: String(stored[0].id), documentNumber: String(stored[0].id) });

      // Even a blind retry of the create lands on the same invoice.
      expect(await connect().createDocument(draftFor(reference), null)).toEqual(found);
      expect(fake.state.savedInvoices.filter((i) => i.savename === reference)).toHaveLength(1);
      expect(fake.state.requests['POST invoices'] - postsBefore).toBe(2);
    });

    it('refuses an article line that has no price and no longer exists upstream, before writing anything', async () => {
      const posts = fake.state.requests['POST invoices'] ?? 0;
      const draft = draftFor(`simon-gone-${Date.now()}`, {
        lines: [{ kind: 'article', role: 'material', articleExternalId: '99999', articleCode: 'WEG-1', description: 'Verwijderd artikel', quantity: 1, unitPrice: null }],
      });
      const err = await failure(connect().createDocument(draft, null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.message).toContain('WEG-1');
      expect(fake.state.requests['POST invoices'] ?? 0).toBe(posts);
    });
  });
});

describe('fake FactuurSturen', () => {
  it('seeds the same realistic data for the same seed', () => {
    const a = createFakeFactuurSturenState();
    const b = createFakeFactuurSturenState();
    seedFactuurSturen(a, { clients: 50, products: 20, groups: 3, seed: 42 });
    seedFactuurSturen(b, { clients: 50, products: 20, groups: 3, seed: 42 });
    expect(a.clients).toEqual(b.clients);
    expect(a.products).toEqual(b.products);
    expect(a.clients[0].zipcode).toMatch(/^\d{4} [A-Z]{2}$/);
    expect(a.products.map((p) => p.code).slice(0, 3)).toEqual(['0001', '0002', '0003']);
  });

  it('takes faults over HTTP and reports its counters', async () => {
    const fake = await startFakeFactuurSturen();
    try {
      const set = await fetch(new URL('/__faults', fake.url), {
        method: 'POST',
        body: JSON.stringify({ failNext: [{ status: 503, path: 'profiles' }], latencyMs: 5 }),
      });
      expect(set.status).toBe(200);
      expect(fake.faults.failNext).toHaveLength(1);
      expect(fake.faults.latencyMs).toBe(5);
      const res = await fetch(new URL('profiles', fake.url));
      expect(res.status).toBe(503);
      const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number> };
      expect(state.requests['GET profiles']).toBe(1);
    } finally {
      await fake.stop();
    }
  });
});
