import type { AppDeps, AppRouteHandler } from '../types.js';
import type * as routes from './activation.routes.js';
import { HttpError, badRequest, conflict, notFound, validationIssues } from '../errors.js';
import { runStep, temporalOf } from '../temporal.js';
import { kickEvents } from '../events/kick.js';
import { ADMINISTRATION_TABLES, beginActivation, countExportsToHold, getIntegration, settingsVersionAt, storePendingCredentials, type IntegrationRow } from '../../db/queries/integration.js';
import * as messages from '../../lib/messages.js';
import { wipeableTableNames, type WipeableTable } from '../../db/schema.js';
import { CredentialSealer } from '../../lib/crypto.js';
import { credentialLabel, credentialSchemaFor } from '../../lib/credentials.js';
import { TERMS_VERSION_DEFAULT, providers, type ProviderId } from '../../lib/providers.js';
import { administrationBoundToConnection, administrationField, administrationOf, settingsSchema, type Settings } from '../../lib/settings.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { checkSettingsWorkflow, connectWorkflow, optionsWorkflow, saveSettingsWorkflow, wipeWorkflow } from '../../workflows/index.js';

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function stateOf(row: IntegrationRow) {
  return {
    tenant: row.tenantId,
    provider: row.provider,
    status: row.status,
    steps: row.steps,
    firstActivation: row.activations === 0,
    mandatoryWipe: row.activations === 0 ? [...wipeableTableNames] : [],
  };
}

async function activating(c: { get(key: 'deps'): AppDeps }, tenant: string): Promise<IntegrationRow> {
  const row = await getIntegration(c.get('deps').database, tenant);
  if (!row) throw notFound('Tenant not found');
  if (row.status !== 'activating') throw conflict(messages.apiTexts.activation.notActivating(row.status));
  return row;
}

const stepOptions = (c: { get: (k: 'deps') => { temporal?: { taskQueue: string } } }, tenantId: string, provider: ProviderId, kind: 'wipe' | 'connect' | 'checkSettings' | 'saveSettings' | 'options') => ({
  taskQueue: c.get('deps').temporal!.taskQueue,
  workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
  workflowExecutionTimeout: '5 minutes',
  ...runMeta({ tenantId, provider, kind }),
});

export const startActivation: AppRouteHandler<typeof routes.startActivation> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { provider } = c.req.valid('json');
  if (!tenantPattern.test(tenant)) throw badRequest('Tenant id may contain letters, digits, dot, dash and underscore', 'validation');
  if (!providers[provider].available) throw badRequest(messages.apiTexts.activation.providerUnavailable(provider), 'provider_unavailable');
  const { database } = c.get('deps');
  const existing = await getIntegration(database, tenant);
  if (existing && (existing.status === 'active' || existing.status === 'paused')) {
    throw conflict(messages.apiTexts.activation.stillActive);
  }
  const row = await beginActivation(database, tenant, provider);
  await kickEvents(c, tenant);
  return c.json(stateOf(row), 200);
};

export const wipe: AppRouteHandler<typeof routes.wipe> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { tables } = c.req.valid('json');
  const row = await activating(c, tenant);
  const chosen = [...new Set(tables)] as WipeableTable[];
  if (row.activations === 0) {
    const missing = wipeableTableNames.filter((t) => !chosen.includes(t));
    if (missing.length > 0) throw badRequest(messages.apiTexts.activation.firstActivationWipesAll(missing), 'validation', { missing });
  }
  const t = temporalOf(c);
  const deleted = await runStep(() =>
    t.client.workflow.execute(wipeWorkflow, { workflowId: workflowIds.wipe(tenant), args: [{ tenantId: tenant, tables: chosen }], ...stepOptions(c, tenant, row.provider, 'wipe') }),
  );
  const after = (await getIntegration(c.get('deps').database, tenant))!;
  return c.json({ deleted, steps: after.steps }, 200);
};

