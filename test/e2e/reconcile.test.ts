import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentAdminOp } from '../../fakes/kit.js';
import { providers } from '../../lib/providers.js';
import { runMeta } from '../../lib/runs.js';
import type { reconcileWorkflow, ReconcileReport } from '../../workflows/reconcile.js';
import { harnesses, type HarnessFake, type ProviderHarness } from '../helpers/harness/index.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * The weekly reconciliation (docs/reconciliation.md) end to end: real Temporal, real Postgres, the package's fake over
 * HTTP. Work orders are archived and sent as usual; then the firm changes documents in the package itself (the fake's
 * `POST /__documents`): one deleted, one copied with our reference, one renumbered (where documents have numbers),
 * and one made for an export that failed. The reconciliation, started through the API as "Controleer nu" and by the
 * workflow the schedule starts, reports each in the log with its action and counts them in the status API, and
 * changes nothing in the package.
 */

/**
 * Per package: `numbered` where a document's number can change (Rompslomp publishes and renumbers; elsewhere the
 * number is the document's key, or a FactuurSturen concept has none, so `renumber` is refused and no numberChanged can
 * happen); `uniqueReference` where the package refuses a second document with our reference, so "Opnieuw versturen"
 * finds the one the firm made (elsewhere the action says not to resend); `gone` the text of a deleted document.
 */
interface Case {
  harness: ProviderHarness;
  /** What the document the firm made for the failed export is called (Visma.net: the kind its id names). */
  existsWord?: string;
  /**
   * Octopus: its invoices carry nothing of ours, so the firm's changes name an invoice by its key (the document id),
   * and the failed export is one whose create was refused after it planned its key (a work order without a customer
   * never plans one, so nothing could be matched to it); the firm then makes the invoice at that planned key.
   */
  byKey?: { failCreate: unknown };
  numbered: boolean;
  uniqueReference: boolean;
  gone: string;
}
const cases: Case[] = [
  { harness: harnesses.factuursturen()!, numbered: false, uniqueReference: true, gone: 'staat niet meer bij de concepten in FactuurSturen (verstuurd of verwijderd)' },
  { harness: harnesses.rompslomp()!, numbered: true, uniqueReference: true, gone: 'is niet meer te vinden in Rompslomp' },
  { harness: harnesses.octopus()!, numbered: false, uniqueReference: false, gone: 'van werkbon RC-GONE is niet meer te vinden in Octopus',
    byKey: { failCreate: { method: 'POST', path: 'invoices', status: 500, body: { errorCode: -3, errorMessage: 'Ongeldige gegevens in de factuur', technicalInfo: '' } } } },
  { harness: harnesses.imuis()!, numbered: false, uniqueReference: false, gone: 'de verkooporder 202600001 van werkbon RC-GONE is niet meer te vinden in iMuis' },
  { harness: harnesses['visma-net']()!, numbered: false, uniqueReference: false, gone: 'de verkooporder 000001 van werkbon RC-GONE is niet meer te vinden in Visma.net', existsWord: 'verkooporder' },
];

