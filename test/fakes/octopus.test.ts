import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeOctopusState,
  DEFAULT_ENDPOINT_LIMITS,
  DEFAULT_OCTOPUS_USER,
  DEFAULT_SOFTWARE_HOUSE_UUID,
  noFaults,
  seedOctopus,
  startFakeOctopus,
  type FakeOctopus,
} from '../../fakes/octopus/server.js';
import { formatOctopusTimestamp, parseOctopusTimestamp } from '../../lib/octopus-time.js';

/**
 * The fake Octopus refuses what the real service refuses (docs/providers/octopus.md §10), one rule per test, over raw
 * HTTP: nothing of the connector is used, so a rule here cannot be satisfied by the connector's own guesses.
 */

const today = new Date().toISOString().slice(0, 10);
const year = new Date().getUTCFullYear();
const period = year * 100 + new Date().getUTCMonth() + 1;
const utcStamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

let fake: FakeOctopus;
let token = '';
let dossierToken = '';
let nextNumber = 1;

async function call(method: string, path: string, opts: { body?: unknown; query?: Record<string, string | number>; headers?: Record<string, string> } = {}) {
  const url = new URL(path, fake.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : '';
  } catch {
    // a text answer
  }
  return { status: res.status, headers: res.headers, body: body as any };
}
const inDossier = (method: string, path: string, opts: Parameters<typeof call>[2] = {}) =>
  call(method, `dossiers/101/${path}`, { ...opts, headers: { dossierToken, ...opts.headers } });

/** A create the fake accepts; each test breaks one thing of it. */
function validInvoice(over: Record<string, unknown> = {}, line: Record<string, unknown> = {}) {
  return {
    bookyearKey: { id: 2 }, journalKey: 'V1', documentSequenceNr: nextNumber++, bookyearPeriodeNr: period, documentDate: today, expiryDate: today,
    currencyCode: 'EUR', exchangeRate: 1, relationIdentificationServiceData: { relationKey: { id: 1 } }, comment: 'Werkbon 1', reference: 'WB 1',
    invoiceLines: [{ externProductNr: 'Werktijd', description: 'Werktijd', count: 2, unitPrice: 62.5, vatCodeKey: '21', discountPercentage: 0, ...line }],
    ...over,
  };
}
const withoutField = (name: string) => {
  const invoice: Record<string, unknown> = validInvoice();
  delete invoice[name];
  return invoice;
};
const withoutLineField = (name: string) => {
  const invoice = validInvoice();
  delete (invoice.invoiceLines[0] as Record<string, unknown>)[name];
  return invoice;
};
const create = (body: unknown) => inDossier('POST', 'invoices', { body });

beforeAll(async () => {
  fake = await startFakeOctopus({ seed: { relations: 20, products: 10, groups: 3 } });
});
afterAll(async () => {
  await fake?.stop();
});
beforeEach(async () => {
  Object.assign(fake.faults, noFaults());
  fake.resetUsage();
  Object.assign(fake.state.endpointLimits, DEFAULT_ENDPOINT_LIMITS);
  const auth = await call('POST', 'authentication', { body: { user: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password }, headers: { softwareHouseUuid: DEFAULT_SOFTWARE_HOUSE_UUID } });
  token = auth.body.token;
  dossierToken = (await call('POST', 'dossiers', { query: { dossierId: 101, localeId: 1 }, headers: { Token: token } })).body.Dossiertoken;
});

describe('wire, tokens and errors', () => {
  it('an unknown endpoint is 404, a wrong method 405', async () => {
    expect((await inDossier('GET', 'salesinvoices')).status).toBe(404);
    expect((await inDossier('DELETE', 'products')).status).toBe(405);
  });

  it('a dossier call with `Token` instead of `dossierToken` → 401 errorCode -79 "Empty access token" (S15)', async () => {
    const res = await call('GET', 'dossiers/101/products', { headers: { Token: token } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errorCode: -79, errorMessage: 'Empty access token', technicalInfo: null });
  });

  it('error codes are negative integers, not text', async () => {
    const res = await inDossier('GET', 'salesinvoices');
    expect(Number.isInteger(res.body.errorCode)).toBe(true);
    expect(res.body.errorCode).toBeLessThan(0);
  });

  it('takes faults over HTTP, counts calls per endpoint, and sets a session cookie on authentication', async () => {
    const set = await fetch(new URL('/__faults', fake.url), { method: 'POST', body: JSON.stringify({ failNext: [{ status: 503, path: 'dossiers' }] }) });
    expect(set.status).toBe(200);
    expect((await call('GET', 'dossiers', { headers: { Token: token } })).status).toBe(503);
    const auth = await call('POST', 'authentication', { body: { user: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password }, headers: { softwareHouseUuid: DEFAULT_SOFTWARE_HOUSE_UUID } });
    expect(auth.headers.get('set-cookie')).toMatch(/^OCTOPUS_SESSION=/);
    const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number> };
    expect(state.requests['POST /authentication']).toBeGreaterThan(0);
  });
});

