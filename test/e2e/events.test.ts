import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { decodeArrayFromPayloads, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { pauseIfActive } from '../../db/queries/oauth.js';
import { createDataConverter } from '../../lib/codec.js';
import { activate, completedWorkOrder, exportState } from '../helpers/activation.js';
import { eventually, startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';
import { payloadsIn, plaintextOf } from '../codec/history-walk.js';

/**
 * Events to Simon's backend (docs/events.md) on the real stack: a receiver over real HTTP that verifies every
 * message with the standardwebhooks package, the outbox written with each state change, the deliverer
 * `events/{tenant}` with its retries, and the sweep (every 2 s here) for events nobody kicked.
 */
interface Received { id: string; body: string; headers: Record<string, string>; status: number; message: { id: string; type: string; seq: number; data: Record<string, unknown> } }

let stack: Stack;
let receiver: Server;
let receiverUrl: string;
let answer = 200;
const received: Received[] = [];
const tenant = uniqueTenant('events');
let endpointId: string;
const secrets: string[] = [];

/** For `eventually`, which takes a promise: a synchronous look at what the receiver got. */
const look = <T>(check: () => T) => () => Promise.resolve(check());

/** Accepted messages (2xx answers) of a type. */
const accepted = (type?: string) => received.filter((r) => r.status < 300 && (!type || r.message.type === type));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ id: headers['webhook-id'], body, headers, status: answer, message: JSON.parse(body) });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'tijdelijk niet beschikbaar');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  stack = await startStack('events', { env: { EVENT_SWEEP_INTERVAL: '2s' } });
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 10 });
  const made = await stack.api('POST', '/v1/webhook-endpoints', { tenantId: tenant, url: receiverUrl, description: 'test' });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  endpointId = made.body.id;
  secrets.push(made.body.secret);
  await activate(stack, { provider: 'factuursturen', tenant });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function deliverer() {
  return stack.client.workflow.getHandle(`events/${tenant}`).describe().then((d) => d.status.name, () => 'NOT_FOUND');
}

