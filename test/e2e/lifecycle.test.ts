import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { startStack, eventually, uniqueTenant, type Stack } from '../helpers/stack.js';
import { activate, completedWorkOrder, exportState, fsSettings } from '../helpers/activation.js';

/** Issue 4: settings versions, pause/resume, deactivate and re-activation, shown on FactuurSturen. */
let stack: Stack;
const invoicesFor = (reference: string) => stack.fake.state.savedInvoices.filter((i) => i.name === reference);

beforeAll(async () => {
  stack = await startStack('lifecycle');
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 20, clients: 40 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('settings versions and pause', () => {
  const tenant = uniqueTenant('ver');

  beforeAll(async () => {
    await activate(stack, { provider: 'factuursturen', tenant, settings: { paymentReference: 'workOrderNumber' } });
  });

  it('pauses the schedule and keeps an archive pending; resume sends it once', async () => {
    const paused = await stack.api('POST', `/v1/tenants/${tenant}/integration/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', label: 'Gepauzeerd' });
    const desc = await stack.client.schedule.getHandle(`sync/${tenant}`).describe();
    expect(desc.state.paused).toBe(true);

    await stack.api('POST', `/v1/tenants/${tenant}/work-orders/p-1/archive`, await completedWorkOrder(stack, tenant, 'WB-P1'), 'test-backend-token');
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = await exportState(stack, tenant, 'p-1');
    expect(waiting.state).toBe('pending');
    expect(invoicesFor(waiting.reference)).toHaveLength(0);

    const sync = await stack.api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true });
    expect(sync.status).toBe(409);

    const resumed = await stack.api('POST', `/v1/tenants/${tenant}/integration/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.resent).toBe(1);
    expect((await stack.client.schedule.getHandle(`sync/${tenant}`).describe()).state.paused).toBe(false);
    const sent = await eventually(async () => {
      const e = await exportState(stack, tenant, 'p-1');
      return e.state === 'sent' ? e : undefined;
    });
    expect(invoicesFor(sent.reference)).toHaveLength(1);
  });

  it('builds a document with the settings in force at archive time, not at send time', async () => {
    // Archived under version 1 (payment reference = work order number) while paused, so it is sent after the change.
    await stack.api('POST', `/v1/tenants/${tenant}/integration/pause`);
    await stack.api('POST', `/v1/tenants/${tenant}/work-orders/v-old/archive`, await completedWorkOrder(stack, tenant, 'WB-OLD'), 'test-backend-token');
    const changed = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...fsSettings, paymentReference: 'customerReference' } });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    await stack.api('POST', `/v1/tenants/${tenant}/integration/resume`);
    await stack.api('POST', `/v1/tenants/${tenant}/work-orders/v-new/archive`, await completedWorkOrder(stack, tenant, 'WB-NEW', { customerReference: 'KLANT-9' }), 'test-backend-token');

    const old = await eventually(async () => ((e) => (e.state === 'sent' ? e : undefined))(await exportState(stack, tenant, 'v-old')));
    const neu = await eventually(async () => ((e) => (e.state === 'sent' ? e : undefined))(await exportState(stack, tenant, 'v-new')));
    expect(invoicesFor(old.reference)[0].reference.line3).toBe('WB-OLD');
    expect(invoicesFor(neu.reference)[0].reference.line3).toBe('KLANT-9');
    expect(old.settingsVersionId).not.toBe(neu.settingsVersionId);
  });

  it('re-checks every field when settings change and saves nothing when one fails', async () => {
    const res = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...fsSettings, defaultArticle: 'GEENARTIKEL' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('settings_invalid');
    expect(res.body.checks.find((c: { field: string }) => c.field === 'defaultArticle')).toMatchObject({ ok: false });
    const status = await stack.api('GET', `/v1/tenants/${tenant}/integration`);
    expect(status.body.settings.version).toBe(2);
  });
});

