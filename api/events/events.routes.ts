import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, errorSchema, jsonBody, jsonContent, tenantErrors, tenantParams, timestamp, validationErrorSchema } from '../schemas.js';
import { access } from '../auth.js';
import { eventDataSchemas, eventTypes, type EventType } from '../../lib/events.js';

const tags = ['Events'];

/** The message an endpoint receives for each type; registered as components `Event_<type>` (docs/events.md). */
const componentName = (type: EventType) => `Event_${type.replace('.', '_')}`;
export const eventMessageSchemas = eventTypes.map((type) => z.object({
  id: z.string().openapi({ description: 'Also the `webhook-id` header: the same on every retry and redelivery' }),
  type: z.literal(type),
  timestamp,
  tenantId: z.string(),
  seq: z.number().int().openapi({ description: "The event's number within its tenant: an endpoint receives a tenant's events in this order" }),
  data: eventDataSchemas[type],
}).openapi(componentName(type)));
const eventMessage = z.union(eventMessageSchemas as unknown as [z.ZodTypeAny, z.ZodTypeAny, ...z.ZodTypeAny[]]).openapi('EventMessage');

/** A tenant id in a body or query (same rule as the path's). */
const tenantRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, dot, dash and underscore only, at most 100, starting with a letter or digit');

const httpsUrl = z.string().url().max(2000).refine((u) => /^https?:\/\//i.test(u), { message: 'http(s) URL' }).openapi({ example: 'https://simon.example/hooks/integrations' });

const secretInfo = z.object({ id: z.number().int(), createdAt: timestamp, expiresAt: timestamp.nullable() });
export const endpointSchema = z.object({
  id: z.string().uuid(),
  tenantId: z.string().nullable().openapi({ description: 'null: the endpoint of the whole Simon backend (every tenant)' }),
  url: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
  secrets: z.array(secretInfo).openapi({ description: 'Signing secrets in force (ids and times only; the value is shown once, when made)' }),
}).openapi('WebhookEndpoint');

const withSecret = endpointSchema.extend({
  secret: z.string().openapi({ description: 'The new signing secret (`whsec_…`): shown this once, never again', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('WebhookEndpointWithSecret');

const endpointParams = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const errors = {
  400: jsonContent(validationErrorSchema, 'Invalid path, query or body'),
  ...authErrors,
  404: jsonContent(errorSchema, 'No such endpoint'),
};

export const createEndpoint = createRoute({
  method: 'post', path: '/webhook-endpoints', tags,
  middleware: access('admin', { tenant: 'none' }),
  summary: "Add the endpoint of one tenant (tenantId) or of the whole Simon backend (tenantId null); answers its signing secret once",
  request: {
    body: jsonBody(z.object({
      tenantId: tenantRef.nullable().default(null).openapi({ description: 'null or absent: every tenant' }),
      url: httpsUrl,
      description: z.string().max(200).nullable().optional(),
    }).strict()),
  },
  responses: { 201: jsonContent(withSecret, 'Made'), ...errors, 409: jsonContent(errorSchema, 'That tenant (or the backend) has an endpoint already') },
});

export const listEndpoints = createRoute({
  method: 'get', path: '/webhook-endpoints', tags, summary: 'The endpoints (never a secret)',
  middleware: access('admin', { tenant: 'none' }),
  request: { query: z.object({ tenantId: tenantRef.optional() }) },
  responses: { 200: jsonContent(z.object({ endpoints: z.array(endpointSchema) }), 'Endpoints'), ...errors },
});

export const updateEndpoint = createRoute({
  method: 'patch', path: '/webhook-endpoints/{id}', tags, summary: 'Change the URL, description, or switch it off (pending deliveries are then cancelled)',
  middleware: access('admin', { tenant: 'none' }),
  request: {
    params: endpointParams,
    body: jsonBody(z.object({ url: httpsUrl.optional(), description: z.string().max(200).nullable().optional(), enabled: z.boolean().optional() }).strict()),
  },
  responses: { 200: jsonContent(endpointSchema, 'Changed'), ...errors },
});

export const deleteEndpoint = createRoute({
  method: 'delete', path: '/webhook-endpoints/{id}', tags, summary: 'Remove the endpoint with its secrets and delivery log',
  middleware: access('admin', { tenant: 'none' }),
  request: { params: endpointParams },
  responses: { 204: { description: 'Removed' }, ...errors },
});

export const rotateSecret = createRoute({
  method: 'post', path: '/webhook-endpoints/{id}/rotate-secret', tags,
  middleware: access('admin', { tenant: 'none' }),
  summary: 'A new signing secret (answered once); the ones in force keep signing for `keepPreviousSeconds`, so both signatures are sent meanwhile',
  request: {
    params: endpointParams,
    body: jsonBody(z.object({ keepPreviousSeconds: z.number().int().min(0).max(7 * 86_400).default(86_400) }).strict()),
  },
  responses: { 200: jsonContent(withSecret, 'Rotated'), ...errors },
});

const attempt = z.object({
  attempt: z.number().int(), at: timestamp, durationMs: z.number().int(), statusCode: z.number().int().nullable(), error: z.string().nullable(),
  workflowId: z.string().nullable(), runId: z.string().nullable(), temporalUrl: z.string().nullable(),
});
const delivery = z.object({
  endpointId: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: timestamp.nullable(),
  log: z.array(attempt).openapi({ description: 'Every HTTP attempt, oldest first' }),
});
export const eventWithDeliveries = z.object({
  id: z.string(), type: z.string(), seq: z.number().int(), createdAt: timestamp,
  message: eventMessage.openapi({ description: 'The body every endpoint receives' }),
  deliveries: z.array(delivery),
}).openapi('EventWithDeliveries');

const eventParams = tenantParams.extend({ eventId: z.string().uuid().openapi({ param: { name: 'eventId', in: 'path' } }) });

export const listEvents = createRoute({
  method: 'get', path: '/tenants/{tenant}/events', tags, summary: "The tenant's events, newest first, with their deliveries (attempts, status codes, last error)",
  middleware: access('read', { tenant: 'known' }),
  request: {
    params: tenantParams,
    query: z.object({
      type: z.enum(eventTypes as [EventType, ...EventType[]]).optional(),
      beforeSeq: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', minimum: 1, description: 'Paging: events with a lower seq' }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ type: 'integer', minimum: 1, maximum: 200, default: 50 }),
    }),
  },
  responses: { 200: jsonContent(z.object({ events: z.array(eventWithDeliveries), nextBeforeSeq: z.number().int().nullable() }), 'Events'), ...tenantErrors },
});

export const getEvent = createRoute({
  method: 'get', path: '/tenants/{tenant}/events/{eventId}', tags, summary: 'One event with its deliveries and every attempt',
  middleware: access('read', { tenant: 'known' }),
  request: { params: eventParams },
  responses: { 200: jsonContent(eventWithDeliveries, 'The event'), ...tenantErrors },
});

export const redeliver = createRoute({
  method: 'post', path: '/tenants/{tenant}/events/{eventId}/redeliver', tags,
  middleware: access('admin', { tenant: 'known' }),
  summary: 'Send the event again to every enabled endpoint (same webhook-id)',
  request: { params: eventParams },
  responses: {
    202: jsonContent(eventWithDeliveries, 'Queued; the deliverer sends it'),
    ...tenantErrors,
    409: jsonContent(errorSchema, 'A delivery of it is still pending, or no endpoint is enabled'),
  },
});