describe('events to Simon\'s backend', { timeout: 180_000 }, () => {
  it('signs every message the Standard Webhooks way and reports the activation', async () => {
    await eventually(look(() => accepted('integration.status_changed').some((r) => r.message.data.to === 'active')), 60_000);
    for (const r of accepted()) {
      expect(r.headers['webhook-id']).toBe(r.message.id);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(new Webhook(secrets[0]).verify(r.body, r.headers)).toMatchObject({ id: r.message.id });
    }
    expect(() => new Webhook(`whsec_${Buffer.from('not the secret, 24 bytes!').toString('base64')}`).verify(accepted()[0].body, accepted()[0].headers)).toThrow();
    const changes = accepted('integration.status_changed').map((r) => r.message.data.to);
    expect(changes).toEqual(['activating', 'active']);
    await eventually(look(() => accepted('sync.completed').length >= 2), 60_000);
    expect(accepted('sync.completed').every((r) => r.message.data.initial === true)).toBe(true);
  });

  it('reports an archive that is sent as one export.sent with the work order id', async () => {
    const wo = await completedWorkOrder(stack, tenant, 'WB-E1');
    const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-events-1/archive`, wo, tokens.backend);
    expect(archived.status, JSON.stringify(archived.body)).toBe(202);
    const sent = await eventually(async () => {
      const e = await exportState(stack, tenant, 'wo-events-1');
      return e.state === 'sent' ? e : undefined;
    }, 60_000);
    const event = await eventually(look(() => accepted('export.sent').find((r) => r.message.data.workOrderId === 'wo-events-1')), 60_000);
    expect(event.message.data).toMatchObject({ workOrderId: 'wo-events-1', workOrderNumber: 'WB-E1', state: 'sent', documentId: sent.documentId, provider: 'factuursturen' });
    expect(String(event.message.data.message)).toContain('WB-E1');
    // Nothing more arrives for it: the event was written once, with the export's ending.
    await eventually(async () => (await deliverer()) !== 'RUNNING', 60_000);
    expect(new Set(received.filter((r) => r.message.data.workOrderId === 'wo-events-1').map((r) => r.id)).size).toBe(1);
    const listed = await stack.api('GET', `/v1/tenants/${tenant}/events?type=export.sent`, undefined, tokens.support);
    expect(listed.status).toBe(200);
    expect(listed.body.events).toHaveLength(1);
    expect(listed.body.events[0].deliveries[0]).toMatchObject({ endpointId, status: 'delivered', attempts: 1, lastStatusCode: 200 });
  });

  it('sends two signatures after a rotation, and each secret verifies', async () => {
    const rotated = await stack.api('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`, { keepPreviousSeconds: 3600 });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    secrets.push(rotated.body.secret);
    expect(rotated.body.secrets).toHaveLength(2);
    expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/pause`)).status).toBe(200);
    const paused = await eventually(look(() => accepted('integration.status_changed').find((r) => r.message.data.to === 'paused')), 60_000);
    expect(paused.headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of secrets) expect(new Webhook(secret).verify(paused.body, paused.headers)).toMatchObject({ type: 'integration.status_changed' });
    expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/resume`)).status).toBe(200);
    await eventually(look(() => accepted('integration.status_changed').some((r) => r.message.data.to === 'active' && r.message.data.reason === 'resumed')), 60_000);
  });

  it('delivers every event, in order, to a receiver that was down for a while', async () => {
    await eventually(async () => (await deliverer()) !== 'RUNNING', 60_000);
    const before = accepted().length;
    answer = 503;
    for (const step of ['pause', 'resume', 'pause', 'resume']) expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/${step}`)).status).toBe(200);
    // The first event is refused a few times (each attempt in the delivery log), the others wait behind it.
    await eventually(look(() => received.filter((r) => r.status === 503).length >= 3), 60_000);
    const log = await stack.api('GET', `/v1/tenants/${tenant}/events?type=integration.status_changed&limit=4`);
    const oldest = log.body.events[3];
    expect(oldest.deliveries[0].status).toBe('pending');
    expect(oldest.deliveries[0].lastStatusCode).toBe(503);
    expect(oldest.deliveries[0].log.length).toBeGreaterThanOrEqual(2);
    expect(oldest.deliveries[0].log[0]).toMatchObject({ statusCode: 503, error: expect.stringContaining('HTTP 503'), workflowId: `events/${tenant}` });
    expect(log.body.events.slice(0, 3).every((e: { deliveries: { attempts: number }[] }) => e.deliveries[0].attempts === 0)).toBe(true);
    answer = 200;
    await eventually(look(() => accepted().length >= before + 4), 90_000);
    const got = accepted().slice(before);
    expect(got.map((r) => r.message.data.to)).toEqual(['paused', 'active', 'paused', 'active']);
    const seqs = got.map((r) => r.message.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(got.map((r) => r.id)).size).toBe(4);
  });

  it('loses nothing when the process stops between the state change and the kick: the sweep delivers it', async () => {
    await eventually(async () => (await deliverer()) !== 'RUNNING', 60_000);
    // The state change with its outbox row, committed; the kick that follows it in the product never happens.
    expect(await pauseIfActive(stack.database, tenant, 'De koppeling is ingetrokken')).toBe(true);
    const [pending] = await stack.database.sql`select status from integration.event_deliveries where tenant_id = ${tenant} order by seq desc limit 1`;
    expect(pending.status).toBe('pending');
    const revoked = await eventually(look(() => accepted('integration.status_changed').find((r) => r.message.data.reason === 'token_revoked')), 60_000);
    expect(revoked.message.data).toMatchObject({ from: 'active', to: 'paused', message: 'De koppeling is ingetrokken' });
  });

  it('redelivers an event on request, with the same webhook-id', async () => {
    const sent = accepted('export.sent')[0];
    const again = await stack.api('POST', `/v1/tenants/${tenant}/events/${sent.id}/redeliver`);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    await eventually(look(() => accepted('export.sent').filter((r) => r.id === sent.id).length === 2), 60_000);
    const event = await eventually(async () => {
      const r = await stack.api('GET', `/v1/tenants/${tenant}/events/${sent.id}`);
      return r.body.deliveries[0].status === 'delivered' ? r : undefined;
    }, 30_000);
    expect(event.body.deliveries[0].log.filter((a: { statusCode: number }) => a.statusCode === 200)).toHaveLength(2);
    expect((await stack.api('POST', `/v1/tenants/${tenant}/events/00000000-0000-4000-8000-000000000000/redeliver`)).status).toBe(404);
    const bad = await stack.api('POST', `/v1/tenants/${tenant}/events/not-a-uuid/redeliver`);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('eventId');
    const twice = await stack.api('POST', '/v1/webhook-endpoints', { tenantId: tenant, url: receiverUrl });
    expect(twice.status).toBe(409);
    const badUrl = await stack.api('POST', '/v1/webhook-endpoints', { tenantId: tenant, url: 'ftp://x' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.issues[0].path).toBe('url');
  });

  it('shows no secret in list answers, the events API or the deliverer\'s workflow history', async () => {
    const answers = [
      await stack.api('GET', '/v1/webhook-endpoints'),
      await stack.api('GET', `/v1/webhook-endpoints?tenantId=${tenant}`),
      await stack.api('GET', `/v1/tenants/${tenant}/events?limit=200`),
    ];
    for (const a of answers) {
      expect(a.status).toBe(200);
      const text = JSON.stringify(a.body);
      for (const s of secrets) expect(text).not.toContain(s.slice(6));
      expect(text).not.toContain('whsec_');
    }
    const converter = loadDataConverter(createDataConverter(stack.env));
    let runs = 0;
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "events/${tenant}"` })) {
      const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const decoded: string[] = [plaintextOf(history)];
      for (const { payload } of payloadsIn(history)) {
        decoded.push(JSON.stringify(await decodeArrayFromPayloads(converter, [payload]).catch(() => null)));
      }
      const text = decoded.join('\n');
      for (const s of secrets) expect(text).not.toContain(s.slice(6));
      expect(text).not.toContain('whsec_');
      runs++;
    }
    expect(runs).toBeGreaterThan(0);
  });
});
