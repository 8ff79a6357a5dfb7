import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../../lib/providers.js';
import { harnesses, type HarnessFake, type ProviderHarness } from '../helpers/harness/index.js';
import { eventually, startStack, uniqueTenant, type Stack } from '../helpers/stack.js';
import { tokens } from '../helpers/stack.js';

/**
 * Never a doubled or a lost document (docs/exactly-once.md), for every package: a create the package holds past our
 * timeout and commits late, 5xx/429 answers, a timeout after the package committed, a worker stopped in the middle
 * of an export, and many work orders with faults and duplicate archive calls. Each case counts the documents in the
 * fake: exactly one per archived work order.
 */

/** Our HTTP timeout here; the late commit holds longer than this. */
const TIMEOUT_MS = 1_500;
const HOLD_MS = 3_000;
/** Longer than the hold: after it, the held request has committed. */
const WINDOW = '6s';

const cases = Object.values(harnesses).map((h) => h()).filter((h): h is ProviderHarness => h !== null);

describe.each(cases.map((h) => [providers[h.provider].name, h] as const))('%s: one document per archived work order, whatever fails', (_name, harness) => {
  let stack: Stack;
  let fake: HarnessFake;
  const tenant = uniqueTenant(`faults-${harness.provider}`);
  let n = 0;

  beforeAll(async () => {
    fake = await harness.start();
    stack = await startStack(`faults-${harness.provider}`, { env: { ...fake.env, PROVIDER_TIMEOUT: `${TIMEOUT_MS}ms`, EXPORT_IN_DOUBT_WINDOW: WINDOW } });
    await fake.activate(stack, tenant);
  });
  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  async function workOrder(id: string) {
    const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and active and external_id is not null order by number limit 1`;
    return {
      number: id.slice(-12), status: 'completed', customerId: c.id as string, workAddressId: null, description: 'Onderhoud',
      customerReference: null, assignedUserId: null, workMinutes: 60, travelMinutes: 0, materials: [],
      workOrderPdf: fake.pdfUrl?.(id) ?? null,
    };
  }
  const archive = async (id: string) => {
    const res = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${id}/archive`, await workOrder(id), tokens.backend);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res;
  };
  const exportOf = async (id: string) => (await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${id}/export`)).body as Record<string, any>;
  const settled = (id: string, timeoutMs = 90_000) => eventually(async () => {
    const e = await exportOf(id);
    return e.state !== 'pending' ? e : undefined;
  }, timeoutMs, 100);
  const docsFor = (documentId: string) => fake.documents().filter((d) => d.id === documentId);
  /** Packages that take the PDF: attached once, never a second revision (docs/exactly-once.md, "Attachments"). */
  const attachedOnce = (documentId: string, id: string) => {
    if (fake.attachments) expect(fake.attachments(documentId)).toEqual(fake.pdfUrl ? [`Werkbon ${id.slice(-12)}.pdf`] : []);
  };

  it('a create the package holds past our timeout and commits late: in doubt, then found, never created twice', async () => {
    const before = fake.documents().length;
    const id = `late-${++n}`;
    fake.faults.commitLate = { ...fake.createCall, count: 1, holdMs: HOLD_MS };
    await archive(id);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    // Let any request still held commit before counting.
    await new Promise((r) => setTimeout(r, HOLD_MS));
    expect(fake.documents().length - before).toBe(1);
    expect(docsFor(e.documentId)).toHaveLength(1);
    attachedOnce(e.documentId, id);
    const log = await stack.api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon&severity=warning`);
    expect(log.body.entries.some((x: { message: string; simonId: string }) => x.simonId === id && x.message.startsWith('Onbekend of de'))).toBe(true);
    expect(e.inDoubt).toBeNull();
    expect(e.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it.each([500, 502, 503, 429])('a %i answer on the create: sent once after the retry', async (status) => {
    const before = fake.documents().length;
    const id = `status-${status}-${++n}`;
    (fake.faults.failNext).push(fake.failCreate(status, status === 429 ? 1 : undefined));
    await archive(id);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(fake.documents().length - before).toBe(1);
    expect(docsFor(e.documentId)).toHaveLength(1);
    attachedOnce(e.documentId, id);
  }, 120_000);

  it('a timeout after the package committed: the document is found, not made again', async () => {
    const before = fake.documents().length;
    const id = `commit-timeout-${++n}`;
    fake.faults.timeoutAfterCommit = { ...fake.createCall, count: 1 };
    await archive(id);
    const e = await settled(id);
    expect(e.state).toBe('sent');
    expect(fake.documents().length - before).toBe(1);
    attachedOnce(e.documentId, id);
  }, 120_000);

  it('a worker stopped while the create is under way: the next worker finishes it, one document', async () => {
    const before = fake.documents().length;
    const id = `worker-stop-${++n}`;
    fake.faults.commitLate = { ...fake.createCall, count: 1, holdMs: HOLD_MS };
    await archive(id);
    // The create is on its way once the export row records it.
    await eventually(async () => {
      const [row] = await stack.database.sql`select create_started_at from integration.document_exports where tenant_id = ${tenant} and work_order_id = ${id}`;
      return row?.create_started_at ? true : undefined;
    }, 30_000, 20);
    await stack.stopWorker();
    await stack.startWorker();
    const e = await settled(id);
    expect(e.state).toBe('sent');
    await new Promise((r) => setTimeout(r, HOLD_MS));
    expect(fake.documents().length - before).toBe(1);
    attachedOnce(e.documentId, id);
  }, 150_000);

  it('twelve work orders with faults between them and every archive sent twice: twelve documents', async () => {
    const before = fake.documents().length;
    const ids = Array.from({ length: 12 }, (_, i) => `many-${++n}-${i}`);
    const statuses = [500, 503, 429, 502];
    for (let i = 0; i < 4; i++) (fake.faults.failNext).push(fake.failCreate(statuses[i], 1));
    fake.faults.timeoutAfterCommit = { ...fake.createCall, count: 2 };
    await Promise.all(ids.flatMap((id) => [archive(id), archive(id)]));
    const exports = await Promise.all(ids.map((id) => settled(id, 120_000)));
    expect(exports.map((e) => e.state)).toEqual(ids.map(() => 'sent'));
    expect(new Set(exports.map((e) => e.documentId)).size).toBe(12);
    expect(fake.documents().length - before).toBe(12);
    for (const e of exports) expect(docsFor(e.documentId)).toHaveLength(1);
    exports.forEach((e, i) => attachedOnce(e.documentId, ids[i]));
  }, 180_000);
});
