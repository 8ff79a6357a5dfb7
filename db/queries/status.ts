import { and, asc, count, desc, eq, lte, sql as dsql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  documentExports, exportStates, integrations, settingsVersions, syncState,
  type ActivationSteps, type ExportState, type IntegrationStatus, type WipeableTable,
} from '../schema.js';
import { entities, providers, type ProviderId } from '../../lib/providers.js';
import { entityTableLabels, integrationStatusLabels, syncPhaseLabels } from './labels.js';
import { tableActivity } from './simon.js';
import { RECONCILE_ENTITY, reconcileRunOf, type ReconcileRunView } from './reconcile.js';

/** Tables of the status screen with their "Simon Mutatie" / "Integratie Update" columns. */
export const statusTables = ['Artikel Groep', 'Artikel', 'Klant', 'Werkadres'] as const satisfies readonly WipeableTable[];

export interface ImportProgress {
  entity: string;
  /** Dutch table name, when the entity is one of the imported ones. */
  table: string | null;
  phase: 'initial' | 'incremental';
  phaseLabel: string;
  recordsDone: number;
  recordsTotal: number | null;
  lastRunStartedAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
}

export interface IntegrationStatusView {
  tenantId: string;
  provider: ProviderId;
  providerName: string | null;
  status: IntegrationStatus;
  statusLabel: string;
  steps: ActivationSteps;
  /** Completed activations; 0 = the next activation is the first one (wiping all tables is mandatory). */
  activations: number;
  startedAt: Date | null;
  endedAt: Date | null;
  termsAcceptedBy: string | null;
  termsAcceptedAt: Date | null;
  termsVersion: string | null;
  tables: { table: (typeof statusTables)[number]; simonMutation: Date | null; integrationUpdate: Date | null }[];
  initialImport: ImportProgress[];
  settings: { version: number; effectiveFrom: Date } | null;
  exports: Record<ExportState, number>;
  /** The last weekly reconciliation (docs/reconciliation.md); null before the first run. */
  reconciliation: ReconcileRunView | null;
}

const noStepsDone: ActivationSteps = { wiped: false, connected: false, settingsChecked: false, saved: false };

/** The status screen of one tenant's integration, or null when the tenant has no integration row. */
export async function integrationStatus(database: Database, tenantId: string): Promise<IntegrationStatusView | null> {
  const { db } = database;
  const [row] = await db.select().from(integrations).where(eq(integrations.tenantId, tenantId)).limit(1);
  if (!row) return null;

  const [tables, progress, [settings], exportCounts] = await Promise.all([
    tableActivity(database, tenantId, statusTables),
    db.select().from(syncState).where(eq(syncState.tenantId, tenantId)).orderBy(asc(syncState.entity)),
    db
      .select({ version: settingsVersions.version, effectiveFrom: settingsVersions.effectiveFrom, termsVersion: dsql<string | null>`${settingsVersions.settings}->>'termsVersion'` })
      .from(settingsVersions)
      .where(and(eq(settingsVersions.tenantId, tenantId), lte(settingsVersions.effectiveFrom, new Date())))
      .orderBy(desc(settingsVersions.effectiveFrom), desc(settingsVersions.version))
      .limit(1),
    db
      .select({ state: documentExports.state, n: count() })
      .from(documentExports)
      .where(eq(documentExports.tenantId, tenantId))
      .groupBy(documentExports.state),
  ]);

  const exports = Object.fromEntries(exportStates.map((s) => [s, 0])) as Record<ExportState, number>;
  for (const { state, n } of exportCounts) if (state in exports) exports[state] = n;

  const order = (entity: string) => {
    const i = (entities as readonly string[]).indexOf(entity);
    return i === -1 ? entities.length : i;
  };
  const reconcileRow = progress.find((s) => s.entity === RECONCILE_ENTITY);
  const initialImport: ImportProgress[] = progress
    .filter((s) => s.entity !== RECONCILE_ENTITY)
    .sort((a, b) => order(a.entity) - order(b.entity) || a.entity.localeCompare(b.entity))
    .map((s) => ({
      entity: s.entity,
      table: (entityTableLabels as Record<string, string>)[s.entity] ?? null,
      phase: s.phase,
      phaseLabel: syncPhaseLabels[s.phase] ?? s.phase,
      recordsDone: s.recordsDone,
      recordsTotal: s.recordsTotal,
      lastRunStartedAt: s.lastRunStartedAt,
      lastSuccessAt: s.lastSuccessAt,
      lastError: s.lastError,
    }));

  return {
    tenantId: row.tenantId,
    provider: row.provider,
    providerName: providers[row.provider]?.name ?? null,
    status: row.status,
    statusLabel: integrationStatusLabels[row.status] ?? row.status,
    steps: { ...noStepsDone, ...(row.steps as Partial<ActivationSteps>) },
    activations: row.activations,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    termsAcceptedBy: row.termsAcceptedBy,
    termsAcceptedAt: row.termsAcceptedAt,
    /** Which terms version was accepted (null: accepted before versions were recorded). */
    termsVersion: settings?.termsVersion ?? null,
    tables: tables.map((t) => ({
      table: t.table as (typeof statusTables)[number],
      simonMutation: t.lastSimonMutation,
      integrationUpdate: t.lastIntegrationUpdate,
    })),
    initialImport,
    settings: settings ?? null,
    exports,
    reconciliation: reconcileRow ? reconcileRunOf(reconcileRow) : null,
  };
}
