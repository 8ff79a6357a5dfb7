import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedVismaNet } from '../../fakes/visma-net/data.js';
import { startFakeVismaNet, type FakeVismaNet } from '../../fakes/visma-net/server.js';
import { activate, allTables, VISMA_COMPANY, vismaSettings } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * Another Visma.net company after activation (issue 11, docs/administration-change.md). A Visma Connect token
 * reaches only the company chosen at sign-on, so the settings cannot switch companies: saving another company is
 * refused (409 `reconnect_required`, confirmed or not), a new sign-on to another company while the integration is
 * paused is refused and keeps the old connection, and the way to the other company is a deactivation and a new
 * activation. Real Temporal dev server, real Postgres, the fake Visma.net and Visma Connect over HTTP.
 */
let stack: Stack;
let fake: FakeVismaNet;
const tenant = uniqueTenant('visma-admin');
const base = `/v1/tenants/${tenant}/integration`;
/** The second company of the fake user: "Simon Installatietechniek B.V." (Connect tenant id, company 7654321). */
const OTHER_COMPANY = '2e9f0c34-8b1a-4d7e-a4c3-5d6e7f8a9b0c';

const customerNames = async () =>
  (await stack.database.sql<{ name: string }[]>`select name from simon.customers where tenant_id = ${tenant}`).map((r) => r.name);
const fromOther = (names: string[]) => names.filter((n) => n.startsWith('Installatietechniek ')).length;
const logMessages = async () =>
  (await stack.database.sql<{ message: string; severity: string }[]>`select message, severity from integration.log_entries where tenant_id = ${tenant} order by id`);

/** The admin's browser: the OAuth link, the sign-on with the company picked, the callback. */
async function signOn(companyId: string) {
  fake.state.connect.signOn.companyId = companyId;
  const link = await stack.api('GET', `${base}/activation/oauth-url`);
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  const consent = await fetch(link.body.url as string, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  return stack.api('GET', back.pathname + back.search, undefined, null);
}

beforeAll(async () => {
  fake = await startFakeVismaNet({ seed: { customers: 12, nonStockItems: 6 } });
  const other = fake.state.data['7654321'];
  seedVismaNet(other, { customers: 7, nonStockItems: 3, seed: 99 });
  // The other company's customers get names of their own, so a mix of both companies cannot go unnoticed.
  for (const c of other.customers) c.name = `Installatietechniek ${c.name}`;
  stack = await startStack('visma-admin', {
    env: { VISMA_NET_BASE_URL: fake.url, VISMA_NET_SALESORDER_BASE_URL: fake.salesOrderUrl, VISMA_CONNECT_BASE_URL: fake.connectUrl },
  });
  fake.state.connect.signOn.companyId = '1234567';
  await activate(stack, { provider: 'visma-net', tenant });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('another Visma.net company after activation', () => {
  it('has imported the company chosen at sign-on only', async () => {
    const names = await customerNames();
    expect(names.length).toBeGreaterThan(0);
    expect(fromOther(names)).toBe(0);
  });

  it('saving another company is refused, confirmed or not, with the way to do it; nothing saved or wiped', async () => {
    const before = await customerNames();
    const versions = async () => (await stack.database.sql`select count(*)::int as n from integration.settings_versions where tenant_id = ${tenant}`)[0].n as number;
    const saved = await versions();
    for (const confirm of [false, true]) {
      const res = await stack.api('PUT', `${base}/settings`, { settings: { ...vismaSettings, companyId: OTHER_COMPANY }, ...(confirm ? { confirmAdministrationChange: true } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body).toMatchObject({
        error: 'reconnect_required', field: 'settings.companyId', from: VISMA_COMPANY, to: OTHER_COMPANY,
        wipes: ['Klant', 'Werkadres', 'Artikel', 'Artikel Groep'],
      });
      expect(res.body.message).toContain('alleen voor het bedrijf dat bij het aanmelden is gekozen');
      expect(res.body.action).toContain('Deactiveer de integratie, activeer haar opnieuw');
    }
    expect(await versions()).toBe(saved);
    expect((await customerNames()).sort()).toEqual(before.sort());
  });

  it('a new sign-on to another company while paused is refused and keeps the old connection', async () => {
    expect((await stack.api('POST', `${base}/pause`)).status).toBe(200);
    const refused = await signOn('7654321');
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error).toBe('connect_failed');
    expect(refused.body.message).toContain('ander bedrijf');
    const entries = await logMessages();
    expect(entries.some((e) => e.severity === 'error' && e.message.startsWith('Koppelen met Visma.net geweigerd: u bent aangemeld bij een ander bedrijf'))).toBe(true);

    // The old connection still works: resumed, a sync of the customers reads the first company only.
    expect((await stack.api('POST', `${base}/resume`)).status).toBe(200);
    const sync = await stack.api('POST', `${base}/sync`, { customers: true });
    expect(sync.status, JSON.stringify(sync.body)).toBe(202);
    for (const wf of sync.body.workflows as { workflowId: string; runId: string }[]) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).result();
    expect(fromOther(await customerNames())).toBe(0);
  });

  it('a new sign-on to the same company while paused (a revoked token) is accepted', async () => {
    expect((await stack.api('POST', `${base}/pause`)).status).toBe(200);
    const again = await signOn('1234567');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.connected).toBe(true);
    expect((await stack.api('POST', `${base}/resume`)).status).toBe(200);
  });

  it('deactivating and activating again with the other company: the first company gone, the other imported once, a work order archived meanwhile held', async () => {
    const deactivated = await stack.api('POST', `${base}/deactivate`, { confirm: true });
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    const [customer] = await stack.database.sql<{ id: string }[]>`select id from simon.customers where tenant_id = ${tenant} limit 1`;
    const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-visma-between/archive`, {
      number: 'WB-3001', status: 'completed', customerId: customer.id, workAddressId: null, description: 'Onderhoud', customerReference: null,
      assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [], workOrderPdf: null,
    }, tokens.backend);
    expect(archived.status, JSON.stringify(archived.body)).toBe(202);

    fake.state.connect.signOn.companyId = '7654321';
    await activate(stack, { provider: 'visma-net', tenant, wipe: allTables.filter((t) => t !== 'Werkbon'), settings: { companyId: OTHER_COMPANY } });

    const names = await customerNames();
    expect(names.length).toBe(fromOther(names));
    expect(new Set(names).size).toBe(names.length);
    const activeOther = fake.state.data['7654321'].customers.filter((c) => c.status === 'Active').length;
    expect(names.length).toBe(activeOther);
    await eventually(async () => {
      const exp = await stack.api('GET', `/v1/tenants/${tenant}/work-orders/wo-visma-between/export`);
      return exp.body.state === 'held' && exp.body.stateLabel === 'Aangehouden';
    }, 60_000);
    const entries = await logMessages();
    expect(entries.some((e) => e.severity === 'warning' && e.message === 'Werkbon WB-3001 niet naar Visma.net gestuurd: integratie niet actief')).toBe(true);
    expect(entries.some((e) => e.severity === 'warning' && e.message === '1 gearchiveerde werkbon is niet naar Visma.net gestuurd omdat de integratie niet actief was')).toBe(true);
  });
});