export const connect: AppRouteHandler<typeof routes.connect> = async (c) => {
  const { tenant } = c.req.valid('param');
  const body = c.req.valid('json');
  const row = await activating(c, tenant);
  if (!row.steps.wiped) throw conflict(messages.apiTexts.activation.wipeFirst);
  const provider = row.provider;
  const schema = credentialSchemaFor(provider);
  if (!schema) throw badRequest(messages.apiTexts.activation.connectsWithOAuth(provider), 'oauth_required');
  const parsed = schema.safeParse(body.credentials);
  if (!parsed.success) {
    throw new HttpError(400, 'validation', 'Invalid credentials', { issues: validationIssues(parsed.error).map((i) => ({ ...i, path: `credentials.${i.path}` })) });
  }
  const { database, env } = c.get('deps');
  // Sealed here, verified by the worker: the secret never travels through Temporal.
  await storePendingCredentials(database, tenant, provider, new CredentialSealer(env.CREDENTIALS_KEY).seal(parsed.data), credentialLabel(parsed.data));
  const t = temporalOf(c);
  const result = await runStep(() =>
    t.client.workflow.execute(connectWorkflow, { workflowId: workflowIds.connect(tenant), args: [{ tenantId: tenant }], ...stepOptions(c, tenant, provider, 'connect') }),
  );
  if (!result.ok) throw badRequest(messages.apiTexts.activation.connectFailed(provider, result.message), 'connect_failed');
  const after = (await getIntegration(database, tenant))!;
  return c.json({ connected: true as const, label: result.label, steps: after.steps }, 200);
};

function assertProvider(row: IntegrationRow, settings: Settings) {
  if (settings.provider !== row.provider) {
    throw new HttpError(400, 'validation', 'settings.provider does not match the integration', { issues: [{ path: 'settings.provider', message: `expected '${row.provider}'` }] });
  }
}

export const checkSettings: AppRouteHandler<typeof routes.checkSettings> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { settings } = c.req.valid('json');
  const row = await getIntegration(c.get('deps').database, tenant);
  if (!row) throw notFound('Tenant not found');
  if (!(row.status === 'activating' ? row.steps.connected : row.status === 'active' || row.status === 'paused')) {
    throw conflict(messages.apiTexts.activation.connectFirst);
  }
  assertProvider(row, settings as Settings);
  // Every field given and valid: the full check (it also marks the activation step). Otherwise only what is given.
  const full = settingsSchema.safeParse(settings);
  const input = full.success ? { tenantId: tenant, settings: full.data } : { tenantId: tenant, settings: settings as Settings, partial: Object.keys(settings) };
  const t = temporalOf(c);
  const checks = await runStep(() =>
    t.client.workflow.execute(checkSettingsWorkflow, { workflowId: workflowIds.checkSettings(tenant), args: [input], ...stepOptions(c, tenant, row.provider, 'checkSettings') }),
  );
  return c.json({ ok: checks.every((x) => x.ok), checks }, 200);
};

