import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMIT, DEFAULT_RS_APP, ROMPSLOMP_SCOPES, SEED_COMPANY_ID, SEED_GRATIS_COMPANY_ID, SEED_SECOND_COMPANY_ID,
  noFaults, startFakeRompslomp, type FakeRompslomp,
} from '../../fakes/rompslomp/server.js';

/**
 * The fake Rompslomp refuses what the real API refuses (docs/providers/rompslomp.md, "Deltas"): one test per rule,
 * raw HTTP against the fake, no connector code in between.
 */

let fake: FakeRompslomp;
let token: string;
const company = `companies/${SEED_COMPANY_ID}`;

/** The browser and the token exchange, by hand: an access token for these scopes. */
async function tokenFor(scope: string = 'public manage:contacts manage:products manage:sales_invoices'): Promise<{ accessToken: string; refreshToken: string }> {
  const authorize = new URL('/oauth/authorize', fake.origin);
  authorize.search = new URLSearchParams({ client_id: DEFAULT_RS_APP.clientId, redirect_uri: 'http://simon.test/cb', response_type: 'code', scope }).toString();
  const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
  const tokens = await oauthToken({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: 'http://simon.test/cb' });
  return { accessToken: tokens.body.access_token, refreshToken: tokens.body.refresh_token };
}

