import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_COMPANY_ID,
  SEED_GRATIS_COMPANY_ID,
  startFakeRompslomp,
  type FakeRompslomp,
  type FakeRsContact,
} from '../../fakes/rompslomp/server.js';
import { startStack, eventually, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { allTables } from '../helpers/activation.js';

/**
 * Rompslomp end to end (issue 5): real Temporal dev server, real Postgres, the fake Rompslomp over real HTTP.
 * One tenant is activated once (wipe, OAuth connect, "Controleer", save); the sync, archive and token
 * scenarios then run against it in order.
 */
let stack: Stack;
let fake: FakeRompslomp;
const tenant = uniqueTenant('rs');
const responses: string[] = [];

async function api(method: string, path: string, body?: unknown, token: string | null = tokens.admin) {
  const res = await stack.api(method, path, body, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

const settings = {
  provider: 'rompslomp',
  termsAccepted: true,
  workTimeArticle: 'P00008',
  travelTimeArticle: 'P00007',
  defaultArticle: 'P00006',
  excludeFilterWord: 'garantie',
  companyId: String(SEED_COMPANY_ID),
  descriptionAsFirstLine: true,
};

const company = () => fake.company(SEED_COMPANY_ID);

/** The admin's browser: our authorize URL → the fake's consent (answered at once) → back to our callback with code and state. */
async function oauthConnect(): Promise<{ status: number; body: any; callbackPath: string }> {
  const start = await api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const consent = await fetch(start.body.url, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  const callbackPath = `${back.pathname}${back.search}`;
  const res = await api('GET', callbackPath, undefined, null);
  return { ...res, callbackPath };
}

async function count(table: string): Promise<number> {
  const rows = await stack.database.sql.unsafe(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenant]);
  return rows[0].n as number;
}

async function status(): Promise<any> {
  return (await api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support)).body;
}

async function sealedCredentials(): Promise<string> {
  const rows = await stack.database.sql`select sealed from integration.credentials where tenant_id = ${tenant}`;
  return rows[0].sealed as string;
}

async function syncNow(body: { customers?: boolean; articles?: boolean }) {
  const res = await api('POST', `/v1/tenants/${tenant}/integration/sync`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.workflows as { scope: string; workflowId: string; runId: string }[];
}

beforeAll(async () => {
  fake = await startFakeRompslomp({ seed: { customers: 250, suppliers: 6, products: 30 } });
  stack = await startStack('rs-e2e', {
    env: {
      ROMPSLOMP_BASE_URL: fake.url,
      OAUTH_REDIRECT_BASE_URL: 'http://simon-api.test',
      // The quota guard is tested on its own; here it must not get in the way of a quick run.
      QUOTA_ROMPSLOMP_PER_DAY: '100000',
      QUOTA_ROMPSLOMP_PER_MINUTE: '100000',
    },
  });
  stack.tenants.push(tenant);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('activation', () => {
  it('starts, wipes all seven tables, and will not hand out an authorize URL before the wipe', async () => {
    const start = await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'rompslomp' });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body).toMatchObject({ status: 'activating', firstActivation: true });
    const early = await api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
    expect(early.status).toBe(409);
    const wipe = await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables });
    expect(wipe.status).toBe(200);
    // Rompslomp has no username/key form: the connect step is the OAuth flow.
    const form = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: 'x', apiKey: 'yyyyyyyy' } });
    expect(form.status).toBe(400);
    expect(form.body.error).toBe('oauth_required');
  });

  it('connects through Rompslomp’s authorize page and our callback; the replayed callback is refused', async () => {
    const connected = await oauthConnect();
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    expect(connected.body).toMatchObject({ connected: true, tenant, provider: 'rompslomp', label: 'Jan Jansen', steps: { wiped: true, connected: true } });
    expect(connected.body.message).toContain('je kunt dit venster sluiten');

    const replay = await api('GET', connected.callbackPath, undefined, null);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_state', reason: 'used' });

    // Tokens are stored sealed; the code was exchanged by the worker, once.
    expect(await sealedCredentials()).toMatch(/^v1\./);
    expect(fake.state.oauthRequests.authorization_code).toBe(1);
    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Integratie`, undefined, tokens.support);
    expect(log.body.entries.map((e: { message: string }) => e.message)).toContain('Koppelen met Rompslomp gelukt (Jan Jansen)');
  });

  it('offers the companies to choose from, the Gratis one marked with its reason', async () => {
    const res = await api('GET', `/v1/tenants/${tenant}/integration/options/companies`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const gratis = res.body.items.find((c: { id: string }) => c.id === String(SEED_GRATIS_COMPANY_ID));
    expect(gratis).toMatchObject({ apiAccessible: false, reason: expect.stringContaining('Gratis') });
    // Two usable companies and none saved yet: the article search needs the company being chosen.
    const unnamed = await api('GET', `/v1/tenants/${tenant}/integration/options/articles?q=werk`);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.message).toContain('Kies eerst een bedrijf');
    const articles = await api('GET', `/v1/tenants/${tenant}/integration/options/articles?q=werk&administration=${SEED_COMPANY_ID}`);
    expect(articles.status, JSON.stringify(articles.body)).toBe(200);
    expect(articles.body.items).toEqual([expect.objectContaining({ id: 'P00008', name: 'Werktijd', externalId: '749588242' })]);
  });

  it('"Controleer" refuses a Gratis company with the reason and an unknown article, each on its own field', async () => {
    const gratis = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { ...settings, companyId: String(SEED_GRATIS_COMPANY_ID) } });
    expect(gratis.status).toBe(200);
    expect(gratis.body.ok).toBe(false);
    const g = Object.fromEntries(gratis.body.checks.map((c: { field: string }) => [c.field, c]));
    expect(g.companyId.error).toContain('Gratis-abonnement');
    expect(g.companyId.found).toMatchObject({ name: 'Klusbedrijf Jansen (Gratis)' });

    const unknown = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { ...settings, workTimeArticle: 'BESTAATNIET' } });
    const u = Object.fromEntries(unknown.body.checks.map((c: { field: string }) => [c.field, c]));
    expect(u.workTimeArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in Rompslomp' });
    expect(u.travelTimeArticle).toMatchObject({ ok: true, found: { id: '795957253', code: 'P00007', name: 'Reistijd' } });
    expect(u.companyId).toMatchObject({ ok: true, found: { name: 'Installatiebedrijf Jansen B.V.' } });

    const refused = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, companyId: String(SEED_GRATIS_COMPANY_ID) } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('settings_invalid');
    expect((await status()).status).toBe('activating');
  });

  it('saves with the daily cadence stated, and imports every customer over several pages of at most 100', async () => {
    const contactPages = fake.state.requests['GET companies/:id/contacts'] ?? 0;
    const saved = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.message).toContain('Integratie succesvol!');
    expect(saved.body.message).toContain('één keer per dag');
    expect(saved.body.message).toContain('Nu synchroniseren');
    for (const id of saved.body.importWorkflowIds) await stack.client.workflow.getHandle(id).result();

    const s = await status();
    expect(s.status).toBe('active');
    const progress = Object.fromEntries(s.initialImport.map((p: { entity: string }) => [p.entity, p]));
    expect(progress.customers).toMatchObject({ recordsDone: 250, recordsTotal: 250 });
    expect(progress.articles).toMatchObject({ recordsDone: 30, recordsTotal: 30 });
    // 250 customers in pages of 100 (the fake refuses more per page): three pages.
    expect(fake.state.requests['GET companies/:id/contacts'] - contactPages).toBe(3);
    expect(await count('simon.customers')).toBe(250);
    expect(await count('simon.articles')).toBe(30);
    expect(await count('simon.article_groups')).toBe(0);

    const [travel] = await stack.database.sql`select external_id, code, description from simon.articles where tenant_id = ${tenant} and code = 'P00007'`;
    expect(travel).toEqual({ external_id: '795957253', code: 'P00007', description: 'Reistijd' });
    const suppliers = company().contacts.filter((c) => c.is_supplier).map((c) => String(c.id));
    const imported = await stack.database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant} and external_id = any(${suppliers})`;
    expect(imported[0].n).toBe(0);
  });

  it('has one automatic sync a day in the night window (Europe/Amsterdam)', async () => {
    const desc = await stack.client.schedule.getHandle(`sync/${tenant}`).describe();
    expect(desc.spec.intervals ?? []).toHaveLength(0);
    const [calendar] = desc.spec.calendars ?? [];
    const hours = (calendar.hour as { start: number }[]).map((h) => h.start);
    expect(hours).toHaveLength(1);
    expect(hours[0]).toBeGreaterThanOrEqual(1);
    expect(hours[0]).toBeLessThanOrEqual(4);
    expect(desc.spec.timezone).toBe('Europe/Amsterdam');
  });
});

