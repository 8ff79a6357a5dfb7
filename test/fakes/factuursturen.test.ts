import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LIST_SIZE, noFaults, seedFactuurSturen, startFakeFactuurSturen, type FakeFactuurSturen,
} from '../../fakes/factuursturen/server.js';
import { eventually } from '../helpers/stack.js';

/**
 * The fake FactuurSturen refuses what the real API refuses (docs/providers/factuursturen.md §3–§4, §10), one rule
 * per test, over raw HTTP: no connector code is involved, so each test shows the fake itself saying no.
 */

const account = { username: 'fake-test', apiKey: 'fake-test-key' };
const auth = `Basic ${Buffer.from(`${account.username}:${account.apiKey}`).toString('base64')}`;
let fake: FakeFactuurSturen;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, fake.url), {
    method,
    headers: { authorization: auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* plain text */ }
  return { status: res.status, text, json, headers: res.headers };
}

let n = 0;
/** A valid concept save; each test changes one thing. */
const save = (over: Record<string, unknown> = {}) => ({
  action: 'save',
  savename: `SIMFAKETEST${String(++n).padStart(9, '0')}`,
  overwrite_if_exist: false,
  clientnr: 1001,
  reference: { line1: 'Werkbon 1', line2: 'Onderhoud', line3: 'WB-1' },
  lines: [{ description: 'Tekstregel' }, { amount: 2, description: '0002 Werktijd', price: 62.5, tax_rate: 21 }],
  ...over,
});

