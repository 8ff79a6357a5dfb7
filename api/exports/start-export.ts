import type { ProviderId } from '../../lib/providers.js';
import type { Context } from 'hono';
import type { AppBindings } from '../types.js';
import { temporalOf } from '../temporal.js';
import { exportStartOptions } from '../../lib/runs.js';
import { exportWorkOrderWorkflow } from '../../workflows/index.js';
import { updateExportReturning, type ExportRow } from '../../db/queries/exports.js';

/**
 * Starts (or joins) `export/{tenant}/{workOrder}`. USE_EXISTING makes two simultaneous archives share one run;
 * ALLOW_DUPLICATE lets a retry start a new run after an earlier one finished. The run itself is a no-op unless
 * the export row is `pending`, so an extra start never creates a second document. Answers the row as the run's
 * ids were written to it.
 */
export async function startExport(
  c: Context<AppBindings>, tenantId: string, provider: ProviderId, workOrderId: string,
): Promise<{ workflowId: string; runId: string; row: ExportRow | null }> {
  const t = temporalOf(c);
  const options = exportStartOptions({ tenantId, provider, workOrderId, taskQueue: t.taskQueue });
  const workflowId = options.workflowId;
  const handle = await t.client.workflow.start(exportWorkOrderWorkflow, options);
  const row = await updateExportReturning(c.get('deps').database, tenantId, workOrderId, { workflowId, runId: handle.firstExecutionRunId });
  return { workflowId, runId: handle.firstExecutionRunId, row };
}
