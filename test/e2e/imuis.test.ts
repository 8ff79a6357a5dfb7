import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ENVIRONMENT_CODE,
  fakeOffer,
  mutate,
  seedImuis,
  startFakeImuis,
  type FakeImuis,
  type FakeImuisDebtor,
} from '../../fakes/imuis/server.js';
import { quoteImportWorkflow } from '../../workflows/index.js';
import type { cleanupWorkflow } from '../../workflows/cleanup.js';
import { runMeta } from '../../lib/runs.js';
import { allTables } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * iMuis Online end to end (issue 6): real Temporal dev server, real Postgres, the fake cloudswitch over real HTTP
 * (form-POST + XML), pages of 10 records. One tenant is activated through the API with the article-group filter
 * ["Installatie"]; the scenarios then run in order against it.
 */
let stack: Stack;
let fake: FakeImuis;
const tenant = uniqueTenant('imuis');
const responses: string[] = [];

async function api(method: string, path: string, body?: unknown, token: string | null = tokens.admin) {
  const res = await stack.api(method, path, body, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

const quotes = { enabled: true, includeFilterWord: 'wb', includeLines: true, workDescriptionFrom: 'firstQuoteLineAndMemo' };
const settings = {
  provider: 'imuis',
  termsAccepted: true,
  workTimeArticle: 'WERKTIJD',
  travelTimeArticle: 'REISTIJD',
  defaultArticle: 'VOORRIJKOSTEN',
  excludeFilterWord: 'garantie',
  articleGroupFilter: ['Installatie'],
  memo: 'workAddressAndDescription',
  quotes,
};

async function saveSettings(over: Record<string, unknown>) {
  const res = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, ...over } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function count(table: string): Promise<number> {
  const rows = await stack.database.sql.unsafe(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenant]);
  return rows[0].n as number;
}

async function syncNow(scope: { customers?: boolean; articles?: boolean }) {
  const res = await api('POST', `/v1/tenants/${tenant}/integration/sync`, scope);
  expect(res.status).toBe(202);
  for (const wf of res.body.workflows) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).result();
}

const debtorRequests = () => fake.state.requests['GETSTAMTABELRECORDS DEB'] ?? 0;
const groupCode = (name: string) => fake.state.articleGroups.find((g) => g.OMSCHR === name)!.NR;