beforeAll(async () => {
  fake = await startFakeFactuurSturen({ accounts: [account] });
  seedFactuurSturen(fake.state, { groups: 3, products: 250, clients: 30 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  Object.assign(fake.faults, noFaults());
  fake.state.rateWindows = {};
});

describe('POST invoices refuses what FactuurSturen refuses', () => {
  it('accepts a valid concept save: 201 with the bare id as text', async () => {
    const res = await call('POST', 'invoices', save());
    expect(res.status).toBe(201);
    expect(res.text).toMatch(/^\d+$/);
  });

  it('a savename over 20 characters', async () => {
    const res = await call('POST', 'invoices', save({ savename: 'simon-0123456789abcdef' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('at most 20 characters');
  });

  it('a save without savename', async () => {
    const res = await call('POST', 'invoices', save({ savename: undefined }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('you must supply a savename');
  });

  it('an unknown top-level field', async () => {
    const res = await call('POST', 'invoices', save({ description: 'x' }));
    expect(res.status).toBe(400);
    expect(res.text).toBe("Unknown attribute 'description'");
  });

  it('paymentreference (the old guess: there is no such attribute)', async () => {
    const res = await call('POST', 'invoices', save({ paymentreference: 'WB-1' }));
    expect(res.status).toBe(400);
    expect(res.text).toBe("Unknown attribute 'paymentreference'");
  });

  it('invoicenr (never sent on a post)', async () => {
    const res = await call('POST', 'invoices', save({ invoicenr: 12 }));
    expect(res.status).toBe(400);
  });

  it('an unknown field inside a line', async () => {
    const res = await call('POST', 'invoices', save({ lines: [{ amount: 1, description: 'x', price: 10, code: '0002' }] }));
    expect(res.status).toBe(400);
    expect(res.text).toBe("Line 1: unknown attribute 'code'");
  });

  it('an unknown field inside the reference', async () => {
    const res = await call('POST', 'invoices', save({ reference: { line1: 'a', line4: 'b' } }));
    expect(res.status).toBe(400);
    expect(res.text).toBe("Unknown attribute 'reference.line4'");
  });

  it('a text line sent as amount 0 × price 0', async () => {
    const res = await call('POST', 'invoices', save({ lines: [{ amount: 0, description: 'Tekst', price: 0 }] }));
    expect(res.status).toBe(400);
    expect(res.text).toContain("only supply 'description'");
  });

  it('a line with an amount but no price', async () => {
    const res = await call('POST', 'invoices', save({ lines: [{ amount: 2, description: 'Werktijd' }] }));
    expect(res.status).toBe(400);
  });

  it('a non-numeric amount', async () => {
    const res = await call('POST', 'invoices', save({ lines: [{ amount: 'twee', description: 'x', price: 1 }] }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('amount is not a number');
  });

  it('a VAT rate the account does not have', async () => {
    const res = await call('POST', 'invoices', save({ lines: [{ amount: 1, description: 'x', price: 1, tax_rate: 7 }] }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('tax_rate 7 is not allowed');
  });

  it('no lines', async () => {
    const res = await call('POST', 'invoices', save({ lines: [] }));
    expect(res.status).toBe(400);
  });

  it('an unknown client', async () => {
    const res = await call('POST', 'invoices', save({ clientnr: 999_999 }));
    expect(res.status).toBe(400);
    expect(res.text).toBe('Client 999999 does not exist');
  });

  it('a missing or unknown action', async () => {
    expect((await call('POST', 'invoices', save({ action: undefined }))).status).toBe(400);
    expect((await call('POST', 'invoices', save({ action: 'draft' }))).status).toBe(400);
  });

  it('action: send without sendmethod', async () => {
    const res = await call('POST', 'invoices', save({ action: 'send', savename: undefined }));
    expect(res.status).toBe(400);
    expect(res.text).toBe("sendmethod is required when you use the action 'send'");
    const sent = await call('POST', 'invoices', save({ action: 'send', savename: undefined, sendmethod: 'email' }));
    expect(sent.status).toBe(201);
  });

  it('a discounttype over its 10 characters or not one of amount | percentage', async () => {
    expect((await call('POST', 'invoices', save({ discounttype: 'percentages' }))).status).toBe(400);
    expect((await call('POST', 'invoices', save({ discounttype: 'percentage', discount: 5 }))).status).toBe(201);
  });

  it('a second save under an existing name (overwrite_if_exist false, the default), and overwrites only when asked', async () => {
    const body = save();
    expect((await call('POST', 'invoices', body)).status).toBe(201);
    const again = await call('POST', 'invoices', body);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already exists');
    expect((await call('POST', 'invoices', { ...body, overwrite_if_exist: 'false' })).status).toBe(400);
    expect((await call('POST', 'invoices', { ...body, overwrite_if_exist: 0 })).status).toBe(400);
    expect((await call('POST', 'invoices', { ...body, overwrite_if_exist: 'true' })).status).toBe(201);
    expect(fake.state.savedInvoices.filter((i) => i.name === body.savename)).toHaveLength(1);
  });

  it('in the U1 mode a duplicate is answered 201 and changes nothing', async () => {
    const body = save();
    const first = await call('POST', 'invoices', body);
    fake.faults.duplicateSaveIgnored = true;
    const again = await call('POST', 'invoices', { ...body, lines: [{ description: 'Anders' }] });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(fake.state.savedInvoices.find((i) => i.name === body.savename)!.lines[0]).toEqual({ description: 'Tekstregel' });
  });

  it('in the U2 mode a save is answered 201 with an empty body', async () => {
    fake.faults.emptyCreateBody = true;
    const res = await call('POST', 'invoices', save());
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
  });

  it('takes the form-encoded body the PHP-style clients send', async () => {
    const name = `SIMFORM${String(++n).padStart(13, '0')}`;
    const form = new URLSearchParams({
      action: 'save', savename: name, clientnr: '1001', 'lines[0][amount]': '1', 'lines[0][description]': 'x', 'lines[0][price]': '2,50',
    });
    const res = await call('POST', 'invoices', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(201);
    expect(fake.state.savedInvoices.find((i) => i.name === name)!.lines).toEqual([{ amount: 1, description: 'x', price: 2.5 }]);
  });
});

describe('reads as FactuurSturen answers them', () => {
  it('serves a saved invoice under `name` (never `savename`), lines keyed line1… with linetotal, a text line as its description', async () => {
    const body = save();
    const id = (await call('POST', 'invoices', body)).text;
    const one = await call('GET', `invoices_saved/${id}`);
    const inv = (one.json as { invoice: Record<string, unknown> }).invoice;
    expect(inv.name).toBe(body.savename);
    expect(inv).not.toHaveProperty('savename');
    expect(inv).not.toHaveProperty('paymentreference');
    expect(inv.id).toBe(id);
    expect(inv.lines).toEqual({
      line1: { description: 'Tekstregel' },
      line2: { amount: '2', description: '0002 Werktijd', price: '62.5', tax_rate: '21', linetotal: '125' },
    });
    const list = (await call('GET', 'invoices_saved?count=-1')).json as Record<string, unknown>[];
    expect(list.find((i) => i.id === id)).toMatchObject({ name: body.savename, clientnr: '1001' });
  });

  it('a listing without count returns only a first page; count=-1 all; count and start a slice', async () => {
    const first = (await call('GET', 'products')).json as unknown[];
    expect(first).toHaveLength(DEFAULT_LIST_SIZE);
    expect((await call('GET', 'products?count=-1')).json).toHaveLength(250);
    const slice = (await call('GET', 'products?count=10&start=245')).json as { id: string }[];
    expect(slice.map((p) => p.id)).toEqual(['246', '247', '248', '249', '250']);
    expect((await call('GET', 'products?count=-1&start=250')).json).toEqual([]);
    expect((await call('GET', 'products?count=all')).status).toBe(400);
  });

  it('serves products with only their six fields, and scalars as strings', async () => {
    const [p] = (await call('GET', 'products?count=1')).json as Record<string, unknown>[];
    expect(Object.keys(p).sort()).toEqual(['code', 'id', 'name', 'price', 'priceintax', 'taxes']);
    expect(p).toMatchObject({ id: '1', code: '0001', price: '45', taxes: '21' });
  });

  it('serves client country as a countrylist id, and the country list', async () => {
    const [c] = (await call('GET', 'clients?count=1')).json as Record<string, unknown>[];
    expect(c.country).toBe('146');
    expect((await call('GET', 'countrylist/nl')).json).toContainEqual({ id: '146', name: 'Nederland' });
  });

  it('answers an unknown client id with the whole client list, as the real API did', async () => {
    const res = await call('GET', 'clients/424242');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json)).toBe(true);
    expect(((await call('GET', 'clients/1001')).json as { client: unknown }).client).toMatchObject({ clientnr: '1001' });
  });

  it('GET quotes does not exist (404); quotations does, with a wrapper for one', async () => {
    const quotes = await call('GET', 'quotes');
    expect(quotes.status).toBe(404);
    expect(quotes.text).toBe('Unknown function');
    fake.state.quotations.push({
      id: 7, savename: 'Offerte', quotationreference: 'OFF-7', clientnr: 1001, reference: {}, notes: '', lines: [{ description: 'Tekst' }],
      date: '2026-01-01', approved: false, customstatus: '', profile: 1, quotationperiod: 30,
    });
    try {
      expect((await call('GET', 'quotations?count=-1')).json).toEqual([expect.objectContaining({ id: '7', savename: 'Offerte', quotationreference: 'OFF-7' })]);
      expect(((await call('GET', 'quotations/7')).json as { quotation: unknown }).quotation).toMatchObject({ id: '7', lines: { line1: { description: 'Tekst' } } });
    } finally {
      fake.state.quotations = [];
    }
  });

  it('an unknown path is 404 "Unknown function", another method on a known resource 405', async () => {
    expect((await call('GET', 'articles')).status).toBe(404);
    expect((await call('PATCH', 'clients')).status).toBe(405);
  });
});

describe('auth and the hourly limit', () => {
  it('answers wrong credentials with 401, and says x-ratelimit-remaining on it too', async () => {
    const res = await call('GET', 'profiles', undefined, { authorization: `Basic ${Buffer.from(`${account.username}:wrong`).toString('base64')}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
  });

  it('answers the hourly limit with 403, x-ratelimit-remaining 0 and no Retry-After (never 429)', async () => {
    const limit = fake.state.rateLimitPerHour;
    fake.state.rateLimitPerHour = 2;
    try {
      expect((await call('GET', 'profiles')).headers.get('x-ratelimit-remaining')).toBe('1');
      expect((await call('GET', 'profiles')).headers.get('x-ratelimit-remaining')).toBe('0');
      const refused = await call('GET', 'profiles');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('retry-after')).toBeNull();
      // A 404 and a 400 carry the header as well.
      fake.state.rateWindows = {};
      expect((await call('GET', 'quotes')).headers.get('x-ratelimit-remaining')).toBe('1');
      expect((await call('POST', 'invoices', {})).headers.get('x-ratelimit-remaining')).toBe('0');
    } finally {
      fake.state.rateLimitPerHour = limit;
    }
  });

  it('opens a new window after rateWindowMs', async () => {
    const limit = fake.state.rateLimitPerHour;
    fake.state.rateLimitPerHour = 1;
    fake.state.rateWindowMs = 200;
    try {
      expect((await call('GET', 'profiles')).status).toBe(200);
      expect((await call('GET', 'profiles')).status).toBe(403);
      // A refused call does not count, so asking until the window turns over is harmless.
      await eventually(async () => (await call('GET', 'profiles')).status === 200, 5_000, 20);
    } finally {
      fake.state.rateLimitPerHour = limit;
      fake.state.rateWindowMs = 3_600_000;
    }
  });
});
