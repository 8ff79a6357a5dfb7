import { createRoute, z } from '@hono/zod-openapi';
import { wipeableTableNames } from '../../db/schema.js';
import { access } from '../auth.js';
import { jsonContent, tenantErrors, tenantParams, timestamp } from '../schemas.js';

export const simonTableSchema = z
  .object({
    table: z.enum(wipeableTableNames as [string, ...string[]]).openapi({ example: 'Klant' }),
    rowCount: z.number().int(),
    lastSimonMutation: timestamp.nullable().openapi({ description: '"Simon Mutatie"' }),
    lastIntegrationUpdate: timestamp.nullable().openapi({ description: '"Integratie Update"' }),
  })
  .openapi('SimonTable');

export const list = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/simon-tables',
  tags: ['Activation'],
  summary: 'Row count and last mutations of the seven wipeable Simon tables (shown before the wipe step)',
  middleware: access('read', { tenant: 'known' }),
  request: { params: tenantParams },
  responses: {
    200: jsonContent(z.object({ tables: z.array(simonTableSchema) }), 'The wipeable tables'),
    ...tenantErrors,
  },
});

export type ListRoute = typeof list;
