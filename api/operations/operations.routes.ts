import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema, jsonBody, jsonContent, tenantErrors, tenantParams } from '../schemas.js';
import { access } from '../auth.js';
import { apiTexts } from '../../lib/messages.js';

const tags = ['Integration'];
const conflictResponse = { 409: jsonContent(errorSchema, 'Wrong state, e.g. the integration is not active') };
const statusResult = z.object({ status: z.string(), label: z.string() });

export const syncNow = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/sync', tags,
  middleware: access('admin', { tenant: 'known' }),
  summary: "'Nu synchroniseren': start a sync of customers and/or articles now (joins one that is already running)",
  request: {
    params: tenantParams,
    body: jsonBody(z.object({ customers: z.boolean().default(false), articles: z.boolean().default(false) }).refine((b) => b.customers || b.articles, {
      message: apiTexts.operations.chooseSyncScope, path: ['customers'],
    }).openapi({
      // An empty selection is refused: the document says so, so clients (and fuzzers) know it up front.
      anyOf: [
        { type: 'object', required: ['customers'], properties: { customers: { type: 'boolean', enum: [true] } } },
        { type: 'object', required: ['articles'], properties: { articles: { type: 'boolean', enum: [true] } } },
      ],
    })),
  },
  responses: {
    202: jsonContent(z.object({ workflows: z.array(z.object({ scope: z.enum(['articles', 'customers']), workflowId: z.string(), runId: z.string(), temporalUrl: z.string().nullable() })) }), 'Sync started or joined'),
    ...tenantErrors, ...conflictResponse,
    429: jsonContent(
      z.object({
        error: z.literal('quota_exceeded'),
        message: z.string(),
        action: z.string(),
        retryAfterSeconds: z.number().int(),
        needed: z.number().int().openapi({ description: 'Calls this sync takes at least' }),
        remaining: z.number().int().openapi({ description: 'Calls left for syncs in the full window (the export reserve excluded)' }),
      }),
      "The provider's API quota (docs/quota.md) would be exceeded; see the Retry-After header. The refusal is logged.",
    ),
  },
});

export const reconcileNow = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/reconcile', tags,
  middleware: access('admin', { tenant: 'known' }),
  summary: 'Start the reconciliation of exports with the accounting package now (joins one that is already running; docs/reconciliation.md)',
  request: {
    params: tenantParams,
    body: jsonBody(z.object({
      days: z.number().int().min(1).max(366).optional().openapi({ description: 'Days back to compare; default the configured RECONCILE_DAYS (35)' }),
    })),
  },
  responses: {
    202: jsonContent(z.object({ workflowId: z.string(), runId: z.string(), temporalUrl: z.string().nullable() }), 'Reconciliation started or joined; the counts appear in GET …/integration under `reconciliation`'),
    ...tenantErrors, ...conflictResponse,
    429: jsonContent(
      z.object({ error: z.literal('quota_exceeded'), message: z.string(), action: z.string(), retryAfterSeconds: z.number().int() }),
      "The provider's API quota leaves too little for the sync share today; see the Retry-After header. The refusal is logged.",
    ),
  },
});

export const pause = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/pause', tags, summary: 'Pause the schedules; archived work orders wait as pending',
  middleware: access('admin', { tenant: 'known' }),
  request: { params: tenantParams }, responses: { 200: jsonContent(statusResult, 'Paused'), ...tenantErrors, ...conflictResponse },
});

export const resume = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/resume', tags, summary: 'Resume the schedules and send the waiting work orders',
  middleware: access('admin', { tenant: 'known' }),
  request: { params: tenantParams }, responses: { 200: jsonContent(statusResult.extend({ resent: z.number() }), 'Resumed'), ...tenantErrors, ...conflictResponse },
});

export const deactivate = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/deactivate', tags, summary: 'Deactivate: stop all schedules and running syncs at once (needs confirm: true)',
  middleware: access('admin', { tenant: 'known' }),
  request: { params: tenantParams, body: jsonBody(z.object({ confirm: z.literal(true, { message: apiTexts.operations.confirmDeactivation }) })) },
  responses: { 200: jsonContent(statusResult, 'Deactivated'), ...tenantErrors, ...conflictResponse },
});

export const runs = createRoute({
  method: 'get', path: '/tenants/{tenant}/runs', tags: ['Runs'], summary: 'Recent workflow runs of this tenant, with a link to the Temporal UI',
  middleware: access('read', { tenant: 'known' }),
  request: { params: tenantParams, query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: {
    200: jsonContent(z.object({ runs: z.array(z.object({
      workflowId: z.string(), runId: z.string(), type: z.string(), status: z.string(), startTime: z.string().nullable(), closeTime: z.string().nullable(),
      summary: z.string().nullable(), temporalUrl: z.string().nullable(),
    })) }), 'Runs, newest first'),
    ...tenantErrors,
  },
});
