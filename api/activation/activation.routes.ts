import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema, jsonBody, jsonContent, tenantErrors, tenantParams, validationErrorSchema } from '../schemas.js';
import { access } from '../auth.js';
import { providerIds } from '../../lib/providers.js';
import { wipeableTableNames } from '../../db/schema.js';
import { partialSettingsSchema, settingsSchema } from '../../lib/settings.js';

const tags = ['Activation'];
const conflictResponse = { 409: jsonContent(errorSchema, 'Wrong state for this step') };

const stepsSchema = z.object({ wiped: z.boolean(), connected: z.boolean(), settingsChecked: z.boolean(), saved: z.boolean() });
const activationState = z.object({
  tenant: z.string(),
  provider: z.enum(providerIds),
  status: z.string(),
  steps: stepsSchema,
  firstActivation: z.boolean().openapi({ description: 'First activation: wiping all seven tables is mandatory' }),
  mandatoryWipe: z.array(z.string()),
}).openapi('ActivationState');

export const startActivation = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/activation', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: 'Start (or restart) the activation of an accounting integration',
  request: { params: tenantParams, body: jsonBody(z.object({ provider: z.enum(providerIds) })) },
  responses: { 200: jsonContent(activationState, 'Activation started; next step: wipe'), ...tenantErrors, ...conflictResponse },
});

export const wipe = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/activation/wipe', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: "Step 1 'Wissen Simon data': empty the chosen Simon tables (all seven on a first activation)",
  request: { params: tenantParams, body: jsonBody(z.object({ tables: z.array(z.enum(wipeableTableNames as [string, ...string[]])).max(7) })) },
  responses: { 200: jsonContent(z.object({ deleted: z.record(z.string(), z.number()), steps: stepsSchema }), 'Rows deleted per table'), ...tenantErrors, ...conflictResponse },
});

export const connect = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/activation/connect', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: "Step 2 'Koppel': verify the credentials with the provider and store them encrypted",
  request: { params: tenantParams, body: jsonBody(z.object({ credentials: z.record(z.string(), z.string()) })) },
  responses: {
    200: jsonContent(z.object({ connected: z.literal(true), label: z.string().nullable(), steps: stepsSchema }), 'Connected'),
    ...tenantErrors, ...conflictResponse,
    503: jsonContent(errorSchema, 'The provider could not be reached'),
  },
});

const fieldCheck = z.object({ field: z.string(), ok: z.boolean(), found: z.record(z.string(), z.unknown()).optional(), error: z.string().optional(), message: z.string().optional() }).openapi('FieldCheck');

export const checkSettings = createRoute({
  method: 'post', path: '/tenants/{tenant}/integration/activation/check-settings', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: "'Controleer': check the given settings against the provider, each field with its own result",
  description: 'All settings, or any subset while the admin fills the form (e.g. only `{ provider, workTimeArticle }`): then only the given fields are checked and reported, over the saved settings, and the terms need not be accepted (docs/check-settings.md).',
  request: { params: tenantParams, body: jsonBody(z.object({ settings: partialSettingsSchema })) },
  responses: { 200: jsonContent(z.object({ ok: z.boolean(), checks: z.array(fieldCheck) }), 'Per-field results'), ...tenantErrors, ...conflictResponse, 503: jsonContent(errorSchema, 'Provider unreachable') },
});

export const saveSettings = createRoute({
  method: 'put', path: '/tenants/{tenant}/integration/settings', tags: ['Settings'],
  middleware: access('admin', { tenant: 'scope' }),
  summary: "'Opslaan': save the settings (re-checked); on a first save this completes the activation",
  description: 'Choosing another administration (Octopus dossierId, Rompslomp or Visma.net companyId) after activation is a re-activation: without `confirmAdministrationChange: true` the answer is 409 `administration_change` saying what will happen; with it the syncs stop, the imported customers, work addresses, articles and groups are wiped and imported again from the new administration, and exports still to be sent are held. Visma.net answers 409 `reconnect_required` either way: its token belongs to one company, so another company is a deactivation and a new activation (docs/administration-change.md).',
  request: {
    params: tenantParams,
    body: jsonBody(z.object({
      settings: settingsSchema,
      confirmAdministrationChange: z.boolean().optional().openapi({ description: 'Confirms choosing another administration after activation (a re-activation)' }),
    })),
  },
  responses: {
    200: jsonContent(z.object({ ok: z.literal(true), version: z.number(), message: z.string(), checks: z.array(fieldCheck), importWorkflowIds: z.array(z.string()) }), 'Saved'),
    ...tenantErrors,
    400: jsonContent(z.union([validationErrorSchema, z.object({ error: z.literal('settings_invalid'), message: z.string(), checks: z.array(fieldCheck) })]), 'Invalid body, or a setting failed its check (nothing saved)'),
    409: jsonContent(z.union([
      z.object({
        error: z.enum(['administration_change', 'reconnect_required']).openapi({ description: '`reconnect_required`: Visma.net, whose token reaches only the company chosen at sign-on; deactivate and activate again' }), message: z.string(), action: z.string(), field: z.string(), from: z.string(), to: z.string(),
        wipes: z.array(z.string()), exportsToHold: z.number().int(),
      }).openapi('AdministrationChange'),
      errorSchema,
    ]), 'Wrong state, or another administration chosen without confirmation (nothing saved)'),
    503: jsonContent(errorSchema, 'Provider unreachable'),
  },
});

export const options = createRoute({
  method: 'get', path: '/tenants/{tenant}/integration/options/{list}', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: 'A pick-list for the settings screen, read live from the provider (dossiers, journals, companies, warehouses, article groups, articles)',
  request: {
    params: tenantParams.extend({ list: z.string().regex(/^[a-zA-Z-]{1,40}$/).openapi({ param: { name: 'list', in: 'path' }, example: 'articles' }) }),
    query: z.object({
      q: z.string().max(100).optional(),
      administration: z.string().max(100).optional().openapi({
        description: 'The dossier (Octopus) or company the list belongs to while it is being chosen; default: the one in the saved settings',
      }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(z.object({ id: z.string(), name: z.string() }).passthrough()) }), 'The options'),
    ...tenantErrors, ...conflictResponse, 503: jsonContent(errorSchema, 'Provider unreachable'),
  },
});
