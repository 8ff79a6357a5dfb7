import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import {
  createImuisConnector,
  highWaterMark,
  imuisError,
  orderKenmerk,
  salesOrderXml,
  sinceDate,
  type ImuisConnector,
  type ImuisConnectorOptions,
} from '../../connectors/imuis/connector.js';
import {
  amsterdamDate,
  createFakeImuisState,
  DEFAULT_ENVIRONMENT_CODE,
  DEFAULT_IMUIS_PARTNER_KEY,
  fakeOffer,
  mutate,
  noImuisFaults,
  seedImuis,
  startFakeImuis,
  type FakeImuis,
} from '../../fakes/imuis/server.js';
import { child, childElements, el, elAttrs, escapeXml, fields, parseXml, textOf, toXml, XmlParseError } from '../../lib/xml.js';
import { createConnector, providerConfig } from '../../connectors/index.js';
import type { DocumentDraft } from '../../connectors/types.js';
import { parseEnv } from '../../lib/env.js';
import { imuisSettings } from '../../lib/settings.js';
import { lookupOf, connectorContract, listAll } from './contract.js';

// ------------------------------------------------------------------ XML

describe('iMuis XML subset', () => {
  it('escapes the five special characters in text and attributes, and drops characters XML cannot carry', () => {
    expect(escapeXml(`a & b < c > d "e" 'f'`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;');
    expect(escapeXml('x\u0000y\u0007z\tq\nr')).toBe('xyz\tq\nr');
    const xml = toXml(elAttrs('ORDKOP', { note: `<"'&>` }, el('OPM', 'Jan & Piet <b>'), el('LEEG')));
    expect(xml).toBe('<ORDKOP note="&lt;&quot;&apos;&amp;&gt;"><OPM>Jan &amp; Piet &lt;b&gt;</OPM><LEEG/></ORDKOP>');
  });

  it('round-trips any text through build and parse, including line breaks, CR and non-ASCII', () => {
    const nasty = `Dunantstraat 140 & "zo"\r\nachterom <b>'t</b> — €12,50 ✓ 😀`;
    const parsed = parseXml(toXml(el('X', el('OPM', nasty))));
    expect(textOf(child(parsed, 'OPM'))).toBe(nasty);
  });

  it('builds fields in order and leaves out null and undefined', () => {
    expect(toXml(el('Table1', fields({ TABLE: 'DEB', MUTDATE_VA: undefined, MAXRESULT: 0, X: null, J: true })))).toBe(
      '<Table1><TABLE>DEB</TABLE><MAXRESULT>0</MAXRESULT><J>true</J></Table1>',
    );
  });

  it('refuses element names that could inject markup', () => {
    expect(() => el('A><B')).toThrow(/Ongeldige XML-naam/);
    expect(() => el('1ABC')).toThrow(/Ongeldige XML-naam/);
    expect(() => elAttrs('A', { 'x"y': '1' })).toThrow(/Ongeldige XML-naam/);
  });

  it('parses elements, attributes, text, CDATA, comments, entities and character references', () => {
    const root = parseXml(`\uFEFF<?xml version="1.0" encoding="utf-8"?>
      <!-- kop -->
      <DATASET a='1' b="x &amp; y">
        <DATA><NR>10001</NR><NAAM>Bakkerij &lt;De Vries&gt; &#38; Zn &#x263A;</NAAM><LEEG/><OPM><![CDATA[<geen> & tags]]></OPM></DATA>
        <?pi iets?>
      </DATASET>`);
    expect(root.name).toBe('DATASET');
    expect(root.attrs).toEqual({ a: '1', b: 'x & y' });
    const data = childElements(root);
    expect(data).toHaveLength(1);
    expect(textOf(child(data[0], 'NAAM'))).toBe('Bakkerij <De Vries> & Zn ☺');
    expect(textOf(child(data[0], 'LEEG'))).toBe('');
    expect(textOf(child(data[0], 'OPM'))).toBe('<geen> & tags');
  });

  it('resolves namespaces: default and prefixed, scoped to the element, local names without prefix', () => {
    const root = parseXml(`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
      <soap:Body><LoginResponse xmlns="https://cloudswitch.imuisonline.com/"><LoginResult>false</LoginResult>
      <Foutmelding>Omgevingscode onbekend</Foutmelding></LoginResponse><Other/></soap:Body></soap:Envelope>`);
    expect(root).toMatchObject({ local: 'Envelope', ns: 'http://www.w3.org/2003/05/soap-envelope' });
    const body = child(root, 'Body')!;
    const response = child(body, 'LoginResponse')!;
    expect(response.ns).toBe('https://cloudswitch.imuisonline.com/');
    expect(child(response, 'LoginResult')!.ns).toBe('https://cloudswitch.imuisonline.com/');
    expect(child(body, 'Other')!.ns).toBeNull();
    // The SOAP shape of an error is read like the dataset one.
    expect(imuisError(root)).toBe('Omgevingscode onbekend');
  });

  it.each([
    ['<a><b></a></b>', /past niet/],
    ['<a>', /niet afgesloten/],
    ['</a>', /zonder openingstag/],
    ['<a/><b/>', /Meer dan één hoofdelement/],
    ['tekst<a/>', /Tekst buiten/],
    ['<a x="1" x="2"/>', /twee keer/],
    ['<a>&bestaatniet;</a>', /Onbekende entiteit/],
    ['<a>los & teken</a>', /Losse '&'/],
    ['<a>&#0;</a>', /tekenverwijzing/],
    ['<p:a/>', /niet gedeclareerd/],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE/],
    ['<a><![CDATA[open</a>', /CDATA/],
    ['', /Geen XML-element/],
    ['<html><body>Server Error<br></body></html>', /past niet/],
  ])('refuses malformed XML: %s', (input, message) => {
    expect(() => parseXml(input)).toThrow(XmlParseError);
    expect(() => parseXml(input)).toThrow(message);
  });

  it('reads errors in both shapes and never takes a data field for one', () => {
    expect(imuisError(parseXml('<DATASET><ERROR><MESSAGE>Sessie is verlopen</MESSAGE></ERROR></DATASET>'))).toBe('Sessie is verlopen');
    expect(imuisError(parseXml('<DATASET><RESULT>false</RESULT><FOUTMELDING>Debiteur bestaat niet</FOUTMELDING></DATASET>'))).toBe('Debiteur bestaat niet');
    expect(imuisError(parseXml('<DATASET><DATA><ERROR>J</ERROR><RESULT>false</RESULT></DATA></DATASET>'))).toBeNull();
    expect(imuisError(parseXml('<DATASET><SESSION><SESSIONID>abc</SESSIONID></SESSION></DATASET>'))).toBeNull();
  });
});

// ------------------------------------------------------------------ pure connector rules

describe('iMuis connector rules', () => {
  it('keeps our reference as KENM when it fits, and a stable short hash when it does not', () => {
    expect(orderKenmerk('simon-wo-17')).toBe('simon-wo-17');
    const long = 'simon-0b8d7a52-4c4e-4a43-9c36-1e2f3a4b5c6d';
    const k = orderKenmerk(long);
    expect(k).toMatch(/^S-[0-9a-f]{18}$/);
    expect(orderKenmerk(long)).toBe(k);
    expect(orderKenmerk(`${long}x`)).not.toBe(k);
  });

  it('carries the article-group filter in the high-water mark: a changed filter lists everything once', () => {
    expect(highWaterMark('2026-11-23', null)).toBe('2026-11-23');
    expect(sinceDate('2026-11-23', null)).toBe('2026-11-23');
    const hwm = highWaterMark('2026-11-23', 'abc123');
    expect(sinceDate(hwm, 'abc123')).toBe('2026-11-23');
    expect(sinceDate(hwm, 'def456')).toBeNull();
    expect(sinceDate(hwm, null)).toBeNull();
    expect(sinceDate('2026-11-23', 'abc123')).toBeNull();
    expect(sinceDate('gisteren', null)).toBeNull();
    expect(sinceDate(null, null)).toBeNull();
  });
});

// ------------------------------------------------------------------ against the fake over HTTP

function draftFor(reference: string, overrides: Partial<DocumentDraft> = {}): DocumentDraft {
  return {
    documentType: 'salesOrder',
    reference,
    workOrderId: 'wo-1',
    workOrderNumber: 'WB-1001',
    date: '2026-11-23',
    customer: { externalId: '10001', name: 'Klant 10001' },
    lines: [
      { kind: 'article', role: 'work-time', articleExternalId: 'WERKTIJD', articleCode: 'WERKTIJD', description: 'werktijd vanuit Simon', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'travel-time', articleExternalId: 'REISTIJD', articleCode: 'REISTIJD', description: 'Reistijd', quantity: 0.25, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: '1003', articleCode: '1003', description: 'Kogelkraan 15 mm met een heel lange omschrijving die iMuis niet past', quantity: 3, unitPrice: '4.25' },
      { kind: 'article', role: 'default', articleExternalId: 'VOORRIJKOSTEN', articleCode: 'VOORRIJKOSTEN', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
    ],
    paymentReference: null,
    descriptionLines: [],
    memo: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel & filter',
    customerReference: null,
    warehouse: null,
    ...overrides,
  };
}

const partnerKey = 'integrator-partner-key-123';
const environmentCode = 'ENV-TEST-0001';

connectorContract('iMuis', async () => {
  const fake = await startFakeImuis({ partnerKeys: [partnerKey], environmentCodes: [environmentCode], seed: { articles: 83, debtors: 250 } });
  const config = { partnerKey, pageSize: '500' };
  return {
    connector: createConnector('imuis', { baseUrl: fake.url, credentials: { environmentCode }, config }),
    badCredentials: createConnector('imuis', { baseUrl: fake.url, credentials: { environmentCode: 'WRONG-CODE' }, config }),
    expected: { customers: 250, articles: 83, articleGroups: 4 },
    draft: (reference) => draftFor(reference),
    stop: () => fake.stop(),
  };
});

describe('iMuis connector against the fake', () => {
  let fake: FakeImuis;
  const connect = (extra: Partial<ImuisConnectorOptions> & { environmentCode?: string; timeoutMs?: number } = {}): ImuisConnector =>
    createImuisConnector(
      { baseUrl: fake.url, credentials: { environmentCode: extra.environmentCode ?? environmentCode }, ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}) },
      { partnerKey: extra.partnerKey ?? partnerKey, pageSize: extra.pageSize ?? 20, ...(extra.articleGroupFilter ? { articleGroupFilter: extra.articleGroupFilter } : {}), ...(extra.now ? { now: extra.now } : {}) },
    );
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ProviderError);

  beforeAll(async () => {
    fake = await startFakeImuis({ partnerKeys: [partnerKey], environmentCodes: [environmentCode] });
    seedImuis(fake.state, { groups: ['Tijden', 'Installatie', 'installatie', 'Diensten'], articles: 45, debtors: 61 });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    Object.assign(fake.faults, noImuisFaults());
  });

  describe('the environment factory', () => {
    it('takes the partner key and page size from the configuration, and the group filter from the settings in force', async () => {
      const env = parseEnv({ IMUIS_BASE_URL: fake.url, IMUIS_PARTNER_KEY: partnerKey, IMUIS_PAGE_SIZE: '7' });
      expect(providerConfig(env, 'imuis')).toEqual({ partnerKey, pageSize: '7' });
      expect(parseEnv({}).IMUIS_PARTNER_KEY).toBe(DEFAULT_IMUIS_PARTNER_KEY);
      const settings = imuisSettings.parse({ provider: 'imuis', termsAccepted: true, workTimeArticle: null, travelTimeArticle: null, defaultArticle: null, articleGroupFilter: ['Installatie'] });
      const connector = createConnector('imuis', { baseUrl: fake.url, credentials: { environmentCode }, config: providerConfig(env, 'imuis'), settings });
      const page = await connector.listArticleGroups({ cursor: null, since: null });
      expect(page.records.filter((g) => g.active).map((g) => g.description)).toEqual(['Installatie']);
      const articles = await connector.listArticles({ cursor: null, since: null });
      expect(articles.records).toHaveLength(7);
      expect(articles.nextCursor).not.toBeNull();
    });
  });

  describe('login and sessions', () => {
    it('logs in with partner key and environment code, masks the code in its label, and reuses the session', async () => {
      const logins = fake.state.logins;
      const connector = connect();
      await expect(connector.verifyConnection()).resolves.toEqual({ label: 'omgevingscode ••••0001' });
      await connector.listCustomers({ cursor: null, since: null });
      await connect().listArticleGroups({ cursor: null, since: null });
      expect(fake.state.logins - logins).toBe(1);
    });

    it('renews an ended session once, transparently, and carries on', async () => {
      const connector = connect();
      await connector.listArticleGroups({ cursor: null, since: null });
      const logins = fake.state.logins;
      fake.expireSessions();
      const page = await connector.listCustomers({ cursor: null, since: null });
      expect(page.records).toHaveLength(20);
      expect(fake.state.logins - logins).toBe(1);
    });

    it('renews after the session lifetime the fake enforces', async () => {
      const ttl = fake.state.sessionTtlMs;
      fake.state.sessionTtlMs = 150;
      try {
        const connector = connect();
        await connector.verifyConnection();
        await new Promise((r) => setTimeout(r, 250));
        const logins = fake.state.logins;
        await connector.listArticleGroups({ cursor: null, since: null });
        expect(fake.state.logins - logins).toBe(1);
      } finally {
        fake.state.sessionTtlMs = ttl;
      }
    });

    it('a refused environment code → non-retryable auth error with the provider text, never the code', async () => {
      const err = await failure(connect({ environmentCode: 'NIET-GELDIG-42' }).verifyConnection());
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false });
      expect(err.providerMessage).toBe('Omgevingscode is onbekend of de app Simon is niet geactiveerd in deze omgeving');
      expect(err.message).toContain('controleer de omgevingscode');
      expect(JSON.stringify({ ...err, message: err.message })).not.toContain('NIET-GELDIG-42');
    });

    it('a wrong partner key → auth error naming the partner key', async () => {
      const err = await failure(connect({ partnerKey: 'verkeerd' }).verifyConnection());
      expect(err).toMatchObject({ kind: 'auth', retryable: false, providerMessage: 'Partnerkey is onjuist of niet geactiveerd' });
      const missing = await failure(connect({ partnerKey: '' }).verifyConnection());
      expect(missing.message).toContain('IMUIS_PARTNER_KEY');
    });
  });

  describe('listings', () => {
    it('pages debtors by key, 20 at a time, each once, and ends with the day the listing started as mark', async () => {
      const requests = fake.state.requests['GETSTAMTABELRECORDS DEB'] ?? 0;
      const started = new Date('2026-03-10T12:00:00Z');
      const connector = connect({ now: () => started });
      const seen: string[] = [];
      let cursor: string | null = null;
      let hwm: string | null | undefined;
      do {
        const page: Awaited<ReturnType<ImuisConnector['listCustomers']>> = await connector.listCustomers({ cursor, since: null });
        seen.push(...page.records.map((c) => c.externalId));
        cursor = page.nextCursor;
        hwm = page.highWaterMark;
        if (cursor !== null) expect(hwm).toBeUndefined();
      } while (cursor !== null);
      expect(seen).toEqual(fake.state.debtors.map((d) => String(d.NR)));
      expect(fake.state.requests['GETSTAMTABELRECORDS DEB'] - requests).toBe(4);
      expect(hwm).toBe('2026-03-10');
    });

    it('maps debtors: address as customer address and first work address, BLOK=J as inactive', async () => {
      const { records } = await listAll((req) => connect().listCustomers(req), 100);
      const d = fake.state.debtors[0];
      expect(records[0]).toEqual({
        externalId: String(d.NR),
        number: String(d.NR),
        name: d.NAAM,
        address: { street: d.ADRES, postalCode: d.POSTCD, city: d.PLAATS, country: 'NL' },
        email: d.EMAIL,
        phone: d.TEL,
        active: true,
        workAddresses: [{ origin: 'customer-address', address: { name: d.NAAM, street: d.ADRES, postalCode: d.POSTCD, city: d.PLAATS, country: 'NL' } }],
      });
      expect(records.find((c) => c.externalId === '10030')!.active).toBe(false);
    });

    it('does not skip a record when one before it is deleted during the listing (page numbers would)', async () => {
      const connector = connect();
      const first = await connector.listCustomers({ cursor: null, since: null });
      const removed = fake.state.debtors.splice(3, 1)[0];
      try {
        const seen = first.records.map((c) => c.externalId);
        let cursor = first.nextCursor;
        while (cursor !== null) {
          const page = await connector.listCustomers({ cursor, since: null });
          seen.push(...page.records.map((c) => c.externalId));
          cursor = page.nextCursor;
        }
        // 10021 is what SELECTPAGE=2 would have skipped: it moved to the first page.
        expect(seen).toContain('10021');
        expect(seen).toEqual([String(removed.NR), ...fake.state.debtors.map((d) => String(d.NR))].sort());
      } finally {
        fake.state.debtors.splice(3, 0, removed);
      }
    });

    it('lists only what changed since the mark (MUTDATE_VA), including a debtor that got blocked', async () => {
      const connector = connect();
      const { records } = await listAll((req) => connector.listCustomers({ ...req, since: '2025-06-01' }), 20);
      expect(records).toHaveLength(0);
      const changed = mutate(fake.state.debtors[5], { NAAM: 'Gewijzigd B.V.' });
      const blocked = mutate(fake.state.debtors[8], { BLOK: 'J' });
      try {
        const page = await connector.listCustomers({ cursor: null, since: amsterdamDate() });
        expect(page.records.map((c) => [c.externalId, c.name, c.active])).toEqual([
          [String(changed.NR), 'Gewijzigd B.V.', true],
          [String(blocked.NR), blocked.NAAM, false],
        ]);
        expect(page.highWaterMark).toBeTruthy();
      } finally {
        blocked.BLOK = 'N';
      }
    });

    it('the article-group filter matches group names exactly and case-sensitively, for groups and their articles', async () => {
      const connector = connect({ articleGroupFilter: ['Installatie'] });
      const groups = (await listAll((req) => connector.listArticleGroups(req), 20)).records;
      expect(groups.map((g) => [g.description, g.active])).toEqual([['Tijden', false], ['Installatie', true], ['installatie', false], ['Diensten', false]]);
      const articles = (await listAll((req) => connector.listArticles(req), 20)).records;
      const codeOf = (name: string) => fake.state.articleGroups.find((g) => g.OMSCHR === name)!.NR;
      const active = articles.filter((a) => a.active);
      expect(active.length).toBeGreaterThan(0);
      expect(active.every((a) => a.groupExternalId === codeOf('Installatie'))).toBe(true);
      expect(articles.filter((a) => a.groupExternalId === codeOf('installatie')).every((a) => !a.active)).toBe(true);
      // Without a filter everything that is not blocked is active.
      const all = (await listAll((req) => connect().listArticles(req), 20)).records;
      expect(all.every((a) => a.active)).toBe(true);
      expect(all[0]).toMatchObject({ externalId: '1000', code: '1000', unit: 'st' });
    });

    it('a changed filter makes the next listing ignore the mark, so new matches come in', async () => {
      const before = connect({ articleGroupFilter: ['Installatie'] });
      const page = await before.listArticles({ cursor: null, since: null, pageSize: 500 });
      const mark = page.highWaterMark!;
      expect(mark).toMatch(/^\d{4}-\d{2}-\d{2}\|g=/);
      // Same filter: only changes since the mark (none).
      expect((await before.listArticles({ cursor: null, since: mark, pageSize: 500 })).records).toHaveLength(0);
      // Another filter: everything again.
      const after = connect({ articleGroupFilter: ['Installatie', 'Diensten'] });
      const again = await after.listArticles({ cursor: null, since: mark, pageSize: 500 });
      expect(again.records).toHaveLength(fake.state.articles.length);
    });

    it('lists offers with their lines (UNCONFIRMED read path)', async () => {
      fake.state.offers.push(
        fakeOffer(7001, 10002, 'WB Onderhoud cv-ketel', { OPM: 'Sleutel bij de buren', lines: [
          { RG: 1, ART: '', AANT: 0, OMSCHR: 'Ketel reinigen en afstellen', PRIJS: null },
          { RG: 2, ART: '1003', AANT: 3, OMSCHR: 'Kogelkraan', PRIJS: 12.5 },
        ] }),
        fakeOffer(7002, 10003, 'Lekkage badkamer', { lines: [{ RG: 1, ART: '1004', AANT: 1, OMSCHR: 'Sifon', PRIJS: 30 }] }),
        fakeOffer(7003, 10004, 'Zonder regels'),
      );
      try {
        const { records, pages } = await listAll((req) => connect().listQuotes!(req), 2);
        expect(pages).toBe(2);
        expect(records.map((q) => q.externalId)).toEqual(['7001', '7002', '7003']);
        expect(records[0]).toEqual({
          externalId: '7001', number: '7001', name: 'WB Onderhoud cv-ketel', reference: null, memo: 'Sleutel bij de buren', customerExternalId: '10002',
          lines: [
            { articleExternalId: null, articleCode: null, description: 'Ketel reinigen en afstellen', quantity: 0, unitPrice: null },
            { articleExternalId: '1003', articleCode: '1003', description: 'Kogelkraan', quantity: 3, unitPrice: '12.5' },
          ],
        });
        expect(records[2].lines).toEqual([]);
      } finally {
        fake.state.offers = [];
      }
    });
  });

  describe('provider faults', () => {
    it('ERROR/MESSAGE on a query → non-retryable validation with the provider text', async () => {
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'DEB', errorMessage: 'Geen rechten op tabel DEB' });
      const err = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, providerMessage: 'Geen rechten op tabel DEB' });
      expect(err.message).toContain('iMuis Online heeft het verzoek afgewezen: Geen rechten op tabel DEB');
    });

    it('Result=false with a Foutmelding → the same, and a transient text → retryable', async () => {
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', foutmelding: 'Ongeldige selectie' });
      expect(await failure(connect().listArticles({ cursor: null, since: null }))).toMatchObject({ kind: 'validation', providerMessage: 'Ongeldige selectie' });
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', errorMessage: 'De database is tijdelijk niet beschikbaar' });
      expect(await failure(connect().listArticles({ cursor: null, since: null }))).toMatchObject({ kind: 'unavailable', retryable: true });
    });

    it.each([500, 502, 503, 504])('HTTP %i → retryable unavailable, and the next attempt succeeds', async (status) => {
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', status });
      const connector = connect();
      expect(await failure(connector.listArticleGroups({ cursor: null, since: null }))).toMatchObject({ kind: 'unavailable', retryable: true, status });
      expect((await connector.listArticleGroups({ cursor: null, since: null })).records).toHaveLength(4);
    });

    it('a slow cloudswitch → retryable timeout', async () => {
      await connect().verifyConnection();
      fake.faults.latencyMs = 300;
      expect(await failure(connect({ timeoutMs: 80 }).listArticleGroups({ cursor: null, since: null }))).toMatchObject({ kind: 'timeout', retryable: true });
    });
  });

  describe('Controleer (checkSettings) and pick-lists', () => {
    const settings = (over: Record<string, unknown>) =>
      imuisSettings.parse({ provider: 'imuis', termsAccepted: true, workTimeArticle: 'WERKTIJD', travelTimeArticle: 'REISTIJD', defaultArticle: 'VOORRIJKOSTEN', ...over });

    it('echoes what it found, per field', async () => {
      const checks = await connect().checkSettings(settings({}));
      expect(checks).toEqual([
        { field: 'workTimeArticle', ok: true, found: { code: 'WERKTIJD', name: 'werktijd vanuit Simon', searchKey: 'werktijd vanuit simo', group: 'Tijden', price: '62.5' } },
        { field: 'travelTimeArticle', ok: true, found: { code: 'REISTIJD', name: 'Reistijd', searchKey: '55', group: 'Tijden', price: '45' } },
        { field: 'defaultArticle', ok: true, found: { code: 'VOORRIJKOSTEN', name: 'Voorrijkosten', searchKey: 'vr', group: 'Tijden', price: '35' } },
        { field: 'termsAccepted', ok: true },
      ]);
    });

    it('fails an unknown code (exact, not case-insensitive), an article outside the filter, and each unknown filter group', async () => {
      const checks = await connect().checkSettings(settings({ workTimeArticle: 'werktijd', articleGroupFilter: ['Tijden', 'Bestaat Niet', 'DIENSTEN'], defaultArticle: '1001' }));
      const byField = Object.fromEntries(checks.map((c) => [c.field, c]));
      expect(byField.workTimeArticle).toEqual({ field: 'workTimeArticle', ok: false, error: 'Artikel niet bekend in iMuis Online' });
      expect(byField.travelTimeArticle.ok).toBe(true);
      expect(byField.defaultArticle).toMatchObject({ ok: false, error: "Artikel valt buiten het artikelgroepfilter (groep 'installatie')" });
      expect(byField.articleGroupFilter).toEqual({
        field: 'articleGroupFilter', ok: false,
        error: "Artikelgroep 'Bestaat Niet' niet bekend in iMuis Online; Artikelgroep 'DIENSTEN' niet bekend in iMuis Online",
      });
    });

    it('fails a blocked article', async () => {
      const a = fake.state.articles.find((x) => x.NR === 'REISTIJD')!;
      a.BLOK = 'J';
      try {
        const checks = await connect().checkSettings(settings({}));
        expect(checks.find((c) => c.field === 'travelTimeArticle')).toMatchObject({ ok: false, error: 'Artikel is geblokkeerd in iMuis Online' });
      } finally {
        a.BLOK = 'N';
      }
    });

    it('offers article groups by name and searches articles by code, search key or description', async () => {
      const groups = await connect().options!('articleGroups', null);
      expect(groups).toEqual([
        { id: 'Tijden', name: 'Tijden', code: 'G1' },
        { id: 'Installatie', name: 'Installatie', code: 'G2' },
        { id: 'installatie', name: 'installatie', code: 'G3' },
        { id: 'Diensten', name: 'Diensten', code: 'G4' },
      ]);
      expect((await connect().options!('articleGroups', 'inst')).map((g) => g.id)).toEqual(['Installatie', 'installatie']);
      const reis = await connect().options!('articles', 'reis');
      expect(reis).toEqual([{ id: 'REISTIJD', name: 'Reistijd', code: 'REISTIJD', searchKey: '55', group: 'Tijden', price: '45' }]);
      expect((await connect().options!('articles', 'vr')).map((a) => a.code)).toContain('VOORRIJKOSTEN');
      expect((await connect().options!('articles', 'VOORRIJKOSTEN')).map((a) => a.code)).toEqual(['VOORRIJKOSTEN']);
      await expect(connect().options!('journals', null)).rejects.toThrow(/bestaat niet/);
    });
  });

  describe('sales orders', () => {
    it('creates one open sales order: ORDKOP with DEB, d/m/Y date, KENM, remarks; ORDRG per article line', async () => {
      const reference = `simon-wo-${Date.now() % 100000}`;
      const created = await connect().createDocument(draftFor(reference), null);
      const order = fake.state.orders.find((o) => o.KENM === reference)!;
      expect(created).toEqual({ documentId: String(order.NR), documentNumber: String(order.NR) });
      expect(order).toMatchObject({ DEB: 10001, DAT: '23/11/2026', GEBRORDBEV: 'N', OPM: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel & filter' });
      expect(order.lines).toEqual([
        { RG: 1, ART: 'WERKTIJD', AANT: 2, OMSCHR: 'werktijd vanuit Simon', PRIJS: null },
        { RG: 2, ART: 'REISTIJD', AANT: 0.25, OMSCHR: 'Reistijd', PRIJS: null },
        { RG: 3, ART: '1003', AANT: 3, OMSCHR: 'Kogelkraan 15 mm met een heel lange omsc', PRIJS: 4.25 },
        { RG: 4, ART: 'VOORRIJKOSTEN', AANT: 1, OMSCHR: 'Voorrijkosten', PRIJS: null },
      ]);
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
      expect(await connect().findDocument(lookupOf('simon-nooit'))).toBeNull();
    });

    it('a reference longer than KENM holds is found again through its hash', async () => {
      const reference = `simon-${'f'.repeat(32)}-${Date.now()}`;
      const created = await connect().createDocument(draftFor(reference), null);
      expect(fake.state.orders.find((o) => o.NR === Number(created.documentId))!.KENM).toBe(orderKenmerk(reference));
      expect(await connect().findDocument(lookupOf(reference))).toEqual(created);
    });

    it('writes no memo when there is none', () => {
      const xml = salesOrderXml(draftFor('r', { memo: null }));
      expect(xml).not.toContain('<OPM>');
      expect(xml).toContain('<KENM>r</KENM><GEBRORDBEV>N</GEBRORDBEV>');
    });

    it('a refused order (blocked debtor) → non-retryable validation with the provider text, nothing stored', async () => {
      const before = fake.state.orders.length;
      const err = await failure(connect().createDocument(draftFor('simon-blocked', { customer: { externalId: '10030', name: 'Geblokkeerd' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, providerMessage: 'Debiteur 10030 is geblokkeerd' });
      expect(fake.state.orders.length).toBe(before);
    });

    it('a session that ended just before the create: renewed, one order', async () => {
      const reference = `simon-sess-${Date.now() % 100000}`;
      await connect().verifyConnection();
      fake.expireSessions();
      await connect().createDocument(draftFor(reference), null);
      expect(fake.state.orders.filter((o) => o.KENM === reference)).toHaveLength(1);
    });

    it('a timeout after the order was committed: retryable error, one order, found by KENM', async () => {
      const reference = `simon-504-${Date.now() % 100000}`;
      fake.faults.timeoutAfterCommit = { action: 'CREATEVERKOOPORDER', count: 1 };
      const err = await failure(connect().createDocument(draftFor(reference), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504 });
      const stored = fake.state.orders.filter((o) => o.KENM === reference);
      expect(stored).toHaveLength(1);
      expect(await connect().findDocument(lookupOf(reference))).toEqual({ documentId: String(stored[0].NR), documentNumber: String(stored[0].NR) });
    });
  });
});

describe('fake iMuis', () => {
  it('seeds the same data for the same seed, with the manual\'s articles', () => {
    const a = createFakeImuisState();
    const b = createFakeImuisState();
    seedImuis(a, { debtors: 40, articles: 10, seed: 7 });
    seedImuis(b, { debtors: 40, articles: 10, seed: 7 });
    expect(a.debtors).toEqual(b.debtors);
    expect(a.articles.slice(0, 3).map((x) => x.NR)).toEqual(['REISTIJD', 'WERKTIJD', 'VOORRIJKOSTEN']);
    expect(a.debtors[0].POSTCD).toMatch(/^\d{4} [A-Z]{2}$/);
    expect(a.debtors[29].BLOK).toBe('J');
  });

  it('speaks the form-POST transport, takes faults over HTTP and reports its counters', async () => {
    const fake = await startFakeImuis();
    try {
      const post = (form: Record<string, string>) => fetch(new URL('ws1_api.aspx', fake.url), { method: 'POST', body: new URLSearchParams(form) });
      const login = parseXml(await (await post({ ACTIE: 'LOGIN', partnerkey: DEFAULT_IMUIS_PARTNER_KEY, omgevingscode: DEFAULT_ENVIRONMENT_CODE })).text());
      const sessionId = textOf(child(child(login, 'SESSION')!, 'SESSIONID'));
      expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
      const noSession = parseXml(await (await post({ ACTIE: 'GETSTAMTABELRECORDS', partnerkey: DEFAULT_IMUIS_PARTNER_KEY, omgevingscode: DEFAULT_ENVIRONMENT_CODE, SESSIONID: 'x' })).text());
      expect(imuisError(noSession)).toMatch(/Sessie is verlopen/);

      const set = await fetch(new URL('/__faults', fake.url), { method: 'POST', body: JSON.stringify({ failNext: [{ action: 'GETSTAMTABELRECORDS', status: 503 }], latencyMs: 5 }) });
      expect(set.status).toBe(200);
      expect(fake.faults.failNext).toHaveLength(1);
      const res = await post({ ACTIE: 'GETSTAMTABELRECORDS', SESSIONID: sessionId, partnerkey: DEFAULT_IMUIS_PARTNER_KEY, omgevingscode: DEFAULT_ENVIRONMENT_CODE, SELECTIE: '<NewDataSet><Table1><TABLE>DEB</TABLE></Table1></NewDataSet>' });
      expect(res.status).toBe(503);
      const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number>; logins: number };
      expect(state.requests['GETSTAMTABELRECORDS DEB']).toBe(1);
      expect(state.logins).toBe(1);
    } finally {
      await fake.stop();
    }
  });
});
