import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { toApplicationFailure } from '../../connectors/failures.js';
import { createConnector } from '../../connectors/index.js';
import {
  createOctopusConnector,
  OctopusTokenCache,
  REFERENCE_LABEL,
  type OctopusConnector,
} from '../../connectors/octopus/connector.js';
import {
  createFakeOctopusState,
  DEFAULT_OCTOPUS_USER,
  DEFAULT_SOFTWARE_HOUSE_UUID,
  noFaults,
  seedOctopus,
  startFakeOctopus,
  type FakeOctopus,
} from '../../fakes/octopus/server.js';
import { formatOctopusTimestamp, parseOctopusTimestamp } from '../../lib/octopus-time.js';
import type { DocumentDraft } from '../../connectors/types.js';
import { buildDocument } from '../../lib/document.js';
import { octopusSettings, type SettingsOf } from '../../lib/settings.js';
import type { WorkOrderForDocument } from '../../lib/work-order.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

const credentials = { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password };
const config = { softwareHouseUuid: DEFAULT_SOFTWARE_HOUSE_UUID };
const thisYear = new Date().getUTCFullYear();
const today = new Date().toISOString().slice(0, 10);

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
  const fake = await startFakeOctopus({ seed: { relations: 600, products: 150, groups: 5 } });
  const ctx = { baseUrl: fake.url, credentials, config, settings: settingsFor() };
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
  let cache: OctopusTokenCache;
  const connect = (extra: { password?: string; settings?: SettingsOf<'octopus'> | null; timeoutMs?: number; onRequest?: () => unknown; uuid?: string } = {}): OctopusConnector =>
    createOctopusConnector(
      {
        baseUrl: fake.url,
        credentials: { ...credentials, password: extra.password ?? credentials.password },
        config: { softwareHouseUuid: extra.uuid ?? DEFAULT_SOFTWARE_HOUSE_UUID },
        settings: extra.settings === undefined ? settingsFor() : extra.settings,
        ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
        ...(extra.onRequest ? { onRequest: extra.onRequest } : {}),
      },
      { tokenCache: cache },
    );
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);
  const calls = (key: string) => fake.state.requests[key] ?? 0;
  const invoicesWith = (reference: string) =>
    fake.dossier().invoices.filter((i) => (i.comment ?? '').split('\n').includes(`${REFERENCE_LABEL} ${reference}`));

  beforeAll(async () => {
    fake = await startFakeOctopus({ seed: { relations: 90, products: 40, groups: 4 } });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noFaults());
    fake.resetUsage();
    cache = new OctopusTokenCache();
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
      expect(err.message).toContain('Onjuiste gebruikersnaam of wachtwoord voor Octopus');
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
      let clock = Date.now();
      cache = new OctopusTokenCache(() => clock);
      await connect().listArticleGroups({ cursor: null, since: null });
      const auth = calls('POST /authentication');
      const refused = fake.state.refused.unauthorized;
      clock += 9 * 60_000 + 30_000; // inside the renewal margin
      await connect().listArticleGroups({ cursor: null, since: null });
      expect(calls('POST /authentication') - auth).toBe(1);
      expect(fake.state.refused.unauthorized).toBe(refused);
    });

    it('counts every outgoing call through onRequest, token calls included', async () => {
      let n = 0;
      await connect({ onRequest: () => n++ }).listArticleGroups({ cursor: null, since: null });
      expect(n).toBe(3); // authentication, dossier token, product groups
    });

    it('makes no call when onRequest refuses (the quota guard)', async () => {
      const before = fake.state.requestCount;
      const refusal = new ProviderError({ kind: 'rate-limited', message: 'quota', retryAfterMs: 5000 });
      const err = await failure(connect({ onRequest: () => Promise.reject(refusal) }).listArticleGroups({ cursor: null, since: null }));
      expect(err).toBe(refusal);
      expect(fake.state.requestCount).toBe(before);
    });
  });

  describe('relations, products and product groups', () => {
    it('maps relations to customers: companies, private persons, inactive ones and suppliers', async () => {
      const { records, total } = await listAll((req) => connect().listCustomers(req), 200);
      expect(total).toBe(90);
      const byId = new Map(records.map((c) => [c.externalId, c]));
      const raw = fake.dossier().relations[0];
      expect(byId.get('1')).toEqual({
        externalId: '1',
        number: '1',
        name: raw.name,
        address: { street: raw.streetAndNr, postalCode: raw.postalCode, city: raw.city, country: raw.country },
        email: raw.email,
        phone: raw.telephone,
        active: true,
        workAddresses: [],
      });
      const person = fake.dossier().relations[5]; // every 6th is a private person
      expect(byId.get('6')!.name).toBe(`${person.firstName} ${person.name}`);
      expect(byId.get('30')!.active).toBe(false); // inactive in Octopus
      expect(byId.get('12')!.active).toBe(false); // a supplier only is no customer
    });

    it('asks only for relations modified since the last listing (with a margin), and reads "none" (404) as empty', async () => {
      const first = await listAll((req) => connect().listCustomers(req), 500);
      expect(first.records).toHaveLength(90);
      const full = await connect().listCustomers({ cursor: null, since: null, pageSize: 500 });
      const hwm = full.highWaterMark!;
      expect(Date.parse(hwm)).toBeGreaterThan(Date.now() - 60_000);

      const idle = await connect().listCustomers({ cursor: null, since: hwm });
      expect(idle).toMatchObject({ records: [], nextCursor: null, total: 0 });
      expect(calls('GET /dossiers/{dossierId}/relations/modified')).toBeGreaterThan(0);

      fake.updateRelation(7, { name: 'Bakkerij Gewijzigd BV' });
      fake.updateRelation(8, { active: false });
      const changed = await connect().listCustomers({ cursor: null, since: hwm });
      expect(changed.records.map((c) => [c.externalId, c.name, c.active])).toEqual([
        ['7', 'Bakkerij Gewijzigd BV', true],
        ['8', fake.dossier().relations[7].name, false],
      ]);
      expect(Date.parse(changed.highWaterMark!)).toBeGreaterThanOrEqual(Date.parse(hwm));
    });

    it('maps products (with the Octopus group) and product groups; no change tracking for products', async () => {
      const page = await connect().listArticles({ cursor: null, since: new Date().toISOString(), pageSize: 3 });
      expect(page.total).toBe(40); // `since` is ignored: always the full listing
      expect(page.records).toEqual([
        { externalId: '1', code: 'Reistijd', description: 'Reistijd', salesPrice: '45', unit: 'uur', groupExternalId: '1', active: true },
        { externalId: '2', code: 'Werktijd', description: 'Werktijd', salesPrice: '62.5', unit: 'uur', groupExternalId: '1', active: true },
        { externalId: '3', code: 'Voorrijkosten', description: 'Voorrijkosten', salesPrice: '35', unit: 'stuk', groupExternalId: '1', active: true },
      ]);
      const last = await connect().listArticles({ cursor: '39', since: null, pageSize: 3 });
      expect(last).toMatchObject({ nextCursor: null, highWaterMark: null });
      const groups = await connect().listArticleGroups({ cursor: null, since: null });
      expect(groups.records.map((g) => g.description)).toEqual(['Tijden', 'Materialen', 'Diensten', 'Sanitair']);
    });

    it('refuses to list without a chosen dossier', async () => {
      const err = await failure(connect({ settings: null }).listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.providerMessage).toBe('Er is nog geen Octopus-dossier gekozen');
    });
  });

  describe('provider faults', () => {
    it('the daily quota of the fake → 429 → retryable rate-limited, waiting until the day is over', async () => {
      const quota = fake.state.dailyQuotaPerUser;
      fake.state.dailyQuotaPerUser = 3;
      try {
        const connector = connect();
        await connector.listArticleGroups({ cursor: null, since: null }); // 3 calls: login, dossier token, groups
        const err = await failure(connector.listArticleGroups({ cursor: null, since: null }));
        expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429 });
        expect(err.retryAfterMs).toBeGreaterThan(0);
        expect(err.retryAfterMs).toBeLessThanOrEqual(25 * 3_600_000);
        // Temporal waits through nextRetryDelay, not a sleep in the activity.
        expect(toApplicationFailure(err).nextRetryDelay).toBe(err.retryAfterMs);
        expect(fake.state.refused.rateLimited).toBeGreaterThan(0);
      } finally {
        fake.state.dailyQuotaPerUser = quota;
      }
    });

    it('429 with Retry-After from upstream → rate-limited with that wait', async () => {
      fake.faults.failNext.push({ status: 429, path: 'productgroups', retryAfterSeconds: 7 });
      const err = await failure(connect().listArticleGroups({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000 });
    });

    it.each([500, 502, 503, 504])('%i on a read → retryable unavailable, and the next attempt succeeds', async (status) => {
      fake.faults.failNext.push({ status, method: 'GET', path: 'products' });
      const connector = connect();
      const err = await failure(connector.listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status });
      await expect(connector.listArticles({ cursor: null, since: null })).resolves.toMatchObject({ total: 40 });
    });

    it('a slow provider → retryable timeout', async () => {
      fake.faults.latencyMs = 400;
      const err = await failure(connect({ timeoutMs: 100 }).verifyConnection());
      expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    });

    it('a closed journal → 403 → non-retryable, with the journal named in Dutch', async () => {
      const posts = calls('POST /dossiers/{dossierId}/invoices');
      const err = await failure(connect({ settings: settingsFor({ journal: 'V2' }) }).createDocument(draftFor(`closed-${Date.now()}`), null));
      expect(err).toMatchObject({ kind: 'conflict', retryable: false, status: 403 });
      expect(err.providerMessage).toBe("Dagboek 'V2' is afgesloten of in gebruik in Octopus (Octopus: Journal V2 is closed or in use)");
      expect(calls('POST /dossiers/{dossierId}/invoices') - posts).toBe(1);
    });

    it('invalid data on the invoice (500 with an Octopus error) → non-retryable validation, not retried for a day', async () => {
      const draft = draftFor(`bad-product-${Date.now()}`, {
        lines: [{ kind: 'article', role: 'material', articleExternalId: 'x', articleCode: 'BESTAAT-NIET', description: 'Weg', quantity: 1, unitPrice: '1' }],
      });
      const err = await failure(connect().createDocument(draft, null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 500 });
      expect(err.providerMessage).toBe("Octopus weigert de gegevens (ongeldige datum, bedrag of code) (Octopus: Line 1: product 'BESTAAT-NIET' does not exist)");
      expect(invoicesWith(draft.reference)).toHaveLength(0);
    });

    it('an unknown relation → 400 → non-retryable validation', async () => {
      const err = await failure(connect().createDocument(draftFor(`no-relation-${Date.now()}`, { customer: { externalId: '99999', name: 'Onbekend' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, status: 400 });
      expect(err.providerMessage).toContain('Relation 99999 is not a known client');
    });

    it('a document date outside every open book year → refused before anything is written', async () => {
      const posts = calls('POST /dossiers/{dossierId}/invoices');
      const err = await failure(connect().createDocument(draftFor(`old-${Date.now()}`, { date: `${thisYear - 1}-06-30` }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.providerMessage).toBe(`Geen open boekjaar in Octopus voor ${thisYear - 1}-06-30`);
      expect(calls('POST /dossiers/{dossierId}/invoices')).toBe(posts);
    });
  });

  describe("Controleer (checkSettings) and pick-lists", () => {
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

    it('names each failing field: closed journal, unknown journal, unknown article', async () => {
      const closed = await connect().checkSettings(settingsFor({ journal: 'V2', defaultArticle: 'Bestaat niet', travelTimeArticle: null }));
      expect(closed.map((c) => [c.field, c.ok, c.error ?? null])).toEqual([
        ['dossierId', true, null],
        ['journal', false, "Dagboek 'V2' is afgesloten in Octopus"],
        ['workTimeArticle', true, null],
        ['defaultArticle', false, 'Artikel niet bekend in Octopus'],
        ['termsAccepted', true, null],
      ]);
      const unknown = await connect().checkSettings(settingsFor({ journal: 'X9' }));
      expect(unknown.find((c) => c.field === 'journal')).toEqual({ field: 'journal', ok: false, error: 'Dagboek niet bekend in Octopus' });
    });

    it('an unknown dossier fails the dossier and leaves the dependent fields unchecked', async () => {
      const checks = await connect().checkSettings(settingsFor({ dossierId: '999' }));
      expect(checks.map((c) => [c.field, c.ok, c.error ?? null])).toEqual([
        ['dossierId', false, 'Dossier niet bekend in Octopus'],
        ['journal', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['workTimeArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['travelTimeArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['defaultArticle', false, 'Kies eerst een dossier dat bekend is in Octopus'],
        ['termsAccepted', true, null],
      ]);
    });

    it('offers dossiers, the open journals of a dossier, articles by term and product groups', async () => {
      const connector = connect({ settings: null });
      expect(await connector.options!('dossiers', null)).toEqual([
        { id: '101', name: 'Installatiebedrijf Peeters BV' },
        { id: '102', name: 'Peeters Vastgoed BV' },
      ]);
      expect(await connector.options!('journals', null, { administration: '101' })).toEqual([
        { id: 'V1', name: 'Verkoopsfacturen', bookyear: String(thisYear) },
        { id: 'A1', name: 'Aankoopfacturen', bookyear: String(thisYear) },
      ]);
      await expect(connector.options!('journals', null)).rejects.toThrow(/Kies eerst een dossier/);
      const reis = await connector.options!('articles', 'REIS', { administration: '101' });
      expect(reis).toEqual([{ id: 'Reistijd', name: 'Reistijd', code: 'Reistijd', externalId: '1', group: 'Tijden', price: '45' }]);
      // With saved settings the saved dossier is used.
      expect((await connect().options!('articleGroups', 'tijd')).map((g) => g.name)).toEqual(['Tijden']);
      await expect(connector.options!('warehouses', null)).rejects.toThrow(/bestaat niet/);
    });
  });

  describe('sales invoices', () => {
    it('creates one unbooked sales invoice in the chosen journal of the open book year, found back by our reference', async () => {
      const reference = `simon-wo-${Date.now()}`;
      const created = await connect().createDocument(draftFor(reference), null);
      const [stored, ...more] = invoicesWith(reference);
      expect(more).toHaveLength(0);
      expect(created).toEqual({ documentId: `2/V1/${stored.documentSequenceNr}`, documentNumber: String(stored.documentSequenceNr) });
      expect(stored).toMatchObject({
        bookyearKey: { id: 2 },
        journalKey: 'V1',
        documentDate: today,
        relationIdentificationServiceData: { relationKey: { id: 1 } },
        reference: 'WB-1001 / PO-77',
        comment: `Jan Peeters, Stationsstraat 12, 2800 Mechelen\n${REFERENCE_LABEL} ${reference}`,
        booked: false,
      });
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
    });

    it('sends lines as invoiceLines: a text line, then products by externProductNr, own price when the work order has none', async () => {
      const reference = `simon-lines-${Date.now()}`;
      await connect().createDocument(
        draftFor(reference, {
          lines: [
            { kind: 'text', description: 'CV-ketel maakt geluid\nDrukventiel vervangen' },
            { kind: 'article', role: 'work-time', articleExternalId: '2', articleCode: 'Werktijd', description: 'Werktijd', quantity: 2, unitPrice: null },
            { kind: 'article', role: 'travel-time', articleExternalId: '1', articleCode: 'Reistijd', description: 'Reistijd', quantity: 0.25, unitPrice: null },
            { kind: 'article', role: 'material', articleExternalId: '10', articleCode: 'ART-1009', description: 'Kogelkraan 15 mm', quantity: 3, unitPrice: '4.25' },
            { kind: 'article', role: 'default', articleExternalId: '3', articleCode: 'Voorrijkosten', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
          ],
        }),
        null,
      );
      expect(invoicesWith(reference)[0].invoiceLines.map((l) => [l.externProductNr, l.description, l.count, l.unitPrice])).toEqual([
        [null, 'CV-ketel maakt geluid\nDrukventiel vervangen', 0, 0],
        ['Werktijd', 'Werktijd', 2, 62.5],
        ['Reistijd', 'Reistijd', 0.25, 45],
        ['ART-1009', 'Kogelkraan 15 mm', 3, 4.25],
        ['Voorrijkosten', 'Voorrijkosten', 1, 35],
      ]);
    });

    it('finds nothing for a reference that was never used', async () => {
      expect(await connect().findDocument(lookupOf('simon-never'))).toBeNull();
    });

    it('a timeout after Octopus committed: retryable; the invoice exists once and is found by reference', async () => {
      const reference = `simon-commit-timeout-${Date.now()}`;
      fake.faults.timeoutAfterCommit = { method: 'POST', path: 'invoices', count: 1 };
      const err = await failure(connect().createDocument(draftFor(reference), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504 });
      const stored = invoicesWith(reference);
      expect(stored).toHaveLength(1);
      expect(await connect().findDocument(lookupOf(reference))).toEqual({
        documentId: `2/V1/${stored[0].documentSequenceNr}`,
        documentNumber: String(stored[0].documentSequenceNr),
      });
    });

    describe('settings → Octopus fields, through the shared document rules (lib/document.ts)', () => {
      const workOrder: WorkOrderForDocument = {
        id: 'wo-77',
        number: '1043',
        status: 'completed',
        customerId: '11111111-1111-4111-8111-111111111111',
        workAddressId: '22222222-2222-4222-8222-222222222222',
        description: 'Lekkage verholpen\nKraan in keuken vervangen',
        customerReference: 'PO-77',
        assignedUserId: null,
        workMinutes: 90,
        travelMinutes: 0,
        materials: [],
        customer: { externalId: '1', name: 'Bakkerij Peeters' },
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
        await connect({ settings }).createDocument(built.draft, null);
        return invoicesWith(reference)[0];
      }

      it.each([
        ['workOrderNumber', '1043'],
        ['customerReference', 'PO-77'],
        ['both', '1043 / PO-77'],
        ['none', null],
      ] as const)('payment reference %s → reference %j', async (paymentReference, expected) => {
        const invoice = await send({ paymentReference });
        expect(invoice.reference).toBe(expected);
      });

      it.each([
        ['workAddress', ['Jan Peeters, Kerkstraat 4, 2800 Mechelen']],
        ['workAddressAndDescription', ['Jan Peeters, Kerkstraat 4, 2800 Mechelen', 'Lekkage verholpen', 'Kraan in keuken vervangen']],
        ['description', ['Lekkage verholpen', 'Kraan in keuken vervangen']],
        ['none', []],
      ] as const)('memo %s → comment ("Opmerkingen") with our reference as its last line', async (memo, lines) => {
        const invoice = await send({ memo });
        const comment = invoice.comment!.split('\n');
        expect(comment.slice(0, -1)).toEqual(lines);
        expect(comment.at(-1)).toMatch(new RegExp(`^${REFERENCE_LABEL} simon-opt-`));
      });

      it('description as first line: the whole description as one text line, or no text line', async () => {
        const withLine = await send({ descriptionAsFirstLine: true });
        expect(withLine.invoiceLines[0]).toMatchObject({ externProductNr: null, description: 'Lekkage verholpen\nKraan in keuken vervangen', count: 0 });
        const without = await send({ descriptionAsFirstLine: false });
        expect(without.invoiceLines.map((l) => [l.externProductNr, l.count])).toEqual([['Werktijd', 1.5], ['Voorrijkosten', 1]]);
      });
    });
  });
});

describe('fake Octopus', () => {
  it('seeds the same realistic data for the same seed', () => {
    const a = createFakeOctopusState();
    const b = createFakeOctopusState();
    seedOctopus(a, { relations: 50, products: 20, groups: 3, seed: 42 });
    seedOctopus(b, { relations: 50, products: 20, groups: 3, seed: 42 });
    expect(a.dossiers[0].relations).toEqual(b.dossiers[0].relations);
    expect(a.dossiers[0].products).toEqual(b.dossiers[0].products);
    expect(a.dossiers[0].products.slice(0, 3).map((p) => p.externProductNr)).toEqual(['Reistijd', 'Werktijd', 'Voorrijkosten']);
  });

  it('takes faults over HTTP, counts calls per endpoint and refuses calls without a valid token', async () => {
    const fake = await startFakeOctopus();
    try {
      const set = await fetch(new URL('/__faults', fake.url), { method: 'POST', body: JSON.stringify({ failNext: [{ status: 503, path: 'dossiers' }], latencyMs: 5 }) });
      expect(set.status).toBe(200);
      expect(fake.faults.failNext).toHaveLength(1);
      expect((await fetch(new URL('dossiers', fake.url))).status).toBe(503);
      const unauthorized = await fetch(new URL('dossiers', fake.url), { headers: { Token: 'nope' } });
      expect(unauthorized.status).toBe(401);
      expect(await unauthorized.json()).toEqual({ errorCode: 'TOKEN_INVALID', errorMessage: 'Invalid or expired token presented, unauthorized', technicalInfo: null });
      const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number> };
      expect(state.requests['GET /dossiers']).toBe(2);
    } finally {
      await fake.stop();
    }
  });

  it('reads and writes Octopus timestamps as Brussels wall-clock time', () => {
    const at = new Date('2026-07-01T10:15:30.045Z'); // summer: UTC+2
    expect(formatOctopusTimestamp(at)).toBe('2026-07-01 12:15:30.045');
    expect(parseOctopusTimestamp('2026-07-01 12:15:30.045')!.toISOString()).toBe(at.toISOString());
    expect(parseOctopusTimestamp('2026-01-15 08:00:00.000')!.toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(parseOctopusTimestamp('gisteren')).toBeNull();
  });
});