describe('listings as Octopus sends them', () => {
  it('products carry priceVatExclusive, productGroup, vatCode and a multilingual description; no salesPrice, productGroupKey or active', async () => {
    const { body } = await inDossier('GET', 'products');
    expect(body[1]).toMatchObject({
      productKey: { id: 2 }, externProductNr: 'Werktijd', description: { description_NL: 'Werktijd' }, priceVatExclusive: 62.5, productGroup: { id: 1 }, unit: 'uur', vatCode: '21',
    });
    for (const field of ['salesPrice', 'productGroupKey', 'vatCodeKey', 'active']) expect(body[1]).not.toHaveProperty(field);
  });

  it('product groups are {productGroupKey, description{NL, FR}} without active or code', async () => {
    const { body } = await inDossier('GET', 'productgroups');
    expect(body[0]).toEqual({ productGroupKey: { id: 1 }, description: { description_NL: 'Tijden', description_FR: 'Temps' } });
  });

  it('book years number their periods like 202611 and send some dates with a time', async () => {
    const { body } = await inDossier('GET', 'bookyears');
    const open = body.find((b: { closed: boolean }) => !b.closed);
    expect(open.startDate).toBe(`${year}-01-01T00:00:00`);
    expect(open.periods.map((p: { bookyearPeriod: number }) => p.bookyearPeriod)).toContain(period);
  });

  it('journals carry insertionType, closed and protected periods and their custom fields', async () => {
    const { body } = await inDossier('GET', 'bookyears/2/journals');
    expect(body[0]).toMatchObject({ journalKey: 'V1', insertionType: 1, closedPeriod: 0, protectedPeriod: 0, customFieldList: [], customFieldLineList: [] });
  });

  it('relations/modified answers {modified, deleted}, reads the stamp as UTC, and 404 when nothing changed', async () => {
    const before = Date.now();
    expect((await inDossier('GET', 'relations/modified', { query: { modifiedTimeStamp: utcStamp(before) } })).status).toBe(404);
    fake.updateRelation(3, { name: 'Bakkerij Nieuw' });
    fake.deleteRelation(4);
    const res = await inDossier('GET', 'relations/modified', { query: { modifiedTimeStamp: utcStamp(before) } });
    expect(res.status).toBe(200);
    expect(res.body.modified.map((r: { name: string }) => r.name)).toEqual(['Bakkerij Nieuw']);
    expect(res.body.deleted).toEqual([{ relationKey: { id: 4 }, externalRelationId: null }]);
    // Brussels wall-clock time of now is read as UTC: an hour or two in the future, so nothing.
    expect((await inDossier('GET', 'relations/modified', { query: { modifiedTimeStamp: formatOctopusTimestamp(new Date(before)) } })).status).toBe(404);
  });

  it('refuses a modifiedTimeStamp in another format', async () => {
    expect((await inDossier('GET', 'relations/modified', { query: { modifiedTimeStamp: new Date().toISOString() } })).status).toBe(400);
  });

  it('a filtered relation listing (a search) answers 404 when it finds none', async () => {
    expect((await inDossier('GET', 'relations', { query: { relationId: 1 } })).body).toHaveLength(1);
    expect((await inDossier('GET', 'relations', { query: { relationId: 9999 } })).status).toBe(404);
  });
});

describe('daily limits per endpoint', () => {
  it('a third product listing of the day → 400 with a limit message (the default reading of U1)', async () => {
    expect((await inDossier('GET', 'products')).status).toBe(200);
    expect((await inDossier('GET', 'products')).status).toBe(200);
    const third = await inDossier('GET', 'products');
    expect(third.status).toBe(400);
    expect(third.body.errorMessage).toMatch(/Daily limit of 2 calls reached/);
    expect(fake.endpointCallsToday('products')).toBe(2);
    // Other endpoints have their own count.
    expect((await inDossier('GET', 'productgroups')).status).toBe(200);
  });

  it("in '429' mode the same refusal is a 429 with Retry-After until midnight", async () => {
    fake.state.endpointLimitMode = '429';
    try {
      await inDossier('GET', 'relations');
      await inDossier('GET', 'relations');
      const third = await inDossier('GET', 'relations');
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      fake.state.endpointLimitMode = '400';
    }
  });

  it('a search by id counts as a search, not as the 2-a-day full listing', async () => {
    await inDossier('GET', 'relations', { query: { relationId: 1 } });
    expect(fake.endpointCallsToday('search')).toBe(1);
    expect(fake.endpointCallsToday('relations')).toBe(0);
  });
});

