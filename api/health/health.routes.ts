import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../schemas.js';

export const healthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

const checkSchema = z
  .object({
    ok: z.boolean(),
    /** Short reason when not ok (an error code such as ECONNREFUSED, or `timeout`); details go to the log. */
    error: z.string().optional().openapi({ example: 'ECONNREFUSED' }),
  })
  .openapi('ReadinessCheck');

export const readySchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: checkSchema, temporal: checkSchema }),
  })
  .openapi('Readiness');

export const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Operations'],
  summary: 'Liveness: 200 while the process runs (no token needed)',
  security: [],
  responses: {
    200: jsonContent(healthSchema, 'The process is alive'),
  },
});

export const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['Operations'],
  summary: 'Readiness: 200 when PostgreSQL answers `select 1` and Temporal answers; 503 naming what failed (no token needed)',
  security: [],
  responses: {
    200: jsonContent(readySchema, 'Database and Temporal reachable'),
    503: jsonContent(readySchema, 'Database or Temporal unreachable; `checks` says which'),
  },
});

export type HealthRoute = typeof health;
export type ReadyRoute = typeof ready;
