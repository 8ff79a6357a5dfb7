import { ActivityFailure, ApplicationFailure, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { bookkeeping, sweeping } from './shared.js';
import type { ExportOutcome } from '../activities/export.js';

const send = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Provider 429s set nextRetryDelay from Retry-After; other transient faults back off up to 5 minutes, for a day.
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Archive → document, id `export/{tenant}/{workOrder}` (docs/export.md). Exactly once: the export row is unique
 * per work order, and the send activity looks the document up by our reference before it creates one, so a
 * retry after a timeout (even one after the provider committed the write) finds the first document.
 */
export async function exportWorkOrderWorkflow(input: { tenantId: string; workOrderId: string }): Promise<ExportOutcome> {
  try {
    const outcome = await send.sendWorkOrder(input);
    setCurrentDetails(`Export: **${outcome.state}**${outcome.documentNumber ? ` (document ${outcome.documentNumber})` : ''}`);
    return outcome;
  } catch (err) {
    // Retries ran out: record it as failed for the user, with the last reason, so it can be resent.
    const reason = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : String((err as Error).message ?? err);
    return bookkeeping.markExportFailed({ ...input, message: reason });
  }
}

/** The per-minute sweep (schedule `exports-sweep/{taskQueue}`): starts exports that were recorded but never started. */
export async function exportSweepWorkflow(): Promise<{ checked: number; started: number }> {
  const result = await sweeping.resumeStrandedExports();
  if (result.started > 0) setCurrentDetails(`Alsnog gestart: **${result.started}** van ${result.checked} werkbonnen`);
  return result;
}
