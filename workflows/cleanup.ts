import { ApplicationFailure } from '@temporalio/workflow';
import type { CLEANUP_LISTING_FAILED, CleanupResult } from '../activities/cleanup.js';
import type { ProviderId } from '../lib/providers.js';
import { failureLog, tenantRun, tenantRunActivities, type TenantRunRetry } from './shared.js';

export type { CleanupResult } from '../activities/cleanup.js';

export interface CleanupInput {
  tenantId: string;
  provider: ProviderId;
  /** Tests shorten the retries; in production attempts are minutes apart (the cleanup is not urgent). */
  retry?: TenantRunRetry;
}

const listingFailedType: typeof CLEANUP_LISTING_FAILED = 'CleanupListingFailed';

/**
 * The cleanup of one tenant (docs/sync.md "Cleanup"), id `cleanup/{tenant}`, started by its schedule a few times a week.
 * One activity lists every entity completely and only then removes what is gone; the workflow holds no
 * records, only the counts. A run that gives up writes one error entry and ends failed, so it is red in the UI.
 */
export async function cleanupWorkflow(input: CleanupInput): Promise<CleanupResult> {
  // Listing 100k records from a rate-limited provider takes long; the heartbeat notices a dead worker.
  const { cleanupTenant } = tenantRunActivities('4 hours', input.retry);
  return tenantRun({
    details: `**Schoonmaak** voor ${input.tenantId}: alles ophalen uit de boekhouding, daarna verwijderen wat daar weg of inactief is`,
    work: () => cleanupTenant({ tenantId: input.tenantId }),
    summary: (result) => summaryMarkdown(input.tenantId, result),
    onGiveUp: (cause) => failureLog.logCleanupFailed({
      tenantId: input.tenantId,
      reason: cause?.message ?? null,
      nothingRemoved: cause instanceof ApplicationFailure && cause.type === listingFailedType,
    }),
  });
}

function summaryMarkdown(tenantId: string, r: CleanupResult): string {
  if (r.skipped) return `**Schoonmaak** voor ${tenantId} overgeslagen: integratie is ${r.skipped}`;
  const rows = Object.entries(r.entities).map(([e, t]) => `| ${e} | ${t.listed} | ${t.removed} | ${t.deactivated} |`);
  rows.push(`| work_addresses | | ${r.workAddresses.removed} | ${r.workAddresses.deactivated} |`);
  return [`**Schoonmaak** voor ${tenantId}`, '', '| entity | in boekhouding | verwijderd | gedeactiveerd |', '|---|---|---|---|', ...rows].join('\n');
}
