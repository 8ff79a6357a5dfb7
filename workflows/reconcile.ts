import type { ProviderId } from '../lib/providers.js';
import type { ReconcileReport } from '../lib/reconcile.js';
import { failureLog, tenantRun, tenantRunActivities, type TenantRunRetry } from './shared.js';

export type { ReconcileReport, Finding, FindingCounts } from '../lib/reconcile.js';

export interface ReconcileInput {
  tenantId: string;
  provider: ProviderId;
  /** Days back to compare; default RECONCILE_DAYS. */
  days?: number;
  /** Tests shorten the retries; in production attempts are minutes apart (the reconciliation is not urgent). */
  retry?: TenantRunRetry;
}

/**
 * The weekly reconciliation of one tenant (docs/reconciliation.md), id `reconcile/{tenant}`, started by its schedule
 * on Sunday night or by `POST …/integration/reconcile`. One activity lists the package's documents of the last N days
 * and compares them with the exports; the result is the report (ids and counts only). Nothing is changed upstream.
 * A run that gives up writes one error entry and ends failed, so it is red in the UI.
 */
export async function reconcileWorkflow(input: ReconcileInput): Promise<ReconcileReport> {
  const { reconcileTenant } = tenantRunActivities('1 hour', input.retry);
  return tenantRun({
    details: `**Controle** voor ${input.tenantId}: de documenten in de boekhouding vergelijken met de verstuurde werkbonnen`,
    work: () => reconcileTenant({ tenantId: input.tenantId, ...(input.days !== undefined ? { days: input.days } : {}) }),
    summary: summaryMarkdown,
    onGiveUp: (cause) => failureLog.logReconcileFailed({ tenantId: input.tenantId, reason: cause?.message ?? null }),
  });
}

function summaryMarkdown(r: ReconcileReport): string {
  if (!r.complete) return `**Controle** voor ${r.tenantId} niet uitgevoerd: ${r.stopped}`;
  const c = r.counts;
  return [
    `**Controle** voor ${r.tenantId} vanaf ${r.since}: ${r.exportsCompared} werkbonnen, ${r.documentsListed} documenten`,
    '',
    '| weg | dubbel | ander nummer | toch aangemaakt |',
    '|---|---|---|---|',
    `| ${c.gone} | ${c.duplicate} | ${c.numberChanged} | ${c.existsUnsent} |`,
  ].join('\n');
}
