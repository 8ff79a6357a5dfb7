import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { createImuisConnector, IDLE_RELOGIN_MS, type ImuisConnector, type ImuisConnectorOptions } from '../../connectors/imuis/connector.js';
import { mapArticle, mapDebtor, orderKenmerk, priceText, quantityText, salesOrderXml } from '../../connectors/imuis/mappers.js';
import { containsPattern, highWaterMark, imuisError, pageIsShort, readDate, selectionXml, sinceDate } from '../../connectors/imuis/protocol.js';
import { parseXml, toXml, XmlError } from '../../connectors/imuis/xml.js';
import {
  amsterdamDate,
  DEFAULT_ENVIRONMENT_CODE,
  DEFAULT_IMUIS_PARTNER_KEY,
  fakeOffer,
  mutate,
  noImuisFaults,
  seedImuis,
  startFakeImuis,
  type FakeImuis,
} from '../../fakes/imuis/server.js';
import { createConnector, providerConfig } from '../../connectors/index.js';
import type { CreatedDocument, DocumentDraft, DocumentLookup } from '../../connectors/types.js';
import { parseEnv } from '../../lib/env.js';
import { imuisSettings } from '../../lib/settings.js';
import { connectorContract, listAll } from './contract.js';

// ------------------------------------------------------------------ XML (fast-xml-parser)

describe('iMuis XML', () => {
  const content = (xml: string) => parseXml(xml).content as Record<string, any>;

  it('keeps every value as text: codes keep their leading zeros, numbers are not parsed', () => {
    const c = content('<DATASET><DATA><NR>0001</NR><VERKPR>12,50</VERKPR><AANT>1e3</AANT></DATA></DATASET>');
    expect(c.DATA).toEqual([{ NR: '0001', VERKPR: '12,50', AANT: '1e3' }]);
  });

  it('decodes entities, character references and CDATA, trims CHAR padding, and reads rows as arrays', () => {
    const c = content(`\uFEFF<?xml version="1.0" encoding="utf-8"?><!-- kop --><DATASET>
      <DATA><NAAM>Bakkerij &lt;De Vries&gt; &amp; Zn &#38; &#x263A;   </NAAM><LEEG/><OPM><![CDATA[<geen> & tags]]></OPM></DATA>
    </DATASET>`);
    expect(c.DATA).toEqual([{ NAAM: 'Bakkerij <De Vries> & Zn & ☺', LEEG: '', OPM: '<geen> & tags' }]);
  });

  it('drops SOAP namespace prefixes, so the SOAP error shape reads like the form one', () => {
    const root = parseXml(`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>
      <LoginResponse xmlns="https://cloudswitch.imuisonline.com/"><LoginResult>false</LoginResult><Foutmelding>Omgevingscode onbekend</Foutmelding></LoginResponse>
      </soap:Body></soap:Envelope>`);
    expect(root.name).toBe('Envelope');
    expect(imuisError(root.content)).toBe('Omgevingscode onbekend');
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE/],
    ['<a><b></a></b>', /closing tag/],
    ['<a>', /Unclosed|closed/i],
    ['', /Start tag expected/],
    ['tekst', /not expected/],
    ['<a/><b/>', /hoofdelement/],
    ['<html><body>Server Error<br></body></html>', /closing tag/],
    ['<a x="1" x="2"/>', /repeated/],
  ])('refuses what is no single XML document: %s', (input, message) => {
    expect(() => parseXml(input)).toThrow(XmlError);
    expect(() => parseXml(input)).toThrow(message);
  });

  it('builds escaped XML in field order, leaves out null/undefined and drops characters XML cannot carry', () => {
    expect(toXml({ A: { OPM: `Jan & Piet <b> "x" 'y'\u0000\u0007`, X: undefined, Y: null, N: 0 } })).toBe(
      '<A><OPM>Jan &amp; Piet &lt;b&gt; &quot;x&quot; &apos;y&apos;</OPM><N>0</N></A>',
    );
    const nasty = 'Dunantstraat 140 & "zo"\nachterom <b>\'t</b> — €12,50 ✓ 😀';
    expect((parseXml(toXml({ X: { OPM: nasty } })).content as Record<string, string>).OPM).toBe(nasty);
  });
});

// ------------------------------------------------------------------ pure rules

