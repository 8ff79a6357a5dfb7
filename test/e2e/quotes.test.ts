import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import { DEFAULT_FS_ACCOUNT, seedFactuurSturen, type FakeFsQuotation } from '../../fakes/factuursturen/server.js';
import { createFactuurSturenConnector } from '../../connectors/factuursturen/connector.js';
import type { ExternalQuote } from '../../connectors/types.js';
import { deleteTenantSchedules } from '../../lib/schedules.js';
import { quoteImportWorkflow } from '../../workflows/index.js';
import { activate } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * Quote import end to end (issue 4, docs/quotes.md): real Temporal dev server, real Postgres, the fake FactuurSturen
 * over HTTP. One tenant is activated with quotes on; the scenarios run in order against it. The quote schedule
 * is paused while runs are started by hand, so a scheduled run cannot race the counts; the schedule itself is
 * exercised at the end.
 */
let stack: Stack;
const tenant = uniqueTenant('quotes');
const quoteSchedule = () => stack.client.schedule.getHandle(`quotes/${tenant}`);

const baseSettings = {
  provider: 'factuursturen',
  termsAccepted: true,
  workTimeArticle: '0002',
  travelTimeArticle: '0001',
  defaultArticle: null,
  excludeFilterWord: '',
};
const quotesOn = { enabled: true, includeFilterWord: 'WB', includeLines: true, workDescriptionFrom: 'quoteName', customerReferenceFrom: 'both' };

async function saveSettings(quotes: Record<string, unknown>) {
  const res = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...baseSettings, quotes } });
  expect(res.status).toBe(200);
  return res.body;
}

let runs = 0;
function runImport() {
  return stack.client.workflow.execute(quoteImportWorkflow, {
    taskQueue: stack.taskQueue,
    workflowId: `quotes/${tenant}/test-${++runs}`,
    args: [{ tenantId: tenant, provider: 'factuursturen' }],
  });
}

/** A quotation in the real API's fields (docs/providers/factuursturen.md §6): `savename`, `quotationreference`, no line codes. */
const fakeQuote = (over: Partial<FakeFsQuotation> & Pick<FakeFsQuotation, 'id' | 'clientnr' | 'savename'>): FakeFsQuotation => ({
  quotationreference: `2024-${String(over.id).padStart(4, '0')}`,
  reference: {},
  notes: '',
  lines: [],
  date: '2024-05-01',
  approved: false,
  customstatus: '',
  profile: 1,
  quotationperiod: 30,
  ...over,
});

async function quoteWorkOrders() {
  const res = await stack.api('GET', `/v1/tenants/${tenant}/work-orders?source=quote&limit=500`, undefined, tokens.backend);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}
const byQuote = async (quoteId: string) => (await quoteWorkOrders()).find((w) => w.sourceQuoteId === quoteId);

async function logs(query: string) {
  const res = await stack.api('GET', `/v1/tenants/${tenant}/logs?table=Offerte&limit=200&${query}`, undefined, tokens.support);
  expect(res.status).toBe(200);
  return res.body.entries as any[];
}

