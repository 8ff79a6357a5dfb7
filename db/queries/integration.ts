import { and, desc, eq, lte, sql as dsql } from 'drizzle-orm';
import type { TransactionSql } from 'postgres';
import type { Database } from '../client.js';
import { credentials, integrations, settingsVersions, type ActivationSteps, type IntegrationStatus, type WipeableTable } from '../schema.js';
import type { ProviderId } from '../../lib/providers.js';
import type { Settings } from '../../lib/settings.js';
import { emitEvent, emitEventDrizzle } from './events.js';
import type { EventData } from '../../lib/events.js';

type StatusReason = EventData<'integration.status_changed'>['reason'];

export type IntegrationRow = typeof integrations.$inferSelect;

export async function getIntegration(database: Database, tenantId: string): Promise<IntegrationRow | null> {
  const rows = await database.db.select().from(integrations).where(eq(integrations.tenantId, tenantId)).limit(1);
  return rows[0] ?? null;
}

const noSteps: ActivationSteps = { wiped: false, connected: false, settingsChecked: false, saved: false };

/**
 * Starts (or restarts) an activation: steps are reset; a re-activation keeps its count so the wipe becomes optional.
 * A change of status is reported as `integration.status_changed` in the same transaction (docs/events.md).
 */
export async function beginActivation(database: Database, tenantId: string, provider: ProviderId): Promise<IntegrationRow> {
  return database.db.transaction(async (tx) => {
    const before = await tx.select({ status: integrations.status }).from(integrations).where(eq(integrations.tenantId, tenantId)).for('update');
    const rows = await tx
      .insert(integrations)
      .values({ tenantId, provider, status: 'activating', steps: noSteps })
      .onConflictDoUpdate({
        target: integrations.tenantId,
        set: { provider, status: 'activating', steps: noSteps, endedAt: null, updatedAt: new Date() },
      })
      .returning();
    const from = before[0]?.status ?? null;
    if (from !== 'activating') {
      await emitEventDrizzle(tx, { tenantId, type: 'integration.status_changed', data: { provider, from, to: 'activating', reason: 'activation_started', message: null } });
    }
    return rows[0];
  });
}

export async function setStep(database: Database, tenantId: string, step: keyof ActivationSteps, done: boolean): Promise<void> {
  await database.db
    .update(integrations)
    .set({ steps: dsql`jsonb_set(${integrations.steps}, ${`{${step}}`}::text[], ${JSON.stringify(done)}::jsonb)`, updatedAt: new Date() })
    .where(eq(integrations.tenantId, tenantId));
}

const reasonOf: Partial<Record<IntegrationStatus, StatusReason>> = { paused: 'paused', active: 'resumed', deactivated: 'deactivated' };

/** Sets the status; a change is reported as `integration.status_changed` in the same transaction (docs/events.md). */
export async function setStatus(database: Database, tenantId: string, status: IntegrationStatus, message: string | null = null): Promise<void> {
  const now = new Date();
  await database.db.transaction(async (tx) => {
    const before = await tx.select({ status: integrations.status, provider: integrations.provider }).from(integrations).where(eq(integrations.tenantId, tenantId)).for('update');
    await tx
      .update(integrations)
      .set({ status, updatedAt: now, ...(status === 'deactivated' ? { endedAt: now } : {}) })
      .where(eq(integrations.tenantId, tenantId));
    const prev = before[0];
    if (prev && prev.status !== status) {
      await emitEventDrizzle(tx, {
        tenantId, type: 'integration.status_changed',
        data: { provider: prev.provider, from: prev.status, to: status, reason: reasonOf[status] ?? 'activation_started', message },
      });
    }
  });
}

// ---------------------------------------------------------------- credentials

export async function storePendingCredentials(database: Database, tenantId: string, provider: ProviderId, sealed: string, label: string | null): Promise<void> {
  await database.db
    .insert(credentials)
    .values({ tenantId, provider, pendingSealed: sealed, label })
    .onConflictDoUpdate({ target: credentials.tenantId, set: { pendingSealed: sealed, updatedAt: new Date() } });
}

export async function readCredentialRow(database: Database, tenantId: string) {
  const rows = await database.db.select().from(credentials).where(eq(credentials.tenantId, tenantId)).limit(1);
  return rows[0] ?? null;
}

