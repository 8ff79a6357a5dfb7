import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { documentReference } from '../../lib/references.js';
import { createFactuurSturenConnector, type FactuurSturenConnector } from '../../connectors/factuursturen/connector.js';
import { untilNextHourMs } from '../../connectors/factuursturen/transport.js';
import {
  noFaults, seedFactuurSturen, startFakeFactuurSturen, createFakeFactuurSturenState, DEFAULT_LIST_SIZE, type FakeFactuurSturen,
} from '../../fakes/factuursturen/server.js';
import { createConnector } from '../../connectors/index.js';
import type { ConnectorContext, DocumentDraft } from '../../connectors/types.js';
import { factuurSturenSettings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const account = { username: 'installatiebedrijf-jansen', apiKey: 'fs-key-7d1c2b' };
let serial = 0;
/** Our save name for a fresh work order: `SIM` + 17 base32 characters (lib/references.ts). */
const saveName = () => documentReference('factuursturen', 'fs-connector-test', `wo-${Date.now()}-${++serial}`, '1');

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
  const connect = (extra: Partial<ConnectorContext> & { apiKey?: string } = {}): FactuurSturenConnector => {
    const { apiKey, ...rest } = extra;
    return createFactuurSturenConnector({ baseUrl: fake.url, credentials: { username: account.username, apiKey: apiKey ?? account.apiKey }, ...rest });
  };
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);
  const stored = (name: string) => fake.state.savedInvoices.filter((i) => i.name === name);
  const count = (key: string) => fake.state.requests[key] ?? 0;
  const asked = (path: string) => fake.state.answers.filter((a) => a.method === 'GET' && a.path === path);

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
    fake.state.honoursCount = true;
  });

  describe('listings: asked whole with count=-1, downloaded once, sliced', () => {
    it('downloads the customer list once per listing, with count=-1, and serves it in pages of 500 by default', async () => {
      const connector = connect();
      const before = count('GET clients');
      const { records, pages, total } = await listAll(({ cursor, since }) => connector.listCustomers({ cursor, since }), 200);
      expect(pages).toBe(3);
      expect(total).toBe(1200);
      expect(records.map((c) => c.externalId)).toEqual(fake.state.clients.map((c) => String(c.clientnr)));
      expect(count('GET clients') - before).toBe(1);
      expect(asked('clients').at(-1)!.query).toBe('count=-1');

      // A new listing (cursor null) downloads again, so upstream changes are seen.
      await connector.listCustomers({ cursor: null, since: null });
      expect(count('GET clients') - before).toBe(2);
    });

    it('sends count=-1 on every listing it reads', async () => {
      const connector = connect();
      await connector.listArticleGroups({ cursor: null, since: null });
      await connector.listArticles({ cursor: null, since: null });
      await connector.listQuotes!({ cursor: null, since: null });
      await connector.findDocument(lookupOf(saveName()));
      await connector.verifyConnection();
      for (const path of ['categories', 'products', 'quotations', 'invoices_saved', 'profiles']) {
        // 250 products is a possible page size: that listing is also asked from 250 on, to see it is complete.
        expect(asked(path).slice(-2).map((a) => a.query).filter((q) => q === 'count=-1'), path).toHaveLength(1);
        expect(asked(path).every((a) => a.query.startsWith('count=-1')), path).toBe(true);
      }
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

    it('reads numbers and booleans sent as strings, maps clients, and names the country through countrylist', async () => {
      const connector = connect();
      const countryCalls = count('GET countrylist/nl');
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
      // The country names are read once per connector.
      await connector.listCustomers({ cursor: null, since: null });
      expect(count('GET countrylist/nl') - countryCalls).toBe(1);
    });

    it('keeps a country id the country list does not hold, and the ids when the list is refused', async () => {
      const client = fake.state.clients[1];
      client.country = 999;
      try {
        const page = await connect().listCustomers({ cursor: null, since: null, pageSize: 5 });
        expect(page.records[1].address!.country).toBe('999');
        fake.faults.failNext.push({ status: 404, path: 'countrylist', body: 'Unknown function' });
        const refused = await connect().listCustomers({ cursor: null, since: null, pageSize: 5 });
        expect(refused.records[0].address!.country).toBe('146');
      } finally {
        client.country = 146;
      }
    });

    it('maps products to articles without group, unit or active flag, and lists the categories as article groups', async () => {
      const connector = connect();
      const page = await connector.listArticles({ cursor: null, since: null, pageSize: 3 });
      expect(page.records).toEqual([
        { externalId: '1', code: '0001', description: 'Reistijd', salesPrice: '45', unit: null, groupExternalId: null, active: true },
        { externalId: '2', code: '0002', description: 'Werktijd', salesPrice: '62.5', unit: null, groupExternalId: null, active: true },
        { externalId: '3', code: '0003', description: 'Voorrijkosten', salesPrice: '35', unit: null, groupExternalId: null, active: true },
      ]);
      const groups = await connector.listArticleGroups({ cursor: null, since: null });
      expect(groups.records).toEqual([
        { externalId: '1', code: '1', description: 'Tijden', active: true },
        { externalId: '2', code: '2', description: 'Materialen', active: true },
        { externalId: '3', code: '3', description: 'Diensten', active: true },
      ]);
    });

    it('reports fields it does not know through onUnexpectedFields', async () => {
      const seen: [string, string[]][] = [];
      const product = fake.state.products[0] as unknown as Record<string, unknown>;
      product.note = 'Nieuw veld';
      try {
        await connect({ onUnexpectedFields: (op, fields) => seen.push([op, fields]) }).listArticles({ cursor: null, since: null, pageSize: 1 });
        expect(seen).toEqual([['GET products', ['note']]]);
      } finally {
        delete product.note;
      }
    });

    it('a listing of exactly a page size is asked again from there; a complete one is accepted', async () => {
      const products = fake.state.products;
      fake.state.products = products.slice(0, DEFAULT_LIST_SIZE);
      try {
        const page = await connect().listArticles({ cursor: null, since: null, pageSize: 500 });
        expect(page.records).toHaveLength(DEFAULT_LIST_SIZE);
        expect(asked('products').slice(-2).map((a) => a.query)).toEqual(['count=-1', `count=-1&start=${DEFAULT_LIST_SIZE}`]);
      } finally {
        fake.state.products = products;
      }
    });

    it('a server that ignores count=-1: the first page is an error, never the whole listing (nor "not found")', async () => {
      fake.state.honoursCount = false;
      const err = await failure(connect().listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(err.message).toContain("onvolledige lijst 'products'");
      const many = Array.from({ length: DEFAULT_LIST_SIZE + 1 }, (_, i) => ({ ...fake.state.savedInvoices[0] ?? {}, id: 90_000 + i, name: `SIMLIST${i}`, clientnr: 1001, reference: {}, lines: [] }));
      const saved = fake.state.savedInvoices;
      fake.state.savedInvoices = [...saved, ...(many as typeof saved)];
      try {
        const lookup = await failure(connect().findDocument(lookupOf(`SIMLIST${DEFAULT_LIST_SIZE}`)));
        expect(lookup).toMatchObject({ kind: 'unavailable', retryable: true });
      } finally {
        fake.state.savedInvoices = saved;
      }
    });
  });

  describe('connecting and the hourly limit', () => {
    it('accepts the right account name and API key', async () => {
      await expect(connect().verifyConnection()).resolves.toEqual({ label: account.username });
    });

    it('a 401 is wrong credentials: a clear Dutch message and the provider text, without leaking the key', async () => {
      const err = await failure(connect({ apiKey: 'not-the-key' }).verifyConnection());
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
      expect(err.message).toContain('Onjuiste gebruikersnaam of API sleutel');
      expect(err.providerMessage).toContain('wrong username or API key');
      expect(JSON.stringify({ ...err, message: err.message })).not.toContain('not-the-key');
    });

    it('a 403 with calls left is refused access (auth), with the header value in the provider message', async () => {
      fake.faults.failNext.push({ status: 403, path: 'profiles', rateLimitRemaining: 57, body: 'Access denied' });
      const err = await failure(connect().verifyConnection());
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 403 });
      expect(err.message).toContain('controleer of de API sleutel nog actief is');
      expect(err.providerMessage).toBe('Access denied; X-RateLimit-Remaining: 57');
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

    it('the hourly limit (403, remaining 0, no Retry-After) is a retryable wait until the next full hour plus jitter', async () => {
      const limit = fake.state.rateLimitPerHour;
      fake.state.rateLimitPerHour = 2;
      const held: number[] = [];
      try {
        const connector = connect({ onRateLimited: (ms) => held.push(ms) });
        await connector.verifyConnection();
        await connector.verifyConnection();
        expect(connector.rateLimitRemaining).toBe(0);
        const before = Date.now();
        const err = await failure(connector.verifyConnection());
        expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 403, outcomeUnknown: false });
        expect(err.message).toContain('Maximum aantal verzoeken per uur aan FactuurSturen bereikt');
        const toNextHour = 3_600_000 - (before % 3_600_000);
        expect(err.retryAfterMs).toBeGreaterThanOrEqual(toNextHour + 60_000 - 1_000);
        expect(err.retryAfterMs).toBeLessThanOrEqual(toNextHour + 300_000);
        expect(held).toEqual([err.retryAfterMs]);
        expect(fake.state.answers.at(-1)).toMatchObject({ status: 403 });
      } finally {
        fake.state.rateLimitPerHour = limit;
      }
    });

    it('waits the configured time instead when one is set (tests)', async () => {
      fake.faults.failNext.push({ status: 403, path: 'profiles', rateLimitRemaining: 0 });
      const err = await failure(connect({ config: { rateLimitWaitMs: '1500' } }).verifyConnection());
      expect(err).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1500 });
    });

    it('untilNextHourMs: to the next full hour plus 1 to 5 minutes', () => {
      const at = Date.UTC(2026, 0, 5, 10, 59, 30);
      expect(untilNextHourMs(at, () => 0)).toBe(30_000 + 60_000);
      expect(untilNextHourMs(at, () => 0.999)).toBeLessThan(30_000 + 300_000);
      expect(untilNextHourMs(Date.UTC(2026, 0, 5, 11, 0, 0), () => 0)).toBe(3_600_000 + 60_000);
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
      expect(byCode).toEqual([{ id: '0003', name: 'Voorrijkosten', code: '0003', externalId: '3', group: null, price: '35' }]);
      expect(await connect().options!('articleGroups', 'mat')).toEqual([{ id: '2', name: 'Materialen' }]);
      await expect(connect().options!('journals', null)).rejects.toThrow(/bestaat niet/);
    });
  });

  describe('concept invoices', () => {
    it('saves a concept under our name: text lines as description only, codes leading the lines, the payment reference on line 3', async () => {
      const name = saveName();
      const verifyBefore = count(`GET invoices_saved/${fake.state.nextInvoiceId}`);
      const created = await connect().createDocument(draftFor(name), null);
      const [inv] = stored(name);
      expect(created).toEqual({ documentId: String(inv.id), documentNumber: null });
      // A 201 is verified by reading the saved id back under our name.
      expect(count(`GET invoices_saved/${inv.id}`) - verifyBefore).toBe(1);
      expect(inv.clientnr).toBe(1001);
      expect(inv.reference).toEqual({ line1: 'Werkbon WB-1001', line2: 'CV-ketel maakt geluid', line3: 'WB-1001' });
      const product10 = fake.state.products[9];
      expect(inv.lines).toEqual([
        { description: 'CV-ketel maakt geluid' },
        { amount: 2, description: '0002 Werktijd', price: 62.5, tax_rate: 21 },
        { amount: 3, description: '1009 Kogelkraan 15 mm', price: 4.25, tax_rate: product10.taxes },
        { amount: 1, description: '0003 Voorrijkosten', price: 35, tax_rate: 21 },
      ]);
      expect(await connect().findDocument(lookupOf(name))).toEqual(created);
    });

    it('leaves the payment reference out when the description takes all three reference lines', async () => {
      const name = saveName();
      await connect().createDocument(draftFor(name, { descriptionLines: ['Een', 'Twee', 'Drie'] }), null);
      expect(stored(name)[0].reference).toEqual({ line1: 'Een', line2: 'Twee', line3: 'Drie' });
    });

    it('refuses a save name longer than 20 characters before any call', async () => {
      const posts = count('POST invoices');
      const err = await failure(connect().createDocument(draftFor('simon-0123456789abcdef'), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.message).toContain('hoogstens 20 tekens');
      expect(count('POST invoices')).toBe(posts);
    });

    it('finds nothing for a name that was never saved', async () => {
      expect(await connect().findDocument(lookupOf(saveName()))).toBeNull();
    });

    it('finds the concept by `name` exactly, the lowest id when the name came twice', async () => {
      const name = saveName();
      const created = await connect().createDocument(draftFor(name), null);
      fake.state.savedInvoices.push({ ...stored(name)[0], id: 99_999 });
      fake.state.savedInvoices.push({ ...stored(name)[0], id: 99_998, name: `${name.slice(0, -1)}X` });
      try {
        expect(await connect().findDocument(lookupOf(name))).toEqual(created);
      } finally {
        fake.state.savedInvoices = fake.state.savedInvoices.filter((i) => i.id < 99_998);
      }
    });

    it('a refused save (unknown customer) looks the name up, finds nothing, and is a non-retryable validation error', async () => {
      const name = saveName();
      const lookups = count('GET invoices_saved');
      const err = await failure(connect().createDocument(draftFor(name, { customer: { externalId: '999999', name: 'Onbekend' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 400, providerMessage: 'Client 999999 does not exist' });
      expect(count('GET invoices_saved') - lookups).toBe(1);
      expect(stored(name)).toHaveLength(0);
    });

    it('saving the same name twice gives the same concept: the refusal of the duplicate is answered by the look-up', async () => {
      const name = saveName();
      const first = await connect().createDocument(draftFor(name), null);
      const second = await connect().createDocument(draftFor(name), null);
      expect(second).toEqual(first);
      expect(stored(name)).toHaveLength(1);
    });

    it('a 504 after the save committed: found at once under our name, one concept', async () => {
      const name = saveName();
      fake.faults.timeoutAfterCommit = { method: 'POST', path: 'invoices', count: 1 };
      const posts = count('POST invoices');
      const created = await connect().createDocument(draftFor(name), null);
      expect(stored(name)).toHaveLength(1);
      expect(created).toEqual({ documentId: String(stored(name)[0].id), documentNumber: null });
      expect(count('POST invoices') - posts).toBe(1);
    });

    it('a save held past our timeout: in doubt (outcome unknown) while the look-up finds nothing yet', async () => {
      const name = saveName();
      fake.faults.commitLate = { method: 'POST', path: 'invoices', count: 1, holdMs: 600 };
      const err = await failure(connect({ timeoutMs: 300 }).createDocument(draftFor(name), null));
      expect(err).toMatchObject({ kind: 'timeout', retryable: true, outcomeUnknown: true });
      await new Promise((r) => setTimeout(r, 600));
      expect(stored(name)).toHaveLength(1);
      expect(await connect().findDocument(lookupOf(name))).toEqual({ documentId: String(stored(name)[0].id), documentNumber: null });
    });

    it('a 201 with an empty body: the concept is found in the listing', async () => {
      const name = saveName();
      fake.faults.emptyCreateBody = true;
      const created = await connect().createDocument(draftFor(name), null);
      expect(created).toEqual({ documentId: String(stored(name)[0].id), documentNumber: null });
    });

    it('a duplicate answered 201 that changes nothing: the existing concept is ours', async () => {
      const name = saveName();
      const first = await connect().createDocument(draftFor(name), null);
      fake.faults.duplicateSaveIgnored = true;
      fake.faults.emptyCreateBody = true;
      expect(await connect().createDocument(draftFor(name, { lines: [{ kind: 'text', description: 'Anders' }] }), null)).toEqual(first);
      expect(stored(name)).toHaveLength(1);
      expect(stored(name)[0].lines[0]).toEqual({ description: 'CV-ketel maakt geluid' });
    });

    it('the hourly limit on the save: a rate-limited error, and no look-up (it would be refused alike)', async () => {
      const lookups = count('GET invoices_saved');
      fake.faults.failNext.push({ status: 403, method: 'POST', path: 'invoices', rateLimitRemaining: 0 });
      const err = await failure(connect().createDocument(draftFor(saveName()), null));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, outcomeUnknown: false });
      expect(count('GET invoices_saved')).toBe(lookups);
    });

    it('422 with a text body → non-retryable validation with that text', async () => {
      fake.faults.failNext.push({ status: 422, method: 'POST', path: 'invoices', body: 'Line 1: tax_rate 7 is not allowed' });
      const err = await failure(connect().createDocument(draftFor(saveName()), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 422, providerMessage: 'Line 1: tax_rate 7 is not allowed' });
    });

    it('refuses an article line that has no price and no longer exists upstream, before writing anything', async () => {
      const posts = count('POST invoices');
      const draft = draftFor(saveName(), {
        lines: [{ kind: 'article', role: 'material', articleExternalId: '99999', articleCode: 'WEG-1', description: 'Verwijderd artikel', quantity: 1, unitPrice: null }],
      });
      const err = await failure(connect().createDocument(draft, null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.message).toContain('WEG-1');
      expect(count('POST invoices')).toBe(posts);
    });

    it('lists the concepts saved since a date, for the reconciliation: one complete invoices_saved listing, filtered on datesaved', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const recentName = saveName();
      const oldName = saveName();
      const recent = await connect().createDocument(draftFor(recentName), null);
      const old = await connect().createDocument(draftFor(oldName), null);
      fake.state.savedInvoices.find((i) => i.name === oldName)!.datesaved = day(-40);
      fake.state.savedInvoices.find((i) => i.name === recentName)!.datesaved = day(-3);
      // The answers before the listing, by identity: a millisecond timestamp would also catch the create's own
      // look-up answered in the same millisecond.
      const before = new Set(fake.state.answers);
      const listed = await connect().listDocuments!(new Date(Date.now() - 35 * 86_400_000));
      // invoices_saved has no date filter (docs/providers/factuursturen.md §8): the complete listing, count=-1.
      const calls = fake.state.answers.filter((a) => !before.has(a));
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(call).toMatchObject({ method: 'GET', path: 'invoices_saved', query: expect.stringMatching(/^count=-1(&start=\d+)?$/), status: 200 });
      const ids = listed.map((d) => d.documentId);
      expect(ids).toContain(recent.documentId);
      expect(ids).not.toContain(old.documentId);
      expect(listed.find((d) => d.documentId === recent.documentId)).toEqual({
        documentId: recent.documentId, documentNumber: null, reference: recentName, customerExternalId: '1001', date: day(-3),
      });
    });

    it('never takes a cut-off first page of the concepts for the whole listing', async () => {
      await connect().createDocument(draftFor(saveName()), null);
      fake.state.honoursCount = false;
      try {
        const model = fake.state.savedInvoices[0];
        while (fake.state.savedInvoices.length < DEFAULT_LIST_SIZE + 5) fake.state.savedInvoices.push({ ...model, id: fake.state.nextInvoiceId++, name: saveName() });
        const err = await failure(connect().listDocuments!(new Date(Date.now() - 35 * 86_400_000)));
        expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
      } finally {
        fake.state.honoursCount = true;
      }
    });
  });

  describe('quotations', () => {
    it('lists `quotations` with the real field names: name, number, memo, lines without codes', async () => {
      fake.state.quotations.push({
        id: 41, savename: 'WB Vervangen kraan', quotationreference: 'OFF-2026-041', clientnr: 1002, reference: { line1: 'Keuken', line3: 'Achterom' },
        notes: 'Bellen vooraf', lines: [{ amount: 2, description: '1010 Bocht', price: 12.5, tax_rate: 21 }, { description: 'Inclusief voorrijden' }],
        date: '2026-03-01', approved: false, customstatus: '', profile: 1, quotationperiod: 30,
      });
      try {
        const page = await connect().listQuotes!({ cursor: null, since: null });
        expect(page.records).toEqual([{
          externalId: '41', number: 'OFF-2026-041', name: 'WB Vervangen kraan', reference: 'Keuken\nAchterom', memo: 'Bellen vooraf', customerExternalId: '1002',
          lines: [
            { articleExternalId: null, articleCode: null, description: '1010 Bocht', quantity: 2, unitPrice: '12.5' },
            { articleExternalId: null, articleCode: null, description: 'Inclusief voorrijden', quantity: 0, unitPrice: null },
          ],
        }]);
        expect(count('GET quotes')).toBe(0);
      } finally {
        fake.state.quotations = [];
      }
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
    expect(Object.keys(a.products[0]).sort()).toEqual(['code', 'id', 'name', 'price', 'priceintax', 'taxes']);
  });

  it('takes faults over HTTP and reports its counters', async () => {
    const fake = await startFakeFactuurSturen();
    try {
      const set = await fetch(new URL('/__faults', fake.url), {
        method: 'POST',
        body: JSON.stringify({ failNext: [{ status: 503, path: 'profiles' }], latencyMs: 5, emptyCreateBody: true }),
      });
      expect(set.status).toBe(200);
      expect(fake.faults.failNext).toHaveLength(1);
      expect(fake.faults.latencyMs).toBe(5);
      expect(fake.faults.emptyCreateBody).toBe(true);
      const res = await fetch(new URL('profiles', fake.url));
      expect(res.status).toBe(503);
      const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number> };
      expect(state.requests['GET profiles']).toBe(1);
    } finally {
      await fake.stop();
    }
  });
});
