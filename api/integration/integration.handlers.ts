import { integrationStatus } from '../../db/queries/status.js';
import { notFound } from '../errors.js';
import { iso } from '../schemas.js';
import type { AppRouteHandler } from '../types.js';
import type { GetStatusRoute } from './integration.routes.js';
import { createQuotaGuard } from '../../db/queries/quota.js';

export const getStatus: AppRouteHandler<GetStatusRoute> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { database, env } = c.get('deps');
  const status = await integrationStatus(database, tenant);
  if (!status) throw notFound('Tenant not found');
  // The API-limited providers show what is left of today's quota (docs/quota.md); null for the others.
  const quota = await createQuotaGuard({ database, env }).status(tenant, status.provider);
  return c.json(
    {
      ...status,
      startedAt: iso(status.startedAt),
      endedAt: iso(status.endedAt),
      termsAcceptedAt: iso(status.termsAcceptedAt),
      tables: status.tables.map((t) => ({ ...t, simonMutation: iso(t.simonMutation), integrationUpdate: iso(t.integrationUpdate) })),
      initialImport: status.initialImport.map((p) => ({ ...p, lastRunStartedAt: iso(p.lastRunStartedAt), lastSuccessAt: iso(p.lastSuccessAt) })),
      settings: status.settings ? { version: status.settings.version, effectiveFrom: status.settings.effectiveFrom.toISOString() } : null,
      quota: quota
        ? {
            ...quota,
            day: { ...quota.day, resetsAt: quota.day.resetsAt.toISOString() },
            minute: { ...quota.minute, resetsAt: quota.minute.resetsAt.toISOString() },
          }
        : null,
      reconciliation: status.reconciliation
        ? {
            ranAt: iso(status.reconciliation.ranAt),
            lastCompleteAt: iso(status.reconciliation.lastCompleteAt),
            since: status.reconciliation.since,
            days: status.reconciliation.days,
            complete: status.reconciliation.complete,
            stopped: status.reconciliation.stopped,
            exportsCompared: status.reconciliation.exportsCompared,
            documentsListed: status.reconciliation.documentsListed,
            findings: status.reconciliation.counts,
          }
        : null,
    },
    200,
  );
};
