import integration from './integration/integration.index.js';
import logs from './logs/logs.index.js';
import providers from './providers/providers.index.js';
import simonTables from './simon-tables/simon-tables.index.js';
import simon from './simon/simon.index.js';
import activation from './activation/activation.index.js';
import operations from './operations/operations.index.js';
import exportsRouter from './exports/exports.index.js';
import health from './health/health.index.js';
import oauth from './oauth/oauth.index.js';
import preview from './preview/preview.index.js';
import events from './events/events.index.js';
import type { AppOpenAPI } from './types.js';

/**
 * Every area router of the API, mounted under /v1 by createApp. A new area: its routes (each with `middleware:
 * access(…)`, api/auth.ts) in `api/<area>/<area>.routes.ts`, its handlers in `<area>.handlers.ts`, the router
 * `areaRouter(routes, handlers, [names])` in `<area>.index.ts` (api/router.ts), and a row per operation in
 * test/api/access.test.ts; then add it here.
 */
export const v1Routers: readonly AppOpenAPI[] = [providers, integration, activation, operations, exportsRouter, preview, simonTables, logs, simon, events, health, oauth];