async function customerId(clientnr: number): Promise<string> {
  const rows = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id = ${String(clientnr)}`;
  return rows[0].id as string;
}
async function articleId(code: string): Promise<string> {
  const rows = await stack.database.sql`select id from simon.articles where tenant_id = ${tenant} and code = ${code} and external_id is not null`;
  return rows[0].id as string;
}

beforeAll(async () => {
  stack = await startStack('quotes-e2e');
  stack.tenants.push(tenant);
  seedFactuurSturen(stack.fake.state, { groups: 3, products: 40, clients: 30 });

  const saved = await activate(stack, { provider: 'factuursturen', tenant, baseSettings, settings: { quotes: quotesOn }, waitForImport: false });
  expect(saved.importWorkflowIds.length).toBeGreaterThan(0);
  await quoteSchedule().pause('test: runs are started by hand');
  for (const id of saved.importWorkflowIds) await stack.client.workflow.getHandle(id).result();

  // Five quotes, two of them with the include word "WB" (in the name; in the reference, lower case).
  stack.fake.state.quotations.push(
    fakeQuote({
      id: 1, clientnr: 1001, savename: 'WB Onderhoud cv-ketel', reference: { line1: 'Fam. de Vries', line2: 'Dunantstraat 140' }, notes: 'Sleutel bij de buren',
      lines: [
        { amount: 1, description: 'Ketel reinigen en afstellen', price: 95 },
        { amount: 3, description: '1010 Koperen bocht', price: 12.5 },
        { amount: 2, description: '1011 Filter', price: 4 },
      ],
    }),
    fakeQuote({ id: 2, clientnr: 1002, savename: 'Lekkage badkamer', reference: { line1: 'wb-project 88' }, lines: [{ amount: 1, description: '1012 Sifon', price: 30 }] }),
    fakeQuote({ id: 3, clientnr: 1003, savename: 'Offerte nieuwe keuken', reference: { line1: 'Keuken' }, notes: 'Keuken plaatsen, oude afvoeren', lines: [{ amount: 1, description: '1013 Mengkraan', price: 80 }] }),
    fakeQuote({ id: 4, clientnr: 1004, savename: 'Jaarcontract', notes: 'Jaarlijks onderhoud' }),
    fakeQuote({ id: 5, clientnr: 1005, savename: 'Dakgoot vervangen', reference: { line1: 'Zinken goot', line2: 'achterzijde' } }),
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('FactuurSturen quotes over HTTP', () => {
  it('pages through the quote listing: every quote once, in id order, with its fields', async () => {
    const connector = createFactuurSturenConnector({ baseUrl: stack.fake.url, credentials: { ...DEFAULT_FS_ACCOUNT } });
    const seen: ExternalQuote[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<NonNullable<typeof connector.listQuotes>>> = await connector.listQuotes!({ cursor, since: null, pageSize: 2 });
      seen.push(...page.records);
      expect(page.total).toBe(5);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.map((q) => q.externalId)).toEqual(['1', '2', '3', '4', '5']);
    expect(seen[0]).toMatchObject({
      number: '2024-0001', name: 'WB Onderhoud cv-ketel', reference: 'Fam. de Vries\nDunantstraat 140', memo: 'Sleutel bij de buren', customerExternalId: '1001',
    });
    expect(seen[0].lines[2]).toEqual({ articleExternalId: null, articleCode: null, description: '1011 Filter', quantity: 2, unitPrice: '4' });
    // Read from `quotations`; `quotes` does not exist in FactuurSturen.
    expect(stack.fake.state.requests['GET quotations']).toBeGreaterThan(0);
    expect(stack.fake.state.requests['GET quotes']).toBeUndefined();
  });
});

describe('quote import', () => {
  it('makes a work order of each of the two matching quotes, with lines, description and reference per the settings', async () => {
    const first = await runImport();
    expect(first).toMatchObject({ skipped: null, listed: 5, matching: 2, imported: 2, alreadyImported: 0, waitingForCustomer: 0 });

    const orders = await quoteWorkOrders();
    expect(orders.map((w) => w.sourceQuoteId).sort()).toEqual(['1', '2']);
    const one = orders.find((w) => w.sourceQuoteId === '1');
    expect(one).toMatchObject({
      number: 'OF-2024-0001',
      status: 'open',
      source: 'quote',
      customerId: await customerId(1001),
      description: 'WB Onderhoud cv-ketel',
      customerReference: 'WB Onderhoud cv-ketel / Fam. de Vries Dunantstraat 140',
      notes: 'Ketel reinigen en afstellen',
    });
    expect(one.simonMutatedAt).toBeTruthy();
    expect(one.materials.map((m: any) => [m.position, m.articleId, m.description, Number(m.quantity), Number(m.price)])).toEqual([
      [1, await articleId('1010'), 'Koperen bocht', 3, 12.5],
      [2, await articleId('1011'), 'Filter', 2, 4],
    ]);
    const two = orders.find((w) => w.sourceQuoteId === '2');
    expect(two).toMatchObject({ number: 'OF-2024-0002', description: 'Lekkage badkamer', customerReference: 'Lekkage badkamer / wb-project 88', notes: null });
    expect(two.materials.map((m: any) => [m.articleId, Number(m.quantity)])).toEqual([[await articleId('1012'), 1]]);

    const info = await logs('severity=info');
    expect(info.map((e) => e.message).sort()).toEqual([
      'Offerte 2024-0001 uit FactuurSturen is werkbon OF-2024-0001 geworden',
      'Offerte 2024-0002 uit FactuurSturen is werkbon OF-2024-0002 geworden',
    ]);
    expect(info.find((e) => e.providerId === '1').simonId).toBe(one.id);
    // The text line without an article became a note and a warning naming it (§14.15).
    const warnings = await logs('severity=warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ providerId: '1', simonId: one.id });
    expect(warnings[0].message).toContain("Regel 'Ketel reinigen en afstellen' van offerte 2024-0001");
  });

  it('imports each quote only once: again, and after a worker restart', async () => {
    const second = await runImport();
    expect(second).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });
    await stack.stopWorker();
    await stack.startWorker();
    const third = await runImport();
    expect(third).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });

    expect(await quoteWorkOrders()).toHaveLength(2);
    const imported = await stack.database.sql`select quote_id from integration.imported_quotes where tenant_id = ${tenant} order by quote_id`;
    expect(imported.map((r) => r.quote_id)).toEqual(['1', '2']);
    expect(await logs('severity=info')).toHaveLength(2);
  });

  it('does not carry later edits of a quote over to Simon', async () => {
    const before = await quoteWorkOrders();
    const q1 = stack.fake.state.quotations.find((q) => q.id === 1)!;
    q1.savename = 'WB Onderhoud cv-ketel EN boiler';
    q1.notes = 'Gewijzigd';
    q1.lines.push({ amount: 5, description: '1014 Extra', price: 1 });
    const run = await runImport();
    expect(run).toMatchObject({ imported: 0, alreadyImported: 2 });
    expect(await quoteWorkOrders()).toEqual(before);
  });

  it('logs an error with an action for a quote whose customer is unknown, and imports it once the customer is synced', async () => {
    stack.fake.state.quotations.push(fakeQuote({ id: 6, clientnr: 9001, savename: 'WB Spoedklus nieuwe klant', lines: [{ amount: 1, description: '1010 Bocht', price: 10 }] }));
    const run = await runImport();
    expect(run).toMatchObject({ imported: 0, waitingForCustomer: 1 });
    expect(await byQuote('6')).toBeUndefined();
    const errors = await logs('severity=error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ providerId: '6', severity: 'error' });
    expect(errors[0].message).toBe('Offerte 2024-0006 uit FactuurSturen is niet overgenomen: de klant van de offerte is niet bekend in Simon');
    expect(errors[0].action).toContain('Controleer de klant van de offerte in FactuurSturen');

    // Retried every run, but the log says it once.
    expect(await runImport()).toMatchObject({ waitingForCustomer: 1 });
    expect(await logs('severity=error')).toHaveLength(1);
    const notImported = await stack.database.sql`select 1 from integration.imported_quotes where tenant_id = ${tenant} and quote_id = '6'`;
    expect(notImported).toHaveLength(0);

    // The customer is added in FactuurSturen and synced; the next run imports the quote.
    stack.fake.state.clients.push({ ...stack.fake.state.clients[0], clientnr: 9001, company: 'Spoed B.V.', active: true });
    const sync = await stack.api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true });
    expect(sync.status).toBe(202);
    for (const wf of sync.body.workflows) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).result();
    expect(await runImport()).toMatchObject({ imported: 1, waitingForCustomer: 0 });
    const wo = await byQuote('6');
    expect(wo).toMatchObject({ number: 'OF-2024-0006', customerId: await customerId(9001), description: 'WB Spoedklus nieuwe klant' });
    expect(wo.materials).toHaveLength(1);
  });

  it('applies a later settings version: empty filter takes all, memo as description, reference as customer reference, no lines', async () => {
    await saveSettings({ enabled: true, includeFilterWord: '', includeLines: false, workDescriptionFrom: 'memo', customerReferenceFrom: 'quoteReference' });
    const run = await runImport();
    expect(run).toMatchObject({ listed: 6, matching: 6, imported: 3, alreadyImported: 3 });
    expect(await byQuote('3')).toMatchObject({ description: 'Keuken plaatsen, oude afvoeren', customerReference: 'Keuken', materials: [], notes: null });
    expect(await byQuote('4')).toMatchObject({ description: 'Jaarlijks onderhoud', customerReference: null });
    expect(await byQuote('5')).toMatchObject({ description: '', customerReference: 'Zinken goot achterzijde' });
    // The quotes imported under the first version keep what they got then.
    expect(await byQuote('1')).toMatchObject({ description: 'WB Onderhoud cv-ketel', customerReference: 'WB Onderhoud cv-ketel / Fam. de Vries Dunantstraat 140' });
  });

  it('takes the description from all quote lines or the first line, and no customer reference when set to none', async () => {
    await saveSettings({ enabled: true, includeFilterWord: 'spoed', includeLines: true, workDescriptionFrom: 'allQuoteLines', customerReferenceFrom: 'none' });
    stack.fake.state.quotations.push(fakeQuote({
      id: 7, clientnr: 1007, savename: 'Spoed: lekkage', reference: { line1: 'Ref 7' },
      lines: [{ amount: 1, description: 'Lekkage zoeken', price: 60 }, { amount: 2, description: '1015 Pakking', price: 1.5 }],
    }));
    expect(await runImport()).toMatchObject({ imported: 1 });
    const seven = await byQuote('7');
    expect(seven).toMatchObject({ description: 'Lekkage zoeken\n1015 Pakking', customerReference: null, notes: 'Lekkage zoeken' });
    expect(seven.materials.map((m: any) => [m.articleId, m.description, Number(m.quantity)])).toEqual([[await articleId('1015'), 'Pakking', 2]]);

    await saveSettings({ enabled: true, includeFilterWord: 'spoed', includeLines: false, workDescriptionFrom: 'firstQuoteLine', customerReferenceFrom: 'quoteName' });
    stack.fake.state.quotations.push(fakeQuote({
      id: 8, clientnr: 1008, savename: 'SPOED verstopping', lines: [{ amount: 1, description: 'Riool ontstoppen', price: 90 }, { amount: 1, description: 'Camera-inspectie', price: 50 }],
    }));
    expect(await runImport()).toMatchObject({ imported: 1 });
    expect(await byQuote('8')).toMatchObject({ description: 'Riool ontstoppen', customerReference: 'SPOED verstopping', materials: [], notes: null });
  });
});

describe('quote schedule', () => {
  it('is a 5-minute schedule quotes/{tenant} with the tenant search attributes', async () => {
    const desc = await quoteSchedule().describe();
    expect(desc.spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    expect(desc.action.type === 'startWorkflow' && desc.action.workflowType).toBe('quoteImportWorkflow');
    const attrs = desc.action.type === 'startWorkflow' ? desc.action.typedSearchAttributes : undefined;
    const pairs = attrs && !Array.isArray(attrs) ? attrs.getAll() : (attrs ?? []);
    expect(pairs.map((p) => [p.key.name, p.value])).toEqual(expect.arrayContaining([['TenantId', tenant], ['Provider', 'factuursturen']]));
  });

  it('is paused with the integration (nothing imported while paused) and unpaused on resume', async () => {
    const paused = await stack.api('POST', `/v1/tenants/${tenant}/integration/pause`);
    expect(paused.status).toBe(200);
    expect((await quoteSchedule().describe()).state.paused).toBe(true);
    expect((await stack.client.schedule.getHandle(`sync/${tenant}`).describe()).state.paused).toBe(true);
    stack.fake.state.quotations.push(fakeQuote({ id: 9, clientnr: 1009, savename: 'Spoed tijdens pauze' }));
    expect(await runImport()).toMatchObject({ skipped: 'not-active', imported: 0 });
    expect(await byQuote('9')).toBeUndefined();

    const resumed = await stack.api('POST', `/v1/tenants/${tenant}/integration/resume`);
    expect(resumed.status).toBe(200);
    expect((await quoteSchedule().describe()).state.paused).toBe(false);
    await quoteSchedule().pause('test: runs are started by hand');
    expect(await runImport()).toMatchObject({ skipped: null, imported: 1 });
    expect(await byQuote('9')).toBeTruthy();
  });

  it('does nothing while quotes are switched off in the settings in force', async () => {
    await saveSettings({ ...quotesOn, enabled: false });
    stack.fake.state.quotations.push(fakeQuote({ id: 10, clientnr: 1010, savename: 'WB uitgeschakeld' }));
    const run = await runImport();
    expect(run).toMatchObject({ skipped: 'disabled', listed: 0, imported: 0 });
    expect(await byQuote('10')).toBeUndefined();
  });

  it('imports on its own when triggered, once quotes are on again: only quotes made after switching on', async () => {
    const saved = await saveSettings(quotesOn);
    // The save says what will be imported: new quotes only (docs/quotes.md).
    expect(saved.message).toContain('die vanaf nu in FactuurSturen worden gemaakt');
    stack.fake.state.quotations.push(fakeQuote({ id: 11, clientnr: 1011, savename: 'WB weer aan' }));
    await quoteSchedule().unpause('test: scheduled run');
    await quoteSchedule().trigger();
    const wo = await eventually(() => byQuote('11'), 60_000, 200);
    expect(wo).toMatchObject({ number: 'OF-2024-0011', description: 'WB weer aan' });
    // Quote 10 was made while the import was off: it stays a quote.
    expect(await byQuote('10')).toBeUndefined();
    const run = await eventually(async () => {
      const d = await quoteSchedule().describe();
      return d.info.recentActions.find((a) => a.action.workflow.workflowId.startsWith(`quotes/${tenant}`));
    });
    expect(run.action.workflow.workflowId.startsWith(`quotes/${tenant}`)).toBe(true);
  });

  it('is removed with the other schedules of the tenant', async () => {
    await deleteTenantSchedules(stack.client, tenant);
    await expect(quoteSchedule().describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expect(stack.client.schedule.getHandle(`sync/${tenant}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

describe('quote history stays history (issue 11)', () => {
  const firm = uniqueTenant('quotes-history');
  const api = (method: string, path: string, body?: unknown) => stack.api(method, path, body);
  const workOrders = async () => {
    const res = await stack.api('GET', `/v1/tenants/${firm}/work-orders?source=quote&limit=500`, undefined, tokens.backend);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };
  const importNow = () => stack.client.workflow.execute(quoteImportWorkflow, {
    taskQueue: stack.taskQueue, workflowId: `quotes/${firm}/test-${++runs}`, args: [{ tenantId: firm, provider: 'factuursturen' }],
  });
  async function activateFirm(quotes: Record<string, unknown>) {
    const saved = await activate(stack, { provider: 'factuursturen', tenant: firm, baseSettings, settings: { quotes }, waitForImport: false });
    await stack.client.schedule.getHandle(`quotes/${firm}`).pause('test: runs are started by hand');
    for (const id of saved.importWorkflowIds) await stack.client.workflow.getHandle(id).result();
    return saved;
  }

  it('enabling the import with 50 old quotes makes no work order of them; a quote made afterwards becomes one', async () => {
    stack.tenants.push(firm);
    // The fake serves one administration to every tenant: the quotes of the first scenario (ids up to 11) are
    // this firm's history as well; 50 more old ones, all matching the filter word.
    for (let i = 0; i < 50; i++) stack.fake.state.quotations.push(fakeQuote({ id: 100 + i, clientnr: 1001 + (i % 20), savename: `WB oud werk ${i}` }));
    const saved = await activateFirm({ ...quotesOn, includeFilterWord: '' });
    expect(saved.message).toContain('bestaande offertes niet');
    expect(await importNow()).toMatchObject({ skipped: null, imported: 0 });
    expect(await workOrders()).toEqual([]);

    stack.fake.state.quotations.push(fakeQuote({ id: 200, clientnr: 1002, savename: 'Nieuwe klus' }));
    expect(await importNow()).toMatchObject({ imported: 1 });
    expect((await workOrders()).map((w) => w.sourceQuoteId)).toEqual(['200']);
  });

  it('re-activation with "Werkbon" wiped brings no quote back, not even the one imported before', async () => {
    expect((await api('POST', `/v1/tenants/${firm}/integration/deactivate`, { confirm: true })).status).toBe(200);
    await activateFirm({ ...quotesOn, includeFilterWord: '' });
    expect(await importNow()).toMatchObject({ imported: 0 });
    expect(await workOrders()).toEqual([]);
    // The memory of imported quotes survived the wipe.
    const rows = await stack.database.sql`select quote_id from integration.imported_quotes where tenant_id = ${firm}`;
    expect(rows.map((r) => r.quote_id)).toEqual(['200']);
  });
});