beforeAll(async () => {
  fake = await startFakeImuis();
  // Groups 1 Installatie, 2 installatie (lower case), 3 Diensten; REISTIJD/WERKTIJD/VOORRIJKOSTEN in Installatie.
  seedImuis(fake.state, { groups: ['Installatie', 'installatie', 'Diensten'], timeGroup: 'Installatie', articles: 23, debtors: 37 });
  // Every third material in Installatie too: 10 articles of 23 pass the filter.
  fake.state.articles.forEach((a, i) => {
    if (i >= 3 && (i - 3) % 3 === 0) a.ARTGRP = 1;
  });
  stack = await startStack('imuis-e2e', { env: { IMUIS_BASE_URL: fake.url, IMUIS_PAGE_SIZE: '10' } });
  stack.tenants.push(tenant);
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('activation', () => {
  it('starts, wipes all seven tables', async () => {
    const start = await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'imuis' });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const wipe = await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables });
    expect(wipe.status).toBe(200);
    expect(wipe.body.steps.wiped).toBe(true);
  });

  it('answers a refused environment code with iMuis\'s own message and stores nothing', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { environmentCode: 'VERKEERDE-CODE' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('connect_failed');
    expect(res.body.message).toBe('Koppelen met iMuis mislukt: Omgevingscode is onbekend of de app Simon is niet geactiveerd in deze omgeving');
    expect(await count('integration.credentials')).toBe(0);
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error&table=Integratie`, undefined, tokens.support);
    expect(logs.body.entries[0].message).toContain('Omgevingscode is onbekend');
  });

  it('connects with the environment code, stores it encrypted and shows only its last characters', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { environmentCode: DEFAULT_ENVIRONMENT_CODE } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ connected: true, label: 'omgevingscode ••••2M9X' });
    const rows = await stack.database.sql`select sealed::text as s from integration.credentials where tenant_id = ${tenant}`;
    expect(rows[0].s).toMatch(/^v1\./);
    expect(rows[0].s).not.toContain(DEFAULT_ENVIRONMENT_CODE);
  });

  it('offers the article groups and the article search of the settings screen, read live from iMuis', async () => {
    const groups = await api('GET', `/v1/tenants/${tenant}/integration/options/articleGroups`);
    expect(groups.status).toBe(200);
    expect(groups.body.items.map((g: { id: string }) => g.id)).toEqual(['Installatie', 'installatie', 'Diensten']);
    const reis = await api('GET', `/v1/tenants/${tenant}/integration/options/articles?q=reis`);
    expect(reis.body.items).toEqual([expect.objectContaining({ code: 'REISTIJD', name: 'Reistijd', searchKey: '55', group: 'Installatie' })]);
  });

  it('"Controleer" of the article-group filter alone answers in the manual\'s words', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { provider: 'imuis', articleGroupFilter: ['Installatie'] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.checks).toEqual([{ field: 'articleGroupFilter', ok: true, found: { groups: ['Installatie'] }, message: 'Artikel-Groep filter gecontroleerd!' }]);
  });

  it('"Controleer" gives each failing field its own Dutch error and echoes what it found', async () => {
    const dienstenArticle = fake.state.articles.find((a) => a.ARTGRP === groupCode('Diensten'))!.NR;
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, {
      settings: { ...settings, workTimeArticle: 'BESTAATNIET', defaultArticle: dienstenArticle, articleGroupFilter: ['Installatie', 'Onbekend'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    const byField = Object.fromEntries(res.body.checks.map((c: { field: string }) => [c.field, c]));
    expect(byField.workTimeArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in iMuis' });
    expect(byField.travelTimeArticle).toMatchObject({ ok: true, found: { code: 'REISTIJD', name: 'Reistijd', group: 'Installatie' } });
    expect(byField.defaultArticle).toMatchObject({ ok: false, error: "Artikel valt buiten het artikelgroepfilter (groep 'Diensten')" });
    expect(byField.articleGroupFilter).toMatchObject({ ok: false, error: "Artikelgroep 'Onbekend' niet bekend in iMuis" });
    // Saving these settings is refused with the same checks.
    const save = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...settings, workTimeArticle: 'BESTAATNIET' } });
    expect(save.status).toBe(400);
    expect(save.body.checks.find((c: { field: string }) => c.field === 'workTimeArticle').ok).toBe(false);
  });

  it('saves, becomes active and imports over several pages: only the Installatie group, debtors with their first work address', async () => {
    const requestsBefore = debtorRequests();
    const saved = await saveSettings({});
    expect(saved.message).toContain('Integratie succesvol!');
    expect(saved.message).toContain('elke 5 minuten');
    // Runs are started by hand below, so a scheduled quote run cannot race the counts.
    await stack.client.schedule.getHandle(`quotes/${tenant}`).pause('test: runs are started by hand');
    for (const id of saved.importWorkflowIds) await stack.client.workflow.getHandle(id).result();

    const status = await api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support);
    expect(status.body.status).toBe('active');
    // The admin is told that our reference is printed in KENM, and why (lib/references.ts).
    const told = await api('GET', `/v1/tenants/${tenant}/logs?table=Integratie&limit=50`, undefined, tokens.support);
    expect(told.body.entries.some((e: { message: string }) => e.message.startsWith("Simon zet 'WB <werkbonnummer>' in het kenmerk (KENM)"))).toBe(true);
    const progress = Object.fromEntries(status.body.initialImport.map((p: { entity: string }) => [p.entity, p]));
    expect(progress.customers).toMatchObject({ recordsDone: 37, phase: 'incremental' });
    expect(progress.articles).toMatchObject({ recordsDone: 23, phase: 'incremental' });
    // 37 debtors at 10 a page.
    expect(debtorRequests() - requestsBefore).toBe(4);

    const groups = await stack.database.sql`select code, description from simon.article_groups where tenant_id = ${tenant}`;
    expect(groups.map((g) => g.description)).toEqual(['Installatie']);
    const articles = await stack.database.sql`select code, group_external_id from simon.articles where tenant_id = ${tenant} order by code`;
    expect(articles).toHaveLength(10);
    expect(articles.every((a) => a.group_external_id === '1')).toBe(true);
    expect(articles.map((a) => a.code)).toEqual(expect.arrayContaining(['REISTIJD', 'WERKTIJD', 'VOORRIJKOSTEN']));
    // The lower-case group and its articles are not imported: the filter is case-sensitive.
    const lower = fake.state.articles.filter((a) => a.ARTGRP === groupCode('installatie')).map((a) => a.NR);
    expect(lower.length).toBeGreaterThan(0);
    const leaked = await stack.database.sql`select 1 from simon.articles where tenant_id = ${tenant} and external_id in ${stack.database.sql(lower)}`;
    expect(leaked).toHaveLength(0);

    const active = fake.state.debtors.filter((d) => d.BLOK === 'N');
    expect(active).toHaveLength(36);
    expect(await count('simon.customers')).toBe(36);
    const addresses = await stack.database.sql`
      select w.origin, w.street, w.postal_code, w.city, c.street as customer_street from simon.work_addresses w
      join simon.customers c on c.id = w.customer_id where w.tenant_id = ${tenant}`;
    expect(addresses).toHaveLength(36);
    expect(addresses.every((a) => a.origin === 'customer-address' && a.street === a.customer_street)).toBe(true);

    const logs = await stack.database.sql`select message, count(*)::int as n from integration.log_entries where tenant_id = ${tenant} group by message`;
    const byMessage = Object.fromEntries(logs.map((r) => [r.message, r.n]));
    expect(byMessage['Klant toegevoegd aan Simon']).toBe(36);
    expect(byMessage['Toevoegen Werkadres in Simon gelukt']).toBe(36);
    expect(byMessage['Toevoegen Artikel in Simon is gelukt']).toBe(10);
    expect(byMessage['Toevoegen Artikel Groep in Simon is gelukt']).toBe(1);
  });
});

describe('incremental sync', () => {
  let changed: FakeImuisDebtor;
  let blocked: FakeImuisDebtor;

  it('sync now picks up changes, new debtors and blocks (BLOK=J) through the mutation date, not a full listing', async () => {
    changed = mutate(fake.state.debtors[2], { NAAM: 'Installatiebedrijf Gewijzigd B.V.', ADRES: 'Nieuwe Markt 1' });
    blocked = mutate(fake.state.debtors[4], { BLOK: 'J' });
    fake.state.debtors.push(mutate({ ...fake.state.debtors[0], NR: 19999, NAAM: 'Nieuwe Klant', ZKSL: 'NIEUW' }));
    const price = mutate(fake.state.articles.find((a) => a.NR === 'REISTIJD')!, { VERKPR: 47.5 });
    const gone = mutate(fake.state.articles.find((a) => a.ARTGRP === 1 && /^\d+$/.test(a.NR))!, { BLOK: 'J' });
    const before = debtorRequests();

    await syncNow({ customers: true, articles: true });

    // Only the three mutated debtors were listed: one page.
    expect(debtorRequests() - before).toBe(1);
    const [c] = await stack.database.sql`select name, street, active from simon.customers where tenant_id = ${tenant} and external_id = ${String(changed.NR)}`;
    expect(c).toEqual({ name: 'Installatiebedrijf Gewijzigd B.V.', street: 'Nieuwe Markt 1', active: true });
    const [b] = await stack.database.sql`select active from simon.customers where tenant_id = ${tenant} and external_id = ${String(blocked.NR)}`;
    expect(b.active).toBe(false);
    const [n] = await stack.database.sql`
      select c.name, count(w.id)::int as addresses from simon.customers c left join simon.work_addresses w on w.customer_id = c.id
      where c.tenant_id = ${tenant} and c.external_id = '19999' group by c.name`;
    expect(n).toEqual({ name: 'Nieuwe Klant', addresses: 1 });
    const [p] = await stack.database.sql`select sales_price from simon.articles where tenant_id = ${tenant} and code = ${price.NR}`;
    expect(Number(p.sales_price)).toBe(47.5);
    const [g] = await stack.database.sql`select active from simon.articles where tenant_id = ${tenant} and code = ${gone.NR}`;
    expect(g.active).toBe(false);
    gone.BLOK = 'N';
  });

  it('writes no rows when nothing changed since', async () => {
    const snapshot = async () => (await stack.database.sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant}) as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant}) as articles`)[0];
    const before = await snapshot();
    await syncNow({ customers: true });
    expect(await snapshot()).toEqual(before);
  });

  it('has a 5-minute schedule that picks up a change on its next run', async () => {
    const handle = stack.client.schedule.getHandle(`sync/${tenant}`);
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    const debtor = mutate(fake.state.debtors[6], { PLAATS: 'Veldhoven' });
    await handle.trigger();
    await eventually(async () => {
      const rows = await stack.database.sql`select city from simon.customers where tenant_id = ${tenant} and external_id = ${String(debtor.NR)}`;
      return rows[0]?.city === 'Veldhoven';
    }, 30_000, 200);
  });
});

