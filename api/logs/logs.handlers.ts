import { highestMutationPerTable, InvalidLogCursorError, pageLogs, type LogEntry } from '../../db/queries/logs.js';
import { severityColours, severityLabels } from '../../db/queries/labels.js';
import { logTables } from '../../db/schema.js';
import { badRequest } from '../errors.js';
import type { AppDeps, AppRouteHandler } from '../types.js';
import type { ListRoute } from './logs.routes.js';

/** Link to the run's history in the Temporal Web UI, or null when no UI is configured or the row has no run. */
export function temporalRunUrl(temporal: AppDeps['temporal'], entry: Pick<LogEntry, 'workflowId' | 'runId'>): string | null {
  if (!temporal?.uiUrl || !entry.workflowId || !entry.runId) return null;
  const base = temporal.uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(entry.workflowId)}/${encodeURIComponent(entry.runId)}/history`;
}

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { tenant } = c.req.valid('param');
  const query = c.req.valid('query');
  const { database, temporal } = c.get('deps');

  const [page, highest] = await Promise.all([
    pageLogs(database, { tenantId: tenant, severities: query.severity, tables: query.table, cursor: query.cursor, limit: query.limit }).catch(
      (err: unknown) => {
        // The query schema already refuses bad cursors; this keeps a 400 if the two ever disagree.
        if (err instanceof InvalidLogCursorError) {
          throw badRequest('Invalid cursor', 'validation', { issues: [{ path: 'cursor', message: 'Invalid cursor' }] });
        }
        throw err;
      },
    ),
    highestMutationPerTable(database, tenant),
  ]);

  return c.json(
    {
      entries: page.entries.map((e) => ({
        id: e.id,
        time: e.createdAt.toISOString(),
        severity: e.severity,
        severityLabel: severityLabels[e.severity],
        colour: severityColours[e.severity],
        table: e.table,
        message: e.message,
        action: e.action,
        simonId: e.simonId,
        providerId: e.providerId,
        workflowId: e.workflowId,
        runId: e.runId,
        temporalUrl: temporalRunUrl(temporal, e),
      })),
      nextCursor: page.nextCursor,
      highestMutation: Object.fromEntries(logTables.map((t) => [t, highest[t]?.toISOString() ?? null])) as Record<
        (typeof logTables)[number],
        string | null
      >,
    },
    200,
  );
};
