import { integrationStatus } from '../../db/queries/status.js';
import { notFound } from '../errors.js';
import { iso } from '../schemas.js';
import type { AppRouteHandler } from '../types.js';
import type { GetStatusRoute } from './integration.routes.js';

export const getStatus: AppRouteHandler<GetStatusRoute> = async (c) => {
  const { tenant } = c.req.valid('param');
  const status = await integrationStatus(c.get('deps').database, tenant);
  if (!status) throw notFound('Tenant not found');
  return c.json(
    {
      ...status,
      startedAt: iso(status.startedAt),
      endedAt: iso(status.endedAt),
      termsAcceptedAt: iso(status.termsAcceptedAt),
      tables: status.tables.map((t) => ({ ...t, simonMutation: iso(t.simonMutation), integrationUpdate: iso(t.integrationUpdate) })),
      initialImport: status.initialImport.map((p) => ({ ...p, lastRunStartedAt: iso(p.lastRunStartedAt), lastSuccessAt: iso(p.lastSuccessAt) })),
      settings: status.settings ? { version: status.settings.version, effectiveFrom: status.settings.effectiveFrom.toISOString() } : null,
    },
    200,
  );
};
