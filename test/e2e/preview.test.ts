import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as messages from '../../lib/messages.js';
import { providers } from '../../lib/providers.js';
import { harnesses, type HarnessFake, type ProviderHarness } from '../helpers/harness/index.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { factuurSturenHarness } from '../helpers/harness/factuursturen.js';
import { vismaNetHarness } from '../helpers/harness/visma-net.js';

/**
 * The document preview (docs/preview.md) against every package's fake, on the real stack: the preview's request body
 * is what the package receives when the same snapshot is archived, every problem kind comes with its Dutch action,
 * and a preview writes nothing upstream.
 */

const cases = Object.values(harnesses).map((h) => h()).filter((h): h is ProviderHarness => h !== null);

interface Problem { code: string; message: string; action: string; detail: string | null }

describe.each(cases.map((h) => [providers[h.provider].name, h] as const))('%s: document preview', (name, harness) => {
  let stack: Stack;
  let fake: HarnessFake;
  const tenant = uniqueTenant(`preview-${harness.provider}`);
  let n = 0;
  let customers: { id: string; name: string }[];
  let material: { id: string; code: string };
  /** An article Simon holds with an external id the package does not know (removed upstream since the sync). */
  let goneArticle: { id: string; code: string };

  beforeAll(async () => {
    fake = await harness.start();
    stack = await startStack(`preview-${harness.provider}`, { env: fake.env });
    await fake.activate(stack, tenant);
    customers = (await stack.database.sql`
      select id, name from simon.customers where tenant_id = ${tenant} and active and external_id is not null order by number limit 2`) as unknown as { id: string; name: string }[];
    const [settings] = await stack.database.sql`select settings from integration.settings_versions where tenant_id = ${tenant} order by id desc limit 1`;
    const s = settings.settings as Record<string, string | null>;
    const settingCodes = [s.workTimeArticle, s.travelTimeArticle, s.defaultArticle].filter((c): c is string => !!c);
    const [article] = await stack.database.sql`
      select id, code from simon.articles where tenant_id = ${tenant} and active and external_id is not null and code <> all(${settingCodes}) order by code limit 1`;
    material = { id: article.id as string, code: article.code as string };
    const [gone] = await stack.database.sql`
      insert into simon.articles (tenant_id, code, description, external_id) values (${tenant}, 'WEG-1', 'Opgeheven artikel', '999999') returning id, code`;
    goneArticle = { id: gone.id as string, code: gone.code as string };
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  const snapshot = (id: string, over: Record<string, unknown> = {}) => ({
    number: `P${id.slice(-10)}`, status: 'completed', customerId: customers[0].id, workAddressId: null, description: 'Onderhoud cv-ketel\nFilter vervangen',
    customerReference: 'PO-77', assignedUserId: null, workMinutes: 90, travelMinutes: 20,
    materials: [{ articleId: material.id, description: null, quantity: 2, price: 12.5 }, { articleId: material.id, description: 'Zelfde artikel, eigen prijs van het pakket', quantity: 1, price: null }],
    workOrderPdf: fake.pdfUrl?.(id) ?? null,
    ...over,
  });
  const preview = (id: string, body: unknown, token: string = tokens.backend) => stack.api('POST', `/v1/tenants/${tenant}/work-orders/${id}/preview`, body, token);
  const subject = (number: string, documentType: 'invoice' | 'salesOrder') => ({ provider: harness.provider, workOrderNumber: number, documentType });

  it('the preview\'s request body is what the package receives when the same snapshot is archived; the preview wrote nothing', async () => {
    const id = `same-${++n}`;
    const body = snapshot(id);
    const documentsBefore = fake.documents().length;
    const createsBefore = fake.receivedCreates().length;

    const res = await preview(id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.problems).toEqual([]);
    expect(res.body.outcome).toBe('send');
    expect(res.body.requestBody).not.toBeNull();
    const doc = res.body.document;
    expect(doc.customer).toEqual({ externalId: expect.any(String), name: customers[0].name });
    const articleLines = doc.lines.filter((l: { kind: string }) => l.kind === 'article');
    expect(articleLines.map((l: { role: string }) => l.role)).toEqual(['work-time', 'travel-time', 'material', 'material', 'default']);
    expect(articleLines[0].quantity).toBe(1.5);
    expect(articleLines[2]).toMatchObject({ articleCode: material.code, quantity: 2, unitPrice: '12.50' });
    expect(articleLines[3]).toMatchObject({ articleCode: material.code, quantity: 1, unitPrice: null });
    expect(doc.reference).toEqual(expect.any(String));
    if (fake.pdfUrl) expect(doc.attachments).toEqual([{ kind: 'workOrderPdf', fileName: `Werkbon ${body.number}.pdf`, source: fake.pdfUrl(id) }]);
    // No write upstream: no document, no create request, nothing recorded in Simon.
    expect(fake.documents().length).toBe(documentsBefore);
    expect(fake.receivedCreates().length).toBe(createsBefore);
    expect((await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`)).status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/token|password|apiKey|secret/i);

    const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, body, tokens.backend);
    expect(archived.status, JSON.stringify(archived.body)).toBe(202);
    const exp = await eventually(async () => {
      const e = (await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`)).body as Record<string, unknown>;
      return e.state !== 'pending' ? e : undefined;
    }, 120_000, 200);
    expect(exp.state, JSON.stringify(exp)).toBe('sent');
    expect(exp.reference).toBe(doc.reference);
    const received = fake.receivedCreates().slice(createsBefore);
    expect(received).toHaveLength(1);
    expect(received[0]).toEqual(res.body.requestBody);
  }, 180_000);

  it('every problem that would make the export fail, each with its Dutch action; still no write upstream', async () => {
    const id = `problems-${++n}`;
    const otherAddress = await stack.api('POST', `/v1/tenants/${tenant}/customers/${customers[1].id}/work-addresses`, { street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven' }, tokens.backend);
    expect(otherAddress.status, JSON.stringify(otherAddress.body)).toBe(201);
    const documentsBefore = fake.documents().length;
    const createsBefore = fake.receivedCreates().length;
    const body = snapshot(id, {
      workAddressId: otherAddress.body.id,
      materials: [
        { articleId: null, description: 'Los materiaal', quantity: 1, price: 5 },
        { articleId: goneArticle.id, description: null, quantity: 1, price: null },
      ],
    });

    const res = await preview(id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = subject(body.number, res.body.documentType);
    const problems = res.body.problems as Problem[];
    expect(problems.map((p) => p.code)).toEqual(['work-address-other-customer', 'article-not-synced', 'article-not-found-upstream']);
    const address = 'Dunantstraat 140, 2131 RT Eindhoven';
    expect(problems[0]).toEqual({ code: 'work-address-other-customer', ...messages.exportWorkAddressOtherCustomer({ ...s, address }), detail: address });
    expect(problems[1]).toEqual({ code: 'article-not-synced', ...messages.exportArticleNotSynced({ ...s, role: 'material', article: null, lineDescription: 'Los materiaal' }), detail: 'Los materiaal' });
    expect(problems[2]).toMatchObject({ code: 'article-not-found-upstream', detail: goneArticle.code });
    expect(problems[2].message).toContain(goneArticle.code);
    expect(problems[2].action).toBe(messages.previewArticleGoneUpstream({ ...s, code: goneArticle.code, reason: '' }).action);
    expect(res.body.requestBody).toBeNull();

    const noCustomer = await preview(id, snapshot(id, { customerId: null }));
    expect(noCustomer.status).toBe(200);
    expect(noCustomer.body.problems).toEqual([{ code: 'no-customer', ...messages.exportNoCustomer(s), detail: null }]);
    expect(noCustomer.body.document.customer).toBeNull();
    expect(noCustomer.body.document.lines.length).toBeGreaterThan(0);

    expect(fake.documents().length).toBe(documentsBefore);
    expect(fake.receivedCreates().length).toBe(createsBefore);
  }, 120_000);

  it(`answers 400 with the field, 404 for an unknown tenant (${name})`, async () => {
    const bad = await preview('bad-1', snapshot('bad-1', { workMinutes: -5 }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toContain('workMinutes');
    const unknown = await stack.api('POST', `/v1/tenants/nobody-${tenant}/work-orders/x/preview`, snapshot('x'), tokens.backend);
    expect(unknown.status).toBe(404);
  }, 60_000);

  // Last: it saves new settings (the settings in force now build the preview).
  it('with the exclusion filter word in force: the preview says the export would skip the work order', async () => {
    const [latest] = await stack.database.sql`select settings from integration.settings_versions where tenant_id = ${tenant} order by id desc limit 1`;
    const saved = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...(latest.settings as object), excludeFilterWord: 'garantie' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const id = `skip-${++n}`;
    const res = await preview(id, snapshot(id, { description: 'Garantie: lekkage verholpen' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.outcome).toBe('skip');
    expect(res.body.skipped).toEqual(messages.exportSkippedExcludeWord({ ...subject(res.body.document.workOrderNumber, res.body.documentType), word: 'garantie' }));
    expect(res.body.requestBody).toBeNull();
  }, 120_000);
});

describe('Visma.net: a warehouse that is gone upstream', () => {
  let stack: Stack;
  let fake: HarnessFake;
  const tenant = uniqueTenant('preview-wh');

  beforeAll(async () => {
    fake = await vismaNetHarness.start();
    stack = await startStack('preview-wh', { env: fake.env });
    // BUS1 exists when the settings are saved ("Controleer" checks it) and is deactivated in Visma.net afterwards.
    await fake.activate(stack, tenant, { warehouse: { perUser: false, default: 'BUS1' } });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('names the warehouse with the action, and writes nothing', async () => {
    const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id is not null order by number limit 1`;
    const before = fake.receivedCreates().length;
    fake.deactivateWarehouse!('BUS1');
    const body = {
      number: 'WH-1', status: 'completed', customerId: c.id, workAddressId: null, description: 'Onderhoud', customerReference: null,
      assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [], workOrderPdf: null,
    };
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wh-1/preview`, body, tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = { provider: 'visma-net' as const, workOrderNumber: 'WH-1', documentType: 'salesOrder' as const };
    expect(res.body.problems).toEqual([{
      code: 'warehouse-missing', detail: 'BUS1',
      ...messages.previewWarehouseMissing({ ...s, warehouse: 'BUS1', reason: messages.vismaNetTexts.warehouseGone('BUS1') }),
    }]);
    expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual(['attachment-missing']);
    expect(fake.receivedCreates().length).toBe(before);
  }, 120_000);
});

describe('the preview route: an integration that is not active, a package that is away', () => {
  let stack: Stack;
  let fake: HarnessFake;

  beforeAll(async () => {
    fake = await factuurSturenHarness.start();
    stack = await startStack('preview-inactive', { env: fake.env });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('409 while the tenant is still being activated', async () => {
    const tenant = uniqueTenant('preview-inactive');
    stack.tenants.push(tenant);
    expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' })).status).toBe(200);
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-1/preview`, {
      number: '1', status: 'open', customerId: null, workAddressId: null, description: '', customerReference: null,
      assignedUserId: null, workMinutes: 0, travelMinutes: 0, materials: [],
    }, tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error).toBe('integration_not_active');
  }, 60_000);

  it('503 when the package stays away through the few tries a waiting caller gets', async () => {
    const tenant = uniqueTenant('preview-away');
    await fake.activate(stack, tenant);
    const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id is not null limit 1`;
    const [a] = await stack.database.sql`select id from simon.articles where tenant_id = ${tenant} and external_id is not null limit 1`;
    const faults = fake.faults.failNext;
    for (let i = 0; i < 3; i++) faults.push({ method: 'GET', path: 'products', status: 503 });
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-away/preview`, {
      number: '2', status: 'completed', customerId: c.id, workAddressId: null, description: 'Onderhoud', customerReference: null,
      assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [{ articleId: a.id, quantity: 1, price: null }],
    }, tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(faults).toHaveLength(0);
  }, 120_000);
});
