import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFactuurSturen, DEFAULT_FS_ACCOUNT } from '../../fakes/factuursturen/server.js';
import { startStack, eventually, runScheduleOnce, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { createDataConverter } from '../../lib/codec.js';
import { payloadsIn, plaintextOf } from '../codec/history-walk.js';

/**
 * FactuurSturen end to end (issue 3): real Temporal dev server, real Postgres, the fake over real HTTP.
 * One tenant is activated once; the archive scenarios then run against it.
 */
let stack: Stack;
const tenant = uniqueTenant('fs');
const responses: string[] = [];

async function api(method: string, path: string, body?: unknown, token: string | null = tokens.admin) {
  const res = await stack.api(method, path, body, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

const settings = {
  provider: 'factuursturen',
  termsAccepted: true,
  workTimeArticle: '0002',
  travelTimeArticle: '0001',
  defaultArticle: '0003',
  excludeFilterWord: 'garantie',
  descriptionAsFirstLine: true,
  paymentReference: 'both',
  invoiceDescription: 'workOrderNumberAndDescription',
};

async function count(table: string): Promise<number> {
  const rows = await stack.database.sql.unsafe(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenant]);
  return rows[0].n as number;
}

/** The wait after FactuurSturen's hourly limit, instead of "the next full hour" (docs/providers/factuursturen.md §4). */
const RATE_LIMIT_WAIT_MS = 2_000;

beforeAll(async () => {
  stack = await startStack('fs-e2e', { env: { FACTUURSTUREN_RATE_LIMIT_WAIT: `${RATE_LIMIT_WAIT_MS}ms` } });
  stack.tenants.push(tenant);
  seedFactuurSturen(stack.fake.state, { groups: 3, products: 250, clients: 1200 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('activation', () => {
  it('refuses steps out of order and a partial wipe on the first activation', async () => {
    const start = await api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' });
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ status: 'activating', firstActivation: true });

    const early = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: 'demo', apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
    expect(early.status).toBe(409);

    const partial = await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: ['Klant'] });
    expect(partial.status).toBe(400);
    expect(partial.body.message).toContain('verplicht');
  });

  it('wipes all seven tables', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, {
      tables: ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'],
    });
    expect(res.status).toBe(200);
    expect(res.body.steps.wiped).toBe(true);
  });

  it('refuses a wrong API key with a clear message and stores nothing', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: 'demo', apiKey: 'wrong-key-123' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('connect_failed');
    expect(res.body.message).toMatch(/Koppelen met FactuurSturen mislukt/);
    expect(await count('integration.credentials')).toBe(0);
  });

  it('connects with the right key and stores it encrypted', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: 'demo', apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true, label: 'demo' });
    const rows = await stack.database.sql`select sealed::text as s from integration.credentials where tenant_id = ${tenant}`;
    expect(rows).toHaveLength(1);
    expect(rows[0].s).toMatch(/^v1\./);
    expect(rows[0].s).not.toContain(DEFAULT_FS_ACCOUNT.apiKey);
  });

  it('offers the article search of the settings screen, read live from FactuurSturen', async () => {
    const res = await api('GET', `/v1/tenants/${tenant}/integration/options/articles?q=reis`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ code: '0001', name: 'Reistijd' })]);
    const unknown = await api('GET', `/v1/tenants/${tenant}/integration/options/dossiers`);
    expect(unknown.status).toBe(400);
  });

  it("reports a non-existent work-time article as that field's error in check-settings", async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { ...settings, workTimeArticle: 'BESTAATNIET' } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    const byField = Object.fromEntries(res.body.checks.map((c: { field: string }) => [c.field, c]));
    expect(byField.workTimeArticle).toMatchObject({ ok: false, error: 'Artikel niet bekend in FactuurSturen' });
    expect(byField.travelTimeArticle).toMatchObject({ ok: true, found: expect.objectContaining({ code: '0001' }) });
  });

  it('"Controleer" of one field while the form is being filled: only that field, terms not yet accepted', async () => {
    const check = (partial: Record<string, unknown>) =>
      api('POST', `/v1/tenants/${tenant}/integration/activation/check-settings`, { settings: { provider: 'factuursturen', ...partial } });
    const known = await check({ workTimeArticle: '0002' });
    expect(known.status, JSON.stringify(known.body)).toBe(200);
    expect(known.body).toMatchObject({ ok: true, checks: [{ field: 'workTimeArticle', ok: true, found: expect.objectContaining({ code: '0002' }) }] });
    expect(known.body.checks).toHaveLength(1);
    const unknown = await check({ travelTimeArticle: 'BESTAATNIET' });
    expect(unknown.body).toEqual({ ok: false, checks: [{ field: 'travelTimeArticle', ok: false, error: 'Artikel niet bekend in FactuurSturen' }] });
    const terms = await check({ termsAccepted: false });
    expect(terms.body).toEqual({ ok: false, checks: [{ field: 'termsAccepted', ok: false, error: 'De voorwaarden moeten worden geaccepteerd' }] });
    // A wrong type is still a 400 with the field.
    const bad = await check({ workTimeArticle: 12 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('workTimeArticle');
    // Saving still needs every setting.
    const save = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { provider: 'factuursturen', workTimeArticle: '0002' } });
    expect(save.status).toBe(400);
  });

  it('saves the settings, becomes active and imports every record exactly once', async () => {
    const saved = await api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings });
    expect(saved.status).toBe(200);
    expect(saved.body.message).toContain('Integratie succesvol!');
    expect(saved.body.message).toContain('elke 5 minuten');

    const seen = new Set<number>();
    const status = await eventually(async () => {
      const s = await api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support);
      expect(s.status).toBe(200);
      const progress = Object.fromEntries(s.body.initialImport.map((p: { entity: string }) => [p.entity, p]));
      if (progress.customers) seen.add(progress.customers.recordsDone);
      return ['article_groups', 'articles', 'customers'].every((e) => progress[e]?.lastSuccessAt) ? { ...s.body, progress } : undefined;
    }, 60_000, 10);
    expect(status.status).toBe('active');
    expect(status.statusLabel).toBe('Actief');
    expect(status.progress.customers).toMatchObject({ recordsDone: 1200, recordsTotal: 1200, phase: 'incremental' });
    expect(status.progress.articles).toMatchObject({ recordsDone: 250, recordsTotal: 250 });
    expect(status.progress.article_groups).toMatchObject({ recordsDone: 3 });
    // Progress was visible while the import ran: the status API showed a count below the total first.
    expect([...seen].some((n) => n < 1200)).toBe(true);
    for (const id of saved.body.importWorkflowIds) await stack.client.workflow.getHandle(id).result();

    expect(await count('simon.article_groups')).toBe(3);
    expect(await count('simon.articles')).toBe(250);
    // One summary per scope, each naming only what that scope imported.
    const summaries = await api('GET', `/v1/tenants/${tenant}/logs?table=Integratie&limit=100`, undefined, tokens.support);
    const done = (summaries.body.entries as { message: string }[]).map((e) => e.message).filter((m) => m.startsWith('Eerste import uit FactuurSturen voltooid')).sort();
    expect(done).toEqual(['Eerste import uit FactuurSturen voltooid: 1200 klanten', 'Eerste import uit FactuurSturen voltooid: 3 artikelgroepen, 250 artikelen']);
    // Customers inactive in FactuurSturen are not brought into Simon (the cleanup would only remove them again).
    const activeClients = stack.fake.state.clients.filter((c) => c.active).length;
    expect(activeClients).toBe(1160);
    expect(await count('simon.customers')).toBe(activeClients);
    const dup = await stack.database.sql`select count(distinct external_id)::int as n from simon.customers where tenant_id = ${tenant}`;
    expect(dup[0].n).toBe(activeClients);

    const logs = await stack.database.sql`select message, count(*)::int as n from integration.log_entries where tenant_id = ${tenant} group by message`;
    const byMessage = Object.fromEntries(logs.map((r) => [r.message, r.n]));
    expect(byMessage['Klant toegevoegd aan Simon']).toBe(1160);
    expect(byMessage['Toevoegen Artikel in Simon is gelukt']).toBe(250);
    expect(byMessage['Toevoegen Artikel Groep in Simon is gelukt']).toBe(3);
  });

  it('writes no rows when a sync finds nothing changed', async () => {
    const before = await stack.database.sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant}) as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant}) as articles`;
    const res = await api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true, articles: true });
    expect(res.status).toBe(202);
    for (const wf of res.body.workflows) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).result();
    const after = await stack.database.sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant}) as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant}) as articles`;
    expect(after[0]).toEqual(before[0]);
  });

  it('has a 5-minute schedule with the tenant search attributes, and picks up a changed customer on its next run', async () => {
    const handle = stack.client.schedule.getHandle(`sync/${tenant}`);
    const desc = await handle.describe();
    expect(desc.spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    const attrs = desc.action.type === 'startWorkflow' ? desc.action.typedSearchAttributes : undefined;
    const pairs = attrs && !Array.isArray(attrs) ? attrs.getAll() : (attrs ?? []);
    expect(pairs.map((p) => [p.key.name, p.value])).toEqual(expect.arrayContaining([['TenantId', tenant], ['Provider', 'factuursturen']]));

    const client = stack.fake.state.clients.find((c) => c.company)!;
    client.company = 'Gewijzigd Installatiebedrijf B.V.';
    await handle.trigger();
    await eventually(async () => {
      const rows = await stack.database.sql`select name from simon.customers where tenant_id = ${tenant} and external_id = ${String(client.clientnr)}`;
      return rows[0]?.name === 'Gewijzigd Installatiebedrijf B.V.';
    }, 30_000, 200);
    const changed = await stack.database.sql`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and message = 'Klant gewijzigd in Simon'`;
    expect(changed[0].n).toBe(1);
  });

  it('lets an unchanged scheduled run only fingerprint the listings (one GET each, no row), and list a changed one in full', async () => {
    const runScheduled = async () => {
      const started = await runScheduleOnce(stack.client, `sync/${tenant}`);
      return stack.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result();
    };
    // The first run after the import compares in full and keeps the fingerprints.
    await runScheduled();
    const rows = async () => (await stack.database.sql`
      select (select count(*) from integration.log_entries where tenant_id = ${tenant})::int as logs,
             (select max(updated_at) from simon.customers where tenant_id = ${tenant})::text as customers,
             (select max(updated_at) from simon.articles where tenant_id = ${tenant})::text as articles`)[0];
    const before = await rows();
    const calls = { ...stack.fake.state.requests };
    const idle = await runScheduled();
    expect(Object.keys(idle.tallies).sort()).toEqual(['article_groups', 'articles', 'customers']);
    expect(await rows()).toEqual(before);
    const made = Object.fromEntries(Object.entries(stack.fake.state.requests).map(([k, n]) => [k, n - (calls[k] ?? 0)]).filter(([, n]) => n !== 0));
    expect(made).toEqual({ 'GET categories': 1, 'GET products': 1, 'GET clients': 1 });

    const product = stack.fake.state.products.find((p) => p.code === '1010')!;
    product.name = 'Gewijzigde omschrijving 1010';
    const changed = await runScheduled();
    expect(changed.tallies.articles).toMatchObject({ changed: 1, created: 0 });
    const [article] = await stack.database.sql`select description from simon.articles where tenant_id = ${tenant} and code = '1010'`;
    expect(article.description).toBe('Gewijzigde omschrijving 1010');
    const logged = await stack.database.sql`select count(*)::int as n from integration.log_entries where tenant_id = ${tenant} and table_name = 'Artikel' and message = 'Wijzigen Artikel in Simon is gelukt'`;
    expect(logged[0].n).toBe(1);
  });

  it('joins a running sync of the same tenant and scope instead of starting a second', async () => {
    stack.fake.faults.latencyMs = 300;
    try {
      const [a, b] = await Promise.all([
        api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true }),
        api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true }),
      ]);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(a.body.workflows[0].runId).toBe(b.body.workflows[0].runId);
      await stack.client.workflow.getHandle(a.body.workflows[0].workflowId, a.body.workflows[0].runId).result();
    } finally {
      stack.fake.faults.latencyMs = 0;
    }
  });

  it('lets a scheduled run skip a scope whose own sync is running, and list the others', async () => {
    stack.fake.faults.latencyMs = 1500;
    try {
      const now = await api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true });
      expect(now.status).toBe(202);
      const started = await runScheduleOnce(stack.client, `sync/${tenant}`);
      const scheduled = await stack.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result();
      expect(Object.keys(scheduled.tallies).sort()).toEqual(['article_groups', 'articles']);
      await stack.client.workflow.getHandle(now.body.workflows[0].workflowId, now.body.workflows[0].runId).result();
    } finally {
      stack.fake.faults.latencyMs = 0;
    }
  });

  it('refuses an empty sync-now selection with a 400', async () => {
    const res = await api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: false, articles: false });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('customers');
  });
});