describe('deactivate and re-activate', () => {
  const tenant = uniqueTenant('deact');

  beforeAll(async () => {
    await activate(stack, { provider: 'factuursturen', tenant });
  });

  it('refuses to deactivate without confirmation', async () => {
    const res = await stack.api('POST', `/v1/tenants/${tenant}/integration/deactivate`, {});
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('confirm');
  });

  it('stops schedules and a running import at once; an archive while deactivated is held and not sent', async () => {
    // A slow re-import is running when the admin deactivates.
    stack.fake.faults.latencyMs = 3000;
    const sync = await stack.api('POST', `/v1/tenants/${tenant}/integration/sync`, { customers: true });
    expect(sync.status).toBe(202);
    const res = await stack.api('POST', `/v1/tenants/${tenant}/integration/deactivate`, { confirm: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'deactivated', label: 'Gedeactiveerd' });
    stack.fake.faults.latencyMs = 0;
    const run = stack.client.workflow.getHandle(sync.body.workflows[0].workflowId, sync.body.workflows[0].runId);
    await eventually(async () => {
      const d = await run.describe();
      if (d.status.name === 'CANCELLED') return true;
      // Says what the run is doing if it never gets there (and why, when it failed).
      const why = d.status.name === 'FAILED' ? await run.result().then(() => '', (e: Error) => `: ${e.message}; ${String((e.cause as Error | undefined)?.message)}; ${String(((e.cause as Error | undefined)?.cause as Error | undefined)?.message)}`) : '';
      throw new Error(`sync run is ${d.status.name}, ${d.raw.pendingActivities?.length ?? 0} pending activities${why}`);
    }, 40_000, 200);
    await expect(stack.client.schedule.getHandle(`sync/${tenant}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);

    // No materials: the re-activation below wipes and re-imports the articles, which gives them new Simon ids.
    const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/held-1/archive`, await completedWorkOrder(stack, tenant, 'WB-H1', { materials: [] }), 'test-backend-token');
    expect(archived.status).toBe(202);
    expect(archived.body.export.state).toBe('held');
    const logs = await stack.api('GET', `/v1/tenants/${tenant}/logs?severity=warning&table=Werkbon`);
    expect(logs.body.entries[0].message).toContain('integratie niet actief');
    const retry = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/held-1/export/retry`);
    expect(retry.status).toBe(409);
  });

  it('re-activates with a wipe of only Artikel: that table is emptied and refilled, the others stay', async () => {
    const customersBefore = (await stack.database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`)[0].n;
    const start = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' });
    expect(start.body).toMatchObject({ firstActivation: false, mandatoryWipe: [] });
    const wipe = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: ['Artikel'] });
    expect(wipe.body.deleted).toEqual({ Artikel: 20 });
    expect((await stack.database.sql`select count(*)::int as n from simon.articles where tenant_id = ${tenant}`)[0].n).toBe(0);
    expect((await stack.database.sql`select count(*)::int as n from simon.customers where tenant_id = ${tenant}`)[0].n).toBe(customersBefore);

    // The remaining steps (`activate` restarts the activation, which is allowed while activating).
    await activate(stack, { provider: 'factuursturen', tenant, wipe: [] });
    expect((await stack.database.sql`select count(*)::int as n from simon.articles where tenant_id = ${tenant}`)[0].n).toBe(20);
    expect((await stack.client.schedule.getHandle(`sync/${tenant}`).describe()).state.paused).toBe(false);
    const status = await stack.api('GET', `/v1/tenants/${tenant}/integration`);
    expect(status.body.exports.held).toBe(1);
    const warning = await stack.api('GET', `/v1/tenants/${tenant}/logs?severity=warning&table=Werkbon`);
    expect(warning.body.entries[0].message).toContain('1 gearchiveerde werkbon is niet naar FactuurSturen gestuurd');
  });

  it('sends work orders archived after re-activation, and the held one only after an explicit retry, once', async () => {
    await stack.api('POST', `/v1/tenants/${tenant}/work-orders/after-1/archive`, await completedWorkOrder(stack, tenant, 'WB-A1'), 'test-backend-token');
    const after = await eventually(async () => ((e) => (e.state !== 'pending' ? e : undefined))(await exportState(stack, tenant, 'after-1')));
    expect(after).toMatchObject({ state: 'sent' });
    expect(invoicesFor(after.reference)).toHaveLength(1);

    const held = await exportState(stack, tenant, 'held-1');
    expect(held.state).toBe('held');
    expect(invoicesFor(held.reference)).toHaveLength(0);
    const retry = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/held-1/export/retry`);
    expect(retry.status).toBe(202);
    const sent = await eventually(async () => ((e) => (e.state !== 'pending' ? e : undefined))(await exportState(stack, tenant, 'held-1')));
    expect(sent).toMatchObject({ state: 'sent' });
    expect(invoicesFor(sent.reference)).toHaveLength(1);
    const again = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/held-1/export/retry`);
    expect(again.status).toBe(409);
    expect(invoicesFor(sent.reference)).toHaveLength(1);
  });
});
