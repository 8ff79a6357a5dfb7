import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { TenantIdKey } from './search-attributes.js';
import { EVENT_KICK_SIGNAL, workflowIds } from './runs.js';

/**
 * The events Simon's backend receives (docs/events.md): one zod schema per type for the `data` of the message.
 * Payloads carry ids, states, counts and the Dutch log text where useful; never a secret, credential or token.
 */

const provider = z.string();

const exportData = <S extends 'sent' | 'failed' | 'held' | 'skipped'>(state: S) => z.object({
  workOrderId: z.string(),
  workOrderNumber: z.string().nullable(),
  provider,
  state: z.literal(state),
  documentId: z.string().nullable(),
  documentNumber: z.string().nullable(),
  /** Why it was not sent (failed, held, skipped); null when sent. */
  reason: z.string().nullable(),
  errorCode: z.string().nullable(),
  /** The integration log's Dutch message and action. */
  message: z.string(),
  action: z.string(),
});

const integrationStatus = z.enum(['not_activated', 'activating', 'active', 'paused', 'deactivated']);
const entityCounts = z.object({ listed: z.number().int(), created: z.number().int(), changed: z.number().int() });
const cleanupCounts = z.object({ listed: z.number().int(), removed: z.number().int(), deactivated: z.number().int(), skippedEmptyListing: z.boolean() });

export const eventDataSchemas = {
  'export.sent': exportData('sent'),
  'export.failed': exportData('failed'),
  'export.held': exportData('held'),
  'export.skipped': exportData('skipped'),
  'workorder.created': z.object({
    workOrderId: z.string(),
    workOrderNumber: z.string(),
    provider,
    /** What it was made from: a quote, or an order that is a document already (Visma.net). */
    source: z.enum(['quote', 'salesOrder']),
    quoteId: z.string(),
    quoteNumber: z.string().nullable(),
    linesWithoutArticle: z.number().int(),
    /** The work address the quote/order gave (an existing one of the customer, or one added for it); null: none (docs/quotes.md). */
    workAddressId: z.string().nullable().optional(),
  }),
  'integration.status_changed': z.object({
    provider,
    from: integrationStatus.nullable(),
    to: integrationStatus,
    /** What changed it: activation, pause, resume, deactivation, or a revoked token (`token_revoked`). */
    reason: z.enum(['activation_started', 'activated', 'paused', 'resumed', 'deactivated', 'token_revoked']),
    message: z.string().nullable(),
  }),
  'sync.completed': z.object({
    provider,
    scope: z.enum(['articles', 'customers', 'all']),
    initial: z.boolean(),
    entities: z.object({ article_groups: entityCounts.optional(), articles: entityCounts.optional(), customers: entityCounts.optional() }),
  }),
  'cleanup.completed': z.object({
    provider,
    entities: z.object({ article_groups: cleanupCounts.optional(), articles: cleanupCounts.optional(), customers: cleanupCounts.optional() }),
    workAddresses: z.object({ removed: z.number().int(), deactivated: z.number().int() }),
  }),
  /** Written with the run's stored counts by the weekly reconciliation (docs/reconciliation.md). */
  'reconcile.completed': z.object({
    provider,
    /** First day compared (`YYYY-MM-DD`) and the number of days. */
    since: z.string(),
    days: z.number().int(),
    /** False when it stopped before comparing (`stopped`: the quota would not fit). */
    complete: z.boolean(),
    stopped: z.enum(['quota', 'not-active', 'not-supported']).nullable(),
    exportsCompared: z.number().int(),
    documentsListed: z.number().int(),
    counts: z.object({ gone: z.number().int(), duplicate: z.number().int(), numberChanged: z.number().int(), existsUnsent: z.number().int() }),
    /** At most 100 findings; ids and numbers only (the log has the Dutch texts). */
    findings: z.array(z.object({
      kind: z.enum(['gone', 'duplicate', 'numberChanged', 'existsUnsent']),
      workOrderId: z.string(),
      exportState: z.enum(['sent', 'failed', 'held']),
      documentIds: z.array(z.string()),
      recordedNumber: z.string().nullable(),
      upstreamNumber: z.string().nullable(),
    })),
  }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.input<(typeof eventDataSchemas)[T]>;

/** An event to write into the outbox (db/queries/events.ts `emitEvent`). */
export type NewEvent = { [T in EventType]: { tenantId: string; type: T; data: EventData<T> } }[EventType];

/** The JSON body every endpoint receives (Standard Webhooks: `type`, `timestamp`, `data`), plus our ids. */
export function eventEnvelope(event: { id: string; tenantId: string; seq: number; type: string; payload: unknown; createdAt: Date }) {
  return { id: event.id, type: event.type, timestamp: event.createdAt.toISOString(), tenantId: event.tenantId, seq: event.seq, data: event.payload };
}


/**
 * After the commit: wake the tenant's deliverer, or start it (signal-with-start joins a running one). A kick that
 * never happens (the process stopped) is made up by the per-minute sweep.
 */
export async function startEventDelivery(client: Client, taskQueue: string, tenantId: string): Promise<void> {
  await client.workflow.signalWithStart('eventDeliveryWorkflow', {
    workflowId: workflowIds.events(tenantId),
    taskQueue,
    args: [{ tenantId }],
    signal: EVENT_KICK_SIGNAL,
    signalArgs: [],
    typedSearchAttributes: [{ key: TenantIdKey, value: tenantId }],
    memo: { tenant: tenantId, kind: 'Events naar Simon' },
    staticSummary: `Events naar Simon · ${tenantId}`,
  });
}
