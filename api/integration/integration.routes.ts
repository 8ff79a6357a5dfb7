import { createRoute, z } from '@hono/zod-openapi';
import { exportStates, integrationStatuses } from '../../db/schema.js';
import { findingKinds } from '../../lib/reconcile.js';
import { access } from '../auth.js';
import { jsonContent, tenantErrors, tenantParams, timestamp } from '../schemas.js';

const nullableTime = timestamp.nullable();

export const integrationStatusSchema = z
  .object({
    tenantId: z.string(),
    provider: z.string().openapi({ example: 'factuursturen' }),
    providerName: z.string().nullable(),
    status: z.enum(integrationStatuses),
    statusLabel: z.string().openapi({ example: 'Actief' }),
    steps: z.object({ wiped: z.boolean(), connected: z.boolean(), settingsChecked: z.boolean(), saved: z.boolean() }),
    activations: z.number().int().openapi({ description: 'Completed activations; 0 = the next one is the first (full wipe mandatory).' }),
    startedAt: nullableTime,
    endedAt: nullableTime,
    termsAcceptedBy: z.string().nullable(),
    termsAcceptedAt: nullableTime,
    termsVersion: z.string().nullable().openapi({ description: 'The terms version accepted with the settings in force (docs/terms.md)' }),
    tables: z
      .array(
        z.object({
          table: z.enum(['Artikel Groep', 'Artikel', 'Klant', 'Werkadres']),
          simonMutation: nullableTime.openapi({ description: '"Simon Mutatie"' }),
          integrationUpdate: nullableTime.openapi({ description: '"Integratie Update"' }),
        }),
      )
      .openapi({ description: 'The status screen\'s "Simon Mutatie" / "Integratie Update" per table' }),
    initialImport: z.array(
      z.object({
        entity: z.string().openapi({ example: 'customers' }),
        table: z.string().nullable().openapi({ example: 'Klant' }),
        phase: z.enum(['initial', 'incremental']),
        phaseLabel: z.string(),
        recordsDone: z.number().int(),
        recordsTotal: z.number().int().nullable(),
        lastRunStartedAt: nullableTime,
        lastSuccessAt: nullableTime,
        lastError: z.string().nullable(),
      }),
    ),
    settings: z.object({ version: z.number().int(), effectiveFrom: timestamp }).nullable(),
    exports: z.object(Object.fromEntries(exportStates.map((s) => [s, z.number().int()])) as Record<(typeof exportStates)[number], z.ZodNumber>)
      .openapi({ description: 'Document exports per state; `held` ones wait for the admin to resend them.' }),
    quota: z
      .object({
        perDay: z.number().int(),
        perMinute: z.number().int(),
        exportReserve: z.number().int().openapi({ description: 'Calls of the daily quota kept for exports and the settings screen; syncs stop before it' }),
        day: z.object({ used: z.number().int(), remaining: z.number().int(), remainingForSync: z.number().int(), resetsAt: timestamp }),
        minute: z.object({ used: z.number().int(), remaining: z.number().int(), resetsAt: timestamp }),
      })
      .nullable()
      .openapi({ description: "API calls to the provider today (Europe/Amsterdam day) and this minute, for the API-limited providers (Octopus, Rompslomp); null for the others" }),
    reconciliation: z
      .object({
        ranAt: nullableTime.openapi({ description: 'When the last run compared (or tried to)' }),
        lastCompleteAt: nullableTime.openapi({ description: 'The last run that compared everything' }),
        since: z.string().nullable().openapi({ description: 'First day compared (YYYY-MM-DD)', example: '2026-01-04' }),
        days: z.number().int().nullable(),
        complete: z.boolean().openapi({ description: 'false: the last run stopped before comparing (see stopped); the counts are those of that run (zero)' }),
        stopped: z.enum(['quota', 'not-active', 'not-supported']).nullable().openapi({ description: "quota: the provider's API limit left too little for the sync share today" }),
        exportsCompared: z.number().int(),
        documentsListed: z.number().int(),
        findings: z.object(Object.fromEntries(findingKinds.map((k) => [k, z.number().int()])) as Record<(typeof findingKinds)[number], z.ZodNumber>).openapi({
          description: 'gone: a sent export whose document is no longer in the package; duplicate: two or more documents with one reference; numberChanged: the document has another number than Simon recorded; existsUnsent: a failed or held export whose document exists anyway. Each one is a warning in the log (table Werkbon) with the action.',
        }),
      })
      .nullable()
      .openapi({ description: 'The last weekly reconciliation of exports with the accounting package (docs/reconciliation.md); null before the first run or for packages without it' }),
  })
  .openapi('IntegrationStatus');

export const getStatus = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/integration',
  tags: ['Integration'],
  summary: 'Status of the tenant\'s integration: activation steps, per-table activity, import progress, settings version',
  middleware: access('read', { tenant: 'known' }),
  request: { params: tenantParams },
  responses: {
    200: jsonContent(integrationStatusSchema, 'The integration status'),
    ...tenantErrors,
  },
});

export type GetStatusRoute = typeof getStatus;