export const saveSettings: AppRouteHandler<typeof routes.saveSettings> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { settings, confirmAdministrationChange } = c.req.valid('json');
  const row = await getIntegration(c.get('deps').database, tenant);
  if (!row) throw notFound('Tenant not found');
  const completeActivation = row.status === 'activating';
  if (completeActivation && !(row.steps.wiped && row.steps.connected)) throw conflict(messages.apiTexts.activation.stepsFirst);
  if (!completeActivation && row.status !== 'active' && row.status !== 'paused') throw conflict(messages.apiTexts.activation.cannotSaveSettings(row.status));
  assertProvider(row, settings);
  const { env } = c.get('deps');
  const current = await settingsVersionAt(c.get('deps').database, tenant, new Date());
  // Terms (docs/terms.md): accepting means the version in force; a new version must be accepted again.
  if (settings.termsVersion !== undefined && settings.termsVersion !== env.TERMS_VERSION) {
    throw new HttpError(400, 'validation', messages.apiTexts.activation.termsVersionExpired(settings.termsVersion, env.TERMS_VERSION), {
      issues: [{ path: 'settings.termsVersion', message: `expected '${env.TERMS_VERSION}'` }],
    });
  }
  const acceptedBefore = current ? ((current.settings as { termsVersion?: string }).termsVersion ?? TERMS_VERSION_DEFAULT) : null;
  if (acceptedBefore !== null && acceptedBefore !== env.TERMS_VERSION && settings.termsVersion !== env.TERMS_VERSION) {
    throw conflict(messages.apiTexts.activation.termsChanged(env.TERMS_VERSION), 'terms_changed');
  }
  const stamped: Settings = { ...settings, termsVersion: env.TERMS_VERSION };
  // Another administration after activation is a re-activation, done only when confirmed (docs/administration-change.md).
  let changeAdministration: { from: string; to: string } | undefined;
  if (!completeActivation) {
    const { database } = c.get('deps');
    const from = current ? administrationOf(settingsSchema.parse(current.settings)) : null;
    const to = administrationOf(settings);
    if (from !== null && to !== null && from !== to) {
      const field = `settings.${administrationField[row.provider] ?? 'administration'}`;
      // Visma.net: the token reaches only the company chosen at sign-on; a confirmation cannot change that.
      if (administrationBoundToConnection.has(row.provider)) {
        const explained = messages.administrationNeedsNewConnection(row.provider, from, to);
        return c.json({
          error: 'reconnect_required' as const, ...explained, field, from, to,
          wipes: [...ADMINISTRATION_TABLES], exportsToHold: await countExportsToHold(database, tenant),
        }, 409);
      }
      if (!confirmAdministrationChange) {
        const explained = messages.administrationChangeNeedsConfirmation(row.provider, from, to);
        return c.json({
          error: 'administration_change' as const, ...explained, field, from, to,
          wipes: [...ADMINISTRATION_TABLES], exportsToHold: await countExportsToHold(database, tenant),
        }, 409);
      }
      changeAdministration = { from, to };
    }
  }
  const t = temporalOf(c);
  const result = await runStep(() =>
    t.client.workflow.execute(saveSettingsWorkflow, {
      workflowId: workflowIds.saveSettings(tenant),
      args: [{ tenantId: tenant, provider: row.provider, settings: stamped, actor: c.get('auth').actor, completeActivation, ...(changeAdministration ? { changeAdministration } : {}) }],
      ...stepOptions(c, tenant, row.provider, 'saveSettings'),
    }),
  );
  if (!result.ok || result.version === null) {
    return c.json({ error: 'settings_invalid' as const, message: result.message, checks: result.checks }, 400);
  }
  return c.json({ ok: true as const, version: result.version, message: result.message, checks: result.checks, importWorkflowIds: result.importWorkflowIds }, 200);
};

export const options: AppRouteHandler<typeof routes.options> = async (c) => {
  const { tenant, list } = c.req.valid('param');
  const { q, administration } = c.req.valid('query');
  const row = await getIntegration(c.get('deps').database, tenant);
  if (!row) throw notFound('Tenant not found');
  if (!(row.status === 'activating' ? row.steps.connected : row.status === 'active' || row.status === 'paused')) {
    throw conflict(messages.apiTexts.activation.connectFirst);
  }
  const t = temporalOf(c);
  const result = await runStep(() =>
    t.client.workflow.execute(optionsWorkflow, {
      workflowId: `${workflowIds.options(tenant, list)}/${Date.now().toString(36)}`,
      args: [{ tenantId: tenant, list, q: q ?? null, administration: administration ?? null }],
      ...stepOptions(c, tenant, row.provider, 'options'),
    }),
  );
  if (!result.ok) throw badRequest(result.message, 'options_unavailable');
  return c.json({ items: result.items }, 200);
};
