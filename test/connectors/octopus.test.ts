import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { toApplicationFailure } from '../../connectors/failures.js';
import { createConnector } from '../../connectors/index.js';
import { createOctopusConnector, type OctopusConnector } from '../../connectors/octopus/connector.js';
import { OctopusCaches } from '../../connectors/octopus/caches.js';
import type { OutgoingRequest } from '../../connectors/http.js';
import {
  DEFAULT_ENDPOINT_LIMITS,
  DEFAULT_OCTOPUS_USER,
  DEFAULT_SOFTWARE_HOUSE_UUID,
  noFaults,
  startFakeOctopus,
  type FakeEndpoint,
  type FakeInvoice,
  type FakeOctopus,
} from '../../fakes/octopus/server.js';
import type { DocumentDraft, DocumentPlan } from '../../connectors/types.js';
import { buildDocument } from '../../lib/document.js';
import { dayWindow } from '../../lib/quota.js';
import { octopusSettings, type SettingsOf } from '../../lib/settings.js';
import type { WorkOrderForDocument } from '../../lib/work-order.js';
import { connectorContract, listAll, lookupOf } from './contract.js';

const credentials = { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password };
const thisYear = new Date().getUTCFullYear();
const today = new Date().toISOString().slice(0, 10);
const thisPeriod = thisYear * 100 + new Date().getUTCMonth() + 1;
/** Connector tests list many times a day; the limits have their own tests below. */
const roomy = Object.fromEntries(Object.keys(DEFAULT_ENDPOINT_LIMITS).map((k) => [k, 100_000])) as Record<FakeEndpoint, number>;

const settingsFor = (over: Partial<SettingsOf<'octopus'>> = {}): SettingsOf<'octopus'> =>
  octopusSettings.parse({
    provider: 'octopus',
    termsAccepted: true,
    workTimeArticle: 'Werktijd',
    travelTimeArticle: 'Reistijd',
    defaultArticle: 'Voorrijkosten',
    excludeFilterWord: '',
    dossierId: '101',
    journal: 'V1',
    descriptionAsFirstLine: true,
    paymentReference: 'both',
    memo: 'workAddressAndDescription',
    ...over,
  });

