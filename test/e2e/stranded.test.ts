import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { ensureExportSweepSchedule } from '../../lib/schedules.js';
import { freePort, resolveTemporalCli, startTemporalDevServer, type DevServer } from '../../scripts/local/temporal-server.js';
import { activate, completedWorkOrder, exportState } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * An archive while Temporal is away (docs/exactly-once.md, "Stranded exports"): the API answers 503 with
 * Retry-After, the export row stays pending, and once Temporal is back the per-minute sweep (here every 3 s) sends
 * it without anybody pressing a button. "Opnieuw versturen" also accepts such a stranded export.
 * This file runs its own Temporal dev server, so stopping it disturbs no other test.
 */
let dev: DevServer;
let stack: Stack;
let port: number;
const dir = mkdtempSync(path.join(os.tmpdir(), 'simon-stranded-'));
const dbFile = path.join(dir, 'temporal.db');
const tenant = uniqueTenant('stranded');
const invoicesFor = (reference: string) => stack.fake.state.savedInvoices.filter((i) => i.name === reference);

async function startTemporal() {
  dev = await startTemporalDevServer({ cli: resolveTemporalCli()!, headless: true, port, dbFile });
}

beforeAll(async () => {
  port = await freePort();
  await startTemporal();
  stack = await startStack('stranded', { temporalAddress: dev.address, env: { EXPORT_SWEEP_INTERVAL: '3s' } });
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 10 });
  await activate(stack, { provider: 'factuursturen', tenant });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await dev?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('an archive while Temporal is unavailable', { timeout: 240_000 }, () => {
  async function archiveWhileTemporalIsDown(id: string, number: string) {
    const body = await completedWorkOrder(stack, tenant, number);
    await dev.stop();
    const res = await stack.app.request(`/v1/tenants/${tenant}/work-orders/${id}/archive`, {
      method: 'POST', headers: { authorization: `Bearer ${tokens.backend}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(answer)).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answer).toMatchObject({ error: 'temporal_unavailable' });
    const [row] = await stack.database.sql`select state from integration.document_exports where tenant_id = ${tenant} and work_order_id = ${id}`;
    expect(row?.state).toBe('pending');
    await startTemporal();
  }

  it('answers 503 with Retry-After, keeps the export pending, and the sweep sends it once Temporal is back', async () => {
    await archiveWhileTemporalIsDown('stranded-1', 'WB-S1');
    const sent = await eventually(async () => {
      const e = await exportState(stack, tenant, 'stranded-1');
      return e.state === 'sent' ? e : undefined;
    }, 180_000, 500);
    expect(invoicesFor(sent.reference)).toHaveLength(1);
    const logs = await stack.api('GET', `/v1/tenants/${tenant}/logs?table=Werkbon`);
    expect(logs.body.entries.some((e: { simonId: string; message: string }) => e.simonId === 'stranded-1' && e.message.includes('wordt alsnog naar FactuurSturen gestuurd'))).toBe(true);
  });

  it("'Opnieuw versturen' starts a stranded export; pressed again while it runs or after, it is refused", async () => {
    await ensureExportSweepSchedule(stack.client, stack.taskQueue, 0);
    await archiveWhileTemporalIsDown('stranded-2', 'WB-S2');
    const retry = await eventually(async () => {
      const r = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/stranded-2/export/retry`);
      // Until the client has reconnected the retry itself answers 503, which says to try again.
      return r.status === 503 ? undefined : r;
    }, 60_000, 500);
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const sent = await eventually(async () => {
      const e = await exportState(stack, tenant, 'stranded-2');
      return e.state === 'sent' ? e : undefined;
    }, 120_000, 200);
    expect(invoicesFor(sent.reference)).toHaveLength(1);
    expect((await stack.api('POST', `/v1/tenants/${tenant}/work-orders/stranded-2/export/retry`)).status).toBe(409);
  });
});