describe('iMuis wire rules', () => {
  it('reads errors in both shapes and never takes a field of a row for one', () => {
    const err = (xml: string) => imuisError(parseXml(xml).content);
    expect(err('<DATASET><ERROR><MESSAGE>Sessie is verlopen</MESSAGE></ERROR></DATASET>')).toBe('Sessie is verlopen');
    expect(err('<DATASET><RESULT>false</RESULT><FOUTMELDING>Debiteur bestaat niet</FOUTMELDING></DATASET>')).toBe('Debiteur bestaat niet');
    expect(err('<DATASET><DATA><ERROR>J</ERROR><RESULT>false</RESULT></DATA></DATASET>')).toBeNull();
    expect(err('<DATASET><SESSION><SESSIONID>abc</SESSIONID></SESSION></DATASET>')).toBeNull();
  });

  it('writes a selection with ;-separated select fields, TAB-separated WHERE lists, MUTDATE_VA as dd-mm-jjjj', () => {
    const xml = selectionXml({
      table: 'ART', fields: ['NR', 'VERKPR'], where: [{ field: 'NR', op: 'LIKE', value: '%a%' }, { field: 'BLOK', op: '=', value: 'N' }],
      mutatedFrom: '2026-03-01', orderBy: 'NR', pageSize: 11,
    });
    const t = (parseXml(xml).content as Record<string, any>).Table1 as Record<string, string>;
    expect(t).toEqual({
      TABLE: 'ART', SELECTFIELDS: 'NR;VERKPR', WHEREFIELDS: 'NR\tBLOK', WHEREOPERATORS: 'LIKE\t=', WHEREVALUES: '%a%\tN',
      MUTDATE_VA: '01-03-2026', ORDERBY: 'NR', MAXRESULT: '0', PAGESIZE: '11', SELECTPAGE: '1',
    });
  });

  it('escapes %, _ and [ in a LIKE term and turns tabs and line breaks into spaces', () => {
    expect(containsPattern(' 100% _x[1]\tb ')).toBe('%100[%] [_]x[[]1] b%');
  });

  it('calls a page short when it has fewer rows than announced and asked', () => {
    expect(pageIsShort(0, { recordCount: 45, pageSize: 11, page: 1, maxResult: 0 })).toBe(true);
    expect(pageIsShort(10, { recordCount: 45, pageSize: 11, page: 1, maxResult: 0 })).toBe(true);
    expect(pageIsShort(11, { recordCount: 45, pageSize: 11, page: 1, maxResult: 0 })).toBe(false);
    expect(pageIsShort(4, { recordCount: 4, pageSize: 11, page: 1, maxResult: 0 })).toBe(false);
    expect(pageIsShort(1, { recordCount: 501, pageSize: 500, page: 2, maxResult: 0 })).toBe(false);
    expect(pageIsShort(0, { recordCount: 501, pageSize: 500, page: 2, maxResult: 0 })).toBe(true);
    expect(pageIsShort(100, { recordCount: 900, pageSize: 100, page: 1, maxResult: 100 })).toBe(false);
  });

  it('reads iMuis dates (dd-mm-jjjj, d/m/Y, ISO) and nothing else', () => {
    expect(readDate('08-10-2024')).toBe('2024-10-08');
    expect(readDate('8/10/2024')).toBe('2024-10-08');
    expect(readDate('2024-10-08T00:00:00')).toBe('2024-10-08');
    expect(readDate('31-02-2024')).toBeNull();
    expect(readDate('')).toBeNull();
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
  });
});

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
      { kind: 'article', role: 'travel-time', articleExternalId: 'REISTIJD', articleCode: 'REISTIJD', description: 'Reistijd', quantity: 0.3333, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: '1003', articleCode: '1003', description: 'Kogelkraan 15 mm met een heel lange omschrijving die iMuis niet past', quantity: 3, unitPrice: '4.125' },
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

