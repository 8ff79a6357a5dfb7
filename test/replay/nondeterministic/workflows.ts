import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.js';
import type { ExportOutcome } from '../../../activities/export.js';

/**
 * Test-only: a deliberately non-deterministic edit of workflows/export.ts, the kind of change the replay test
 * must catch. It records the failure bookkeeping BEFORE sending, so the first command no longer matches the
 * recorded history's first activity (sendWorkOrder). Never registered by a real worker.
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function exportWorkOrderWorkflow(input: { tenantId: string; workOrderId: string }): Promise<ExportOutcome> {
  await acts.markExportFailed({ ...input, message: 'vooraf' });
  return acts.sendWorkOrder(input);
}