describe('archive → sales order', () => {
  let customer: { id: string; nr: number; name: string };
  let workAddress: { id: string; street: string; postal_code: string; city: string; name: string };
  let materials: { id: string; code: string }[];
  let n = 0;

  beforeAll(async () => {
    const debtor = fake.state.debtors.find((d) => d.BLOK === 'N' && d.NR !== 19999)!;
    const [c] = await stack.database.sql`select id, name from simon.customers where tenant_id = ${tenant} and external_id = ${String(debtor.NR)}`;
    customer = { id: c.id, nr: debtor.NR, name: c.name };
    const [w] = await stack.database.sql`select id, name, street, postal_code, city from simon.work_addresses where customer_id = ${customer.id}`;
    workAddress = w as unknown as typeof workAddress;
    materials = (await stack.database.sql`
      select id, code from simon.articles where tenant_id = ${tenant} and active and code ~ '^[0-9]+$' order by code limit 2`) as unknown as typeof materials;
    expect(materials).toHaveLength(2);
  });

  function workOrder(overrides: Record<string, unknown> = {}) {
    n++;
    return {
      number: `WB-${2000 + n}`,
      status: 'completed',
      customerId: customer.id,
      workAddressId: workAddress.id,
      description: 'Cv-ketel onderhoud\nFilter vervangen',
      customerReference: 'REF-9',
      assignedUserId: 'user-1',
      workMinutes: 120,
      travelMinutes: 15,
      materials: [
        { articleId: materials[0].id, quantity: 3, price: 12.5 },
        { articleId: materials[1].id, quantity: 1.5, price: 4 },
      ],
      ...overrides,
    };
  }

  const ordersFor = (kenm: string) => fake.state.orders.filter((o) => o.KENM === kenm);
  async function exportOf(id: string) {
    return (await api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`, undefined, tokens.support)).body;
  }
  const settled = (id: string) => eventually(async () => {
    const e = await exportOf(id);
    return e.state !== 'pending' ? e : undefined;
  }, 30_000, 50);
  async function archive(id: string, wo: Record<string, unknown>) {
    const res = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return settled(id);
  }

  it('becomes one open sales order with the lines of docs/document.md and the work address and description as remarks', async () => {
    const id = `wo-${n + 1}`;
    const wo = workOrder();
    const e = await archive(id, wo);
    expect(e).toMatchObject({ state: 'sent' });
    const orders = ordersFor(e.reference);
    expect(orders).toHaveLength(1);
    const order = orders[0];
    expect(e.documentId).toBe(String(order.NR));
    expect(e.documentNumber).toBe(String(order.NR));
    const [y, m, d] = (e.archivedAt as string).slice(0, 10).split('-');
    expect(order).toMatchObject({ DEB: customer.nr, DAT: `${d}/${m}/${y}`, KENM: `WB ${wo.number}` });
    expect(order.OPM).toBe(`${workAddress.name}, ${workAddress.street}, ${workAddress.postal_code} ${workAddress.city}\nCv-ketel onderhoud\nFilter vervangen`);
    expect(order.lines.map((l) => [l.ART, l.AANT, l.PRS])).toEqual([
      ['WERKTIJD', 2, null],
      ['REISTIJD', 0.25, null],
      [materials[0].code, 3, 12.5],
      [materials[1].code, 1.5, 4],
      ['VOORRIJKOSTEN', 1, null],
    ]);
    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`, undefined, tokens.support);
    expect(log.body.entries[0].message).toContain(wo.number);
  });

  it('puts only the work address in the remarks with memo "workAddress", and none with "none"', async () => {
    await saveSettings({ memo: 'workAddress' });
    const a = await archive(`wo-${n + 1}`, workOrder());
    expect(ordersFor(a.reference)[0].OPM).toBe(`${workAddress.name}, ${workAddress.street}, ${workAddress.postal_code} ${workAddress.city}`);
    await saveSettings({ memo: 'description' });
    const b = await archive(`wo-${n + 1}`, workOrder());
    expect(ordersFor(b.reference)[0].OPM).toBe('Cv-ketel onderhoud\nFilter vervangen');
    await saveSettings({ memo: 'none' });
    const c = await archive(`wo-${n + 1}`, workOrder());
    expect(ordersFor(c.reference)[0].OPM).toBe('');
    await saveSettings({});
  });

  it('makes exactly one sales order when iMuis times out after committing it, and once only when archived twice', async () => {
    const id = `wo-${n + 1}`;
    fake.faults.timeoutAfterCommit = { method: 'POST', path: 'CREATEVERKOOPORDER', count: 1 };
    const creates = fake.state.requests.CREATEVERKOOPORDER ?? 0;
    const e = await archive(id, workOrder());
    expect(e.state).toBe('sent');
    expect(e.attempts).toBe(2);
    expect(fake.state.requests.CREATEVERKOOPORDER).toBe(creates + 1);
    expect(ordersFor(e.reference)).toHaveLength(1);
    expect(e.documentId).toBe(String(ordersFor(e.reference)[0].NR));
    const again = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, workOrder(), tokens.backend);
    expect(again.body.export.state).toBe('sent');
    expect(ordersFor(e.reference)).toHaveLength(1);
  });

  it('fails with iMuis\'s own words when it refuses the order (Result=false), and is sent after "Opnieuw versturen"', async () => {
    const id = `wo-${n + 1}`;
    fake.faults.failNext.push({ action: 'CREATEVERKOOPORDER', foutmelding: 'Ordersoort is verplicht voor deze debiteur' });
    const e = await archive(id, workOrder());
    expect(e.state).toBe('failed');
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error&table=Werkbon`, undefined, tokens.support);
    const entry = logs.body.entries.find((x: { simonId: string }) => x.simonId === id);
    expect(entry.message).toContain('Ordersoort is verplicht voor deze debiteur');
    expect(ordersFor(e.reference)).toHaveLength(0);
    const retry = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/export/retry`, undefined, tokens.admin);
    expect(retry.status).toBe(202);
    const after = await settled(id);
    expect(after.state).toBe('sent');
    expect(ordersFor(after.reference)).toHaveLength(1);
  });
});

