import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CLEANUP_LISTING_FAILED, CleanupResult } from '../activities/cleanup.js';
import type { ProviderId } from '../lib/providers.js';

export type { CleanupResult } from '../activities/cleanup.js';

export interface CleanupInput {
  tenantId: string;
  provider: ProviderId;
  /** Tests shorten the retries; in production attempts are minutes apart (the cleanup is not urgent). */
  retry?: { initialInterval?: string; maximumAttempts?: number };
}

const listingFailedType: typeof CLEANUP_LISTING_FAILED = 'CleanupListingFailed';

const { logCleanupFailed } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 10 },
});

/**
 * The cleanup of one tenant (docs/sync.md "Cleanup"), id `cleanup/{tenant}`, started by its schedule a few times a week.
 * One activity lists every entity completely and only then removes what is gone; the workflow holds no
 * records, only the counts. A run that gives up writes one error entry and ends failed, so it is red in the UI.
 */
export async function cleanupWorkflow(input: CleanupInput): Promise<CleanupResult> {
  const { cleanupTenant } = proxyActivities<Activities>({
    // Listing 100k records from a rate-limited provider takes long; the heartbeat notices a dead worker.
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: input.retry?.initialInterval ?? '1 minute',
      backoffCoefficient: 2,
      maximumInterval: '30 minutes',
      maximumAttempts: input.retry?.maximumAttempts ?? 5,
    },
  });
  setCurrentDetails(`**Schoonmaak** voor ${input.tenantId}: alles ophalen uit de boekhouding, daarna verwijderen wat daar weg of inactief is`);
  try {
    const result = await cleanupTenant({ tenantId: input.tenantId });
    setCurrentDetails(summaryMarkdown(input.tenantId, result));
    return result;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    const listingFailed = cause instanceof ApplicationFailure && cause.type === listingFailedType;
    await logCleanupFailed({ tenantId: input.tenantId, reason: cause?.message ?? null, nothingRemoved: listingFailed });
    throw err;
  }
}

function summaryMarkdown(tenantId: string, r: CleanupResult): string {
  if (r.skipped) return `**Schoonmaak** voor ${tenantId} overgeslagen: integratie is ${r.skipped}`;
  const rows = Object.entries(r.entities).map(([e, t]) => `| ${e} | ${t.listed} | ${t.removed} | ${t.deactivated} |`);
  rows.push(`| work_addresses | | ${r.workAddresses.removed} | ${r.workAddresses.deactivated} |`);
  return [`**Schoonmaak** voor ${tenantId}`, '', '| entity | in boekhouding | verwijderd | gedeactiveerd |', '|---|---|---|---|', ...rows].join('\n');
}
