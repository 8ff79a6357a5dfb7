import { createRoute, z } from '@hono/zod-openapi';
import { decodeLogCursor, DEFAULT_LOG_PAGE_SIZE, MAX_LOG_PAGE_SIZE } from '../../db/queries/logs.js';
import { logTables, severities } from '../../db/schema.js';
import { access } from '../auth.js';
import { jsonContent, tenantErrors, tenantParams, timestamp } from '../schemas.js';

/**
 * A comma-separated list in a query parameter (`severity=warning,error`); a repeated parameter works too.
 * Matching is case-insensitive; the result holds the canonical values.
 */
function csvOf<const T extends readonly [string, ...string[]]>(values: T) {
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v]));
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((raw) =>
      (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])
        .flatMap((part) => part.split(','))
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => byLower.get(v.toLowerCase()) ?? v),
    )
    .pipe(z.array(z.enum(values)));
}

export const logsQuery = z.object({
  severity: csvOf(severities).openapi({
    type: 'string',
    description: `Comma-separated severities (${severities.join(', ')}); empty = all`,
    example: 'warning,error',
  }),
  table: csvOf(logTables).openapi({
    type: 'string',
    description: `Comma-separated Dutch table names (${logTables.join(', ')}); empty = all`,
    example: 'Klant',
  }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .refine((v) => v === undefined || v === '' || decodeLogCursor(v) !== null, 'Invalid cursor')
    .openapi({ description: '`nextCursor` of the previous page' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LOG_PAGE_SIZE)
    .default(DEFAULT_LOG_PAGE_SIZE)
    .openapi({ type: 'integer', minimum: 1, maximum: MAX_LOG_PAGE_SIZE, default: DEFAULT_LOG_PAGE_SIZE }),
});

export const logEntrySchema = z
  .object({
    id: z.number().int(),
    time: timestamp,
    severity: z.enum(severities),
    severityLabel: z.string().openapi({ example: 'Waarschuwing' }),
    colour: z.enum(['blue', 'yellow', 'red']).openapi({ description: "The manuals' colour of the entry: info blue (or white), warning yellow, error red", example: 'yellow' }),
    table: z.enum(logTables),
    message: z.string().openapi({ description: 'Bericht', example: 'Klant toegevoegd aan Simon' }),
    action: z.string().openapi({ description: 'Te nemen actie', example: 'Geen Aktie Nodig' }),
    simonId: z.string().nullable(),
    providerId: z.string().nullable(),
    workflowId: z.string().nullable(),
    runId: z.string().nullable(),
    temporalUrl: z.string().nullable().openapi({ description: 'Link to the run in the Temporal Web UI, when configured' }),
  })
  .openapi('LogEntry');

export const logPageSchema = z
  .object({
    entries: z.array(logEntrySchema),
    nextCursor: z.string().nullable(),
    highestMutation: z
      .record(z.enum(logTables), timestamp.nullable())
      .openapi({ description: 'Newest log entry time per table' }),
  })
  .openapi('LogPage');

export const list = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/logs',
  tags: ['Log'],
  summary: 'The integration log, newest first, filtered by severities and tables, paged by cursor',
  // Whether the tenant is known is checked by the handler, beside the page query (api/logs/logs.handlers.ts).
  middleware: access('read', { tenant: 'scope' }),
  request: { params: tenantParams, query: logsQuery },
  responses: {
    200: jsonContent(logPageSchema, 'One page of the log'),
    ...tenantErrors,
  },
});

export type ListRoute = typeof list;
