import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema, jsonBody, jsonContent, tenantErrors, tenantParams } from '../schemas.js';
import { access } from '../auth.js';
import { workOrderSnapshotSchema } from '../../lib/work-order.js';

const tags = ['Work orders'];
const params = tenantParams.extend({ id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').openapi({ param: { name: 'id', in: 'path' }, example: 'wo-1043' }) });

export const exportSchema = z.object({
  workOrderId: z.string(),
  provider: z.string(),
  state: z.enum(['pending', 'held', 'sent', 'skipped', 'failed']),
  stateLabel: z.string(),
  documentId: z.string().nullable(),
  documentNumber: z.string().nullable(),
  reference: z.string(),
  settingsVersionId: z.number().nullable(),
  error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  attempts: z.number(),
  inDoubt: z.object({
    since: z.string().openapi({ description: 'When the export learned that a create may have been carried out without an answer' }),
    checkAfter: z.string().nullable().openapi({ description: 'When it looks the document up again (and creates it only if it is still missing)' }),
  }).nullable().openapi({ description: 'A create whose outcome is unknown (docs/exactly-once.md); null otherwise' }),
  archivedAt: z.string(),
  sentAt: z.string().nullable(),
  workflowId: z.string().nullable(),
  runId: z.string().nullable(),
  temporalUrl: z.string().nullable(),
}).openapi('DocumentExport');

export const archive = createRoute({
  method: 'post', path: '/tenants/{tenant}/work-orders/{id}/archive', tags,
  middleware: access('backend', { tenant: 'known' }),
  summary: 'A completed work order was archived in Simon: send it to the accounting package (exactly once)',
  request: { params, body: jsonBody(workOrderSnapshotSchema) },
  responses: {
    202: jsonContent(z.object({ export: exportSchema, created: z.boolean() }), 'Recorded; the document is being created (or already was)'),
    ...tenantErrors,
    409: jsonContent(errorSchema, 'The work order is not completed'),
  },
});

export const getExport = createRoute({
  method: 'get', path: '/tenants/{tenant}/work-orders/{id}/export', tags, summary: 'Export status of an archived work order',
  middleware: access('read', { tenant: 'known' }),
  request: { params }, responses: { 200: jsonContent(exportSchema, 'The export'), ...tenantErrors },
});

export const retryExport = createRoute({
  method: 'post', path: '/tenants/{tenant}/work-orders/{id}/export/retry', tags,
  middleware: access('admin', { tenant: 'known' }),
  summary: "'Opnieuw versturen': send a failed or held export again",
  request: { params }, responses: { 202: jsonContent(exportSchema, 'Resent'), ...tenantErrors, 409: jsonContent(errorSchema, 'Not failed or held, or the integration is not active') },
});

export const listExports = createRoute({
  method: 'get', path: '/tenants/{tenant}/exports', tags, summary: 'Exports of this tenant, e.g. the held ones to review',
  middleware: access('read', { tenant: 'known' }),
  request: { params: tenantParams, query: z.object({ state: z.enum(['pending', 'held', 'sent', 'skipped', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: jsonContent(z.object({ exports: z.array(exportSchema) }), 'Exports, newest first'), ...tenantErrors },
});

export { jsonBody };
