import { z } from '@hono/zod-openapi';

/** Shared request and response schemas; each area's `<area>.routes.ts` builds on these. */

export const errorSchema = z
  .object({
    error: z.string().openapi({ example: 'not_found' }),
    message: z.string().optional().openapi({ example: 'Tenant not found' }),
    requestId: z.string().optional(),
  })
  .openapi('Error');

/**
 * Every 400 answer: `validation` with the fields that are wrong (`issues`), `malformed_json`, or a more specific code
 * with a message (docs/api.md, "Errors").
 */
export const validationErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'validation', description: '`validation` (see issues), `malformed_json`, `bad_request` or a code of the route' }),
    message: z.string().optional(),
    issues: z.array(z.object({ path: z.string().openapi({ example: 'street' }), message: z.string() })).optional()
      .openapi({ description: 'With `validation`: each field that is wrong (dotted path) and why' }),
    requestId: z.string().optional(),
  })
  .openapi('BadRequest');

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { content: { 'application/json': { schema } }, required: true, ...(description ? { description } : {}) };
}

/** The error responses every authenticated route can give. */
export const authErrors = {
  401: jsonContent(errorSchema, 'Missing or invalid bearer token'),
  403: jsonContent(errorSchema, 'Role or tenant not allowed for this token'),
} as const;

/** Error responses of a route under /v1/tenants/{tenant}. */
export const tenantErrors = {
  400: jsonContent(validationErrorSchema, 'Invalid path, query or body'),
  ...authErrors,
  404: jsonContent(errorSchema, 'Unknown tenant or resource'),
} as const;

/** Simon's company id: letters, digits, dot, dash and underscore, at most 100 (what activation accepts). */
export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, dot, dash and underscore only, at most 100, starting with a letter or digit')
  .openapi({ param: { name: 'tenant', in: 'path' }, example: 'acme' });

export const tenantParams = z.object({ tenant: tenantIdSchema });

/** ISO 8601 timestamp in responses. */
export const timestamp = z.string().openapi({ format: 'date-time', example: '2025-01-31T09:30:00.000Z' });

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `true`/`false` in a query string (z.coerce.boolean would read "false" as true). */
export const queryBoolean = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .openapi({ type: 'string', enum: ['true', 'false'] });

/** limit/offset paging for the Simon-side lists. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ type: 'integer', minimum: 1, maximum: 500, default: 100 }),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).openapi({ type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 }),
};

export const pageInfo = {
  /** Offset of the next page, null on the last page. */
  nextOffset: z.number().int().nullable(),
};