describe('quotes → work orders', () => {
  let runs = 0;
  const runImport = () =>
    stack.client.workflow.execute(quoteImportWorkflow, { taskQueue: stack.taskQueue, workflowId: `quotes/${tenant}/test-${++runs}`, args: [{ tenantId: tenant, provider: 'imuis' }] });
  async function quoteWorkOrders() {
    const res = await api('GET', `/v1/tenants/${tenant}/work-orders?source=quote&limit=500`, undefined, tokens.backend);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  it('imports each matching offer once, across repeated polls and a worker restart', async () => {
    const [d1, d2, d3] = fake.state.debtors.filter((d) => d.BLOK === 'N');
    const inFilter = fake.state.articles.find((a) => a.ARTGRP === 1 && /^\d+$/.test(a.NR))!;
    const outside = fake.state.articles.find((a) => a.ARTGRP === groupCode('installatie'))!;
    fake.state.offers.push(
      fakeOffer(8001, d1.NR, 'WB onderhoud cv-ketel', {
        OPM: 'Sleutel bij de buren',
        lines: [
          { RG: 1, ART: '', AANT: 0, OMSCHR: 'Ketel reinigen en afstellen', PRS: null },
          { RG: 2, ART: inFilter.NR, AANT: 2, OMSCHR: inFilter.OMSCHR, PRS: 9.5 },
          { RG: 3, ART: outside.NR, AANT: 1, OMSCHR: outside.OMSCHR, PRS: 3 },
        ],
      }),
      fakeOffer(8002, d2.NR, 'Nieuwe keuken wb-project', { lines: [{ RG: 1, ART: inFilter.NR, AANT: 1, OMSCHR: 'Aansluiten', PRS: 20 }] }),
      fakeOffer(8003, d3.NR, 'Offerte dakgoot', { OPM: 'Niet overnemen' }),
    );

    const first = await runImport();
    expect(first).toMatchObject({ skipped: null, listed: 3, matching: 2, imported: 2, alreadyImported: 0 });
    const orders = await quoteWorkOrders();
    expect(orders.map((w) => w.sourceQuoteId).sort()).toEqual(['8001', '8002']);
    const one = orders.find((w) => w.sourceQuoteId === '8001');
    expect(one).toMatchObject({ number: 'OF-8001', status: 'open', description: 'Ketel reinigen en afstellen\nSleutel bij de buren' });
    expect(one.materials.map((m: any) => [Number(m.quantity), Number(m.price)])).toEqual([[2, 9.5]]);
    // The line whose article falls outside the group filter became a note with a warning (docs/quotes.md).
    expect(one.notes).toContain(outside.OMSCHR);
    const warnings = await api('GET', `/v1/tenants/${tenant}/logs?table=Offerte&severity=warning`, undefined, tokens.support);
    expect(warnings.body.entries.some((e: { message: string }) => e.message.includes(outside.OMSCHR))).toBe(true);

    expect(await runImport()).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });
    await stack.stopWorker();
    await stack.startWorker();
    expect(await runImport()).toMatchObject({ matching: 2, imported: 0, alreadyImported: 2 });
    expect(await quoteWorkOrders()).toHaveLength(2);
    const imported = await stack.database.sql`select quote_id from integration.imported_quotes where tenant_id = ${tenant} order by quote_id`;
    expect(imported.map((r) => r.quote_id)).toEqual(['8001', '8002']);
  });

  it('lists each with its origin offer; no work address (iMuis quote addresses are unconfirmed) and no customer reference (the manual has no such setting)', async () => {
    const one = (await quoteWorkOrders()).find((w) => w.sourceQuoteId === '8001');
    expect(one).toMatchObject({
      origin: { provider: 'imuis', kind: 'quote', kindLabel: 'Offerte', quoteId: '8001', quoteNumber: '8001' },
      workAddressId: null, workAddress: null, customerReference: null,
    });
  });
  it('quote tables iMuis cannot read: one clear error entry per run, nothing imported', async () => {
    const [d] = fake.state.debtors.filter((x) => x.BLOK === 'N');
    fake.state.offers.push(fakeOffer(8004, d.NR, 'WB nieuwe offerte', { lines: [{ RG: 1, ART: '', AANT: 0, OMSCHR: 'Nieuw', PRS: null }] }));
    fake.state.unknownTables = ['OFFKOP', 'OFFRG'];
    try {
      const errors = async () => (await api('GET', `/v1/tenants/${tenant}/logs?table=Offerte&severity=error`, undefined, tokens.support)).body.entries as { message: string }[];
      const before = (await errors()).length;
      await expect(runImport()).rejects.toThrow();
      const entries = await errors();
      expect(entries.length - before).toBe(1);
      expect(entries[0].message).toContain('Offertes kunnen niet uit iMuis worden gelezen, er is geen offerte overgenomen');
      expect(entries[0].message).toContain("Tabel 'OFFKOP' bestaat niet");
      expect(await quoteWorkOrders()).toHaveLength(2);
    } finally {
      fake.state.unknownTables = [];
      fake.state.offers = fake.state.offers.filter((o) => o.NR !== 8004);
    }
  });
});

