import type { ProviderId } from '../lib/providers.js';

import {
  bigint, bigserial, boolean, index, integer, jsonb, numeric, pgSchema, primaryKey, serial, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/**
 * Two schemas (docs/data-model.md):
 * - `simon`: the Simon data the integration fills and reads (the tables of the wipe screen);
 * - `integration`: the integration's own state.
 * Every Simon table records its last Simon-side mutation and its last integration update
 * (the status screen's "Simon Mutatie" / "Integratie Update" columns).
 */
export const simon = pgSchema('simon');
export const integration = pgSchema('integration');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const audit = {
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** Last change made on the Simon side (by a Simon user or the backend). */
  simonMutatedAt: ts('simon_mutated_at'),
  /** Last change written by the integration. */
  integrationUpdatedAt: ts('integration_updated_at'),
};

export const articleGroups = simon.table('article_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  code: text('code').notNull(),
  description: text('description').notNull().default(''),
  active: boolean('active').notNull().default(true),
  /** null = added locally in Simon (removed by the cleanup). */
  externalId: text('external_id'),
  ...audit,
}, (t) => [uniqueIndex('article_groups_tenant_external').on(t.tenantId, t.externalId), index('article_groups_tenant').on(t.tenantId)]);

export const articles = simon.table('articles', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  code: text('code').notNull(),
  description: text('description').notNull().default(''),
  salesPrice: numeric('sales_price', { precision: 14, scale: 4 }),
  unit: text('unit'),
  groupExternalId: text('group_external_id'),
  groupId: uuid('group_id').references(() => articleGroups.id, { onDelete: 'set null' }),
  active: boolean('active').notNull().default(true),
  externalId: text('external_id'),
  ...audit,
}, (t) => [
  uniqueIndex('articles_tenant_external').on(t.tenantId, t.externalId),
  index('articles_tenant_code').on(t.tenantId, t.code),
]);

export const customers = simon.table('customers', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  number: text('number'),
  name: text('name').notNull(),
  street: text('street'),
  postalCode: text('postal_code'),
  city: text('city'),
  country: text('country'),
  email: text('email'),
  phone: text('phone'),
  active: boolean('active').notNull().default(true),
  externalId: text('external_id'),
  ...audit,
}, (t) => [uniqueIndex('customers_tenant_external').on(t.tenantId, t.externalId), index('customers_tenant').on(t.tenantId)]);

/**
 * Where a work address came from: the customer's addresses in the package, added in Simon, or the address on a quote
 * or order that became a work order (`quote-address`, docs/quotes.md; kept like one added in Simon: no external id).
 */
export const workAddressOrigins = ['customer-address', 'invoice-address', 'delivery-address', 'simon', 'quote-address'] as const;
export type WorkAddressOrigin = (typeof workAddressOrigins)[number];

export const workAddresses = simon.table('work_addresses', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  name: text('name'),
  street: text('street'),
  postalCode: text('postal_code'),
  city: text('city'),
  country: text('country'),
  active: boolean('active').notNull().default(true),
  /** Set when the address came from the accounting package: `{customerExternalId}/{origin}`. */
  externalId: text('external_id'),
  origin: text('origin').$type<WorkAddressOrigin>().notNull(),
  ...audit,
}, (t) => [uniqueIndex('work_addresses_tenant_external').on(t.tenantId, t.externalId), index('work_addresses_customer').on(t.customerId)]);

export const workOrderStatuses = ['open', 'planned', 'completed', 'archived'] as const;
export type WorkOrderStatus = (typeof workOrderStatuses)[number];

export const workOrders = simon.table('work_orders', {
  tenantId: text('tenant_id').notNull(),
  /** Simon's own work order id. */
  id: text('id').notNull(),
  number: text('number').notNull(),
  customerId: uuid('customer_id'),
  workAddressId: uuid('work_address_id'),
  description: text('description').notNull().default(''),
  customerReference: text('customer_reference'),
  status: text('status').$type<WorkOrderStatus>().notNull(),
  assignedUserId: text('assigned_user_id'),
  source: text('source').$type<'simon' | 'quote'>().notNull().default('simon'),
  sourceQuoteId: text('source_quote_id'),
  workMinutes: integer('work_minutes').notNull().default(0),
  travelMinutes: integer('travel_minutes').notNull().default(0),
  workOrderPdf: text('work_order_pdf'),
  formsPdf: text('forms_pdf'),
  notes: text('notes'),
  archivedAt: ts('archived_at'),
  ...audit,
}, (t) => [primaryKey({ columns: [t.tenantId, t.id] })]);