describe('POST invoices: what it refuses', () => {
  it('takes a complete invoice: 201 with an empty body, stored unbooked at the number sent', async () => {
    const invoice = validInvoice();
    const res = await create(invoice);
    expect(res).toMatchObject({ status: 201, body: '' });
    const stored = fake.dossier().invoices.find((i) => i.documentSequenceNr === invoice.documentSequenceNr)!;
    expect(stored).toMatchObject({ booked: false, bookyearPeriodeNr: period, expiryDate: today, invoiceLines: [{ unitPrice: 62.5, vatCodeKey: '21' }] });
  });

  it('refuses an unknown field at the top', async () => {
    const res = await create(validInvoice({ salesPrice: 10 }));
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain("unknown field 'salesPrice'");
  });

  it('refuses an unknown field on a line', async () => {
    const res = await create(validInvoice({}, { productGroupKey: { id: 1 } }));
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain("unknown field 'productGroupKey' on line 1");
  });

  it.each(['bookyearKey', 'journalKey', 'documentSequenceNr', 'bookyearPeriodeNr', 'documentDate', 'expiryDate', 'relationIdentificationServiceData', 'invoiceLines'])(
    'refuses an invoice without %s',
    async (field) => {
      const res = await create(withoutField(field));
      expect(res.status).toBe(400);
      expect(res.body.errorMessage).toContain(field);
    },
  );

  it.each(['description', 'count', 'unitPrice', 'vatCodeKey'])('refuses a line without %s (Octopus fills in nothing from the product)', async (field) => {
    const res = await create(withoutLineField(field));
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain(`${field} on line 1`);
  });

  it('refuses a document number that is not a positive integer', async () => {
    expect((await create(validInvoice({ documentSequenceNr: 0 }))).status).toBe(400);
    expect((await create(validInvoice({ documentSequenceNr: '12' }))).status).toBe(400);
  });

  it('refuses a number already used in that book year and journal', async () => {
    const first = validInvoice();
    expect((await create(first)).status).toBe(201);
    const again = await create(validInvoice({ documentSequenceNr: first.documentSequenceNr }));
    expect(again.status).toBe(400);
    expect(again.body.errorMessage).toMatch(/already exists in journal V1/);
  });

  it('refuses a number at or below the last booked one', async () => {
    const journal = fake.dossier().journals.find((j) => j.bookyearKey.id === 2 && j.journalKey === 'V1')!;
    journal.lastBookedDocumentNr = 5_000;
    try {
      expect((await create(validInvoice({ documentSequenceNr: 4_999 }))).status).toBe(400);
    } finally {
      journal.lastBookedDocumentNr = 0;
    }
  });

  it('refuses a period that is not the book year’s own number for the date (a computed 1..12)', async () => {
    const res = await create(validInvoice({ bookyearPeriodeNr: new Date().getUTCMonth() + 1 }));
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain('bookyearPeriodeNr');
  });

  it('refuses an expiry date that is not YYYY-MM-DD, or before the document date', async () => {
    expect((await create(validInvoice({ expiryDate: `${today}T00:00:00` }))).status).toBe(400);
    expect((await create(validInvoice({ documentDate: `${year}-01-02`, bookyearPeriodeNr: year * 100 + 1, expiryDate: `${year}-01-01` }))).status).toBe(400);
  });

  it('refuses a document date outside the book year (500 invalid data)', async () => {
    expect((await create(validInvoice({ documentDate: `${year - 1}-12-31` }))).status).toBe(500);
  });

  it('refuses a journal that is no sales journal (403)', async () => {
    const res = await create(validInvoice({ journalKey: 'A1' }));
    expect(res.status).toBe(403);
    expect(res.body.errorMessage).toBe('Journal A1 is not an invoice journal');
  });

  it('refuses a closed journal (403)', async () => {
    const res = await create(validInvoice({ journalKey: 'V2' }));
    expect(res.status).toBe(403);
    expect(res.body.errorMessage).toBe('Journal V2 is closed or in use');
  });

  it('refuses an unknown relation (400) and a relation that is no customer (UNCONFIRMED text)', async () => {
    expect((await create(validInvoice({ relationIdentificationServiceData: { relationKey: { id: 9999 } } }))).status).toBe(400);
    const supplier = fake.dossier().relations.find((r) => !r.client)!;
    expect((await create(validInvoice({ relationIdentificationServiceData: { relationKey: supplier.relationIdentificationServiceData.relationKey } }))).status).toBe(400);
  });

  it('refuses a product that does not exist and a VAT code the dossier does not have (500 invalid data)', async () => {
    expect((await create(validInvoice({}, { externProductNr: 'BESTAAT-NIET' }))).status).toBe(500);
    const vat = await create(validInvoice({}, { vatCodeKey: '19' }));
    expect(vat.status).toBe(500);
    expect(vat.body.errorMessage).toContain("VAT code '19'");
  });

  it('refuses a custom field the journal does not have', async () => {
    const res = await create(validInvoice({ customFieldValueList: [{ customFieldKey: { id: 7 }, value: 'simon-x' }] }));
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain('custom field 7');
  });

  it('refuses what the old connector sent: no number, no period, no expiry date, a line without price and VAT code', async () => {
    const old = {
      bookyearKey: { id: 2 }, journalKey: 'V1', documentDate: today, currencyCode: 'EUR', exchangeRate: 1,
      relationIdentificationServiceData: { relationKey: { id: 1 } }, comment: 'Simon-referentie: simon-abc',
      invoiceLines: [{ externProductNr: 'Werktijd', description: 'Werktijd', count: 2 }],
    };
    const res = await create(old);
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain('documentSequenceNr');
  });
});