describe('iMuis records and the sales order', () => {
  it('keeps our reference as KENM when it fits, and a stable short hash when it does not', () => {
    expect(orderKenmerk('WB 1043')).toBe('WB 1043');
    const long = 'simon-0b8d7a52-4c4e-4a43-9c36-1e2f3a4b5c6d';
    expect(orderKenmerk(long)).toMatch(/^S-[0-9a-f]{18}$/);
    expect(orderKenmerk(long)).toBe(orderKenmerk(long));
    expect(orderKenmerk(`${long}x`)).not.toBe(orderKenmerk(long));
  });

  it('writes numbers with a dot: AANT with up to 4 decimals, PRS rounded half away from zero to 2', () => {
    expect([quantityText(2), quantityText(0.3333), quantityText(1.23456), quantityText(0.25)]).toEqual(['2', '0.3333', '1.2346', '0.25']);
    expect([priceText('4.125'), priceText('12.5'), priceText('1.005'), priceText('-2.345')]).toEqual(['4.13', '12.50', '1.01', '-2.35']);
  });

  it('sends PRS only for an agreed price, cuts OMSCHR to 40 and OPM to 250, and no GEBRORDBEV', () => {
    const xml = salesOrderXml(draftFor('WB 1001', { memo: 'm'.repeat(300) }));
    const c = parseXml(xml).content as Record<string, any>;
    expect(c.ORDKOP).toEqual([{ DEB: '10001', DAT: '23/11/2026', KENM: 'WB 1001', OPM: 'm'.repeat(250) }]);
    expect(c.ORDRG).toEqual([
      { ART: 'WERKTIJD', AANT: '2', OMSCHR: 'werktijd vanuit Simon' },
      { ART: 'REISTIJD', AANT: '0.3333', OMSCHR: 'Reistijd' },
      { ART: '1003', AANT: '3', OMSCHR: 'Kogelkraan 15 mm met een heel lange omsc', PRS: '4.13' },
      { ART: 'VOORRIJKOSTEN', AANT: '1', OMSCHR: 'Voorrijkosten' },
    ]);
    expect(xml).not.toContain('GEBRORDBEV');
    expect(xml).not.toContain('PRIJS');
    expect(salesOrderXml(draftFor('r', { memo: null }))).not.toContain('<OPM>');
  });

  it('maps the article price VERKPR (also with a decimal comma) and leaves it out when it is per several units', () => {
    const base = { NR: 'A', OMSCHR: 'x', EENHVERK: 'st', ARTGRP: '2', BLOK: 'N', BLOKVRK: 'N' };
    expect(mapArticle({ ...base, VERKPR: '62,50', EENHPRS: '1' }, true)).toMatchObject({ salesPrice: '62.50', unit: 'st', groupExternalId: '2', active: true });
    expect(mapArticle({ ...base, VERKPR: '62.5' }, true).salesPrice).toBe('62.5');
    expect(mapArticle({ ...base, VERKPR: '6,25', EENHPRS: '100' }, true).salesPrice).toBeNull();
    expect(mapArticle({ ...base, VERKPR: '1.234,56' }, true).salesPrice).toBeNull();
    expect(mapArticle({ ...base, BLOKVRK: 'J' }, true).active).toBe(false);
  });

  it('makes a debtor inactive when blocked, or blocked for sales orders from a day that has come', () => {
    const d = { NR: '10001', NAAM: 'A' };
    expect(mapDebtor({ ...d, BLOK: 'N', BLOKVRKVA: '01-06-2024' }, '2026-01-01').active).toBe(false);
    expect(mapDebtor({ ...d, BLOK: 'N', BLOKVRKVA: '01-06-2027' }, '2026-01-01').active).toBe(true);
    expect(mapDebtor({ ...d, BLOK: 'J' }, '2026-01-01').active).toBe(false);
    expect(mapDebtor({ ...d }, '2026-01-01').active).toBe(true);
  });
});

// ------------------------------------------------------------------ against the fake over HTTP

