import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeMapFromPayloads, decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { DEFAULT_FS_ACCOUNT, seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { createDataConverter } from '../../lib/codec.js';
import { resolveTemporalCli } from '../../scripts/local/temporal-server.js';
import { activate, completedWorkOrder, exportState } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { plaintextOf, payloadsIn, failuresIn, type History } from './history-walk.js';

/**
 * Issue 7 acceptance: an archive runs through the real Temporal dev server with the codec on; read without the
 * codec, no history of the tenant shows customer data or the credential, and with the codec it all decodes.
 */
let stack: Stack;
let raw: Client;
const tenant = uniqueTenant('codec');
const workOrderId = 'wo-codec-1';
const secretDescription = 'Lekkage onder de vloer bij mevrouw Visser, sleutel onder de mat';
const secretPrice = 987.65;
let customer: { name: string; street: string; city: string; zipcode: string };
let providerText: string;
const histories: { workflowId: string; runId: string; type: string; history: History }[] = [];

beforeAll(async () => {
  stack = await startStack('codec-history');
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 12, clients: 12 });
  await activate(stack, { provider: 'factuursturen', tenant });

  const wo = await completedWorkOrder(stack, tenant, 'WB-7001', { description: secretDescription });
  wo.materials = wo.materials.map((m) => ({ ...m, price: secretPrice }));
  const [row] = await stack.database.sql`select external_id from simon.customers where id = ${wo.customerId}`;
  const fsClient = stack.fake.state.clients.find((c) => String(c.clientnr) === row.external_id)!;
  customer = { name: fsClient.company || fsClient.contact, street: fsClient.address, city: fsClient.city, zipcode: fsClient.zipcode };
  // A provider refusal quoting the customer (as real APIs do): it lands in Temporal as a failure message and details.
  providerText = `Factuur voor ${customer.name}, ${customer.street} ${customer.city}: bedrag ${String(secretPrice).replace('.', ',')} tijdelijk niet verwerkt`;
  stack.fake.faults.failNext.push({ status: 503, path: 'invoices', method: 'POST', body: providerText });

  const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/${workOrderId}/archive`, wo, tokens.backend);
  expect(archived.status, JSON.stringify(archived.body)).toBe(202);
  const done = await eventually(async () => {
    const e = await exportState(stack, tenant, workOrderId);
    return e.state !== 'pending' ? e : undefined;
  }, 60_000, 100);
  expect(done.state).toBe('sent');

  // A client WITHOUT the codec: what anyone with access to Temporal (or its database) sees.
  raw = new Client({ connection: stack.client.connection, namespace: stack.env.TEMPORAL_NAMESPACE });
  // Visibility lags behind: wait until the closed export run is listed.
  const runs = await eventually(async () => {
    const found: { workflowId: string; runId: string; type: string }[] = [];
    for await (const wf of stack.client.workflow.list({ query: `TenantId = "${tenant}" AND ExecutionStatus != "Running"` })) {
      found.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
    }
    return found.some((r) => r.type === 'exportWorkOrderWorkflow') ? found : undefined;
  }, 30_000, 200);
  for (const run of runs) histories.push({ ...run, history: await raw.workflow.getHandle(run.workflowId, run.runId).fetchHistory() });
});

afterAll(async () => {
  await stack?.stop();
});

describe('workflow histories without the codec', () => {
  it('covers activation, import and the archive of the tenant', () => {
    const types = new Set(histories.map((h) => h.type));
    for (const t of ['wipeWorkflow', 'connectWorkflow', 'saveSettingsWorkflow', 'syncWorkflow', 'exportWorkOrderWorkflow']) expect(types).toContain(t);
  });

  it('hold no customer name, address, amount, work order description or credential in plaintext', () => {
    const secrets = [
      customer.name, customer.street, customer.zipcode, secretDescription, 'sleutel onder de mat',
      String(secretPrice), String(secretPrice).replace('.', ','), DEFAULT_FS_ACCOUNT.apiKey, providerText,
    ];
    for (const { workflowId, history } of histories) {
      const text = plaintextOf(history);
      for (const s of secrets) expect(text, `${workflowId} shows '${s}'`).not.toContain(s);
    }
  });

  it('has every payload encrypted except the search attributes, which hold ids only', () => {
    let encrypted = 0;
    for (const { workflowId, history } of histories) {
      for (const { path, payload } of payloadsIn(history)) {
        const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8');
        if (path.endsWith('TemporalChangeVersion')) {
          // Temporal's own search attribute for patches: the patch ids (patched()).
          const ids = defaultPayloadConverter.fromPayload<string[]>(payload);
          for (const id of ids) expect(id, `${workflowId} ${path}`).toMatch(/^[a-z0-9-]+$/);
        } else if (path.includes('searchAttributes')) {
          const value = defaultPayloadConverter.fromPayload(payload);
          expect([tenant, 'factuursturen', workOrderId], `${workflowId} ${path}`).toContain(value);
        } else if (path.includes('markerRecordedEventAttributes.details.patch-data')) {
          // The SDK's own patch marker (patched()): Core writes it without the data converter. It holds the patch
          // id and a flag, never data; shown so nothing else slips through this exception.
          const value = defaultPayloadConverter.fromPayload<{ id?: string }>(payload);
          expect(Object.keys(value).sort(), `${workflowId} ${path}`).toEqual(['deprecated', 'id']);
          expect(value.id, `${workflowId} ${path}`).toMatch(/^[a-z0-9-]+$/);
        } else {
          expect(encoding, `${workflowId} ${path}`).toBe('binary/encrypted');
          encrypted++;
        }
      }
    }
    expect(encrypted).toBeGreaterThan(20);
  });

  it('stores failure messages and stack traces only encrypted', () => {
    const failures = histories.flatMap((h) => failuresIn(h.history).map((f) => ({ ...f, workflowId: h.workflowId })));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.failure.message, `${f.workflowId} ${f.path}`).toBe('Encoded failure');
      expect(f.failure.stackTrace ?? '').toBe('');
      expect(f.failure.encodedAttributes?.metadata?.encoding && Buffer.from(f.failure.encodedAttributes.metadata.encoding).toString()).toBe('binary/encrypted');
    }
  });

  it('shows the memo of a run as ciphertext to a client without the codec', async () => {
    const started = exportHistory().events![0].workflowExecutionStartedEventAttributes!;
    const memo = started.memo!.fields!;
    expect(Object.keys(memo).sort()).toEqual(['kind', 'provider', 'tenant', 'workOrder']);
    await expect(decodeMapFromPayloads(loadDataConverter(), memo)).rejects.toThrow();
  });
});

describe('workflow histories with the codec', () => {
  const converter = () => loadDataConverter(createDataConverter(stack.env));

  it('decodes the export run: input, result and memo', async () => {
    const events = exportHistory().events!;
    const started = events[0].workflowExecutionStartedEventAttributes!;
    expect(await decodeArrayFromPayloads(converter(), started.input!.payloads as Payload[])).toEqual([{ tenantId: tenant, workOrderId }]);
    expect(await decodeMapFromPayloads(converter(), started.memo!.fields as Record<string, Payload>)).toEqual({
      tenant, provider: 'factuursturen', kind: 'Werkbon naar boekhouding', workOrder: workOrderId,
    });
    const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)!.workflowExecutionCompletedEventAttributes!;
    const [result] = await decodeArrayFromPayloads(converter(), completed.result!.payloads);
    expect(result).toMatchObject({ state: 'sent', documentId: expect.any(String) });
    // The codec client reads it like any other client would without encryption.
    const handle = stack.client.workflow.getHandle(exportRun().workflowId, exportRun().runId);
    expect(await handle.result()).toMatchObject({ state: 'sent' });
    expect((await handle.describe()).memo).toMatchObject({ tenant, workOrder: workOrderId });
  });

  it("decodes the provider's failure text, which did quote the customer", async () => {
    const [f] = failuresIn(exportHistory());
    const err = await decodeOptionalFailureToOptionalError(converter(), f.failure);
    expect(err?.message).toContain(customer.name);
    expect(err?.message).toContain(String(secretPrice).replace('.', ','));
  });

  it('lets support read a run through the codec endpoint with the Temporal CLI, and nobody without a support token', async () => {
    const cli = resolveTemporalCli({ install: false });
    expect(cli, 'Temporal CLI (test/global-setup.ts installs it)').toBeTruthy();
    const server: ServerType = serve({ fetch: stack.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/codec`;
      // Asynchronous: the codec endpoint the CLI calls is served by this very process.
      const show = (auth?: string, commandTimeout = '20s') =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const args = ['workflow', 'show', '--address', inject('temporalAddress'), '-w', exportRun().workflowId, '-r', exportRun().runId, '--output', 'json',
            '--codec-endpoint', endpoint, '--command-timeout', commandTimeout, ...(auth ? ['--codec-auth', auth] : [])];
          execFile(cli!, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
        });
      const asSupport = await show(`Bearer ${tokens.support}`);
      expect(asSupport.code, asSupport.stderr).toBe(0);
      const seen = cliPayloadText(asSupport.stdout);
      expect(seen.encodings).not.toContain('binary/encrypted');
      expect(seen.text).toContain('Werkbon naar boekhouding'); // memo
      expect(seen.text).toContain(`"workOrderId":"${workOrderId}"`); // input
      expect(seen.text).toContain('"state":"sent"'); // result
      expect(seen.text).toContain(customer.name); // the failure's encoded attributes
      for (const auth of [undefined, `Bearer ${tokens.backend}`]) {
        // The CLI keeps retrying a refused codec call until its command timeout, then gives up without output.
        const denied = await show(auth, '3s');
        expect(denied.code).not.toBe(0);
        const shown = cliPayloadText(denied.stdout);
        expect(shown.text + denied.stderr).not.toContain(customer.name);
        expect(shown.text + denied.stderr).not.toContain('Werkbon naar boekhouding');
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

/** The CLI prints proto JSON (payload bytes in base64): the encodings it shows and the payload data as text. */
function cliPayloadText(stdout: string): { encodings: string[]; text: string } {
  const encodings: string[] = [];
  const texts: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, string> | undefined;
    if (meta && typeof meta === 'object' && typeof meta.encoding === 'string') {
      encodings.push(Buffer.from(meta.encoding, 'base64').toString('utf8'));
      if (typeof o.data === 'string') texts.push(Buffer.from(o.data, 'base64').toString('utf8'));
    }
    Object.values(o).forEach(walk);
  };
  try {
    walk(JSON.parse(stdout));
  } catch {
    texts.push(stdout);
  }
  return { encodings, text: texts.join('\n') };
}

function exportRun() {
  const run = histories.find((h) => h.type === 'exportWorkOrderWorkflow');
  if (!run) throw new Error('no export run recorded');
  return run;
}
function exportHistory(): History {
  return exportRun().history;
}