export const workOrderMaterials = simon.table('work_order_materials', {
  id: serial('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  workOrderId: text('work_order_id').notNull(),
  position: integer('position').notNull(),
  articleId: uuid('article_id'),
  description: text('description'),
  quantity: numeric('quantity', { precision: 14, scale: 4 }).notNull(),
  price: numeric('price', { precision: 14, scale: 4 }),
}, (t) => [index('work_order_materials_wo').on(t.tenantId, t.workOrderId)]);

export const objects = simon.table('objects', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  customerId: uuid('customer_id'),
  name: text('name').notNull(),
  ...audit,
}, (t) => [index('objects_tenant').on(t.tenantId)]);

export const contactPersons = simon.table('contact_persons', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  customerId: uuid('customer_id'),
  name: text('name').notNull(),
  email: text('email'),
  phone: text('phone'),
  ...audit,
}, (t) => [index('contact_persons_tenant').on(t.tenantId)]);

// ---------------------------------------------------------------- integration

export const integrationStatuses = ['not_activated', 'activating', 'active', 'paused', 'deactivated'] as const;
export type IntegrationStatus = (typeof integrationStatuses)[number];

export interface ActivationSteps {
  wiped: boolean;
  connected: boolean;
  settingsChecked: boolean;
  saved: boolean;
}