const partnerKey = 'integrator-partner-key-123';
const environmentCode = 'ENV-TEST-0001';
const lookup = (reference: string, customerExternalId = '10001'): DocumentLookup => ({ reference, customerExternalId, createdAfter: null, plan: null });

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
  const connect = (extra: Partial<ImuisConnectorOptions> & { environmentCode?: string; timeoutMs?: number; onUnexpectedFields?: (op: string, f: string[]) => void } = {}): ImuisConnector =>
    createImuisConnector(
      {
        baseUrl: fake.url, credentials: { environmentCode: extra.environmentCode ?? environmentCode },
        ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}), ...(extra.onUnexpectedFields ? { onUnexpectedFields: extra.onUnexpectedFields } : {}),
      },
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
    fake.state.createAnswer = 'ordnr';
    fake.state.unknownTables = [];
    fake.state.unknownFields = {};
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

    it('an ended session is renewed once, transparently, and the call carries on', async () => {
      const connector = connect();
      await connector.listArticleGroups({ cursor: null, since: null });
      const logins = fake.state.logins;
      const refusals = fake.state.sessionRefusals;
      fake.expireSessions();
      const page = await connector.listCustomers({ cursor: null, since: null });
      expect(page.records).toHaveLength(20);
      expect(fake.state.logins - logins).toBe(1);
      expect(fake.state.sessionRefusals - refusals).toBe(1);
    });

    it('a session that idled out on the fake: renewed transparently, and a busy session does not expire', async () => {
      const idle = fake.state.sessionIdleMs;
      fake.state.sessionIdleMs = 400;
      try {
        const connector = connect();
        await connector.verifyConnection();
        const logins = fake.state.logins;
        // Busy: a call every 150 ms keeps the session alive well past 400 ms.
        for (let i = 0; i < 4; i++) {
          await new Promise((r) => setTimeout(r, 150));
          await connector.listArticleGroups({ cursor: null, since: null });
        }
        expect(fake.state.logins - logins).toBe(0);
        await new Promise((r) => setTimeout(r, 600));
        expect((await connector.listArticleGroups({ cursor: null, since: null })).records).toHaveLength(4);
        expect(fake.state.logins - logins).toBe(1);
      } finally {
        fake.state.sessionIdleMs = idle;
      }
    });

    it('logs in again before a call once the session has been idle for 20 minutes, without waiting for a refusal', async () => {
      let at = Date.now() + 10 * 24 * 3_600_000;
      const connector = connect({ now: () => new Date(at) });
      await connector.verifyConnection();
      const logins = fake.state.logins;
      const refusals = fake.state.sessionRefusals;
      at += IDLE_RELOGIN_MS - 60_000;
      await connector.listArticleGroups({ cursor: null, since: null });
      expect(fake.state.logins - logins).toBe(0);
      at += IDLE_RELOGIN_MS;
      await connector.listArticleGroups({ cursor: null, since: null });
      expect(fake.state.logins - logins).toBe(1);
      expect(fake.state.sessionRefusals - refusals).toBe(0);
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

    it('maps debtors: address as customer address and first work address, BLOK=J and a passed BLOKVRKVA as inactive', async () => {
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
      expect(records.find((c) => c.externalId === '10040')!.active).toBe(false);
      expect(records.filter((c) => !c.active).map((c) => c.externalId)).toEqual(['10030', '10040', '10060']);
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
        expect(seen).toContain('10021');
        expect(seen).toEqual([String(removed.NR), ...fake.state.debtors.map((d) => String(d.NR))].sort());
      } finally {
        fake.state.debtors.splice(3, 0, removed);
      }
    });

    it('a page shorter than iMuis announced is an error, never the end of the listing', async () => {
      const connector = connect();
      const first = await connector.listCustomers({ cursor: null, since: null });
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'DEB', emptyPage: true });
      const err = await failure(connector.listCustomers({ cursor: first.nextCursor, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(err.message).toContain('onvolledige pagina van tabel DEB (0 records, 41 aangekondigd)');
      // The retry of the same page goes on where it was.
      const again = await connector.listCustomers({ cursor: first.nextCursor, since: null });
      expect(again.records[0].externalId).toBe('10021');
    });

    it('an answer without METADATA is an unexpected answer, not an empty listing', async () => {
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', answerXml: '<DATASET><DATA><NR>REISTIJD</NR></DATA></DATASET>' });
      const err = await failure(connect().listArticles({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(err.message).toContain('iMuis gaf een onverwacht antwoord');
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', answerXml: '<html><body>Onderhoud<br></body></html>' });
      expect(await failure(connect().listArticles({ cursor: null, since: null }))).toMatchObject({ kind: 'unavailable', retryable: true });
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
        changed.mutated = blocked.mutated = '2024-01-01';
      }
    });

    it('articles carry their price (VERKPR), unit (EENHVERK) and numeric group; blocked for sales is inactive', async () => {
      const unexpected: string[] = [];
      const all = (await listAll((req) => connect({ onUnexpectedFields: (_op, f) => unexpected.push(...f) }).listArticles(req), 20)).records;
      expect(all).toHaveLength(45);
      expect(all.find((a) => a.code === 'WERKTIJD')).toEqual({
        externalId: 'WERKTIJD', code: 'WERKTIJD', description: 'werktijd vanuit Simon', salesPrice: '62.50', unit: 'uur', groupExternalId: '1', active: true,
      });
      const material = fake.state.articles.find((a) => a.NR === '1000')!;
      expect(all.find((a) => a.code === '1000')).toMatchObject({ salesPrice: material.VERKPR.toFixed(2), unit: 'st', groupExternalId: String(material.ARTGRP) });
      expect(all.filter((a) => !a.active).map((a) => a.code)).toEqual(fake.state.articles.filter((a) => a.BLOKVRK === 'J').map((a) => a.NR));
      expect(unexpected).toEqual([]);
    });

    it('the article-group filter matches group names exactly and case-sensitively, for groups and their articles', async () => {
      const connector = connect({ articleGroupFilter: ['Installatie'] });
      const groups = (await listAll((req) => connector.listArticleGroups(req), 20)).records;
      expect(groups.map((g) => [g.code, g.description, g.active])).toEqual([['1', 'Tijden', false], ['2', 'Installatie', true], ['3', 'installatie', false], ['4', 'Diensten', false]]);
      const articles = (await listAll((req) => connector.listArticles(req), 20)).records;
      const active = articles.filter((a) => a.active);
      expect(active.length).toBeGreaterThan(0);
      expect(active.every((a) => a.groupExternalId === '2')).toBe(true);
      expect(articles.filter((a) => a.groupExternalId === '3').every((a) => !a.active)).toBe(true);
    });

    it('a changed filter makes the next listing ignore the mark, so new matches come in', async () => {
      const before = connect({ articleGroupFilter: ['Installatie'] });
      const page = await before.listArticles({ cursor: null, since: null, pageSize: 500 });
      const mark = page.highWaterMark!;
      expect(mark).toMatch(/^\d{4}-\d{2}-\d{2}\|g=/);
      expect((await before.listArticles({ cursor: null, since: mark, pageSize: 500 })).records).toHaveLength(0);
      const after = connect({ articleGroupFilter: ['Installatie', 'Diensten'] });
      const again = await after.listArticles({ cursor: null, since: mark, pageSize: 500 });
      expect(again.records).toHaveLength(fake.state.articles.length);
    });
  });

  describe('quotes (UNCONFIRMED read path: probe, all or nothing)', () => {
    const offers = () => [
      fakeOffer(7001, 10002, 'WB Onderhoud cv-ketel', { OPM: 'Sleutel bij de buren', lines: [
        { RG: 2, ART: '1003', AANT: 3, OMSCHR: 'Kogelkraan', PRS: 12.5 },
        { RG: 1, ART: '', AANT: 0, OMSCHR: 'Ketel reinigen en afstellen', PRS: null },
      ] }),
      fakeOffer(7002, 10003, 'Lekkage badkamer', { lines: [{ RG: 1, ART: '1004', AANT: 1, OMSCHR: 'Sifon', PRS: 30 }] }),
      fakeOffer(7003, 10004, 'Zonder regels'),
    ];
    beforeEach(() => {
      fake.state.offers = offers();
    });
    afterAll(() => {
      fake.state.offers = [];
    });

    it('lists quotes with all their lines in line order, prices from PRS', async () => {
      const { records, pages } = await listAll((req) => connect().listQuotes!(req), 2);
      expect(pages).toBe(2);
      expect(records.map((q) => q.externalId)).toEqual(['7001', '7002', '7003']);
      expect(records[0]).toEqual({
        externalId: '7001', number: '7001', name: 'WB Onderhoud cv-ketel', reference: null, memo: 'Sleutel bij de buren', customerExternalId: '10002',
        lines: [
          { articleExternalId: null, articleCode: null, description: 'Ketel reinigen en afstellen', quantity: 0, unitPrice: null },
          { articleExternalId: '1003', articleCode: '1003', description: 'Kogelkraan', quantity: 3, unitPrice: '12.50' },
        ],
      });
      expect(records[2].lines).toEqual([]);
    });

    it('quote tables iMuis does not know: one clear, non-retryable error, and nothing listed', async () => {
      fake.state.unknownTables = ['OFFKOP', 'OFFRG'];
      const err = await failure(connect().listQuotes!({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.providerMessage).toBe(
        "Offertes kunnen niet uit iMuis worden gelezen, er is geen offerte overgenomen: Tabel 'OFFKOP' bestaat niet. Neem contact op met Simon-support: het lezen van offertes uit iMuis is nog niet bevestigd",
      );
    });

    it('a line table with another link field: the same error, and no quote without its lines', async () => {
      fake.state.unknownFields = { OFFRG: ['OFFNR'] };
      const err = await failure(connect().listQuotes!({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false });
      expect(err.providerMessage).toContain("Veld 'OFFNR' bestaat niet in tabel OFFRG");
    });

    it('without OFFKOP.OMSCHR the first line is the quote\'s description', async () => {
      fake.state.unknownFields = { OFFKOP: ['OMSCHR'] };
      const { records } = await listAll((req) => connect().listQuotes!(req), 10);
      expect(records.map((q) => q.name)).toEqual(['Ketel reinigen en afstellen', 'Sifon', '']);
      expect(records[0].memo).toBe('Sleutel bij de buren');
    });

    it('lines that cannot be read fail the whole page: no quote of it is handed over', async () => {
      const connector = connect();
      await connector.listQuotes!({ cursor: null, since: null, pageSize: 1 });
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'OFFRG', emptyPage: true });
      const err = await failure(connector.listQuotes!({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    });
  });

  describe('provider faults', () => {
    it('ERROR/MESSAGE on a query → non-retryable validation with the provider text', async () => {
      fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'DEB', errorMessage: 'Geen rechten op tabel DEB' });
      const err = await failure(connect().listCustomers({ cursor: null, since: null }));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, providerMessage: 'Geen rechten op tabel DEB' });
      expect(err.message).toContain('iMuis heeft het verzoek afgewezen: Geen rechten op tabel DEB');
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

    it('echoes what it found, per field, with the VERKPR price', async () => {
      const checks = await connect().checkSettings(settings({}));
      expect(checks).toEqual([
        { field: 'workTimeArticle', ok: true, found: { code: 'WERKTIJD', name: 'werktijd vanuit Simon', searchKey: 'werktijd vanuit simo', group: 'Tijden', price: '62.50' } },
        { field: 'travelTimeArticle', ok: true, found: { code: 'REISTIJD', name: 'Reistijd', searchKey: '55', group: 'Tijden', price: '45.00' } },
        { field: 'defaultArticle', ok: true, found: { code: 'VOORRIJKOSTEN', name: 'Voorrijkosten', searchKey: 'vr', group: 'Tijden', price: '35.00' } },
        { field: 'termsAccepted', ok: true },
      ]);
    });

    it('fails an unknown code (exact, not case-insensitive), an article outside the filter, and each unknown filter group', async () => {
      const checks = await connect().checkSettings(settings({ workTimeArticle: 'werktijd', articleGroupFilter: ['Tijden', 'Bestaat Niet', 'DIENSTEN'], defaultArticle: '1001' }));
      const byField = Object.fromEntries(checks.map((c) => [c.field, c]));
      expect(byField.workTimeArticle).toEqual({ field: 'workTimeArticle', ok: false, error: 'Artikel niet bekend in iMuis' });
      expect(byField.travelTimeArticle.ok).toBe(true);
      expect(byField.defaultArticle).toMatchObject({ ok: false, error: "Artikel valt buiten het artikelgroepfilter (groep 'installatie')" });
      expect(byField.articleGroupFilter).toEqual({
        field: 'articleGroupFilter', ok: false,
        error: "Artikelgroep 'Bestaat Niet' niet bekend in iMuis; Artikelgroep 'DIENSTEN' niet bekend in iMuis",
      });
    });

    it('fails a blocked article and one blocked for sales', async () => {
      const a = fake.state.articles.find((x) => x.NR === 'REISTIJD')!;
      const sales = fake.state.articles.find((x) => x.BLOKVRK === 'J')!;
      a.BLOK = 'J';
      try {
        const checks = await connect().checkSettings(settings({ defaultArticle: sales.NR }));
        expect(checks.find((c) => c.field === 'travelTimeArticle')).toMatchObject({ ok: false, error: 'Artikel is geblokkeerd in iMuis' });
        expect(checks.find((c) => c.field === 'defaultArticle')).toMatchObject({ ok: false, error: 'Artikel is geblokkeerd in iMuis' });
      } finally {
        a.BLOK = 'N';
      }
    });

    it('offers article groups by name and searches articles by code, search key or description', async () => {
      const groups = await connect().options!('articleGroups', null);
      expect(groups).toEqual([
        { id: 'Tijden', name: 'Tijden', code: '1', searchKey: 'TIJDEN' },
        { id: 'Installatie', name: 'Installatie', code: '2', searchKey: 'INSTALLATIE' },
        { id: 'installatie', name: 'installatie', code: '3', searchKey: 'INSTALLATIE' },
        { id: 'Diensten', name: 'Diensten', code: '4', searchKey: 'DIENSTEN' },
      ]);
      expect((await connect().options!('articleGroups', 'inst')).map((g) => g.id)).toEqual(['Installatie', 'installatie']);
      const reis = await connect().options!('articles', 'reis');
      expect(reis).toEqual([{ id: 'REISTIJD', name: 'Reistijd', code: 'REISTIJD', searchKey: '55', group: 'Tijden', price: '45.00' }]);
      expect((await connect().options!('articles', 'vr')).map((a) => a.code)).toContain('VOORRIJKOSTEN');
      expect((await connect().options!('articles', 'VOORRIJKOSTEN')).map((a) => a.code)).toEqual(['VOORRIJKOSTEN']);
      expect(await connect().options!('articles', '%')).toEqual([]);
      const all = await connect().options!('articles', null);
      expect(all.map((a) => a.code)).not.toContain(fake.state.articles.find((x) => x.BLOKVRK === 'J')!.NR);
      await expect(connect().options!('journals', null)).rejects.toThrow(/bestaat niet/);
    });
  });

  describe('sales orders', () => {
    let n = 0;
    const ref = () => `WB T${Date.now() % 100000}-${++n}`;

    it('creates one open sales order: ORDKOP with DEB, d/m/Y date, KENM, remarks; ORDRG per article line with PRS', async () => {
      const reference = ref();
      const created = await connect().createDocument(draftFor(reference), null);
      const order = fake.state.orders.find((o) => o.KENM === reference)!;
      expect(created).toEqual({ documentId: String(order.NR), documentNumber: String(order.NR) });
      expect(order).toMatchObject({ DEB: 10001, DAT: '23/11/2026', GEBRORDBEV: '', OPM: 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven\nCV-ketel & filter' });
      expect(order.lines.map((l) => [l.ART, l.AANT, l.OMSCHR, l.PRS])).toEqual([
        ['WERKTIJD', 2, 'werktijd vanuit Simon', null],
        ['REISTIJD', 0.3333, 'Reistijd', null],
        ['1003', 3, 'Kogelkraan 15 mm met een heel lange omsc', 4.13],
        ['VOORRIJKOSTEN', 1, 'Voorrijkosten', null],
      ]);
      expect(await connect().findDocument(lookup(reference))).toEqual(created);
      expect(await connect().findDocument(lookup('WB nooit'))).toBeNull();
    });

    it('finds an order only for the same debtor, and takes the lowest number when there are two', async () => {
      const reference = ref();
      const first = await connect().createDocument(draftFor(reference), null);
      expect(await connect().findDocument(lookup(reference, '10002'))).toBeNull();
      await connect().createDocument(draftFor(reference), null);
      expect(fake.state.orders.filter((o) => o.KENM === reference)).toHaveLength(2);
      expect(await connect().findDocument(lookup(reference))).toEqual(first);
    });

    it('a reference longer than KENM holds is found again through its hash', async () => {
      const reference = `simon-${'f'.repeat(32)}-${Date.now()}`;
      const created = await connect().createDocument(draftFor(reference), null);
      expect(fake.state.orders.find((o) => o.NR === Number(created.documentId))!.KENM).toBe(orderKenmerk(reference));
      expect(await connect().findDocument(lookup(reference))).toEqual(created);
    });

    it.each(['echo', 'empty'] as const)('reads the order number from a "%s" create answer', async (shape) => {
      fake.state.createAnswer = shape;
      const reference = ref();
      const created = await connect().createDocument(draftFor(reference), null);
      expect(created.documentId).toBe(String(fake.state.orders.find((o) => o.KENM === reference)!.NR));
    });

    it('a refused order (blocked debtor) → non-retryable validation with the provider text, nothing stored', async () => {
      const before = fake.state.orders.length;
      const err = await failure(connect().createDocument(draftFor('WB blocked', { customer: { externalId: '10030', name: 'Geblokkeerd' } }), null));
      expect(err).toMatchObject({ kind: 'validation', retryable: false, outcomeUnknown: false, providerMessage: 'Debiteur 10030 is geblokkeerd' });
      expect(fake.state.orders.length).toBe(before);
    });

    it('"try later" or an unreadable answer on a create leaves the outcome unknown (the order may be stored)', async () => {
      fake.faults.failNext.push({ action: 'CREATEVERKOOPORDER', errorMessage: 'Server is tijdelijk overbelast' });
      expect(await failure(connect().createDocument(draftFor(ref()), null))).toMatchObject({ kind: 'unavailable', outcomeUnknown: true });
      fake.faults.failNext.push({ action: 'CREATEVERKOOPORDER', errorMessage: 'Geen rechten' });
      expect(await failure(connect().createDocument(draftFor(ref()), null))).toMatchObject({ kind: 'validation', outcomeUnknown: false });
    });

    it('a session that ended just before the create: renewed, one order', async () => {
      const reference = ref();
      await connect().verifyConnection();
      fake.expireSessions();
      await connect().createDocument(draftFor(reference), null);
      expect(fake.state.orders.filter((o) => o.KENM === reference)).toHaveLength(1);
    });

    it('a timeout after the order was committed: retryable, outcome unknown, one order, found by KENM', async () => {
      const reference = ref();
      fake.faults.timeoutAfterCommit = { method: 'POST', path: 'CREATEVERKOOPORDER', count: 1 };
      const err = await failure(connect().createDocument(draftFor(reference), null));
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status: 504, outcomeUnknown: true });
      const stored = fake.state.orders.filter((o) => o.KENM === reference);
      expect(stored).toHaveLength(1);
      expect(await connect().findDocument(lookup(reference))).toEqual({ documentId: String(stored[0].NR), documentNumber: String(stored[0].NR) });
    });

    it('lists the orders of the window from the lowest recorded number on, every page, with KENM as our reference, for the reconciliation', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const admin = async (op: Record<string, unknown>) => (await fetch(`${new URL(fake.url).origin}/__documents`, { method: 'POST', body: JSON.stringify(op) })).status;
      const refs = [ref(), ref(), ref()];
      const before = await connect().createDocument(draftFor(ref(), { date: day(-2) }), null);
      const old = await connect().createDocument(draftFor(ref(), { date: day(-20) }), null);
      const made: CreatedDocument[] = [];
      for (const r of refs) made.push(await connect().createDocument(draftFor(r, { date: day(-1) }), null));
      // What the firm does in iMuis: a copy of an order (KENM and all), and an order typed by hand for a failed export.
      expect(await admin({ op: 'duplicate', reference: refs[0] })).toBe(201);
      const byHand = ref();
      expect(await admin({ op: 'create', reference: byHand, customerExternalId: '10002', date: day(0) })).toBe(201);
      expect(await admin({ op: 'renumber', reference: refs[1], number: '1' })).toBe(409);
      const known = { documentNumbers: made.map((m) => m.documentNumber!), references: [...refs, byHand] };
      const listed = await connect({ pageSize: 2 }).listDocuments!(new Date(Date.now() - 7 * 86_400_000), known);
      const ids = listed.map((d) => d.documentId);
      // From the lowest recorded number on: an older order of the window is not swept, one dated before the window is left out.
      expect(ids).not.toContain(before.documentId);
      expect(ids).not.toContain(old.documentId);
      expect(ids).toEqual(expect.arrayContaining(made.map((m) => m.documentId)));
      expect(listed.filter((d) => d.reference === refs[0])).toHaveLength(2);
      expect(listed.find((d) => d.documentId === made[1].documentId)).toEqual({ documentId: made[1].documentId, documentNumber: made[1].documentNumber, reference: refs[1], customerExternalId: '10001', date: day(-1) });
      expect(listed.find((d) => d.reference === byHand)).toMatchObject({ customerExternalId: '10002', date: day(0) });
      // Nothing recorded (only failed exports): each reference looked up by KENM.
      const looked = await connect().listDocuments!(new Date(Date.now() - 7 * 86_400_000), { documentNumbers: [], references: [byHand, 'WB nooit'] });
      expect(looked.map((d) => d.reference)).toEqual([byHand]);
    });
  });
});

describe('fake iMuis seed', () => {
  it('seeds the same data for the same seed, with the manual\'s articles and numeric groups', async () => {
    const a = await startFakeImuis({ seed: { debtors: 40, articles: 10, seed: 7 } });
    const b = await startFakeImuis({ seed: { debtors: 40, articles: 10, seed: 7 } });
    try {
      expect(a.state.debtors).toEqual(b.state.debtors);
      expect(a.state.articles.slice(0, 3).map((x) => x.NR)).toEqual(['REISTIJD', 'WERKTIJD', 'VOORRIJKOSTEN']);
      expect(a.state.articleGroups.map((g) => g.NR)).toEqual([1, 2, 3, 4]);
      expect(a.state.debtors[0].POSTCD).toMatch(/^\d{4} [A-Z]{2}$/);
      expect(a.state.debtors[29].BLOK).toBe('J');
      expect(a.state.debtors[39].BLOKVRKVA).toBe('01-06-2024');
      expect(DEFAULT_ENVIRONMENT_CODE).toBeTruthy();
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