describe('sync', () => {
  const customerName = async (contact: FakeRsContact) =>
    (await stack.database.sql`select name from simon.customers where tenant_id = ${tenant} and external_id = ${String(contact.id)}`)[0]?.name as string | undefined;
  const articleRow = async (id: number) =>
    (await stack.database.sql`select description, sales_price::text as price from simon.articles where tenant_id = ${tenant} and external_id = ${String(id)}`)[0];

  it('picks up changed and new records on the next daily run, comparing full listings by content', async () => {
    const contact = company().contacts.find((c) => !c.is_individual && !c.is_supplier)!;
    contact.company_name = 'Gewijzigd Installatiebedrijf B.V.';
    const product = company().products[10];
    product.invoice_line.price_per_unit = '99.95';
    const added: FakeRsContact = { ...contact, id: 573_799_999, company_name: 'Nieuwe Klant B.V.', contact_number: 'K09999' };
    company().contacts.push(added);
    const logsBefore = await count('integration.log_entries');

    await stack.client.schedule.getHandle(`sync/${tenant}`).trigger();
    await eventually(async () => (await customerName(added)) === 'Nieuwe Klant B.V.' && Number((await articleRow(product.id))?.price) === 99.95, 30_000, 200);
    expect(await customerName(contact)).toBe('Gewijzigd Installatiebedrijf B.V.');
    await eventually(async () => {
      const runs = await stack.database.sql`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and message in ('Klant gewijzigd in Simon', 'Klant toegevoegd aan Simon', 'Wijzigen Artikel in Simon is gelukt')`;
      return runs[0].n >= 3;
    });
    // Only what changed is written and logged: three entries, not 280.
    expect((await count('integration.log_entries')) - logsBefore).toBeLessThan(10);
  });

  it('"Nu synchroniseren" for customers only leaves articles alone, and for articles only the customers', async () => {
    const contact = company().contacts.find((c) => !c.is_individual && !c.is_supplier && c.company_name !== 'Gewijzigd Installatiebedrijf B.V.')!;
    const product = company().products[11];
    contact.company_name = 'Alleen Klanten B.V.';
    product.invoice_line.description = 'Alleen Artikelen';

    const customersRun = await syncNow({ customers: true });
    expect(customersRun.map((w) => w.scope)).toEqual(['customers']);
    for (const w of customersRun) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    expect(await customerName(contact)).toBe('Alleen Klanten B.V.');
    expect((await articleRow(product.id))?.description).not.toBe('Alleen Artikelen');

    contact.company_name = 'Weer Anders B.V.';
    const articlesRun = await syncNow({ articles: true });
    expect(articlesRun.map((w) => w.scope)).toEqual(['articles']);
    for (const w of articlesRun) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    expect((await articleRow(product.id))?.description).toBe('Alleen Artikelen');
    expect(await customerName(contact)).toBe('Alleen Klanten B.V.');
  });
});

