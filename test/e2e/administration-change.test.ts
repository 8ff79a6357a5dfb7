import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOctopus, startFakeOctopus, type FakeOctopus } from '../../fakes/octopus/server.js';
import { activate, octopusSettings } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * Choosing another Octopus dossier after activation (issue 11, docs/administration-change.md): refused with an
 * explanation unless confirmed; confirmed, it is a re-activation against the new dossier. Real Temporal dev
 * server, real Postgres, the fake Octopus (two dossiers with different data) over HTTP.
 */
let stack: Stack;
let fake: FakeOctopus;
const tenant = uniqueTenant('admin-change');
const base = `/v1/tenants/${tenant}/integration`;

const customers = async () =>
  (await stack.database.sql<{ name: string; external_id: string }[]>`select name, external_id from simon.customers where tenant_id = ${tenant} order by external_id`);
const articles = async () =>
  (await stack.database.sql<{ code: string }[]>`select code from simon.articles where tenant_id = ${tenant} order by code`);
const relationIds = (dossierId: number) => fake.state.dossiers.find((d) => d.dossierKey.id === dossierId)!.relations.filter((r) => r.client && r.active).map((r) => String(r.relationIdentificationServiceData.relationKey.id)).sort();
const ids = (rows: { external_id: string }[]) => rows.map((r) => r.external_id).sort();
const fromDossier102 = (rows: { name: string }[]) => rows.filter((r) => r.name.includes('Vastgoed')).length;
const exportOf = async (id: string) => (await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`)).body as Record<string, any>;

beforeAll(async () => {
  fake = await startFakeOctopus();
  seedOctopus(fake.state, { dossierId: 101, groups: 3, products: 20, relations: 30, seed: 1 });
  seedOctopus(fake.state, { dossierId: 102, groups: 2, products: 12, relations: 17, seed: 42 });
  // Dossier 102's relations get names of their own, so a mix of both dossiers cannot go unnoticed.
  for (const r of fake.state.dossiers.find((d) => d.dossierKey.id === 102)!.relations) r.name = `Vastgoed ${r.name}`;
  stack = await startStack('admin-change', { env: { OCTOPUS_BASE_URL: fake.url, QUOTA_OCTOPUS_PER_MINUTE: '1000' } });
  await activate(stack, { provider: 'octopus', tenant });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('another Octopus dossier after activation', () => {
  it('has imported dossier 101 to begin with', async () => {
    const rows = await customers();
    expect(ids(rows)).toEqual(relationIds(101));
    expect(fromDossier102(rows)).toBe(0);
  });

  it('without confirmation: 409 saying what will happen, nothing saved or wiped', async () => {
    // A work order archived while paused waits as pending: the change must hold it.
    expect((await stack.api('POST', `${base}/pause`)).status).toBe(200);
    const [c] = await customers();
    const [customer] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and external_id = ${c.external_id}`;
    const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-before-change/archive`, {
      number: 'WB-2001', status: 'completed', customerId: customer.id, workAddressId: null, description: 'Onderhoud', customerReference: null,
      assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [], workOrderPdf: null,
    }, tokens.backend);
    expect(archived.status, JSON.stringify(archived.body)).toBe(202);
    expect((await exportOf('wo-before-change')).state).toBe('pending');

    const versions = await stack.database.sql`select count(*)::int as n from integration.settings_versions where tenant_id = ${tenant}`;
    const res = await stack.api('PUT', `${base}/settings`, { settings: { ...octopusSettings, dossierId: '102' } });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body).toMatchObject({
      error: 'administration_change', field: 'settings.dossierId', from: '101', to: '102', exportsToHold: 1,
      wipes: ['Klant', 'Werkadres', 'Artikel', 'Artikel Groep'],
    });
    expect(res.body.message).toContain('ander dossier in Octopus');
    expect(res.body.message).toContain('gewist en opnieuw geïmporteerd');
    const after = await stack.database.sql`select count(*)::int as n from integration.settings_versions where tenant_id = ${tenant}`;
    expect(after[0].n).toBe(versions[0].n);
    const rows = await customers();
    expect(ids(rows)).toEqual(relationIds(101));
    expect(fromDossier102(rows)).toBe(0);
    expect((await exportOf('wo-before-change')).state).toBe('pending');
  });

  it("confirmed: dossier 101's records are gone, dossier 102's imported exactly once each, the pending export held with a warning", async () => {
    const res = await stack.api('PUT', `${base}/settings`, { settings: { ...octopusSettings, dossierId: '102' }, confirmAdministrationChange: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.importWorkflowIds.length).toBeGreaterThan(0);
    for (const id of res.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();

    const now = await customers();
    expect(ids(now)).toEqual(relationIds(102));
    expect(fromDossier102(now)).toBe(now.length);
    const productCodes = fake.state.dossiers.find((d) => d.dossierKey.id === 102)!.products.map((p) => p.externProductNr).sort();
    expect((await articles()).map((a) => a.code)).toEqual(productCodes);
    const refs = await stack.database.sql`select entity, count(*)::int as n from integration.external_refs where tenant_id = ${tenant} group by entity order by entity`;
    expect(Object.fromEntries(refs.map((r) => [r.entity, r.n]))).toMatchObject({ customers: relationIds(102).length, articles: productCodes.length });

    const held = await exportOf('wo-before-change');
    expect(held.state).toBe('held');
    const log = await stack.api('GET', `/v1/tenants/${tenant}/logs?limit=50`, undefined, tokens.support);
    const messages = (log.body.entries as { message: string; severity: string }[]);
    expect(messages.some((e) => e.severity === 'warning' && e.message.includes('aangehouden omdat een ander dossier is gekozen'))).toBe(true);
    expect(messages.some((e) => e.message.startsWith(`Ander dossier gekozen in Octopus (101 → 102): ${relationIds(101).length} klanten`))).toBe(true);
    // Nothing went to either dossier while held.
    expect(fake.state.dossiers.every((d) => d.invoices.length === 0)).toBe(true);
  }, 180_000);

  it('the held export goes to the new dossier only on "Opnieuw versturen"', async () => {
    expect((await stack.api('POST', `${base}/resume`)).status).toBe(200);
    // Held, not resent by the resume.
    expect((await exportOf('wo-before-change')).state).toBe('held');
    const retry = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-before-change/export/retry`, undefined, tokens.backend);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const e = await eventually(async () => {
      const x = await exportOf('wo-before-change');
      return x.state !== 'pending' ? x : undefined;
    }, 90_000, 200);
    // The retry is made with the settings in force now (dossier 102). The work order's customer came from dossier
    // 101 and was wiped with it: the export says so, and nothing is booked in dossier 101.
    expect(fake.state.dossiers.find((d) => d.dossierKey.id === 101)!.invoices).toHaveLength(0);
    const [latest] = await stack.database.sql`select max(id)::int as id from integration.settings_versions where tenant_id = ${tenant}`;
    expect(e).toMatchObject({ state: 'failed', settingsVersionId: latest.id, error: { code: 'no-customer' } });
  }, 120_000);

  it('saving the same dossier again is an ordinary settings change', async () => {
    const res = await stack.api('PUT', `${base}/settings`, { settings: { ...octopusSettings, dossierId: '102', memo: 'description' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.importWorkflowIds).toEqual([]);
  });
});