/** Verified: the pending credentials become the tenant's credentials. */
export async function promotePendingCredentials(database: Database, tenantId: string, provider: ProviderId, label: string | null): Promise<void> {
  await database.db
    .update(credentials)
    .set({ sealed: dsql`${credentials.pendingSealed}`, pendingSealed: null, provider, label, updatedAt: new Date() })
    .where(and(eq(credentials.tenantId, tenantId), dsql`${credentials.pendingSealed} is not null`));
}

/** Rejected by the provider: forget them, and drop the row when nothing verified was there before. */
export async function discardPendingCredentials(database: Database, tenantId: string): Promise<void> {
  await database.db.update(credentials).set({ pendingSealed: null }).where(eq(credentials.tenantId, tenantId));
  await database.db.delete(credentials).where(and(eq(credentials.tenantId, tenantId), dsql`${credentials.sealed} is null`));
}

// ---------------------------------------------------------------- settings versions

export type SettingsVersionRow = typeof settingsVersions.$inferSelect;

/** Saves a new settings version; idempotent on `requestId` so a retried activity does not add a second one. */
export async function saveSettingsVersion(database: Database, tenantId: string, settings: Settings, actor: string | null, requestId: string): Promise<SettingsVersionRow> {
  return database.db.transaction(async (tx) => {
    const existing = await tx.select().from(settingsVersions).where(eq(settingsVersions.requestId, requestId)).limit(1);
    if (existing[0]) return existing[0];
    // Serialise concurrent saves of one tenant so version numbers stay gapless and unique.
    await tx.execute(dsql`select pg_advisory_xact_lock(hashtext(${`settings:${tenantId}`}))`);
    const last = await tx
      .select({ version: settingsVersions.version })
      .from(settingsVersions)
      .where(eq(settingsVersions.tenantId, tenantId))
      .orderBy(desc(settingsVersions.version))
      .limit(1);
    const rows = await tx
      .insert(settingsVersions)
      .values({ tenantId, provider: settings.provider, version: (last[0]?.version ?? 0) + 1, settings: settings, createdBy: actor, requestId })
      .returning();
    return rows[0];
  });
}

/** The version in force at a moment (docs/export.md: a document uses the version in force when the work order was archived). */
export async function settingsVersionAt(database: Database, tenantId: string, at: Date): Promise<SettingsVersionRow | null> {
  const rows = await database.db
    .select()
    .from(settingsVersions)
    .where(and(eq(settingsVersions.tenantId, tenantId), lte(settingsVersions.effectiveFrom, at)))
    .orderBy(desc(settingsVersions.effectiveFrom), desc(settingsVersions.version))
    .limit(1);
  return rows[0] ?? null;
}

