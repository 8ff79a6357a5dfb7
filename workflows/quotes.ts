import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { QuoteImportResult } from '../activities/quotes.js';
import type { ProviderId } from '../lib/providers.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // A killed worker is noticed within the heartbeat timeout; the retry continues from the last page heartbeat.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Activity calls per run; a listing longer than this many time slices is finished by the next scheduled run. */
const MAX_CALLS = 10;

export interface QuoteImportInput {
  tenantId: string;
  provider: ProviderId;
}

export type QuoteImportWorkflowResult = Omit<QuoteImportResult, 'cursor'> & { calls: number };

/**
 * The quote import of one tenant (docs/quotes.md), run by the schedule `quotes/{tenant}` every 5 minutes. It does
 * nothing when the integration is not active or quotes are off in the settings in force. Exactly-once lives
 * in Postgres (imported_quotes), not in this workflow, so overlapping or repeated runs are harmless.
 */
export async function quoteImportWorkflow(input: QuoteImportInput): Promise<QuoteImportWorkflowResult> {
  let total: QuoteImportWorkflowResult | null = null;
  let calls = 0;
  let cursor: string | null = null;
  for (;;) {
    const r: QuoteImportResult = await acts.importQuotes({ tenantId: input.tenantId, cursor });
    calls++;
    const { cursor: next, ...rest } = r;
    cursor = next;
    total = total
      ? {
          ...rest,
          listed: total.listed + r.listed,
          matching: total.matching + r.matching,
          imported: total.imported + r.imported,
          alreadyImported: total.alreadyImported + r.alreadyImported,
          waitingForCustomer: total.waitingForCustomer + r.waitingForCustomer,
          calls,
        }
      : { ...rest, calls };
    setCurrentDetails(
      r.skipped
        ? `**Offertes** voor ${input.tenantId}: overgeslagen (${r.skipped})`
        : `**Offertes** voor ${input.tenantId}: ${total.imported} nieuw, ${total.alreadyImported} al eerder, ${total.waitingForCustomer} wachten op de klant`,
    );
    if (cursor === null || calls >= MAX_CALLS) return total;
  }
}
