import type { TransactionSql } from 'postgres';
import { sql as dsql, type SQL } from 'drizzle-orm';
import type { Database, Db, Sql } from '../client.js';
import type { DeliveryStatus } from '../schema.js';
import { eventDataSchemas, type NewEvent } from '../../lib/events.js';

/**
 * The events outbox (docs/events.md). `emitEvent` is the one way to write an event: call it inside the transaction
 * that writes the state change it reports. The same statement numbers the event per tenant (the row lock on
 * `event_sequences` holds until the commit, so `seq` follows commit order) and makes one pending delivery per
 * enabled endpoint of the tenant or of the whole backend (`*`).
 */

type Tag<R> = (strings: TemplateStringsArray, ...values: never[]) => R;

function eventStatement<R>(tag: Tag<R>, event: NewEvent): R {
  return tag`with ${eventCtes(tag, event) as never} select e.id, e.seq::int as seq, (select count(*) from d)::int as deliveries from e`;
}

/**
 * The event's statement as common table expressions `s`, `e` (the event: id, seq) and `d` (its deliveries), for a
 * statement that writes other rows in the same go (db/queries/exports.ts finishExport).
 */
export function eventCtes<R>(tag: Tag<R>, event: NewEvent): R {
  // Parsed here, so a payload the OpenAPI document does not describe never reaches a receiver.
  const data = JSON.stringify(eventDataSchemas[event.type].parse(event.data));
  const t = event.tenantId as never;
  return tag`
    s as (
      insert into integration.event_sequences as q (tenant_id, last_seq) values (${t}, 1)
      on conflict (tenant_id) do update set last_seq = q.last_seq + 1
      returning last_seq
    ), e as (
      insert into integration.events (tenant_id, seq, type, payload)
      select ${t}, s.last_seq, ${event.type as never}, ${data as never}::text::jsonb from s
      returning id, seq
    ), d as (
      insert into integration.event_deliveries (event_id, endpoint_id, tenant_id, seq)
      select e.id, ep.id, ${t}, e.seq from e, integration.webhook_endpoints ep
      where ep.enabled and (ep.scope = ${t} or ep.scope = '*')
      returning 1
    )`;
}

export interface EmittedEvent {
  id: string;
  seq: number;
  /** Endpoints it is to be delivered to (0: nobody listens, nothing to kick). */
  deliveries: number;
}

/** Writes an event with the postgres.js client or one of its transactions (`sql.begin(async (tx) => …)`). */
export async function emitEvent(tx: Sql | TransactionSql, event: NewEvent): Promise<EmittedEvent> {
  const rows = await eventStatement(tx as unknown as Tag<Promise<EmittedEvent[]>>, event);
  return rows[0];
}

/** The same, inside a drizzle transaction (`database.db.transaction(async (tx) => …)`). */
export async function emitEventDrizzle(tx: Pick<Db, 'execute'>, event: NewEvent): Promise<EmittedEvent> {
  const result = await tx.execute(eventStatement(dsql as unknown as Tag<SQL>, event));
  return (result as unknown as EmittedEvent[])[0];
}

/** Whether the tenant has a delivery to make (the kick after a commit asks this first: no endpoint, no workflow). */
export async function hasPendingDeliveries(database: Database, tenantId: string): Promise<boolean> {
  const rows = await database.sql`select 1 from integration.event_deliveries where tenant_id = ${tenantId} and status = 'pending' limit 1`;
  return rows.length > 0;
}

export async function pendingEndpointIds(database: Database, tenantId: string): Promise<string[]> {
  const rows = await database.sql<{ endpoint_id: string }[]>`
    select distinct endpoint_id from integration.event_deliveries where tenant_id = ${tenantId} and status = 'pending'`;
  return rows.map((r) => r.endpoint_id).sort();
}

export async function nextPendingDeliveries(database: Database, tenantId: string, endpointId: string, limit: number): Promise<{ deliveryId: number; seq: number; type: string }[]> {
  const rows = await database.sql<{ id: string; seq: string; type: string }[]>`
    select d.id, d.seq, e.type from integration.event_deliveries d join integration.events e on e.id = d.event_id
    where d.tenant_id = ${tenantId} and d.endpoint_id = ${endpointId} and d.status = 'pending'
    order by d.seq limit ${limit}`;
  return rows.map((r) => ({ deliveryId: Number(r.id), seq: Number(r.seq), type: r.type }));
}