export const integrations = integration.table('integrations', {
  tenantId: text('tenant_id').primaryKey(),
  provider: text('provider').$type<ProviderId>().notNull(),
  status: text('status').$type<IntegrationStatus>().notNull().default('not_activated'),
  steps: jsonb('steps').$type<ActivationSteps>().notNull().default({ wiped: false, connected: false, settingsChecked: false, saved: false }),
  /** How many activations were completed; 0 = first activation (wipe of all tables is mandatory). */
  activations: integer('activations').notNull().default(0),
  startedAt: ts('started_at'),
  endedAt: ts('ended_at'),
  termsAcceptedBy: text('terms_accepted_by'),
  termsAcceptedAt: ts('terms_accepted_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const credentials = integration.table('credentials', {
  tenantId: text('tenant_id').primaryKey(),
  provider: text('provider').$type<ProviderId>().notNull(),
  /** AES-256-GCM envelope `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); never leaves the worker/API process decrypted. */
  sealed: text('sealed'),
  /**
   * Credentials being connected: the API seals them here, the worker verifies them with the provider and
   * then promotes them to `sealed` or clears them, so a wrong key leaves nothing stored and no secret
   * ever travels through a workflow's input.
   */
  pendingSealed: text('pending_sealed'),
  /** Non-secret hint shown to admins, e.g. the username. */
  label: text('label'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const settingsVersions = integration.table('settings_versions', {
  id: serial('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  version: integer('version').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  effectiveFrom: ts('effective_from').notNull().defaultNow(),
  createdBy: text('created_by'),
  /** Makes the save idempotent when the activity is retried. */
  requestId: text('request_id').notNull(),
}, (t) => [uniqueIndex('settings_versions_request').on(t.requestId), uniqueIndex('settings_versions_tenant_version').on(t.tenantId, t.version), index('settings_versions_effective').on(t.tenantId, t.effectiveFrom)]);

export const syncState = integration.table('sync_state', {
  tenantId: text('tenant_id').notNull(),
  entity: text('entity').notNull(),
  /** Provider cursor or high-water mark for the next incremental run. */
  cursor: text('cursor'),
  phase: text('phase').$type<'initial' | 'incremental'>().notNull().default('initial'),
  recordsDone: integer('records_done').notNull().default(0),
  recordsTotal: integer('records_total'),
  lastRunStartedAt: ts('last_run_started_at'),
  lastSuccessAt: ts('last_success_at'),
  lastError: text('last_error'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.entity] })]);

export const externalRefs = integration.table('external_refs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  entity: text('entity').notNull(),
  externalId: text('external_id').notNull(),
  simonId: text('simon_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('external_refs_unique').on(t.tenantId, t.provider, t.entity, t.externalId)]);

export const importedQuotes = integration.table('imported_quotes', {
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  quoteId: text('quote_id').notNull(),
  workOrderId: text('work_order_id').notNull(),
  /** What the work order came from: a quote, or an order that is a document already (Visma.net `SO`, docs/export.md). */
  kind: text('kind').$type<'quote' | 'salesOrder'>().notNull().default('quote'),
  /** The number the firm knows it by (the log names it). */
  number: text('number'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.provider, t.quoteId] })]);

export const exportStates = ['pending', 'held', 'sent', 'skipped', 'failed'] as const;
export type ExportState = (typeof exportStates)[number];

export const documentExports = integration.table('document_exports', {
  id: serial('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  workOrderId: text('work_order_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  state: text('state').$type<ExportState>().notNull().default('pending'),
  /** Our unique reference on the provider's document, used to find it again after a timeout. */
  reference: text('reference').notNull(),
  documentId: text('document_id'),
  documentNumber: text('document_number'),
  settingsVersionId: integer('settings_version_id'),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  attempts: integer('attempts').notNull().default(0),
  /**
   * A create was sent at this time and its outcome is not known yet (set before the request leaves, cleared when
   * the answer says what happened): after a crash or a timeout the document may exist (docs/exactly-once.md).
   */
  createStartedAt: ts('create_started_at'),
  /** When the export learned that a create is in doubt; it looks again after the in-doubt window. Null otherwise. */
  inDoubtSince: ts('in_doubt_since'),
  /** The document key planned before the first create (Octopus: book year, journal, document number). */
  documentPlan: jsonb('document_plan').$type<Record<string, string>>(),
  archivedAt: ts('archived_at').notNull(),
  sentAt: ts('sent_at'),
  workflowId: text('workflow_id'),
  runId: text('run_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('document_exports_work_order').on(t.tenantId, t.workOrderId), index('document_exports_state').on(t.tenantId, t.state)]);

export const severities = ['info', 'warning', 'error'] as const;
export type Severity = (typeof severities)[number];
export const logTables = ['Werkbon', 'Klant', 'Werkadres', 'Artikel', 'Artikel Groep', 'Offerte', 'Integratie'] as const;
export type LogTable = (typeof logTables)[number];

export const logEntries = integration.table('log_entries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  tenantId: text('tenant_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  severity: text('severity').$type<Severity>().notNull(),
  table: text('table_name').$type<LogTable>().notNull(),
  message: text('message').notNull(),
  action: text('action').notNull(),
  simonId: text('simon_id'),
  providerId: text('provider_id'),
  workflowId: text('workflow_id'),
  runId: text('run_id'),
}, (t) => [
  // Keyset paging newest first, with and without a severity/table filter (perf-baselines §3, index A).
  index('log_entries_tenant_time').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
  index('log_entries_tenant_severity_time').on(t.tenantId, t.severity, t.createdAt.desc(), t.id.desc()),
  index('log_entries_tenant_table_time').on(t.tenantId, t.table, t.createdAt.desc(), t.id.desc()),
]);

/** The seven wipeable Simon tables, with the Dutch names of the wipe screen. */
export const wipeableTables = {
  'Artikel Groep': articleGroups,
  Artikel: articles,
  Werkbon: workOrders,
  Werkadres: workAddresses,
  Klant: customers,
  Objecten: objects,
  'Contact Personen': contactPersons,
} as const;
export type WipeableTable = keyof typeof wipeableTables;
export const wipeableTableNames = Object.keys(wipeableTables) as WipeableTable[];


/**
 * OAuth2 authorization-code flow (rompslomp, visma-net): the `state` we send to the provider, bound to the
 * tenant, single use and short-lived, so a callback cannot be replayed or attached to another tenant.
 */
export const oauthStates = integration.table('oauth_states', {
  state: text('state').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  redirectUri: text('redirect_uri').notNull(),
  /** PKCE verifier, when the provider supports it. */
  codeVerifier: text('code_verifier'),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
}, (t) => [index('oauth_states_tenant').on(t.tenantId)]);

/**
 * Calls made to a provider per tenant and time window (the quota guard of the API-limited providers):
 * `window` is 'day' (Europe/Amsterdam calendar day) or 'minute'; `window_start` its start.
 */
export const apiUsage = integration.table('api_usage', {
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  window: text('window').$type<'day' | 'minute'>().notNull(),
  windowStart: ts('window_start').notNull(),
  calls: integer('calls').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.tenantId, t.provider, t.window, t.windowStart] })]);

/**
 * Calls per tenant, endpoint class and day for the packages that limit each endpoint (Octopus: lib/quota.ts
 * `octopusEndpoint`); counted next to `api_usage`, in the same transaction.
 */
export const apiEndpointUsage = integration.table('api_endpoint_usage', {
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  endpoint: text('endpoint').notNull(),
  /** Start of the Europe/Amsterdam calendar day. */
  windowStart: ts('window_start').notNull(),
  calls: integer('calls').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.tenantId, t.provider, t.endpoint, t.windowStart] })]);