describe('changing the article-group filter', () => {
  it('imports the new matches on the next sync, although they did not change in iMuis', async () => {
    await saveSettings({ articleGroupFilter: ['Installatie', 'installatie'] });
    await syncNow({ articles: true });
    const groups = await stack.database.sql`select description from simon.article_groups where tenant_id = ${tenant} and active order by description`;
    expect(groups.map((g) => g.description).sort()).toEqual(['Installatie', 'installatie']);
    const lower = fake.state.articles.filter((a) => a.ARTGRP === groupCode('installatie')).length;
    expect(await count('simon.articles')).toBe(10 + lower);
  });

  it('deactivates the articles outside a narrowed filter on the next sync', async () => {
    await saveSettings({ articleGroupFilter: ['Installatie'] });
    await syncNow({ articles: true });
    const rows = await stack.database.sql`select a.active from simon.articles a where a.tenant_id = ${tenant} and a.group_external_id = ${String(groupCode('installatie'))}`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.active === false)).toBe(true);
  });

  it('a cleanup that gets a cut page of articles removes nothing and says so', async () => {
    const before = await count('simon.articles');
    // RECORDCOUNT announces the articles, DATA is empty: on both attempts of the run.
    fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'ART', emptyPage: true }, { action: 'GETSTAMTABELRECORDS', table: 'ART', emptyPage: true });
    try {
      await expect(stack.client.workflow.execute<typeof cleanupWorkflow>('cleanupWorkflow', {
        workflowId: `cleanup/${tenant}/cut`,
        taskQueue: stack.taskQueue,
        args: [{ tenantId: tenant, provider: 'imuis', retry: { initialInterval: '100ms', maximumAttempts: 2 } }],
        ...runMeta({ tenantId: tenant, provider: 'imuis', kind: 'cleanup' }),
      })).rejects.toThrow();
    } finally {
      fake.faults.failNext = [];
    }
    expect(await count('simon.articles')).toBe(before);
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error`, undefined, tokens.support);
    expect(logs.body.entries[0].message).toContain('er is niets verwijderd');
    expect(logs.body.entries[0].message).toContain('onvolledige pagina van tabel ART');
  });

  it('and the next cleanup removes them and the group from Simon', async () => {
    const result = await stack.client.workflow.execute<typeof cleanupWorkflow>('cleanupWorkflow', {
      workflowId: `cleanup/${tenant}`,
      taskQueue: stack.taskQueue,
      args: [{ tenantId: tenant, provider: 'imuis' }],
      ...runMeta({ tenantId: tenant, provider: 'imuis', kind: 'cleanup' }),
    });
    const lower = fake.state.articles.filter((a) => a.ARTGRP === groupCode('installatie')).length;
    expect(result.entities.articles).toMatchObject({ removed: lower });
    expect(result.entities.article_groups).toMatchObject({ removed: 1 });
    const left = await stack.database.sql`select 1 from simon.articles where tenant_id = ${tenant} and group_external_id = ${String(groupCode('installatie'))}`;
    expect(left).toHaveLength(0);
    expect(await count('simon.articles')).toBe(10);
    const groups = await stack.database.sql`select description from simon.article_groups where tenant_id = ${tenant}`;
    expect(groups.map((g) => g.description)).toEqual(['Installatie']);
  });
});

describe('secrets', () => {
  it('keeps the environment code out of API responses, the log and every workflow history of the tenant', async () => {
    const code = DEFAULT_ENVIRONMENT_CODE;
    expect(responses.join('\n')).not.toContain(code);
    const logs = await stack.database.sql`select message, action from integration.log_entries where tenant_id = ${tenant}`;
    expect(JSON.stringify(logs)).not.toContain(code);
    let histories = 0;
    for await (const wf of stack.client.workflow.list({ query: `TenantId = "${tenant}"` })) {
      const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      expect(JSON.stringify(history)).not.toContain(code);
      histories++;
    }
    expect(histories).toBeGreaterThan(5);
  });
});
