import { InvalidLogCursorError, logPageSummary, pageLogs, type LogEntry } from '../../db/queries/logs.js';
import { severityColours, severityLabels } from '../../db/queries/labels.js';
import { logTables } from '../../db/schema.js';
import { badRequest, notFound } from '../errors.js';
import type { AppDeps, AppRouteHandler } from '../types.js';
import type { ListRoute } from './logs.routes.js';

/** Link to the run's history in the Temporal Web UI, or null when no UI is configured or the row has no run. */
export function temporalRunUrl(temporal: AppDeps['temporal'], entry: Pick<LogEntry, 'workflowId' | 'runId'>): string | null {
  return runUrlBuilder(temporal)(entry);
}

/** The same, with the part every row shares built once per page. */
function runUrlBuilder(temporal: AppDeps['temporal']): (entry: Pick<LogEntry, 'workflowId' | 'runId'>) => string | null {
  if (!temporal?.uiUrl) return () => null;
  const prefix = `${temporal.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/`;
  return (entry) => (entry.workflowId && entry.runId ? `${prefix}${encodeURIComponent(entry.workflowId)}/${encodeURIComponent(entry.runId)}/history` : null);
}

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { tenant } = c.req.valid('param');
  const query = c.req.valid('query');
  const { database, temporal } = c.get('deps');

  // The tenant check (knownTenant on other routes) and the per-table latest entry are one statement, run beside the
  // page query: one round trip of waiting instead of two (bench/README.md, "logs"). An unknown tenant is a 404 first.
  const [pageResult, summaryResult] = await Promise.allSettled([
    pageLogs(database, { tenantId: tenant, severities: query.severity, tables: query.table, cursor: query.cursor, limit: query.limit }),
    logPageSummary(database, tenant),
  ]);
  if (summaryResult.status === 'rejected') throw summaryResult.reason;
  const { known, highest } = summaryResult.value;
  if (!known) throw notFound('Tenant not found');
  if (pageResult.status === 'rejected') {
    // The query schema already refuses bad cursors; this keeps a 400 if the two ever disagree.
    if (pageResult.reason instanceof InvalidLogCursorError) {
      throw badRequest('Invalid cursor', 'validation', { issues: [{ path: 'cursor', message: 'Invalid cursor' }] });
    }
    throw pageResult.reason;
  }
  const page = pageResult.value;
  const runUrl = runUrlBuilder(temporal);

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
        temporalUrl: runUrl(e),
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