describe('archive → concept invoice', () => {
  let customerId: string;
  let customerExternalId: string;
  let material: { id: string; external_id: string; code: string };
  let n = 0;

  beforeAll(async () => {
    const [c] = await stack.database.sql`select id, external_id from simon.customers where tenant_id = ${tenant} order by number limit 1`;
    customerId = c.id;
    customerExternalId = c.external_id;
    const [a] = await stack.database.sql`select id, external_id, code from simon.articles where tenant_id = ${tenant} and code = 'P00105'`;
    material = a as unknown as typeof material;
  });

  function workOrder(overrides: Record<string, unknown> = {}) {
    n++;
    return {
      number: `WB-${2000 + n}`, status: 'completed', customerId, workAddressId: null,
      description: 'Cv-ketel onderhoud\nFilter vervangen', customerReference: 'REF-9', assignedUserId: 'user-1',
      workMinutes: 120, travelMinutes: 15, materials: [{ articleId: material.id, quantity: 3, price: 12.5 }],
      ...overrides,
    };
  }
  const invoicesFor = (reference: string) => company().salesInvoices.filter((i) => i.api_reference === reference);
  const exportOf = async (id: string) => (await api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`, undefined, tokens.support)).body;
  const settled = (id: string) => eventually(async () => {
    const e = await exportOf(id);
    return e.state !== 'pending' ? e : undefined;
  }, 30_000, 50);
  const archive = (id: string, wo: Record<string, unknown>) => api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend);

  it('turns a work order into one concept invoice whose api_reference is the work order’s reference', async () => {
    const id = `wo-rs-${n + 1}`;
    const res = await archive(id, workOrder());
    expect(res.status).toBe(202);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(e.reference).toMatch(/^simon-[0-9a-f]{32}$/);
    const invoices = invoicesFor(e.reference);
    expect(invoices).toHaveLength(1);
    const inv = invoices[0];
    expect(String(inv.id)).toBe(e.documentId);
    expect(inv).toMatchObject({ status: 'concept', contact_id: Number(customerExternalId), description: `Werkbon WB-${2000 + n}` });
    expect(inv.invoice_lines.map((l) => [l.description.split('\n')[0], l.quantity, l.price_per_unit, l.product_id === null ? null : String(l.product_id)])).toEqual([
      ['Cv-ketel onderhoud', '1.0', '0.0', null],
      ['Werktijd', '2.0', '62.5', '749588242'],
      ['Reistijd', '0.25', '45.0', '795957253'],
      [expect.any(String), '3.0', '12.50', material.external_id],
      ['standaard', '1.0', '35.0', '1468038998'],
    ]);
    // Rompslomp sends the whole description as the first line (docs/document.md).
    expect(inv.invoice_lines[0].description).toBe('Cv-ketel onderhoud\nFilter vervangen');
    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`, undefined, tokens.support);
    expect(log.body.entries[0].message).toBe(`Conceptfactuur aangemaakt in Rompslomp voor werkbon WB-${2000 + n}`);
  });

  it('books 20 minutes of work as 0.333333 hours, so the amount is right (20.83 at 62.50 an hour, not 20.63)', async () => {
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder({ workMinutes: 20, travelMinutes: 0, materials: [] }));
    const e = await settled(id);
    expect(e.state).toBe('sent');
    const [inv] = invoicesFor(e.reference);
    const work = inv.invoice_lines.find((l) => l.product_id === 749588242)!;
    expect(work).toMatchObject({ quantity: '0.333333', price_per_unit: '62.5', price_without_vat: '20.83' });
    // The work line and the default article (35.0).
    expect(inv.price_without_vat).toBe('55.83');
  });

  it('still makes exactly one invoice when Rompslomp answers 504 after committing it', async () => {
    const id = `wo-rs-${n + 1}`;
    fake.faults.timeoutAfterCommit = { path: 'sales_invoices', method: 'POST', count: 1 };
    const posts = fake.state.requests['POST companies/:id/sales_invoices'] ?? 0;
    await archive(id, workOrder());
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(e.attempts).toBe(2);
    expect(fake.state.requests['POST companies/:id/sales_invoices']).toBe(posts + 1);
    expect(invoicesFor(e.reference)).toHaveLength(1);
    expect(String(invoicesFor(e.reference)[0].id)).toBe(e.documentId);
  });

  it('fails a work order without a customer and says what to do', async () => {
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder({ customerId: null }));
    const e = await settled(id);
    expect(e.state).toBe('failed');
    expect(e.error.code).toBe('no-customer');
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error&table=Werkbon`, undefined, tokens.support);
    expect(logs.body.entries.find((x: { simonId: string }) => x.simonId === id).action).toBe("Koppel een klant uit Rompslomp aan de werkbon en kies 'Opnieuw versturen'");
    expect(invoicesFor(e.reference)).toHaveLength(0);
  });

  it('skips a work order whose description holds the exclude word', async () => {
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder({ description: 'Lekkage Garantie' }));
    const e = await settled(id);
    expect(e.state).toBe('skipped');
    expect(invoicesFor(e.reference)).toHaveLength(0);
  });

  it('refreshes an access token that lapses in the middle of a run, and stores the new tokens sealed', async () => {
    const before = await sealedCredentials();
    const refreshes = fake.state.oauthRequests.refresh_token;
    const errors = await stack.database.sql`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and severity = 'error'`;
    fake.faults.expireAccessTokensAfter = 1;
    const run = await syncNow({ customers: true });
    for (const w of run) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
    expect(fake.faults.expireAccessTokensAfter).toBeNull();
    expect(fake.state.oauthRequests.refresh_token - refreshes).toBe(1);
    expect(await sealedCredentials()).not.toBe(before);
    expect((await status()).status).toBe('active');
    const after = await stack.database.sql`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and severity = 'error'`;
    expect(after[0].n).toBe(errors[0].n);

    // The refreshed tokens are the ones used next: an export goes through without another refresh.
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder());
    expect((await settled(id)).state).toBe('sent');
    expect(fake.state.oauthRequests.refresh_token - refreshes).toBe(1);
  });

  async function reconnectAndResume() {
    const again = await oauthConnect();
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const resumed = await api('POST', `/v1/tenants/${tenant}/integration/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    return resumed.body;
  }

  it('pauses the integration when Rompslomp revoked the refresh token, with an entry that says to connect again', async () => {
    fake.revokeAll();
    const run = await syncNow({ customers: true });
    await expect(stack.client.workflow.getHandle(run[0].workflowId, run[0].runId).result()).rejects.toThrow();

    const s = await status();
    expect(s.status).toBe('paused');
    const schedule = await stack.client.schedule.getHandle(`sync/${tenant}`).describe();
    expect(schedule.state.paused).toBe(true);
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error&table=Integratie`, undefined, tokens.support);
    const entry = logs.body.entries.find((e: { message: string }) => e.message.includes('de integratie is gepauzeerd'));
    expect(entry.message).toContain('De koppeling met Rompslomp is verlopen of ingetrokken');
    expect(entry.action).toContain('Koppel Rompslomp opnieuw');
    expect(await api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true })).toMatchObject({ status: 409 });

    // Connecting again while paused, then resuming, brings it back.
    const resumed = await reconnectAndResume();
    expect(resumed.status).toBe('active');
    const ok = await syncNow({ customers: true });
    for (const w of ok) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();
  });

  it('an export that meets a revoked authorisation waits as pending while paused and is sent after connecting again', async () => {
    fake.revokeAll();
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder());
    await eventually(async () => (await status()).status === 'paused', 30_000, 100);
    const handle = stack.client.workflow.getHandle(`export/${tenant}/${id}`);
    expect((await handle.result()).state).toBe('pending');
    expect((await exportOf(id)).state).toBe('pending');

    const resumed = await reconnectAndResume();
    expect(resumed.resent).toBe(1);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(invoicesFor(e.reference)).toHaveLength(1);
  });

  it('after one 429 with Retry-After, a second activity of the same tenant calls Rompslomp only once the wait is over', async () => {
    const retryAfterSeconds = 4;
    const since = Date.now();
    const requestsSince = () => fake.state.requestLog.filter((r) => r.at >= since);
    fake.faults.failNext.push({ status: 429, method: 'GET', path: 'contacts', retryAfterSeconds });
    const run = await syncNow({ customers: true });
    const limited = await eventually(() => Promise.resolve(requestsSince().find((r) => r.status === 429)), 30_000, 20);
    const holdEnds = limited.at + retryAfterSeconds * 1000;

    // The second activity: an export of the same tenant, started while the wait lasts.
    const id = `wo-rs-${n + 1}`;
    await archive(id, workOrder());
    expect(Date.now()).toBeLessThan(holdEnds);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    // Its first attempt was held back before any call (the create was not even tried), the next one sent it.
    expect(e.attempts).toBeGreaterThanOrEqual(2);
    for (const w of run) await stack.client.workflow.getHandle(w.workflowId, w.runId).result();

    const after = requestsSince();
    const ofTenant = after.filter((r) => r.grant === limited.grant);
    expect(ofTenant.filter((r) => r.at > limited.at && r.at < holdEnds)).toEqual([]);
    expect(after.filter((r) => r.at > limited.at && r.at < holdEnds)).toEqual([]);
    // After the wait both went on: the listing was read again and the invoice created, once.
    expect(ofTenant.filter((r) => r.at >= holdEnds && r.path === 'companies/:id/contacts').length).toBeGreaterThan(0);
    expect(ofTenant.filter((r) => r.method === 'POST' && r.path === 'companies/:id/sales_invoices')).toHaveLength(1);
    expect(invoicesFor(e.reference)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('keeps tokens and codes out of API responses, the log and every workflow history of the tenant', async () => {
    const secrets = [...fake.state.accessTokens.keys(), ...fake.state.refreshTokens.keys(), ...fake.state.codes.keys()];
    expect(secrets.length).toBeGreaterThan(6);
    const all = responses.join('\n');
    const logs = JSON.stringify(await stack.database.sql`select message, action from integration.log_entries where tenant_id = ${tenant}`);
    const histories: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `TenantId = "${tenant}"` })) {
      histories.push(JSON.stringify(await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()));
    }
    expect(histories.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      expect(logs).not.toContain(secret);
      for (const h of histories) expect(h).not.toContain(secret);
    }
  });
});