async function oauthToken(fields: Record<string, string>) {
  const res = await fetch(new URL('/oauth/token', fake.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: DEFAULT_RS_APP.clientId, client_secret: DEFAULT_RS_APP.clientSecret, ...fields }).toString(),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function api(method: string, path: string, opts: { body?: unknown; raw?: string; token?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = opts.token === undefined ? token : opts.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${fake.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // An HTML page or an empty body.
  }
  return { status: res.status, headers: res.headers, body: json };
}

const contactId = () => fake.company(SEED_COMPANY_ID).contacts[0].id;
const workProduct = 749588242;
const line = (over: Record<string, unknown> = {}) => ({ description: 'Werktijd', quantity: '1.0', price_per_unit: '62.5', product_id: workProduct, ...over });
const invoice = (over: Record<string, unknown> = {}, lines: Record<string, unknown>[] = [line()]) =>
  ({ sales_invoice: { contact_id: contactId(), date: '2026-11-23', api_reference: `ref-${Math.random().toString(36).slice(2)}`, invoice_lines: lines, ...over } });
const create = (body: unknown) => api('POST', `${company}/sales_invoices`, { body });
const errorType = (res: { body: any }) => res.body?.error?.type as string | undefined;

beforeAll(async () => {
  fake = await startFakeRompslomp({ seed: { customers: 30, suppliers: 3, products: 10 } });
  token = (await tokenFor()).accessToken;
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  Object.assign(fake.faults, noFaults());
  fake.state.rateLimitPerWindow = DEFAULT_RATE_LIMIT;
});

describe('paging', () => {
  it('sends X-Total, X-Page and X-Per-Page, 40 a page by default', async () => {
    const res = await api('GET', `${company}/contacts`);
    expect(res.status).toBe(200);
    expect(res.body.contacts).toHaveLength(33);
    expect([res.headers.get('x-total'), res.headers.get('x-page'), res.headers.get('x-per-page')]).toEqual(['33', '1', '40']);
  });

  it('refuses per_page over 100', async () => {
    const res = await api('GET', `${company}/contacts?per_page=101`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.invalid_parameter_value']);
  });

  it('refuses per_page below 1', async () => {
    const res = await api('GET', `${company}/products?per_page=0`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.invalid_parameter_value']);
  });

  it('refuses page below 1', async () => {
    const res = await api('GET', `${company}/sales_invoices?page=0`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.invalid_parameter_value']);
  });

  it('refuses a page that is not a whole number', async () => {
    const res = await api('GET', `${company}/contacts?page=2.5`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.invalid_parameter_value']);
  });
});

describe('query parameters', () => {
  it('refuses an unknown search filter (there is no change tracking: search[updated_since] must not return everything)', async () => {
    const res = await api('GET', `${company}/contacts?search[updated_since]=2026-01-01`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.unpermitted_parameters']);
  });

  it('refuses a search filter of another endpoint (search[api_reference] on products)', async () => {
    const res = await api('GET', `${company}/products?search[api_reference]=x`);
    expect(res.status).toBe(422);
  });

  it('refuses an unknown parameter outside search[…]', async () => {
    const res = await api('GET', `${company}/products?modified_since=2026-01-01`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.unpermitted_parameters']);
  });

  it('refuses a sales-invoice selection outside the documented ones', async () => {
    const res = await api('GET', `${company}/sales_invoices?selection=open`);
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.invalid_parameter_value']);
  });

  it('refuses a contacts selection other than all, customers and suppliers', async () => {
    expect((await api('GET', `${company}/contacts?selection=inactive`)).status).toBe(422);
    expect((await api('GET', `${company}/contacts?selection=suppliers`)).body.contacts).toHaveLength(3);
  });

  it('refuses a products selection other than all', async () => {
    expect((await api('GET', `${company}/products?selection=active`)).status).toBe(422);
  });

  it('implements the documented selections on their meaning, not on the status field (unpaid holds published invoices)', async () => {
    const published = await create(invoice({ _publish: true }));
    const concept = await create(invoice());
    const ids = async (selection: string) => ((await api('GET', `${company}/sales_invoices?selection=${selection}&per_page=100`)).body.sales_invoices as { id: number }[]).map((i) => i.id);
    expect(await ids('unpaid')).toContain(published.body.sales_invoice.id);
    expect(await ids('unpaid')).not.toContain(concept.body.sales_invoice.id);
    expect(await ids('concept')).toContain(concept.body.sales_invoice.id);
    expect(await ids('all')).toEqual(expect.arrayContaining([published.body.sales_invoice.id, concept.body.sales_invoice.id]));
    expect(await ids('debt_collector')).toEqual([]);
  });

  it('refuses a malformed search[from] or search[till] date', async () => {
    expect((await api('GET', `${company}/sales_invoices?search[from]=23-11-2026`)).status).toBe(422);
    expect((await api('GET', `${company}/sales_invoices?search[till]=2026-02-30`)).status).toBe(422);
  });

  it('filters by invoice date, both bounds inclusive', async () => {
    const at = async (date: string) => (await create(invoice({ date }))).body.sales_invoice.id as number;
    const [before, first, last, after] = [await at('2025-03-09'), await at('2025-03-10'), await at('2025-03-12'), await at('2025-03-13')];
    const res = await api('GET', `${company}/sales_invoices?selection=all&search[from]=2025-03-10&search[till]=2025-03-12&per_page=100`);
    const ids = (res.body.sales_invoices as { id: number }[]).map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([first, last]));
    expect(ids).not.toContain(before);
    expect(ids).not.toContain(after);
  });

  it('refuses a search[contact_id] that is not an id', async () => {
    expect((await api('GET', `${company}/sales_invoices?search[contact_id]=abc`)).status).toBe(422);
  });

  it('matches search[api_reference] loosely (exact or partial is undocumented), so only the client’s exact comparison is safe', async () => {
    const reference = `simon-${Date.now()}`;
    await create(invoice({ api_reference: `${reference}-longer` }));
    const res = await api('GET', `${company}/sales_invoices?search[api_reference]=${reference.toUpperCase()}`);
    expect(res.body.sales_invoices.map((i: { api_reference: string }) => i.api_reference)).toEqual([`${reference}-longer`]);
  });
});

describe('endpoints, authentication and scopes', () => {
  it('answers 404 client.not_found.endpoint for an unknown endpoint (there are no product groups)', async () => {
    for (const path of [`${company}/product_groups`, `${company}/product_categories`, 'nothing-here']) {
      const res = await api('GET', path);
      expect([res.status, errorType(res)]).toEqual([404, 'client.not_found.endpoint']);
    }
  });

  it('answers 404 client.not_found.endpoint for a method the endpoint does not have', async () => {
    const created = await create(invoice());
    for (const [method, path] of [['PUT', `${company}/sales_invoices/${created.body.sales_invoice.id}`], ['GET', company], ['POST', 'companies'], ['DELETE', `${company}/products`]]) {
      const res = await api(method, path, method === 'GET' ? {} : { body: {} });
      expect([method, path, res.status, errorType(res)]).toEqual([method, path, 404, 'client.not_found.endpoint']);
    }
  });

  it('answers 404 client.not_found.resource for an unknown record', async () => {
    const res = await api('GET', `${company}/sales_invoices/1`);
    expect([res.status, errorType(res)]).toEqual([404, 'client.not_found.resource']);
  });

  it('refuses a missing or lapsed token with 401 and realm "Rompslomp API v1"', async () => {
    const res = await api('GET', 'companies', { token: 'not-a-token' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="Rompslomp API v1", error="invalid_token", error_description="Het toegangstoken is ongeldig of ingetrokken"');
    expect(errorType(res)).toBe('client.authentication.invalid_token');
    expect((await api('GET', 'companies', { token: null })).status).toBe(401);
  });

  it('refuses a call the token has no scope for with 403 invalid_scope', async () => {
    const publicOnly = (await tokenFor('public')).accessToken;
    expect((await api('GET', 'companies', { token: publicOnly })).status).toBe(200);
    const res = await api('GET', `${company}/contacts`, { token: publicOnly });
    expect([res.status, errorType(res)]).toEqual([403, 'client.authorization.invalid_scope']);
  });

  it('refuses a scope the company does not allow (access_control.allowed_scopes) with 403 invalid_scope', async () => {
    const second = fake.state.companies.find((c) => c.id === SEED_SECOND_COMPANY_ID)!;
    const before = second.access_control.allowed_scopes;
    second.access_control.allowed_scopes = ROMPSLOMP_SCOPES.filter((s) => s !== 'manage:products');
    try {
      expect((await api('GET', `companies/${SEED_SECOND_COMPANY_ID}/contacts`)).status).toBe(200);
      const res = await api('GET', `companies/${SEED_SECOND_COMPANY_ID}/products`);
      expect([res.status, errorType(res)]).toEqual([403, 'client.authorization.invalid_scope']);
    } finally {
      second.access_control.allowed_scopes = before;
    }
  });

  it('refuses every call for a company on the Gratis plan with 403 access_denied', async () => {
    const res = await api('GET', `companies/${SEED_GRATIS_COMPANY_ID}/contacts`);
    expect([res.status, errorType(res)]).toEqual([403, 'client.authorization.access_denied']);
  });

  it('limits per authorisation: over the limit every request of that token waits until the window ends, others go on', async () => {
    const a = await tokenFor();
    const b = await tokenFor();
    fake.state.rateLimitPerWindow = 2;
    fake.state.rateWindows.clear();
    expect((await api('GET', 'companies', { token: a.accessToken })).status).toBe(200);
    expect((await api('GET', 'companies', { token: a.accessToken })).status).toBe(200);
    const limited = await api('GET', 'companies', { token: a.accessToken });
    expect([limited.status, errorType(limited)]).toEqual([429, 'client.rate_limit']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api('GET', `${company}/contacts`, { token: a.accessToken })).status).toBe(429);
    // A refreshed token continues the same authorisation, so the same window.
    const refreshed = await oauthToken({ grant_type: 'refresh_token', refresh_token: a.refreshToken });
    expect((await api('GET', 'companies', { token: refreshed.body.access_token })).status).toBe(429);
    expect((await api('GET', 'companies', { token: b.accessToken })).status).toBe(200);
  });
});

describe('POST sales_invoices', () => {
  it('creates a concept and answers it with api_reference; list and show leave api_reference out when it is not set', async () => {
    const res = await create(invoice());
    expect(res.status).toBe(201);
    expect(res.body.sales_invoice).toMatchObject({ status: 'concept', invoice_number: null, api_reference: expect.stringMatching(/^ref-/) });
    const without = await create(invoice({ api_reference: undefined }));
    const shown = await api('GET', `${company}/sales_invoices/${without.body.sales_invoice.id}`);
    expect(shown.body.sales_invoice).not.toHaveProperty('api_reference');
    expect(shown.body.sales_invoice).toHaveProperty('payment_reference', null);
  });

  it('refuses a body without the sales_invoice root (missing_parameter)', async () => {
    const res = await create({ invoice_lines: [line()] });
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.missing_parameter']);
  });

  it('refuses malformed JSON (malformed_json)', async () => {
    const res = await api('POST', `${company}/sales_invoices`, { raw: '{"sales_invoice": {' });
    expect(errorType(res)).toBe('client.parameters.malformed_json');
  });

  it('refuses an unknown invoice field (unpermitted_parameters)', async () => {
    const res = await create(invoice({ work_order_number: 'WB-1' }));
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.unpermitted_parameters']);
    expect(res.body.error.message).toContain('work_order_number');
  });

  it('refuses read-only invoice fields (status, invoice_number, totals)', async () => {
    for (const field of [{ status: 'published' }, { invoice_number: '2026-0001' }, { price_with_vat: '10.0' }, { id: 1 }]) {
      expect(errorType(await create(invoice(field)))).toBe('client.parameters.unpermitted_parameters');
    }
  });

  it('refuses an unknown line field (there is no unit)', async () => {
    const res = await create(invoice({}, [line({ unit: 'uur' })]));
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.unpermitted_parameters']);
  });

  it('refuses read-only line fields', async () => {
    expect((await create(invoice({}, [line({ price_without_vat: '62.5' })]))).status).toBe(422);
  });

  it('refuses an unknown field next to the sales_invoice root', async () => {
    expect(errorType(await create({ ...invoice(), company_id: SEED_COMPANY_ID }))).toBe('client.parameters.unpermitted_parameters');
  });

  it('refuses a contact that does not exist', async () => {
    const res = await create(invoice({ contact_id: 1 }));
    expect([res.status, errorType(res)]).toEqual([422, 'client.parameters.validation']);
    expect(res.body.error.message).toContain('Contact moet bestaan');
  });

  it('refuses a second invoice with a taken api_reference, concept or published', async () => {
    const reference = `dup-${Date.now()}`;
    expect((await create(invoice({ api_reference: reference, _publish: true }))).status).toBe(201);
    const again = await create(invoice({ api_reference: reference }));
    expect([again.status, errorType(again)]).toEqual([422, 'client.parameters.validation']);
    expect(fake.company(SEED_COMPANY_ID).salesInvoices.filter((i) => i.api_reference === reference)).toHaveLength(1);
  });

  it('refuses a quantity in exponent notation', async () => {
    expect((await create(invoice({}, [line({ quantity: '1e-7' })]))).status).toBe(422);
    expect((await create(invoice({}, [line({ quantity: '3.3333333333333335E-1' })]))).status).toBe(422);
  });

  it('refuses decimals sent as JSON numbers or with a decimal comma', async () => {
    expect((await create(invoice({}, [line({ quantity: 2 })]))).status).toBe(422);
    expect((await create(invoice({}, [line({ price_per_unit: '12,50' })]))).status).toBe(422);
  });

  it('refuses a line description over 255 characters, counting characters (an emoji is one)', async () => {
    expect((await create(invoice({}, [line({ description: 'x'.repeat(256) })]))).status).toBe(422);
    const emoji = '🔧'.repeat(255);
    expect(emoji.length).toBe(510);
    expect((await create(invoice({}, [line({ description: emoji })]))).status).toBe(201);
  });

  it('refuses an invoice date before 1990-01-01', async () => {
    const res = await create(invoice({ date: '1989-12-31' }));
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('Factuurdatum moet na 01/01/1990 liggen');
  });

  it('refuses a date that is not a real calendar date', async () => {
    expect((await create(invoice({ date: '2026-02-30' }))).status).toBe(422);
    expect((await create(invoice({ date: '23-11-2026' }))).status).toBe(422);
  });

  it('refuses an unknown vat_type_id', async () => {
    expect((await create(invoice({}, [line({ vat_type_id: 12345 })]))).status).toBe(422);
  });

  it('refuses an unknown product_id', async () => {
    expect((await create(invoice({}, [line({ product_id: 12345 })]))).status).toBe(422);
  });

  it('refuses vat_zero for a customer in another EU country without a VAT number', async () => {
    const data = fake.company(SEED_COMPANY_ID);
    const german = { ...data.contacts[1], id: 573_799_001, country_code: 'DE', vat_number: null, contact_number: 'K09901' };
    data.contacts.push(german);
    const zero = fake.state.vatTypes.find((v) => v.name === 'vat_zero')!.id;
    const refused = await create(invoice({ contact_id: german.id }, [line({ vat_type_id: zero })]));
    expect([refused.status, errorType(refused)]).toEqual([422, 'client.parameters.validation']);
    expect((await create(invoice({ contact_id: german.id, vat_number: 'DE123456789' }, [line({ vat_type_id: zero })]))).status).toBe(201);
  });

  it('stores decimals as sent and computes the amounts exactly: 0.333333 × 62.5 is 20.83, not 20.63', async () => {
    const res = await create(invoice({}, [line({ quantity: '0.333333' }), line({ description: 'Reistijd', quantity: '0.333333', price_per_unit: '45.0', product_id: 795957253 })]));
    expect(res.status).toBe(201);
    const [work, travel] = res.body.sales_invoice.invoice_lines;
    expect(work).toMatchObject({ quantity: '0.333333', price_per_unit: '62.5', price_without_vat: '20.83', vat_amount: '4.37', price_with_vat: '25.2' });
    // 14.999985 rounds to 15.00.
    expect(travel).toMatchObject({ price_without_vat: '15.0', vat_amount: '3.15' });
    expect(res.body.sales_invoice).toMatchObject({ price_without_vat: '35.83', vat_amount: '7.52', price_with_vat: '43.35' });
  });
});

describe('shapes', () => {
  it('names the VAT types as the swagger does (9 % is vat_low_new) and serves them with scope public', async () => {
    const res = await api('GET', `${company}/vat_types`, { token: (await tokenFor('public')).accessToken });
    expect(res.body.vat_types).toEqual(expect.arrayContaining([
      { id: expect.any(Number), name: 'vat_high', friendly_name: 'hoog', value: '0.21' },
      { id: expect.any(Number), name: 'vat_low_new', friendly_name: 'laag', value: '0.09' },
    ]));
  });

  it('answers contacts with every documented field, nulls included', async () => {
    const res = await api('GET', `${company}/contacts/${contactId()}`);
    expect(Object.keys(res.body.contact)).toEqual(expect.arrayContaining(['government_identification_number', 'free_1', 'free_2', 'free_3', 'name']));
  });
});