/** Tenants with a delivery nobody has touched for a while: the sweep kicks their deliverer. */
export async function tenantsWithStrandedDeliveries(database: Database, opts: { olderThanMs: number; limit: number }): Promise<string[]> {
  const rows = await database.sql<{ tenant_id: string }[]>`
    select tenant_id from integration.event_deliveries
    where status = 'pending' and updated_at < now() - make_interval(secs => ${opts.olderThanMs / 1000})
    group by tenant_id order by min(updated_at) limit ${opts.limit}`;
  return rows.map((r) => r.tenant_id);
}

export interface DeliveryToMake {
  id: number;
  status: DeliveryStatus;
  attempts: number;
  endpoint: { id: string; url: string; enabled: boolean };
  event: { id: string; tenantId: string; seq: number; type: string; payload: Record<string, unknown>; createdAt: Date };
  /** Sealed signing secrets in force (not expired), newest first. */
  sealedSecrets: string[];
}

export async function loadDelivery(database: Database, deliveryId: number): Promise<DeliveryToMake | null> {
  const [row] = await database.sql<{
    id: string; status: DeliveryStatus; attempts: number; endpoint_id: string; url: string; enabled: boolean;
    event_id: string; tenant_id: string; seq: string; type: string; payload: Record<string, unknown>; created_at: Date;
  }[]>`
    select d.id, d.status, d.attempts, ep.id as endpoint_id, ep.url, ep.enabled,
           e.id as event_id, e.tenant_id, e.seq, e.type, e.payload, e.created_at
    from integration.event_deliveries d
    join integration.events e on e.id = d.event_id
    join integration.webhook_endpoints ep on ep.id = d.endpoint_id
    where d.id = ${deliveryId}`;
  if (!row) return null;
  const secrets = await database.sql<{ sealed: string }[]>`
    select sealed from integration.webhook_secrets where endpoint_id = ${row.endpoint_id} and (expires_at is null or expires_at > now())
    order by id desc`;
  return {
    id: Number(row.id), status: row.status, attempts: row.attempts,
    endpoint: { id: row.endpoint_id, url: row.url, enabled: row.enabled },
    event: { id: row.event_id, tenantId: row.tenant_id, seq: Number(row.seq), type: row.type, payload: row.payload, createdAt: row.created_at },
    sealedSecrets: secrets.map((s) => s.sealed),
  };
}

/** One HTTP attempt into the delivery log, and the delivery's state after it, in one transaction. */
export async function recordAttempt(database: Database, args: {
  deliveryId: number; attempt: number; durationMs: number; statusCode: number | null; error: string | null; delivered: boolean;
  run: { workflowId: string | null; runId: string | null };
}): Promise<void> {
  await database.sql.begin(async (tx) => {
    await tx`
      insert into integration.delivery_attempts (delivery_id, attempt, duration_ms, status_code, error, workflow_id, run_id)
      values (${args.deliveryId}, ${args.attempt}, ${args.durationMs}, ${args.statusCode}, ${args.error}, ${args.run.workflowId}, ${args.run.runId})`;
    await tx`
      update integration.event_deliveries set attempts = attempts + 1, last_status_code = ${args.statusCode}, last_error = ${args.error},
        status = ${args.delivered ? 'delivered' : 'pending'}, delivered_at = case when ${args.delivered} then now() else delivered_at end, updated_at = now()
      where id = ${args.deliveryId} and status = 'pending'`;
  });
}

/** Ends a delivery that is not to be made any more: retries ran out (`failed`) or the endpoint was disabled (`cancelled`). */
export async function endDelivery(database: Database, deliveryId: number, status: 'failed' | 'cancelled', error: string | null): Promise<void> {
  await database.sql`
    update integration.event_deliveries set status = ${status}, last_error = coalesce(${error}, last_error), updated_at = now()
    where id = ${deliveryId} and status = 'pending'`;
}

// ---------------------------------------------------------------- endpoints and secrets

