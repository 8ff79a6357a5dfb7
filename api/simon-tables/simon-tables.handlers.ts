import { simonTables } from '../../db/queries/simon.js';
import { iso } from '../schemas.js';
import type { AppRouteHandler } from '../types.js';
import type { ListRoute } from './simon-tables.routes.js';

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { tenant } = c.req.valid('param');
  const tables = await simonTables(c.get('deps').database, tenant);
  return c.json(
    {
      tables: tables.map((t) => ({
        table: t.table,
        rowCount: t.rowCount,
        lastSimonMutation: iso(t.lastSimonMutation),
        lastIntegrationUpdate: iso(t.lastIntegrationUpdate),
      })),
    },
    200,
  );
};