export async function settingsVersionById(database: Database, id: number): Promise<SettingsVersionRow | null> {
  const rows = await database.db.select().from(settingsVersions).where(eq(settingsVersions.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function completeActivation(database: Database, tenantId: string, actor: string | null, message: string | null = null): Promise<void> {
  const now = new Date();
  await database.db.transaction(async (tx) => {
    const before = await tx.select({ status: integrations.status, provider: integrations.provider }).from(integrations).where(eq(integrations.tenantId, tenantId)).for('update');
    await tx
    .update(integrations)
    .set({
      status: 'active',
      steps: { wiped: true, connected: true, settingsChecked: true, saved: true },
      activations: dsql`${integrations.activations} + 1`,
      startedAt: now,
      endedAt: null,
      termsAcceptedBy: actor,
      termsAcceptedAt: now,
      updatedAt: now,
    })
    .where(eq(integrations.tenantId, tenantId));
    const prev = before[0];
    if (prev && prev.status !== 'active') {
      await emitEventDrizzle(tx, { tenantId, type: 'integration.status_changed', data: { provider: prev.provider, from: prev.status, to: 'active', reason: 'activated', message } });
    }
  });
}

/** The admin accepted the terms in force (docs/terms.md); the version is stored with the settings version. */
export async function recordTermsAcceptance(database: Database, tenantId: string, actor: string | null): Promise<void> {
  const now = new Date();
  await database.db.update(integrations).set({ termsAcceptedBy: actor, termsAcceptedAt: now, updatedAt: now }).where(eq(integrations.tenantId, tenantId));
}

// ---------------------------------------------------------------- wipe

/** Deletes the chosen Simon tables of one tenant in dependency order; returns rows deleted per table. */
export async function wipeTables(database: Database, tenantId: string, tables: WipeableTable[]): Promise<Record<string, number>> {
  return database.sql.begin((tx) => wipeIn(tx, tenantId, tables));
}

async function wipeIn(tx: TransactionSql, tenantId: string, tables: WipeableTable[]): Promise<Record<string, number>> {
  const order: WipeableTable[] = ['Werkbon', 'Objecten', 'Contact Personen', 'Werkadres', 'Klant', 'Artikel', 'Artikel Groep'];
  const result: Record<string, number> = {};
  for (const name of order.filter((t) => tables.includes(t))) {
    const target = tableSql[name];
    if (name === 'Werkbon') {
      await tx.unsafe(`delete from simon.work_order_materials where tenant_id = $1`, [tenantId]);
      // integration.imported_quotes stays: which quotes were imported is the integration's memory, not Simon data,
      // so a wipe of Werkbon never brings old quotes back as work orders (docs/quotes.md).
    }
    const res = await tx.unsafe(`delete from ${target} where tenant_id = $1`, [tenantId]);
    result[name] = res.count;
    const entity = entityOfTable[name];
    if (entity) {
      await tx.unsafe(`delete from integration.sync_state where tenant_id = $1 and entity = $2`, [tenantId, entity]);
      await tx.unsafe(`delete from integration.external_refs where tenant_id = $1 and entity = $2`, [tenantId, entity]);
    }
  }
  return result;
}

/** The tables an administration change wipes: what is imported from the administration (docs/administration-change.md). */
export const ADMINISTRATION_TABLES: WipeableTable[] = ['Klant', 'Werkadres', 'Artikel', 'Artikel Groep'];

export interface AdministrationReset {
  wiped: Record<string, number>;
  /** Exports that were still to be sent, now held for the admin's explicit retry. */
  held: number;
}

/**
 * The database half of an administration change, in one transaction: wipe what came from the old administration,
 * forget every sync position and external reference of it (incl. the quote baseline), and hold the exports that
 * were still to be sent so none reaches the new administration without "Opnieuw versturen". A pending export whose
 * create may already be under way (in doubt) is left to finish against the administration it was archived for.
 */
/** How many exports an administration change would hold (the 409's explanation). */
export async function countExportsToHold(database: Database, tenantId: string): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from integration.document_exports
    where tenant_id = ${tenantId} and state in ('pending', 'failed') and create_started_at is null`;
  return row?.n ?? 0;
}

export async function resetAdministration(database: Database, tenantId: string, heldReason: string): Promise<AdministrationReset> {
  return database.sql.begin(async (tx) => {
    const wiped = await wipeIn(tx, tenantId, ADMINISTRATION_TABLES);
    await tx`delete from integration.sync_state where tenant_id = ${tenantId}`;
    await tx`delete from integration.external_refs where tenant_id = ${tenantId}`;
    const held = await tx<{ work_order_id: string; provider: ProviderId; document_id: string | null; document_number: string | null; number: string | null }[]>`
      update integration.document_exports e set state = 'held', error_code = 'administration-changed',
        error_message = ${heldReason}, updated_at = now()
      where e.tenant_id = ${tenantId} and e.state in ('pending', 'failed') and e.create_started_at is null
      returning e.work_order_id, e.provider, e.document_id, e.document_number,
        (select w.number from simon.work_orders w where w.tenant_id = e.tenant_id and w.id = e.work_order_id) as number`;
    // Each held export is reported (docs/events.md), in this transaction.
    for (const h of held) {
      await emitEvent(tx, { tenantId, type: 'export.held', data: {
        workOrderId: h.work_order_id, workOrderNumber: h.number, provider: h.provider, state: 'held', documentId: h.document_id, documentNumber: h.document_number,
        reason: heldReason, errorCode: 'administration-changed', message: heldReason, action: '',
      } });
    }
    return { wiped, held: held.count };
  });
}

const tableSql: Record<WipeableTable, string> = {
  'Artikel Groep': 'simon.article_groups',
  Artikel: 'simon.articles',
  Werkbon: 'simon.work_orders',
  Werkadres: 'simon.work_addresses',
  Klant: 'simon.customers',
  Objecten: 'simon.objects',
  'Contact Personen': 'simon.contact_persons',
};

/** A wiped table is refilled by a full listing of its entity. */
const entityOfTable: Partial<Record<WipeableTable, string>> = {
  'Artikel Groep': 'article_groups',
  Artikel: 'articles',
  Klant: 'customers',
};