export interface EndpointRow {
  id: string;
  scope: string;
  url: string;
  description: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Secrets in force: ids and times only (the sealed values never leave this module's callers in the worker). */
  secrets: { id: number; createdAt: Date; expiresAt: Date | null }[];
}

interface EndpointDbRow { id: string; scope: string; url: string; description: string | null; enabled: boolean; created_at: Date; updated_at: Date }

async function withSecrets(sql: Sql | TransactionSql, rows: EndpointDbRow[]): Promise<EndpointRow[]> {
  if (rows.length === 0) return [];
  const secrets = await sql<{ id: number; endpoint_id: string; created_at: Date; expires_at: Date | null }[]>`
    select id, endpoint_id, created_at, expires_at from integration.webhook_secrets
    where endpoint_id in ${sql(rows.map((r) => r.id))} and (expires_at is null or expires_at > now()) order by id desc`;
  return rows.map((r) => ({
    id: r.id, scope: r.scope, url: r.url, description: r.description, enabled: r.enabled, createdAt: r.created_at, updatedAt: r.updated_at,
    secrets: secrets.filter((s) => s.endpoint_id === r.id).map((s) => ({ id: s.id, createdAt: s.created_at, expiresAt: s.expires_at })),
  }));
}

/** null when the scope has an endpoint already (the API answers 409). */
export async function createEndpoint(database: Database, args: { scope: string; url: string; description: string | null; sealedSecret: string }): Promise<EndpointRow | null> {
  return database.sql.begin(async (tx) => {
    const rows = await tx<EndpointDbRow[]>`
      insert into integration.webhook_endpoints (scope, url, description) values (${args.scope}, ${args.url}, ${args.description})
      on conflict (scope) do nothing returning *`;
    if (!rows[0]) return null;
    await tx`insert into integration.webhook_secrets (endpoint_id, sealed) values (${rows[0].id}, ${args.sealedSecret})`;
    return (await withSecrets(tx, rows))[0];
  });
}

export async function listEndpoints(database: Database, scopes: string[] | null): Promise<EndpointRow[]> {
  const { sql } = database;
  const rows = scopes
    ? await sql<EndpointDbRow[]>`select * from integration.webhook_endpoints where scope in ${sql(scopes)} order by scope`
    : await sql<EndpointDbRow[]>`select * from integration.webhook_endpoints order by scope`;
  return withSecrets(sql, rows);
}

export async function getEndpoint(database: Database, id: string): Promise<EndpointRow | null> {
  const rows = await database.sql<EndpointDbRow[]>`select * from integration.webhook_endpoints where id = ${id}`;
  return (await withSecrets(database.sql, rows))[0] ?? null;
}

export async function updateEndpoint(database: Database, id: string, patch: { url?: string; description?: string | null; enabled?: boolean }): Promise<EndpointRow | null> {
  const { sql } = database;
  const rows = await sql<EndpointDbRow[]>`
    update integration.webhook_endpoints set
      url = coalesce(${patch.url ?? null}, url),
      description = ${patch.description === undefined ? sql`description` : patch.description},
      enabled = coalesce(${patch.enabled ?? null}::boolean, enabled),
      updated_at = now()
    where id = ${id} returning *`;
  return (await withSecrets(sql, rows))[0] ?? null;
}

export async function deleteEndpoint(database: Database, id: string): Promise<boolean> {
  const rows = await database.sql`delete from integration.webhook_endpoints where id = ${id} returning id`;
  return rows.length > 0;
}

/** A new secret signs from now on; the ones in force keep signing until `previousUntil` (both signatures are sent). */
export async function rotateSecret(database: Database, endpointId: string, sealedSecret: string, previousUntil: Date): Promise<EndpointRow | null> {
  return database.sql.begin(async (tx) => {
    const rows = await tx<EndpointDbRow[]>`select * from integration.webhook_endpoints where id = ${endpointId} for update`;
    if (!rows[0]) return null;
    await tx`
      update integration.webhook_secrets set expires_at = least(coalesce(expires_at, ${previousUntil}), ${previousUntil})
      where endpoint_id = ${endpointId} and (expires_at is null or expires_at > now())`;
    await tx`insert into integration.webhook_secrets (endpoint_id, sealed) values (${endpointId}, ${sealedSecret})`;
    await tx`update integration.webhook_endpoints set updated_at = now() where id = ${endpointId}`;
    return (await withSecrets(tx, rows))[0];
  });
}

// ---------------------------------------------------------------- the delivery log, as the API shows it

export interface AttemptRow { attempt: number; at: Date; durationMs: number; statusCode: number | null; error: string | null; workflowId: string | null; runId: string | null }
export interface DeliveryRow {
  id: number; endpointId: string; status: DeliveryStatus; attempts: number; lastStatusCode: number | null; lastError: string | null;
  createdAt: Date; updatedAt: Date; deliveredAt: Date | null; log: AttemptRow[];
}
export interface EventRow { id: string; tenantId: string; seq: number; type: string; payload: Record<string, unknown>; createdAt: Date; deliveries: DeliveryRow[] }

interface EventDbRow { id: string; tenant_id: string; seq: string; type: string; payload: Record<string, unknown>; created_at: Date }

async function withDeliveries(sql: Sql | TransactionSql, events: EventDbRow[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  const ids = events.map((e) => e.id);
  const deliveries = await sql<{
    id: string; event_id: string; endpoint_id: string; status: DeliveryStatus; attempts: number; last_status_code: number | null; last_error: string | null;
    created_at: Date; updated_at: Date; delivered_at: Date | null;
  }[]>`select * from integration.event_deliveries where event_id in ${sql(ids)} order by id`;
  const attempts = deliveries.length === 0 ? [] : await sql<{
    delivery_id: string; attempt: number; at: Date; duration_ms: number; status_code: number | null; error: string | null; workflow_id: string | null; run_id: string | null;
  }[]>`select * from integration.delivery_attempts where delivery_id in ${sql(deliveries.map((d) => d.id))} order by id`;
  return events.map((e) => ({
    id: e.id, tenantId: e.tenant_id, seq: Number(e.seq), type: e.type, payload: e.payload, createdAt: e.created_at,
    deliveries: deliveries.filter((d) => d.event_id === e.id).map((d) => ({
      id: Number(d.id), endpointId: d.endpoint_id, status: d.status, attempts: d.attempts, lastStatusCode: d.last_status_code, lastError: d.last_error,
      createdAt: d.created_at, updatedAt: d.updated_at, deliveredAt: d.delivered_at,
      log: attempts.filter((a) => a.delivery_id === d.id).map((a) => ({
        attempt: a.attempt, at: a.at, durationMs: a.duration_ms, statusCode: a.status_code, error: a.error, workflowId: a.workflow_id, runId: a.run_id,
      })),
    })),
  }));
}

/** A tenant's events, newest first, keyset-paged on seq. */
export async function listEvents(database: Database, tenantId: string, opts: { beforeSeq: number | null; limit: number; type: string | null }): Promise<EventRow[]> {
  const { sql } = database;
  const rows = await sql<EventDbRow[]>`
    select * from integration.events where tenant_id = ${tenantId}
      ${opts.beforeSeq !== null ? sql`and seq < ${opts.beforeSeq}` : sql``}
      ${opts.type ? sql`and type = ${opts.type}` : sql``}
    order by seq desc limit ${opts.limit}`;
  return withDeliveries(sql, rows);
}

export async function getEvent(database: Database, tenantId: string, eventId: string): Promise<EventRow | null> {
  const rows = await database.sql<EventDbRow[]>`select * from integration.events where tenant_id = ${tenantId} and id = ${eventId}`;
  return (await withDeliveries(database.sql, rows))[0] ?? null;
}

export type RedeliverResult = { kind: 'not-found' } | { kind: 'pending' } | { kind: 'no-endpoint' } | { kind: 'queued'; event: EventRow };

/**
 * Sends an event again: every delivery of it (and one to each enabled endpoint it never went to) becomes pending.
 * Refused while one is still pending (it is being delivered). The attempts log is kept.
 */
export async function redeliverEvent(database: Database, tenantId: string, eventId: string): Promise<RedeliverResult> {
  return database.sql.begin(async (tx) => {
    const [event] = await tx<EventDbRow[]>`select * from integration.events where tenant_id = ${tenantId} and id = ${eventId} for update`;
    if (!event) return { kind: 'not-found' } as const;
    const [busy] = await tx`select 1 from integration.event_deliveries where event_id = ${eventId} and status = 'pending' limit 1`;
    if (busy) return { kind: 'pending' } as const;
    await tx`
      insert into integration.event_deliveries (event_id, endpoint_id, tenant_id, seq)
      select ${eventId}, ep.id, ${tenantId}, ${event.seq} from integration.webhook_endpoints ep
      where ep.enabled and (ep.scope = ${tenantId} or ep.scope = '*')
      on conflict (event_id, endpoint_id) do nothing`;
    const queued = await tx`
      update integration.event_deliveries d set status = 'pending', updated_at = now()
      from integration.webhook_endpoints ep
      where d.event_id = ${eventId} and ep.id = d.endpoint_id and ep.enabled returning d.id`;
    if (queued.length === 0) return { kind: 'no-endpoint' } as const;
    return { kind: 'queued', event: (await withDeliveries(tx, [event]))[0] } as const;
  });
}