/**
 * A package told us to wait (429 with Retry-After): no call of that tenant goes out before `until`, from any worker
 * (docs/quota.md). Checked by the quota guard before every call of the API-limited packages.
 */
export const rateLimitHolds = integration.table('rate_limit_holds', {
  tenantId: text('tenant_id').notNull(),
  provider: text('provider').$type<ProviderId>().notNull(),
  until: ts('until').notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.provider] })]);

// ---------------------------------------------------------------- events (docs/events.md)

/** The last event number given out per tenant: the row lock orders a tenant's events in commit order. */
export const eventSequences = integration.table('event_sequences', {
  tenantId: text('tenant_id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
});

/**
 * The outbox: every event is written in the same transaction as the state change it reports, so none is lost
 * when a process stops between the commit and the delivery (docs/events.md). Payloads hold ids, states and counts,
 * never a secret.
 */
export const events = integration.table('events', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  type: text('type').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('events_tenant_seq').on(t.tenantId, t.seq)]);

/** Where events go: `scope` is a tenant id, or `*` for the one endpoint of the whole Simon backend. */
export const webhookEndpoints = integration.table('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  scope: text('scope').notNull(),
  url: text('url').notNull(),
  description: text('description'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('webhook_endpoints_scope').on(t.scope)]);

/** Signing secrets, sealed like credentials; every secret not expired signs (rotation: old and new for a while). */
export const webhookSecrets = integration.table('webhook_secrets', {
  id: serial('id').primaryKey(),
  endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  sealed: text('sealed').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** null = signs until a rotation sets it. */
  expiresAt: ts('expires_at'),
}, (t) => [index('webhook_secrets_endpoint').on(t.endpointId)]);

export const deliveryStatuses = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One event to one endpoint: made with the event (pending), delivered in `seq` order per tenant and endpoint. */
export const eventDeliveries = integration.table('event_deliveries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  eventId: uuid('event_id').notNull().references(() => events.id, { onDelete: 'cascade' }),
  endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  tenantId: text('tenant_id').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  deliveredAt: ts('delivered_at'),
}, (t) => [
  uniqueIndex('event_deliveries_event_endpoint').on(t.eventId, t.endpointId),
  index('event_deliveries_pending').on(t.tenantId, t.endpointId, t.seq).where(sql`status = 'pending'`),
]);

/** Every HTTP attempt of a delivery (the delivery log), with the Temporal run that made it. */
export const deliveryAttempts = integration.table('delivery_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  deliveryId: bigint('delivery_id', { mode: 'number' }).notNull().references(() => eventDeliveries.id, { onDelete: 'cascade' }),
  attempt: integer('attempt').notNull(),
  at: ts('at').notNull().defaultNow(),
  durationMs: integer('duration_ms').notNull(),
  statusCode: integer('status_code'),
  error: text('error'),
  workflowId: text('workflow_id'),
  runId: text('run_id'),
}, (t) => [index('delivery_attempts_delivery').on(t.deliveryId)]);
