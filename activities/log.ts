import { Context } from '@temporalio/activity';
import type { Database } from '../db/client.js';
import type { LogTable, Severity } from '../db/schema.js';
import { appendLogEntries } from '../db/queries/logs.js';
import type { LogText } from '../lib/messages.js';

/** The workflow run an activity belongs to, for the log's link to the Temporal UI. */
export function currentRun(): { workflowId: string | null; runId: string | null } {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId ?? null, runId: info.workflowExecution?.runId ?? null };
  } catch {
    return { workflowId: null, runId: null };
  }
}

export async function writeLog(
  deps: { database: Database },
  entry: { tenantId: string; severity: Severity; table: LogTable; text: LogText; simonId?: string | null; providerId?: string | null },
): Promise<void> {
  await appendLogEntries(deps.database, [{
    tenantId: entry.tenantId,
    severity: entry.severity,
    table: entry.table,
    ...entry.text,
    simonId: entry.simonId ?? null,
    providerId: entry.providerId ?? null,
    ...currentRun(),
  }]);
}