describe('reading invoices', () => {
  it('GET invoices needs the full key: without documentSeqNr a 400 (the old connector listed a journal that way)', async () => {
    const res = await inDossier('GET', 'invoices', { query: { bookyearId: 2, journalKey: 'V1' } });
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toContain('documentSeqNr');
  });

  it('GET invoices by key: the invoice without our internal fields, or 404', async () => {
    const invoice = validInvoice();
    await create(invoice);
    const res = await inDossier('GET', 'invoices', { query: { bookyearId: 2, journalKey: 'V1', documentSeqNr: invoice.documentSequenceNr } });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).not.toHaveProperty('booked');
    expect(res.body[0]).not.toHaveProperty('modifiedAt');
    expect((await inDossier('GET', 'invoices', { query: { bookyearId: 2, journalKey: 'V1', documentSeqNr: 987_654 } })).status).toBe(404);
  });

  it('invoices/modified lists what changed since the stamp (every book year with -1), 404 when none', async () => {
    const since = Date.now();
    expect((await inDossier('GET', 'invoices/modified', { query: { bookyearId: -1, journalKey: 'V1', modifiedTimeStamp: utcStamp(since) } })).status).toBe(404);
    const invoice = validInvoice();
    await create(invoice);
    const res = await inDossier('GET', 'invoices/modified', { query: { bookyearId: -1, journalKey: 'V1', modifiedTimeStamp: utcStamp(since) } });
    expect(res.body.map((i: { documentSequenceNr: number }) => i.documentSequenceNr)).toEqual([invoice.documentSequenceNr]);
  });
});

describe('fake Octopus data', () => {
  it('seeds the same realistic data for the same seed', () => {
    const a = createFakeOctopusState();
    const b = createFakeOctopusState();
    seedOctopus(a, { relations: 50, products: 20, groups: 3, seed: 42 });
    seedOctopus(b, { relations: 50, products: 20, groups: 3, seed: 42 });
    expect(a.dossiers[0].relations).toEqual(b.dossiers[0].relations);
    expect(a.dossiers[0].products).toEqual(b.dossiers[0].products);
    expect(a.dossiers[0].products.slice(0, 3).map((p) => p.externProductNr)).toEqual(['Reistijd', 'Werktijd', 'Voorrijkosten']);
  });

  it('reads and writes Octopus timestamps as Brussels wall-clock time (lib/octopus-time.ts)', () => {
    const at = new Date('2026-07-01T10:15:30.045Z'); // summer: UTC+2
    expect(formatOctopusTimestamp(at)).toBe('2026-07-01 12:15:30.045');
    expect(parseOctopusTimestamp('2026-07-01 12:15:30.045')!.toISOString()).toBe(at.toISOString());
    expect(parseOctopusTimestamp('2026-01-15 08:00:00.000')!.toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(parseOctopusTimestamp('gisteren')).toBeNull();
  });
});