describe.each(cases.map((c) => [providers[c.harness.provider].logName, c] as const))('%s: weekly reconciliation', (name, { harness, numbered, uniqueReference, gone: goneText, existsWord = providers[harness.provider].document, byKey }) => {
  let stack: Stack;
  let fake: HarnessFake;
  const tenant = uniqueTenant(`reconcile-${harness.provider}`);
  const doc = providers[harness.provider].document;
  let customerId: string;
  let customerExternalId: string;

  beforeAll(async () => {
    fake = await harness.start();
    stack = await startStack(`reconcile-${harness.provider}`, { env: fake.env });
    await fake.activate(stack, tenant);
    // Scheduled runs would change the fake's documents and counts under the test: only the runs it starts itself.
    for (const id of [`sync/${tenant}`, `quotes/${tenant}`, `cleanup/${tenant}`, `reconcile/${tenant}`]) {
      await stack.client.schedule.getHandle(id).pause('reconcile test').catch(() => {});
    }
    const [c] = await stack.database.sql`select id, external_id from simon.customers where tenant_id = ${tenant} and active and external_id is not null order by number limit 1`;
    customerId = c.id as string;
    customerExternalId = c.external_id as string;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  // Each work order its own hours, so no two documents have the same content (Octopus tells a copy by its content).
  const minutes: Record<string, number> = { 'rc-gone': 60, 'rc-dup': 75, 'rc-nr': 90, 'rc-failed': 105, 'rc-fine': 120 };
  const workOrder = (id: string, withCustomer = true) => ({
    number: id.toUpperCase(), status: 'completed', customerId: withCustomer ? customerId : null, workAddressId: null, description: 'Onderhoud',
    customerReference: null, assignedUserId: null, workMinutes: minutes[id] ?? 60, travelMinutes: 0, materials: [],
  });
  const exportOf = async (id: string) => (await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`)).body as Record<string, any>;
  async function archive(id: string, withCustomer = true) {
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, workOrder(id, withCustomer), tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return eventually(async () => {
      const e = await exportOf(id);
      return e.state !== 'pending' ? e : undefined;
    }, 60_000);
  }
  async function admin(op: DocumentAdminOp) {
    const res = await fetch(`${fake.controlOrigin}/__documents`, { method: 'POST', body: JSON.stringify(op) });
    return { status: res.status, body: await res.json() as any };
  }
  async function reconcileNow(): Promise<ReconcileReport> {
    const res = await stack.api('POST', `/v1/tenants/${tenant}/integration/reconcile`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.workflowId).toBe(`reconcile/${tenant}`);
    return stack.client.workflow.getHandle(res.body.workflowId, res.body.runId).result() as Promise<ReconcileReport>;
  }
  async function warningsFor(id: string) {
    const res = await stack.api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon&severity=warning&limit=200`, undefined, tokens.support);
    return (res.body.entries as { message: string; action: string; simonId: string }[]).filter((e) => e.simonId === id && e.message.startsWith('Controle:'));
  }

  const ids = { gone: 'rc-gone', duplicate: 'rc-dup', renumbered: 'rc-nr', failed: 'rc-failed', fine: 'rc-fine' };
  const refs: Record<string, string> = {};

  it('finds a deleted document, a double one, a failed export whose document exists anyway, and leaves the rest alone', async () => {
    for (const id of [ids.gone, ids.duplicate, ids.renumbered, ids.fine]) {
      const e = await archive(id);
      expect(e.state, JSON.stringify(e)).toBe('sent');
      refs[id] = byKey ? e.documentId : e.reference;
    }
    // No customer: the export fails before anything is sent; the firm then makes the document by hand.
    // (Octopus: the create is refused after the key was planned; the firm makes the invoice at that key.)
    if (byKey) fake.faults.failNext.push(byKey.failCreate);
    const failed = await archive(ids.failed, !!byKey);
    expect(failed.state, JSON.stringify(failed)).toBe('failed');
    refs[ids.failed] = failed.reference;
    let createdDate: string | undefined;
    if (byKey) {
      const [row] = await stack.database.sql`select document_plan from integration.document_exports where tenant_id = ${tenant} and work_order_id = ${ids.failed}`;
      const plan = row.document_plan as Record<string, string>;
      refs[ids.failed] = `${plan.bookyearId}/${plan.journalKey}/${plan.documentSequenceNr}`;
      createdDate = plan.documentDate;
    }
    const documentsBefore = fake.documents().length;

    expect((await admin({ op: 'delete', reference: refs[ids.gone] })).status).toBe(200);
    // Made by hand before the copy: in Octopus the copy would otherwise take the number the failed export planned.
    const made = await admin({ op: 'create', reference: refs[ids.failed], customerExternalId, ...(createdDate ? { date: createdDate } : {}) });
    expect(made.status).toBe(201);
    expect((await admin({ op: 'duplicate', reference: refs[ids.duplicate] })).status).toBe(201);
    if (numbered) expect((await admin({ op: 'renumber', reference: refs[ids.renumbered], number: 'F2026-0001' })).status).toBe(200);
    else expect((await admin({ op: 'renumber', reference: refs[ids.renumbered], number: 'F2026-0001' })).status).toBe(409);
    const documentsAfterAdmin = fake.documents().length;
    expect(documentsAfterAdmin).toBe(documentsBefore + 1);

    const report = await reconcileNow();
    expect(report).toMatchObject({ tenantId: tenant, provider: harness.provider, complete: true, stopped: null, exportsCompared: 5, days: 35 });
    expect(report.counts).toEqual({ gone: 1, duplicate: 1, numberChanged: 0, existsUnsent: 1 });
    expect(report.findings.map((f) => [f.kind, f.workOrderId]).sort()).toEqual([['duplicate', ids.duplicate], ['existsUnsent', ids.failed], ['gone', ids.gone]]);

    // Each finding is a warning at its work order, with the action for the administrator.
    const [gone] = await warningsFor(ids.gone);
    expect(gone.message).toContain(`werkbon ${ids.gone.toUpperCase()}`);
    expect(gone.message).toContain(goneText);
    expect(gone.action).toContain('Simon maakt hem niet opnieuw aan');
    const [dup] = await warningsFor(ids.duplicate);
    expect(dup.message).toContain(`Controle: werkbon ${ids.duplicate.toUpperCase()} staat 2 keer als ${doc} in ${name}`);
    const sentId = (await exportOf(ids.duplicate)).documentId as string;
    expect(dup.action).toContain(`houd die met id ${sentId}`);
    expect(dup.action).toContain('Simon verwijdert zelf niets');
    const [exists] = await warningsFor(ids.failed);
    expect(exists.message).toContain(`Controle: het versturen van werkbon ${ids.failed.toUpperCase()} is mislukt, maar in ${name} staat er toch een ${existsWord}`);
    expect(exists.action).toContain(uniqueReference ? 'Simon vindt hem terug en maakt geen tweede aan' : "kies dan niet 'Opnieuw versturen'");
    expect(await warningsFor(ids.fine)).toEqual([]);
    expect(await warningsFor(ids.renumbered)).toEqual([]);

    // Nothing changed upstream, nothing marked sent.
    expect(fake.documents().length).toBe(documentsAfterAdmin);
    expect((await exportOf(ids.failed)).state).toBe('failed');

    const log = await stack.api('GET', `/v1/tenants/${tenant}/logs?table=Integratie`, undefined, tokens.support);
    expect(log.body.entries.map((e: { message: string }) => e.message)).toContain(`Controle van de werkbonnen van de afgelopen 35 dagen met ${name}: 3 afwijkingen gevonden in 5 werkbonnen`);

    const status = (await stack.api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support)).body;
    expect(status.reconciliation).toMatchObject({ complete: true, stopped: null, days: 35, exportsCompared: 5, findings: { gone: 1, duplicate: 1, numberChanged: 0, existsUnsent: 1 } });
    expect(status.reconciliation.documentsListed).toBeGreaterThanOrEqual(5);
    expect(status.initialImport.map((p: { entity: string }) => p.entity)).not.toContain('reconcile');

    // Simon's backend hears of the run: one reconcile.completed event with the same counts (docs/events.md).
    const events = (await stack.api('GET', `/v1/tenants/${tenant}/events`, undefined, tokens.support)).body.events as { type: string; message: { data: Record<string, any> } }[];
    const completed = events.filter((e) => e.type === 'reconcile.completed');
    expect(completed.length).toBeGreaterThanOrEqual(1);
    expect(completed[0].message.data).toMatchObject({ complete: true, exportsCompared: 5, counts: { gone: 1, duplicate: 1, numberChanged: 0, existsUnsent: 1 } });
    expect(completed[0].message.data.findings.map((f: { kind: string }) => f.kind).sort()).toEqual(['duplicate', 'existsUnsent', 'gone']);
  }, 240_000);

  // Only where documents have numbers (a FactuurSturen concept has none: its renumber is refused above).
  if (numbered) it('reports a number changed by hand once, and shows the new number at the work order', async () => {
    // The first run recorded the number the published concept got; now the firm changes it.
    expect((await exportOf(ids.renumbered)).documentNumber).toBe('F2026-0001');
    expect((await admin({ op: 'renumber', reference: refs[ids.renumbered], number: 'F2026-0042' })).status).toBe(200);

    // The run the schedule starts: the same workflow, started by Temporal with the schedule's arguments.
    const report = await stack.client.workflow.execute<typeof reconcileWorkflow>('reconcileWorkflow', {
      workflowId: `reconcile/${tenant}`, taskQueue: stack.taskQueue, args: [{ tenantId: tenant, provider: harness.provider }],
      ...runMeta({ tenantId: tenant, provider: harness.provider, kind: 'reconcile' }),
    });
    expect(report.counts).toEqual({ gone: 1, duplicate: 1, numberChanged: 1, existsUnsent: 1 });
    const [changed] = await warningsFor(ids.renumbered);
    expect(changed.message).toBe(`Controle: het nummer van de ${doc} van werkbon ${ids.renumbered.toUpperCase()} is in ${name} gewijzigd van F2026-0001 in F2026-0042`);
    expect((await exportOf(ids.renumbered)).documentNumber).toBe('F2026-0042');
    const status = (await stack.api('GET', `/v1/tenants/${tenant}/integration`, undefined, tokens.support)).body;
    expect(status.reconciliation.findings).toEqual({ gone: 1, duplicate: 1, numberChanged: 1, existsUnsent: 1 });
  }, 120_000);

  // Only where the package refuses a second document with our reference; elsewhere the action says not to resend.
  if (uniqueReference) it('"Opnieuw versturen" of the failed export finds the document the firm made instead of making a second', async () => {
    // Give the work order its customer, as the action says, and resend.
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${ids.failed}/archive`, workOrder(ids.failed), tokens.backend);
    expect([200, 202]).toContain(res.status);
    const retry = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${ids.failed}/export/retry`);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const e = await eventually(async () => {
      const x = await exportOf(ids.failed);
      return x.state !== 'pending' ? x : undefined;
    }, 60_000);
    expect(e.state).toBe('sent');
    expect(fake.documents().filter((d) => d.id === e.documentId)).toHaveLength(1);
    const report = await reconcileNow();
    expect(report.counts.existsUnsent).toBe(0);
  }, 120_000);

  it('the schedule exists with the tenant\'s other schedules, weekly at night, and goes when the integration is deactivated', async () => {
    const described = await stack.client.schedule.getHandle(`reconcile/${tenant}`).describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY' }] });
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileWorkflow' });
    const off = await stack.api('POST', `/v1/tenants/${tenant}/integration/deactivate`, { confirm: true });
    expect(off.status).toBe(200);
    await expect(stack.client.schedule.getHandle(`reconcile/${tenant}`).describe()).rejects.toThrow();
    const refused = await stack.api('POST', `/v1/tenants/${tenant}/integration/reconcile`, {});
    expect(refused.status).toBe(409);
  }, 60_000);
});