describe('archive → concept invoice', () => {
  let customerId: string;
  let materialA: { id: string; code: string; name: string };
  let materialB: { id: string; code: string; name: string };
  let n = 0;

  beforeAll(async () => {
    const c = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and active order by number limit 1`;
    customerId = c[0].id;
    const a = await stack.database.sql`select id, code, description as name from simon.articles where tenant_id = ${tenant} and code in ('1010', '1011') order by code`;
    [materialA, materialB] = a as unknown as [typeof materialA, typeof materialB];
  });

  function workOrder(overrides: Record<string, unknown> = {}) {
    n++;
    return {
      number: `WB-${1000 + n}`,
      status: 'completed',
      customerId,
      workAddressId: null,
      description: 'Cv-ketel onderhoud\nFilter vervangen',
      customerReference: 'REF-77',
      assignedUserId: 'user-1',
      workMinutes: 120,
      travelMinutes: 15,
      materials: [
        { articleId: materialA.id, quantity: 3, price: 12.5 },
        { articleId: materialB.id, quantity: 1.5, price: 4 },
      ],
      ...overrides,
    };
  }

  const invoicesFor = (reference: string) => stack.fake.state.savedInvoices.filter((i) => i.name === reference);

  async function exportOf(id: string) {
    const res = await api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`, undefined, tokens.support);
    return res.body;
  }
  const settled = (id: string) => eventually(async () => {
    const e = await exportOf(id);
    return e.state !== 'pending' ? e : undefined;
  }, 30_000, 50);

  it('turns a work order into a concept invoice with the lines of docs/document.md', async () => {
    const id = `wo-${n + 1}`;
    const wo = workOrder();
    const res = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend);
    expect(res.status).toBe(202);
    const e = await settled(id);
    expect(e).toMatchObject({ state: 'sent', stateLabel: 'Verstuurd' });
    // A concept has no invoice number; the saved id is the document id, the save name our reference.
    expect(e.documentNumber).toBeNull();
    expect(e.reference).toMatch(/^SIM[0-9A-HJKMNP-TV-Z]{17}$/);

    const invoices = invoicesFor(e.reference);
    expect(invoices).toHaveLength(1);
    const inv = invoices[0];
    expect(String(inv.id)).toBe(e.documentId);
    expect(inv.lines.map((l) => [l.description.split(' ')[0], l.amount ?? null, l.price ?? null])).toEqual([
      ['Cv-ketel', null, null],
      ['0002', 2, 62.5],
      ['0001', 0.25, 45],
      [materialA.code, 3, 12.5],
      [materialB.code, 1.5, 4],
      ['0003', 1, 35],
    ]);
    // A text line is its description only; the payment reference has no field of its own and takes line 3.
    expect(inv.lines[0]).toEqual({ description: 'Cv-ketel onderhoud' });
    expect(inv.reference).toEqual({ line1: `Werkbon ${wo.number}`, line2: 'Cv-ketel onderhoud', line3: `${wo.number} / REF-77` });

    const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`, undefined, tokens.support);
    expect(log.body.entries[0].message).toContain(`aangemaakt in FactuurSturen voor werkbon ${wo.number}`);
  });

  it('gives one invoice when the same work order is archived twice at once and again afterwards', async () => {
    const id = `wo-${n + 1}`;
    const wo = workOrder();
    const [a, b] = await Promise.all([
      api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend),
      api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect([a.body.created, b.body.created].sort()).toEqual([false, true]);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    const again = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend);
    expect(again.status).toBe(202);
    expect(again.body.export.state).toBe('sent');
    await new Promise((r) => setTimeout(r, 500));
    expect(invoicesFor(e.reference)).toHaveLength(1);
  });

  it('still makes exactly one invoice when the fake answers 504 after committing the create: found again through `name`', async () => {
    const id = `wo-${n + 1}`;
    stack.fake.faults.timeoutAfterCommit = { path: 'invoices', method: 'POST', count: 1 };
    const posts = stack.fake.state.requests['POST invoices'] ?? 0;
    const lookups = stack.fake.state.requests['GET invoices_saved'] ?? 0;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, workOrder(), tokens.backend);
    const e = await settled(id);
    expect(e).toMatchObject({ state: 'sent', documentNumber: null, inDoubt: null });
    // The connector looks the name up in the complete saved-invoice listing right after the 504: one attempt, one save.
    expect(e.attempts).toBe(1);
    expect(stack.fake.state.requests['POST invoices']).toBe(posts + 1);
    expect(stack.fake.state.requests['GET invoices_saved']).toBeGreaterThan(lookups);
    expect(stack.fake.state.answers.some((a) => a.path === 'invoices_saved' && a.query === 'count=-1')).toBe(true);
    expect(invoicesFor(e.reference)).toHaveLength(1);
    expect(String(invoicesFor(e.reference)[0].id)).toBe(e.documentId);
  });

  it('waits out the hourly limit (403, X-RateLimit-Remaining 0) and sends once the window has passed', async () => {
    const id = `wo-${n + 1}`;
    const fake = stack.fake.state;
    const limit = fake.rateLimitPerHour;
    const calls = Object.values(fake.rateWindows)[0]?.used ?? 0;
    // Every call from now on is over the limit, until the hour "passes" below.
    fake.rateLimitPerHour = calls;
    const from = fake.answers.length;
    try {
      await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, workOrder(), tokens.backend);
      const refused = await eventually(() => Promise.resolve(fake.answers.slice(from).find((a) => a.status === 403)), 30_000, 20);
      expect((await exportOf(id)).state).toBe('pending');
      // The next hour: the limit is lifted; the export goes on by itself after its wait.
      fake.rateWindows = {};
      fake.rateLimitPerHour = limit;
      const e = await settled(id);
      expect(e.state).toBe('sent');
      expect(invoicesFor(e.reference)).toHaveLength(1);
      const resumed = fake.answers.slice(from).find((a) => a.method === 'POST' && a.path === 'invoices' && a.status === 201);
      expect(resumed!.at - refused.at).toBeGreaterThanOrEqual(RATE_LIMIT_WAIT_MS - 100);
      const log = await api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`, undefined, tokens.support);
      expect(log.body.entries.some((x: { simonId: string; severity: string }) => x.simonId === id && x.severity === 'error')).toBe(false);
    } finally {
      fake.rateLimitPerHour = limit;
    }
  });

  it('fails without a customer, says what to do, and is sent after linking a customer and retrying', async () => {
    const id = `wo-${n + 1}`;
    const wo = workOrder({ customerId: null });
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, wo, tokens.backend);
    const e = await settled(id);
    expect(e.state).toBe('failed');
    expect(e.error.code).toBe('no-customer');
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=error&table=Werkbon`, undefined, tokens.support);
    const entry = logs.body.entries.find((x: { simonId: string }) => x.simonId === id);
    expect(entry.action).toBe("Koppel een klant uit FactuurSturen aan de werkbon en kies 'Opnieuw versturen'");

    // The office links a customer in Simon; the backend posts the corrected snapshot, the admin presses "Opnieuw versturen".
    const relinked = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, { ...wo, customerId }, tokens.backend);
    expect(relinked.body.export.state).toBe('failed');
    const retry = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/export/retry`, undefined, tokens.admin);
    expect(retry.status).toBe(202);
    const after = await settled(id);
    expect(after.state).toBe('sent');
    expect(invoicesFor(after.reference)).toHaveLength(1);
    const again = await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/export/retry`, undefined, tokens.admin);
    expect(again.status).toBe(409);
  });

  it('skips a work order whose description holds the exclude word in any case, with an info entry', async () => {
    const id = `wo-${n + 1}`;
    await api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, workOrder({ description: 'Lekkage GARANTIE afhandeling' }), tokens.backend);
    const e = await settled(id);
    expect(e.state).toBe('skipped');
    expect(invoicesFor(e.reference)).toHaveLength(0);
    const logs = await api('GET', `/v1/tenants/${tenant}/logs?severity=info&table=Werkbon`, undefined, tokens.support);
    expect(logs.body.entries.find((x: { simonId: string }) => x.simonId === id).message).toContain("filterwoord 'garantie'");
  });

  it('answers 409 for a work order that is not completed, and 400 with the field for a bad snapshot', async () => {
    const open = await api('POST', `/v1/tenants/${tenant}/work-orders/wo-open/archive`, workOrder({ status: 'planned' }), tokens.backend);
    expect(open.status).toBe(409);
    const bad = await api('POST', `/v1/tenants/${tenant}/work-orders/wo-bad/archive`, workOrder({ workMinutes: -5 }), tokens.backend);
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toContain('workMinutes');
    const malformed = await api('POST', `/v1/tenants/${tenant}/work-orders/wo-bad/archive`, '{"number":', tokens.backend);
    expect(malformed.status).toBe(400);
    const wrongRole = await api('POST', `/v1/tenants/${tenant}/work-orders/wo-x/archive`, workOrder(), tokens.support);
    expect(wrongRole.status).toBe(403);
    const noToken = await api('POST', `/v1/tenants/${tenant}/work-orders/wo-x/archive`, workOrder(), null);
    expect(noToken.status).toBe(401);
    const unknown = await api('POST', `/v1/tenants/nobody-here/work-orders/wo-x/archive`, workOrder(), tokens.backend);
    expect(unknown.status).toBe(404);
  });
});

describe('secrets', () => {
  it('keeps the API key out of API responses, the log and every workflow history of the tenant', async () => {
    const key = DEFAULT_FS_ACCOUNT.apiKey;
    expect(responses.join('\n')).not.toContain(key);
    const logs = await stack.database.sql`select message, action from integration.log_entries where tenant_id = ${tenant}`;
    expect(JSON.stringify(logs)).not.toContain(key);
    // Decrypt every payload first (the codec is on), so the search would find a key that had slipped into an input,
    // result, memo or failure; the raw history is searched too, with bytes read as text.
    const codec = createDataConverter(stack.env).payloadCodecs![0];
    let histories = 0;
    for await (const wf of stack.client.workflow.list({ query: `TenantId = "${tenant}"` })) {
      const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const decoded = await codec.decode(payloadsIn(history).map((p) => p.payload));
      const text = [plaintextOf(history), ...decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))].join('\n');
      expect(text).toContain(tenant); // the search sees decrypted content
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key).toString('base64'));
      histories++;
    }
    expect(histories).toBeGreaterThan(5);
  });
});