function draftFor(reference: string, overrides: Partial<DocumentDraft> = {}): DocumentDraft {
  return {
    documentType: 'invoice',
    reference,
    workOrderId: 'wo-1',
    workOrderNumber: 'WB-1001',
    date: today,
    customer: { externalId: '1', name: 'Relatie 1' },
    lines: [
      { kind: 'text', description: 'CV-ketel maakt geluid\nDrukventiel vervangen' },
      { kind: 'article', role: 'work-time', articleExternalId: '2', articleCode: 'Werktijd', description: 'Werktijd', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: '10', articleCode: 'ART-1009', description: 'Kogelkraan 15 mm', quantity: 3, unitPrice: '4.25' },
      { kind: 'article', role: 'default', articleExternalId: '3', articleCode: 'Voorrijkosten', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
    ],
    paymentReference: 'WB-1001 / PO-77',
    descriptionLines: [],
    memo: 'Jan Peeters, Stationsstraat 12, 2800 Mechelen',
    customerReference: null,
    warehouse: null,
    ...overrides,
  };
}

connectorContract('Octopus', async () => {
  const fake = await startFakeOctopus({ seed: { relations: 600, products: 150, groups: 5 }, endpointLimits: roomy });
  const ctx = { baseUrl: fake.url, credentials, config: { softwareHouseUuid: DEFAULT_SOFTWARE_HOUSE_UUID }, settings: settingsFor() };
  return {
    connector: createConnector('octopus', ctx),
    badCredentials: createConnector('octopus', { ...ctx, credentials: { ...credentials, password: 'verkeerd' } }),
    expected: { customers: 600, articles: 150, articleGroups: 5 },
    draft: (reference) => draftFor(reference),
    stop: () => fake.stop(),
  };
});

describe('Octopus connector against the fake', () => {
  let fake: FakeOctopus;
  let caches: OctopusCaches;
  /** The connector's clock, moved by tests (the fake keeps real time). */
  let offsetMs = 0;
  type Extra = {
    password?: string; settings?: SettingsOf<'octopus'> | null; timeoutMs?: number; onRequest?: (r: OutgoingRequest) => unknown; uuid?: string;
    reuseMs?: number; onUnexpectedFields?: (operation: string, fields: string[]) => void;
  };
  const connect = (extra: Extra = {}): OctopusConnector =>
    createOctopusConnector(
      {
        baseUrl: fake.url,
        credentials: { ...credentials, password: extra.password ?? credentials.password },
        config: { softwareHouseUuid: extra.uuid ?? DEFAULT_SOFTWARE_HOUSE_UUID, ...(extra.reuseMs !== undefined ? { listingReuseMs: String(extra.reuseMs) } : {}) },
        settings: extra.settings === undefined ? settingsFor() : extra.settings,
        ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
        ...(extra.onRequest ? { onRequest: extra.onRequest } : {}),
        ...(extra.onUnexpectedFields ? { onUnexpectedFields: extra.onUnexpectedFields } : {}),
      },
      { caches },
    );
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);
  const calls = (key: string) => fake.state.requests[key] ?? 0;
  const POSTS = 'POST /dossiers/{dossierId}/invoices';
  const invoiceAt = (plan: DocumentPlan) => fake.dossier().invoices.filter((i) => i.journalKey === plan.journalKey && String(i.documentSequenceNr) === plan.documentSequenceNr);
  /** An invoice someone made by hand in Octopus. */
  const handMade = (nr: number, relationId = 5, journalKey = 'V1'): FakeInvoice => {
    const invoice: FakeInvoice = {
      bookyearKey: { id: 2 }, journalKey, documentSequenceNr: nr, bookyearPeriodeNr: thisPeriod, documentDate: today, expiryDate: today,
      currencyCode: 'EUR', exchangeRate: 1, relationIdentificationServiceData: { relationKey: { id: relationId } }, comment: 'Met de hand', reference: null,
      orderReference: null, customFieldValueList: [], invoiceLines: [{ externProductNr: null, description: 'Iets', count: 1, unit: null, unitPrice: 99, vatCodeKey: '21', discountPercentage: 0 }],
      booked: false, modifiedAt: Date.now(),
    };
    fake.dossier().invoices.push(invoice);
    return invoice;
  };
  const highestNumber = () => Math.max(0, ...fake.dossier().invoices.filter((i) => i.journalKey === 'V1' && i.bookyearKey.id === 2).map((i) => i.documentSequenceNr));

  beforeAll(async () => {
    fake = await startFakeOctopus({ seed: { relations: 90, products: 40, groups: 4 }, endpointLimits: roomy });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noFaults());
    fake.resetUsage();
    Object.assign(fake.state.endpointLimits, roomy);
    offsetMs = 0;
    caches = new OctopusCaches(() => Date.now() + offsetMs);
  });

  describe('authentication and tokens', () => {
    it('logs in with the software house header and user/password, and lists the dossiers', async () => {
      const before = calls('POST /authentication');
      await expect(connect().verifyConnection()).resolves.toEqual({ label: credentials.username });
      expect(calls('POST /authentication') - before).toBe(1);
      expect(calls('GET /dossiers')).toBeGreaterThan(0);
    });

    it('refuses a wrong password with a Dutch message and the provider text, without leaking the password', async () => {
      const err = await failure(connect({ password: 'geheim-maar-fout' }).verifyConnection());
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
      expect(err.providerMessage).toBe('Onjuiste gebruikersnaam of wachtwoord voor Octopus (Octopus: Authentication failed: invalid user or password)');
      expect(JSON.stringify({ ...err, message: err.message })).not.toContain('geheim-maar-fout');
    });

    it('refuses an unknown software house', async () => {
      const err = await failure(connect({ uuid: '00000000-0000-4000-8000-000000000000' }).verifyConnection());
      expect(err).toMatchObject({ kind: 'auth', retryable: false });
      expect(err.providerMessage).toContain('Unknown or missing softwareHouseUuid');
    });

    it('reuses both tokens across connectors of one process: one login and one dossier token for a whole sync', async () => {
      const auth = calls('POST /authentication');
      const open = calls('POST /dossiers');
      await Promise.all([connect().listCustomers({ cursor: null, since: null }), connect().listArticles({ cursor: null, since: null })]);
      await connect().listArticleGroups({ cursor: null, since: null });
      expect(calls('POST /authentication') - auth).toBe(1);
      expect(calls('POST /dossiers') - open).toBe(1);
    });

    it('renews an expired dossier token in the middle of a run and repeats the call (no failure)', async () => {
      const connector = connect();
      await connector.listCustomers({ cursor: null, since: null });
      const open = calls('POST /dossiers');
      const refused = fake.state.refused.unauthorized;
      fake.expireTokens('dossier');
      const page = await connector.listArticles({ cursor: null, since: null });
      expect(page.total).toBe(40);
      expect(calls('POST /dossiers') - open).toBe(1);
      expect(fake.state.refused.unauthorized - refused).toBe(1);
    });

    it('renews the session as well when both tokens expired', async () => {
      const connector = connect();
      await connector.listCustomers({ cursor: null, since: null });
      const auth = calls('POST /authentication');
      fake.expireTokens('all');
      await expect(connector.listArticleGroups({ cursor: null, since: null })).resolves.toMatchObject({ total: 4 });
      expect(calls('POST /authentication') - auth).toBe(1);
    });

    it('renews tokens before their 10 minutes are over, without a refused call', async () => {
      await connect().listArticleGroups({ cursor: null, since: null });
      const auth = calls('POST /authentication');
      const refused = fake.state.refused.unauthorized;
      offsetMs = 9 * 60_000 + 30_000; // inside the renewal margin
      await connect({ reuseMs: 0 }).listArticleGroups({ cursor: null, since: null });
      expect(calls('POST /authentication') - auth).toBe(1);
      expect(fake.state.refused.unauthorized).toBe(refused);
    });

    it('tells onRequest every call with its method and path (the quota guard counts per endpoint)', async () => {
      const seen: OutgoingRequest[] = [];
      await connect({ onRequest: (r) => seen.push(r) }).listArticleGroups({ cursor: null, since: null });
      expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST authentication', 'POST dossiers', 'GET dossiers/101/productgroups']);
      expect(seen[1].query).toMatchObject({ dossierId: '101' });
    });

    it('makes no call when onRequest refuses (the quota guard)', async () => {
      const before = fake.state.requestCount;
      const refusal = new ProviderError({ kind: 'rate-limited', message: 'quota', retryAfterMs: 5000 });
      const err = await failure(connect({ onRequest: () => Promise.reject(refusal) }).listArticleGroups({ cursor: null, since: null }));
      expect(err).toBe(refusal);
      expect(fake.state.requestCount).toBe(before);
    });

    it('sends the session cookie Octopus set back on the dossier calls', async () => {
      const before = fake.state.requestsWithCookie;
      await connect().listArticleGroups({ cursor: null, since: null });
      expect(fake.state.requestsWithCookie - before).toBe(1);
    });
  });

  describe('relations, products and product groups', () => {
    it('maps relations to customers: companies, private persons, inactive ones and suppliers', async () => {
      const { records, total } = await listAll((req) => connect().listCustomers(req), 200);
      expect(total).toBe(90);
      const byId = new Map(records.map((c) => [c.externalId, c]));
      const raw = fake.dossier().relations[0];
      expect(byId.get('1')).toEqual({
        externalId: '1', number: '1', name: raw.name, address: { street: raw.streetAndNr, postalCode: raw.postalCode, city: raw.city, country: raw.country },
        email: raw.email, phone: raw.telephone, active: true, workAddresses: [],
      });
      const person = fake.dossier().relations[5]; // every 6th is a private person
      expect(byId.get('6')!.name).toBe(`${person.firstName} ${person.name}`);
      expect(byId.get('30')!.active).toBe(false); // inactive in Octopus
      expect(byId.get('12')!.active).toBe(false); // a supplier only is no customer
    });

    it('pages a listing from one download, also across connectors (one per activity); the full relation listing once', async () => {
      const before = calls('GET /dossiers/{dossierId}/relations');
      const { records, pages } = await listAll((req) => connect().listCustomers(req), 20);
      expect(records).toHaveLength(90);
      expect(pages).toBe(5);
      expect(calls('GET /dossiers/{dossierId}/relations') - before).toBe(1);
    });

    it('asks only for relations modified since the last listing (with a margin), and reads "none" (404) as empty', async () => {
      const full = await connect().listCustomers({ cursor: null, since: null, pageSize: 500 });
      const hwm = full.highWaterMark!;
      expect(Date.parse(hwm)).toBeGreaterThan(Date.now() - 60_000);
      const idle = await connect().listCustomers({ cursor: null, since: hwm });
      expect(idle).toMatchObject({ records: [], nextCursor: null, total: 0 });

      fake.updateRelation(7, { name: 'Bakkerij Gewijzigd BV' });
      fake.updateRelation(8, { active: false });
      const changed = await connect().listCustomers({ cursor: null, since: hwm });
      expect(changed.records.map((c) => [c.externalId, c.name, c.active])).toEqual([
        ['7', 'Bakkerij Gewijzigd BV', true],
        ['8', fake.dossier().relations[7].name, false],
      ]);
      expect(Date.parse(changed.highWaterMark!)).toBeGreaterThanOrEqual(Date.parse(hwm));
    });

    it('relations/modified with deletions: {modified, deleted}; a deleted relation comes back as an inactive customer', async () => {
      const since = new Date().toISOString();
      fake.updateRelation(20, { name: 'Garage Nieuw BV' });
      fake.deleteRelation(21);
      const page = await connect().listCustomers({ cursor: null, since });
      // The overlap of a few hours brings earlier changes too; these two are this test's.
      expect(page.records.filter((c) => ['20', '21'].includes(c.externalId)).map((c) => [c.externalId, c.name, c.active])).toEqual([
        ['20', 'Garage Nieuw BV', true],
        ['21', 'Relatie 21', false],
      ]);
      // The full listing no longer has it at all.
      const { records } = await listAll((req) => connect({ reuseMs: 0 }).listCustomers(req), 500);
      expect(records.some((c) => c.externalId === '21')).toBe(false);
    });

    it('relations/modified: a bare array is read too; an answer of another shape is an error, never "nothing changed"', async () => {
      const since = new Date().toISOString();
      const relation = fake.dossier().relations[2];
      fake.faults.failNext.push({ status: 200, method: 'GET', path: 'relations/modified', body: [relation] });
      expect((await connect().listCustomers({ cursor: null, since })).records.map((c) => c.externalId)).toEqual(['3']);
      fake.faults.failNext.push({ status: 200, method: 'GET', path: 'relations/modified', body: { changed: [relation] } });
      const err = await failure(connect().listCustomers({ cursor: null, since: new Date(Date.now() + 1).toISOString() }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(err.message).toContain('Octopus gaf een onverwacht antwoord');
    });

    it('maps products with their price excl. VAT and group; no `active` (always active), no change tracking', async () => {
      const page = await connect().listArticles({ cursor: null, since: new Date().toISOString(), pageSize: 3 });
      expect(page.total).toBe(40); // `since` is ignored: always the full listing
      expect(page.records).toEqual([
        { externalId: '1', code: 'Reistijd', description: 'Reistijd', salesPrice: '45', unit: 'uur', groupExternalId: '1', active: true },
        { externalId: '2', code: 'Werktijd', description: 'Werktijd', salesPrice: '62.5', unit: 'uur', groupExternalId: '1', active: true },
        { externalId: '3', code: 'Voorrijkosten', description: 'Voorrijkosten', salesPrice: '35', unit: 'stuk', groupExternalId: '1', active: true },
      ]);
      const materials = (await listAll((req) => connect().listArticles(req), 100)).records.slice(3);
      expect(materials.every((a) => a.salesPrice !== null && a.groupExternalId !== null)).toBe(true);
      const last = await connect().listArticles({ cursor: `39@${page.nextCursor!.split('@')[1]}`, since: null, pageSize: 3 });
      expect(last.nextCursor).toBeNull();
      expect(Date.parse(last.highWaterMark!)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('takes the Dutch description, else the French one', async () => {
      const product = fake.dossier().products[10];
      const original = product.description;
      product.description = { description_NL: null, description_FR: 'Robinet à bille' };
      try {
        const { records } = await listAll((req) => connect().listArticles(req), 100);
        expect(records.find((a) => a.externalId === '11')!.description).toBe('Robinet à bille');
      } finally {
        product.description = original;
      }
    });

    it('maps product groups {productGroupKey, description{NL,FR}}: the key is the code', async () => {
      const groups = await connect().listArticleGroups({ cursor: null, since: null });
      expect(groups.records).toEqual([
        { externalId: '1', code: '1', description: 'Tijden', active: true },
        { externalId: '2', code: '2', description: 'Materialen', active: true },
        { externalId: '3', code: '3', description: 'Diensten', active: true },
        { externalId: '4', code: '4', description: 'Sanitair', active: true },
      ]);
    });

    it('shares one products download within the reuse window (Controleer, import and cleanup); after it, a new one', async () => {
      const before = calls('GET /dossiers/{dossierId}/products');
      await connect().checkSettings(settingsFor());
      await listAll((req) => connect().listArticles(req), 15);
      await listAll((req) => connect().listArticles(req), 15);
      expect(calls('GET /dossiers/{dossierId}/products') - before).toBe(1);
      offsetMs = 11 * 60_000;
      await listAll((req) => connect().listArticles(req), 15);
      expect(calls('GET /dossiers/{dossierId}/products') - before).toBe(2);
    });

    it('a sync after the first import (with `since`: the nightly run, "Nu synchroniseren") downloads afresh', async () => {
      const before = calls('GET /dossiers/{dossierId}/products');
      const first = await connect().listArticles({ cursor: null, since: null, pageSize: 100 });
      await connect().listArticles({ cursor: null, since: first.highWaterMark!, pageSize: 100 });
      expect(calls('GET /dossiers/{dossierId}/products') - before).toBe(2);
    });

    it('reports fields it does not know, and still reads the record', async () => {
      const product = fake.dossier().products[0] as unknown as Record<string, unknown>;
      product.ecoTax = 0.5;
      try {
        const unexpected: [string, string[]][] = [];
        const page = await connect({ onUnexpectedFields: (op, fields) => unexpected.push([op, fields]) }).listArticles({ cursor: null, since: null, pageSize: 1 });
        expect(page.records[0].code).toBe('Reistijd');
        expect(unexpected).toEqual([['GET products', ['ecoTax']]]);
      } finally {
        delete product.ecoTax;
      }
    });

    it('an answer that is no list is an error, never an empty listing', async () => {
      fake.faults.failNext.push({ status: 200, method: 'GET', path: 'products', body: { products: [] } });
      const err = await failure(connect().listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    });

    it('refuses to list without a chosen dossier', async () => {
      const err = await failure(connect({ settings: null }).listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.providerMessage).toBe('Er is nog geen Octopus-dossier gekozen');
    });
  });

  describe('provider faults and limits', () => {
    it("an Octopus daily endpoint limit (a 400 'limit' on a read) → retryable rate-limited until midnight", async () => {
      fake.state.endpointLimits.productgroups = 1;
      await connect().listArticleGroups({ cursor: null, since: null });
      const err = await failure(connect({ reuseMs: 0 }).listArticleGroups({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 400 });
      expect(err.providerMessage).toContain('Octopus meldt dat de daglimiet voor dit soort verzoeken bereikt is');
      const midnight = dayWindow(new Date()).end.getTime();
      expect(Math.abs(Date.now() + err.retryAfterMs! - midnight)).toBeLessThan(5_000);
      expect(toApplicationFailure(err).nextRetryDelay).toBe(err.retryAfterMs);
    });

    it('the same limit answered as a 429 with Retry-After → rate-limited with that wait', async () => {
      fake.state.endpointLimits.productgroups = 1;
      fake.state.endpointLimitMode = '429';
      try {
        await connect().listArticleGroups({ cursor: null, since: null });
        const err = await failure(connect({ reuseMs: 0 }).listArticleGroups({ cursor: null, since: null }));
        expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429 });
        expect(err.retryAfterMs).toBeGreaterThan(0);
        expect(err.retryAfterMs).toBeLessThanOrEqual(25 * 3_600_000);
      } finally {
        fake.state.endpointLimitMode = '400';
      }
    });

    it.each([500, 502, 503, 504])('%i on a read → retryable unavailable, and the next attempt succeeds', async (status) => {
      fake.faults.failNext.push({ status, method: 'GET', path: 'products' });
      const err = await failure(connect().listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status });
      await expect(connect().listArticles({ cursor: null, since: null })).resolves.toMatchObject({ total: 40 });
    });

    it('a slow provider → retryable timeout', async () => {
      fake.faults.latencyMs = 400;
      const err = await failure(connect({ timeoutMs: 100 }).verifyConnection());
      expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    });
  });

  describe('Controleer (checkSettings) and pick-lists', () => {
    it('echoes the dossier, the journal and each article it found', async () => {
      const checks = await connect({ settings: null }).checkSettings(settingsFor());
      expect(checks).toEqual([
        { field: 'dossierId', ok: true, found: { id: '101', name: 'Installatiebedrijf Peeters BV' } },
        { field: 'journal', ok: true, found: { journalKey: 'V1', name: 'Verkoopsfacturen', bookyear: String(thisYear) } },
        { field: 'workTimeArticle', ok: true, found: { code: 'Werktijd', name: 'Werktijd', group: 'Tijden', price: '62.5' } },
        { field: 'travelTimeArticle', ok: true, found: { code: 'Reistijd', name: 'Reistijd', group: 'Tijden', price: '45' } },
        { field: 'defaultArticle', ok: true, found: { code: 'Voorrijkosten', name: 'Voorrijkosten', group: 'Tijden', price: '35' } },
        { field: 'termsAccepted', ok: true },
      ]);
    });

    it('names each failing field: closed journal, purchase journal, unknown journal, unknown article', async () => {
      const closed = await connect().checkSettings(settingsFor({ journal: 'V2', defaultArticle: 'Bestaat niet', travelTimeArticle: null }));
      expect(closed.map((c) => [c.field, c.ok, c.error ?? null])).toEqual([
        ['dossierId', true, null],
        ['journal', false, "Dagboek 'V2' is afgesloten in Octopus"],
        ['workTimeArticle', true, null],
        ['defaultArticle', false, 'Artikel niet bekend in Octopus'],
        ['termsAccepted', true, null],
      ]);
      const purchases = await connect().checkSettings(settingsFor({ journal: 'A1' }));
      expect(purchases.find((c) => c.field === 'journal')).toEqual({ field: 'journal', ok: false, error: "Dagboek 'A1' is geen verkoopdagboek in Octopus; kies een dagboek dat met V begint" });
      const unknown = await connect().checkSettings(settingsFor({ journal: 'X9' }));
      expect(unknown.find((c) => c.field === 'journal')).toEqual({ field: 'journal', ok: false, error: 'Dagboek niet bekend in Octopus' });
    });

    it('an unknown dossier fails the dossier and leaves the dependent fields unchecked', async () => {
      const checks = await connect().checkSettings(settingsFor({ dossierId: '999' }));
      expect(checks.map((c) => [c.field, c.ok, c.error ?? null])).toEqual([
        ['dossierId', false, 'Administratienummer niet bekend'],
        ['journal', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['workTimeArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['travelTimeArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['defaultArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['termsAccepted', true, null],
      ]);
    });

    it('offers dossiers, the open sales journals of a dossier, articles by term and product groups', async () => {
      const connector = connect({ settings: null });
      expect(await connector.options!('dossiers', null)).toEqual([
        { id: '101', name: 'Installatiebedrijf Peeters BV' },
        { id: '102', name: 'Peeters Vastgoed BV' },
      ]);
      // V2 is closed, A1 is a purchase journal.
      expect(await connector.options!('journals', null, { administration: '101' })).toEqual([{ id: 'V1', name: 'Verkoopsfacturen', bookyear: String(thisYear) }]);
      await expect(connector.options!('journals', null)).rejects.toThrow(/Kies eerst een dossier/);
      const reis = await connector.options!('articles', 'REIS', { administration: '101' });
      expect(reis).toEqual([{ id: 'Reistijd', name: 'Reistijd', code: 'Reistijd', externalId: '1', group: 'Tijden', price: '45' }]);
      expect((await connect().options!('articleGroups', 'tijd')).map((g) => g.name)).toEqual(['Tijden']);
      await expect(connector.options!('warehouses', null)).rejects.toThrow(/bestaat niet/);
    });

    it('reads book years and journals once a day for exports, and again for the settings screen after the reuse window', async () => {
      const before = calls('GET /dossiers/{dossierId}/bookyears');
      await connect().options!('journals', null);
      await connect().options!('journals', null);
      await connect().planDocument!(draftFor('simon-bookyears'));
      expect(calls('GET /dossiers/{dossierId}/bookyears') - before).toBe(1);
      offsetMs = 11 * 60_000;
      await connect().planDocument!(draftFor('simon-bookyears-2'));
      expect(calls('GET /dossiers/{dossierId}/bookyears') - before).toBe(1);
      await connect().options!('journals', null);
      expect(calls('GET /dossiers/{dossierId}/bookyears') - before).toBe(2);
    });
  });

  describe('sales invoices: the planned key', () => {
    it('plans the book year of the date, the chosen journal and max(last booked, highest unbooked) + 1, the period from the book year', async () => {
      const journal = fake.dossier().journals.find((j) => j.bookyearKey.id === 2 && j.journalKey === 'V1')!;
      journal.lastBookedDocumentNr = Math.max(journal.lastBookedDocumentNr, highestNumber()) + 40;
      handMade(journal.lastBookedDocumentNr + 4);
      const posts = calls(POSTS);
      const plan = await connect().planDocument!(draftFor('simon-plan'));
      expect(plan).toMatchObject({
        bookyearId: '2', bookyear: String(thisYear), journalKey: 'V1', documentSequenceNr: String(journal.lastBookedDocumentNr + 5),
        bookyearPeriodeNr: String(thisPeriod), documentDate: today, relationId: '1',
      });
      // Werktijd 2 × 62.50 + 3 × 4.25 + Voorrijkosten 35.
      expect(plan.amount).toBe('172.75');
      expect(calls(POSTS)).toBe(posts); // planning writes nothing
    });

    it('two exports planning at once get two numbers', async () => {
      const [a, b, c] = await Promise.all(['x', 'y', 'z'].map((s) => connect().planDocument!(draftFor(`simon-${s}`))));
      expect(new Set([a.documentSequenceNr, b.documentSequenceNr, c.documentSequenceNr]).size).toBe(3);
    });

    it('steps over a number someone took since the journal was read', async () => {
      const first = await connect().planDocument!(draftFor('simon-step-1'));
      handMade(Number(first.documentSequenceNr) + 1);
      const second = await connect().planDocument!(draftFor('simon-step-2'));
      expect(Number(second.documentSequenceNr)).toBe(Number(first.documentSequenceNr) + 2);
    });

    it('the expiry date is the date plus the relation’s payment term, 30 days when it has none', async () => {
      const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
      expect((await connect().planDocument!(draftFor('simon-exp-4', { customer: { externalId: '4', name: 'R4' } }))).expiryDate).toBe(plus(14));
      fake.updateRelation(3, { expirationDays: 0 });
      expect((await connect().planDocument!(draftFor('simon-exp-3', { customer: { externalId: '3', name: 'R3' } }))).expiryDate).toBe(plus(30));
    });

    it('refuses to plan: a date outside every open book year, an unknown relation, a product Octopus no longer has, a purchase journal', async () => {
      const posts = calls(POSTS);
      const old = await failure(connect().planDocument!(draftFor('simon-old', { date: `${thisYear - 1}-06-30` })));
      expect(old).toMatchObject({ kind: 'validation', retryable: false, providerMessage: `Geen open boekjaar in Octopus voor ${thisYear - 1}-06-30` });
      const nobody = await failure(connect().planDocument!(draftFor('simon-nobody', { customer: { externalId: '99999', name: 'Onbekend' } })));
      expect(nobody).toMatchObject({ kind: 'validation', retryable: false, providerMessage: 'De klant bestaat niet (meer) in Octopus of is daar geen klant' });
      const gone = await failure(connect().planDocument!(draftFor('simon-gone', {
        lines: [{ kind: 'article', role: 'material', articleExternalId: 'x', articleCode: 'BESTAAT-NIET', description: 'Weg', quantity: 1, unitPrice: '1' }],
      })));
      expect(gone).toMatchObject({ kind: 'validation', retryable: false, providerMessage: "Artikel 'BESTAAT-NIET' bestaat niet (meer) in Octopus" });
      const purchase = await failure(connect({ settings: settingsFor({ journal: 'A1' }) }).planDocument!(draftFor('simon-a1')));
      expect(purchase).toMatchObject({ kind: 'validation', retryable: false });
      expect(purchase.providerMessage).toContain("Dagboek 'A1' is geen verkoopdagboek");
      expect(calls(POSTS)).toBe(posts);
    });
  });

  describe('the invoices of the last days (weekly reconciliation)', () => {
    it('one invoices/modified over every book year of the journal: each invoice by its key, with relation, date and a fingerprint that tells a copy', async () => {
      const connector = connect();
      const draft = draftFor('simon-rc-1');
      const plan = await connector.planDocument!(draft);
      const created = await connector.createDocument(draft, plan);
      const copy = await fetch(`${new URL(fake.url).origin}/__documents`, { method: 'POST', body: JSON.stringify({ op: 'duplicate', reference: created.documentId }) });
      expect(copy.status).toBe(201);
      const copyId = ((await copy.json()) as { id: string }).id;
      const other = handMade(highestNumber() + 1, 7);
      const modified = calls('GET /dossiers/{dossierId}/invoices/modified');
      const listed = await connect().listDocuments!(new Date(Date.now() - 7 * 86_400_000));
      expect(calls('GET /dossiers/{dossierId}/invoices/modified')).toBe(modified + 1);
      const mine = listed.find((d) => d.documentId === created.documentId)!;
      expect(mine).toMatchObject({ documentNumber: plan.documentSequenceNr, reference: null, customerExternalId: '1', date: today });
      expect(listed.find((d) => d.documentId === copyId)?.fingerprint).toBe(mine.fingerprint);
      expect(listed.find((d) => d.documentId === `2/V1/${other.documentSequenceNr}`)?.fingerprint).not.toBe(mine.fingerprint);
      // The planned key names the document the export would have made.
      expect(connector.plannedDocument!(plan)).toEqual({ documentId: created.documentId, customerExternalId: '1' });
      expect(connector.plannedDocument!({ journalKey: 'V1' })).toBeNull();
      const renumber = await fetch(`${new URL(fake.url).origin}/__documents`, { method: 'POST', body: JSON.stringify({ op: 'renumber', reference: created.documentId, number: '9' }) });
      expect(renumber.status).toBe(409);
    });
  });

  describe('sales invoices: create and find', () => {
    it('creates one unbooked invoice with every field Octopus needs, at the planned key, found back by that key', async () => {
      const connector = connect();
      const draft = draftFor('simon-create');
      const plan = await connector.planDocument!(draft);
      const created = await connector.createDocument(draft, plan);
      const [stored, ...more] = invoiceAt(plan);
      expect(more).toHaveLength(0);
      expect(created).toEqual({ documentId: `2/V1/${plan.documentSequenceNr}`, documentNumber: plan.documentSequenceNr });
      expect(stored).toMatchObject({
        bookyearKey: { id: 2 }, journalKey: 'V1', documentSequenceNr: Number(plan.documentSequenceNr), bookyearPeriodeNr: thisPeriod,
        documentDate: today, expiryDate: plan.expiryDate, currencyCode: 'EUR', relationIdentificationServiceData: { relationKey: { id: 1 } },
        reference: 'WB-1001 / PO-77', comment: 'Jan Peeters, Stationsstraat 12, 2800 Mechelen', orderReference: null, booked: false,
      });
      // Prices: the work order's, else the product's own (Octopus fills in none); VAT code from the product; text line 0 × 0.
      expect(stored.invoiceLines.map((l) => [l.externProductNr, l.description, l.count, l.unitPrice, l.vatCodeKey])).toEqual([
        [null, 'CV-ketel maakt geluid\nDrukventiel vervangen', 0, 0, '21'],
        ['Werktijd', 'Werktijd', 2, 62.5, '21'],
        ['ART-1009', 'Kogelkraan 15 mm', 3, 4.25, fake.dossier().products.find((p) => p.externProductNr === 'ART-1009')!.vatCode],
        ['Voorrijkosten', 'Voorrijkosten', 1, 35, '21'],
      ]);
      const lookup = { reference: draft.reference, customerExternalId: '1', createdAfter: new Date(Date.now() - 60_000), plan };
      expect(await connect().findDocument(lookup)).toEqual(created);
    });

    it('memo "Niets": the comment is the work order number; our reference is in no printed field', async () => {
      const reference = 'simon-0123456789abcdef0123456789abcdef';
      const draft = draftFor(reference, { memo: null, paymentReference: null });
      const plan = await connect().planDocument!(draft);
      await connect().createDocument(draft, plan);
      const [stored] = invoiceAt(plan);
      expect(stored.comment).toBe('Werkbon WB-1001');
      expect(stored.reference).toBeNull();
      expect(stored.orderReference).toBeNull();
      expect(JSON.stringify(stored)).not.toContain('simon-');
    });

    it('accepts a create answered 200 with an empty body', async () => {
      fake.state.createStatus = 200;
      try {
        const draft = draftFor('simon-200');
        const plan = await connect().planDocument!(draft);
        await expect(connect().createDocument(draft, plan)).resolves.toEqual({ documentId: `2/V1/${plan.documentSequenceNr}`, documentNumber: plan.documentSequenceNr });
        expect(invoiceAt(plan)).toHaveLength(1);
      } finally {
        fake.state.createStatus = 201;
      }
    });

    it('finds nothing at a free key, and nothing at a key that holds someone else’s invoice', async () => {
      const draft = draftFor('simon-free');
      const plan = await connect().planDocument!(draft);
      const lookup = { reference: draft.reference, customerExternalId: '1', createdAfter: null, plan };
      expect(await connect().findDocument(lookup)).toBeNull();
      handMade(Number(plan.documentSequenceNr), 5);
      expect(await connect().findDocument(lookup)).toBeNull();
      expect(await connect().findDocument(lookupOf('simon-no-plan'))).toBeNull();
    });

    it('a planned number someone else took: the create fails with a Dutch explanation, nothing is posted over it', async () => {
      const draft = draftFor('simon-taken');
      const plan = await connect().planDocument!(draft);
      handMade(Number(plan.documentSequenceNr), 5);
      offsetMs = 2 * 60_000; // the plan's check that the key was free is old now
      const posts = calls(POSTS);
      const err = await failure(connect().createDocument(draft, plan));
      expect(err).toMatchObject({ kind: 'conflict', retryable: false });
      expect(err.providerMessage).toContain(`factuurnummer ${plan.documentSequenceNr} in dagboek 'V1' (boekjaar ${thisYear})`);
      expect(err.providerMessage).toContain('Simon kiest geen ander nummer');
      expect(calls(POSTS)).toBe(posts);
      expect(invoiceAt(plan)).toHaveLength(1);
    });

    it('a number taken between the check and the create: Octopus’s refusal gives the same explanation', async () => {
      const draft = draftFor('simon-race');
      const connector = connect();
      const plan = await connector.planDocument!(draft);
      handMade(Number(plan.documentSequenceNr), 5);
      const err = await failure(connector.createDocument(draft, plan));
      expect(err).toMatchObject({ kind: 'conflict', retryable: false, status: 400 });
      expect(err.providerMessage).toContain('Simon kiest geen ander nummer');
    });

    it('a timeout after Octopus committed: in doubt; the invoice exists once and is found at its key', async () => {
      const draft = draftFor('simon-commit-timeout');
      const plan = await connect().planDocument!(draft);
      fake.faults.timeoutAfterCommit = { method: 'POST', path: 'invoices', count: 1 };
      const err = await failure(connect().createDocument(draft, plan));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504, outcomeUnknown: true });
      expect(invoiceAt(plan)).toHaveLength(1);
      const lookup = { reference: draft.reference, customerExternalId: '1', createdAfter: new Date(Date.now() - 60_000), plan };
      expect(await connect().findDocument(lookup)).toEqual({ documentId: `2/V1/${plan.documentSequenceNr}`, documentNumber: plan.documentSequenceNr });
      // A create sent again finds it too, instead of posting a second one.
      offsetMs = 2 * 60_000;
      const posts = calls(POSTS);
      await connect().createDocument(draft, plan);
      expect(calls(POSTS)).toBe(posts);
      expect(invoiceAt(plan)).toHaveLength(1);
    });

    it('looks an invoice up through invoices/modified when the look-up by key is refused (§9 U6)', async () => {
      const draft = draftFor('simon-u6');
      const plan = await connect().planDocument!(draft);
      await connect().createDocument(draft, plan);
      fake.faults.failNext.push({ status: 400, method: 'GET', path: 'invoices', body: { errorCode: -1, errorMessage: 'Invalid or missing parameters passed: documentSeqNr', technicalInfo: null } });
      const modified = calls('GET /dossiers/{dossierId}/invoices/modified');
      const lookup = { reference: draft.reference, customerExternalId: '1', createdAfter: new Date(Date.now() - 60_000), plan };
      expect(await connect().findDocument(lookup)).toMatchObject({ documentNumber: plan.documentSequenceNr });
      expect(calls('GET /dossiers/{dossierId}/invoices/modified')).toBe(modified + 1);
    });

    it('a journal closed after the plan → 403 → non-retryable, with the journal named in Dutch', async () => {
      const draft = draftFor('simon-closed');
      const plan = await connect().planDocument!(draft);
      const journal = fake.dossier().journals.find((j) => j.bookyearKey.id === 2 && j.journalKey === 'V1')!;
      journal.closed = true;
      try {
        const err = await failure(connect().createDocument(draft, plan));
        expect(err).toMatchObject({ kind: 'conflict', retryable: false, status: 403 });
        expect(err.providerMessage).toBe("Dagboek 'V1' is afgesloten of in gebruik in Octopus (Octopus: Journal V1 is closed or in use)");
      } finally {
        journal.closed = false;
      }
    });

    it('a journal that takes no invoices (403 naming the journal type) → non-retryable, asking for another journal', async () => {
      const draft = draftFor('simon-not-invoice-journal');
      const plan = await connect().planDocument!(draft);
      fake.faults.failNext.push({ status: 403, method: 'POST', path: 'invoices', body: { errorCode: -4, errorMessage: 'Journal V1 is not an invoice journal', technicalInfo: null } });
      const err = await failure(connect().createDocument(draft, plan));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 403, outcomeUnknown: false });
      expect(err.providerMessage).toContain("Dagboek 'V1' is geen verkoopdagboek (factuurdagboek) in Octopus");
    });

    it('invalid data on the invoice (500 with an Octopus error) → non-retryable validation', async () => {
      const draft = draftFor('simon-vat');
      const plan = await connect().planDocument!(draft);
      const product = fake.dossier().products.find((p) => p.externProductNr === 'ART-1009')!;
      const index = fake.dossier().products.indexOf(product);
      fake.dossier().products.splice(index, 1);
      try {
        const err = await failure(connect().createDocument(draft, plan));
        expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 500 });
        expect(err.providerMessage).toBe("Octopus weigert de gegevens (ongeldige datum, bedrag of code) (Octopus: Line 3: product 'ART-1009' does not exist)");
        expect(invoiceAt(plan)).toHaveLength(0);
      } finally {
        fake.dossier().products.splice(index, 0, product);
      }
    });

    describe('settings → Octopus fields, through the shared document rules (lib/document.ts)', () => {
      const workOrder: WorkOrderForDocument = {
        id: 'wo-77', number: '1043', status: 'completed', customerId: '11111111-1111-4111-8111-111111111111',
        workAddressId: '22222222-2222-4222-8222-222222222222', description: 'Lekkage verholpen\nKraan in keuken vervangen', customerReference: 'PO-77',
        assignedUserId: null, workMinutes: 90, travelMinutes: 0, materials: [], customer: { externalId: '1', name: 'Bakkerij Peeters' },
        workAddress: { name: 'Jan Peeters', street: 'Kerkstraat 4', postalCode: '2800', city: 'Mechelen', customerMatches: true },
      };
      const articles = {
        workTimeArticle: { externalId: '2', code: 'Werktijd', description: 'Werktijd' },
        travelTimeArticle: { externalId: '1', code: 'Reistijd', description: 'Reistijd' },
        defaultArticle: { externalId: '3', code: 'Voorrijkosten', description: 'Voorrijkosten' },
      };
      async function send(over: Partial<SettingsOf<'octopus'>>) {
        const settings = settingsFor(over);
        const reference = `simon-opt-${Math.random().toString(36).slice(2)}`;
        const built = buildDocument(workOrder, settings, articles, { reference, date: today });
        if (!built.ok) throw new Error(built.problem.message);
        const connector = connect({ settings });
        const plan = await connector.planDocument!(built.draft);
        await connector.createDocument(built.draft, plan);
        return invoiceAt(plan)[0];
      }

      it.each([
        ['workOrderNumber', '1043'],
        ['customerReference', 'PO-77'],
        ['both', '1043 / PO-77'],
        ['none', null],
      ] as const)('payment reference %s → reference %j', async (paymentReference, expected) => {
        expect((await send({ paymentReference })).reference).toBe(expected);
      });

      it.each([
        ['workAddress', 'Jan Peeters, Kerkstraat 4, 2800 Mechelen'],
        ['workAddressAndDescription', 'Jan Peeters, Kerkstraat 4, 2800 Mechelen\nLekkage verholpen\nKraan in keuken vervangen'],
        ['description', 'Lekkage verholpen\nKraan in keuken vervangen'],
        ['none', 'Werkbon 1043'],
      ] as const)('memo %s → comment ("Opmerkingen") %j, and nothing of ours', async (memo, comment) => {
        const invoice = await send({ memo });
        expect(invoice.comment).toBe(comment);
        expect(invoice.orderReference).toBeNull();
      });

      it('description as first line: the whole description as one text line, or no text line', async () => {
        const withLine = await send({ descriptionAsFirstLine: true });
        expect(withLine.invoiceLines[0]).toMatchObject({ externProductNr: null, description: 'Lekkage verholpen\nKraan in keuken vervangen', count: 0, unitPrice: 0 });
        const without = await send({ descriptionAsFirstLine: false });
        expect(without.invoiceLines.map((l) => [l.externProductNr, l.count, l.unitPrice])).toEqual([['Werktijd', 1.5, 62.5], ['Voorrijkosten', 1, 35]]);
      });
    });
  });
});
