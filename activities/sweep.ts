import type { ActivityDeps } from './types.js';
import { writeLog } from './log.js';
import { strandedExports } from '../db/queries/exports.js';
import * as messages from '../lib/messages.js';
import { exportStartOptions } from '../lib/runs.js';

/** Exports the sweep looks at per run; the rest wait for the next minute. */
const SWEEP_BATCH = 200;

export function sweepActivities(deps: ActivityDeps) {
  return {
    /**
     * Starts the export of every pending work order of an active integration whose export run is not running: the
     * API committed the export row and then died, or Temporal was unreachable when it tried (docs/exactly-once.md,
     * "Stranded exports"). Starting is idempotent (the run is a no-op unless the row is pending).
     */
    async resumeStrandedExports(): Promise<{ checked: number; started: number }> {
      // Untouched for one sweep interval (at least 5 s): the API's own start, a moment after the row, is not raced.
      const rows = await strandedExports(deps.database, { olderThanMs: Math.max(5_000, deps.env.EXPORT_SWEEP_INTERVAL), limit: SWEEP_BATCH });
      let started = 0;
      for (const row of rows) {
        const options = exportStartOptions({ tenantId: row.tenantId, provider: row.provider, workOrderId: row.workOrderId, taskQueue: deps.taskQueue });
        const running = await deps.temporal.workflow.getHandle(options.workflowId).describe().then((d) => d.status.name === 'RUNNING', () => false);
        if (running) continue;
        const handle = await deps.temporal.workflow.start('exportWorkOrderWorkflow', options);
        await deps.database.sql`
          update integration.document_exports set workflow_id = ${options.workflowId}, run_id = ${handle.firstExecutionRunId}, updated_at = now()
          where tenant_id = ${row.tenantId} and work_order_id = ${row.workOrderId}`;
        await writeLog(deps, { tenantId: row.tenantId, severity: 'info', table: 'Werkbon', simonId: row.workOrderId, text: messages.exportResumed({ provider: row.provider, workOrderNumber: row.workOrderNumber }) });
        started++;
      }
      return { checked: rows.length, started };
    },
  };
}
