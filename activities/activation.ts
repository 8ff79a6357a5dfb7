import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './types.js';
import { connectorFor, writeLog } from './deps.js';
import { exchangePendingCode, isOAuthProvider } from './oauth.js';
import {
  completeActivation, discardPendingCredentials, getIntegration, promotePendingCredentials, recordTermsAcceptance, resetAdministration, saveSettingsVersion, setStep, settingsVersionAt, wipeTables,
  type AdministrationReset,
} from '../db/queries/integration.js';
import type { WipeableTable } from '../db/schema.js';
import { kickEvents } from './events.js';
import { ProviderError } from '../lib/errors.js';
import type { OptionItem } from '../connectors/types.js';
import { countExports } from '../db/queries/exports.js';
import { toApplicationFailure } from '../connectors/failures.js';
import * as messages from '../lib/messages.js';
import type { ProviderId } from '../lib/providers.js';
import { administrationOf, probeDefaults, sameAdministration, settingsSchema, type FieldCheck, type Settings } from '../lib/settings.js';
import { termsCheck } from '../connectors/kit.js';
import { setTenantSchedulesPaused, upsertTenantSchedules } from '../lib/schedules.js';
import { syncScopes } from '../lib/providers.js';
import { workflowIds } from '../lib/runs.js';
import { Context } from '@temporalio/activity';
import { quoteOptionsFromSettings } from '../lib/quote.js';
import { quoteImportSentence } from '../lib/messages.js';
import { QUOTE_BASELINE_PROVIDERS } from './quotes.js';

const withSentence = (t: messages.LogText, sentence: string): messages.LogText => (sentence ? { ...t, message: `${t.message} ${sentence}` } : t);

async function integrationOf(deps: ActivityDeps, tenantId: string) {
  const integ = await getIntegration(deps.database, tenantId);
  if (!integ) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
  return { ...integ, provider: integ.provider };
}

export function activationActivities(deps: ActivityDeps) {
  /**
   * "Controleer" of some fields (docs/check-settings.md): the given fields over the saved settings (or defaults),
   * checked as a whole by the connector, and only the given fields' results reported. The terms count as accepted
   * for the probe unless they are given themselves.
   */
  async function checkSomeSettings(provider: ProviderId, tenantId: string, given: Record<string, unknown>, fields: string[]): Promise<FieldCheck[]> {
    const saved = await settingsVersionAt(deps.database, tenantId, new Date());
    const base = saved && (saved.settings as { provider?: string }).provider === provider ? saved.settings : {};
    const probe = settingsSchema.safeParse({ ...probeDefaults, ...base, ...given, provider, termsAccepted: true });
    const asked = fields.filter((f) => f !== 'provider');
    const results: FieldCheck[] = [];
    if (!probe.success) {
      const missing = [...new Set(probe.error.issues.map((i) => String(i.path[0] ?? '')).filter((f) => f && !asked.includes(f)))];
      const invalid = probe.error.issues.filter((i) => asked.includes(String(i.path[0] ?? '')));
      if (invalid.length > 0) return invalid.map((i) => ({ field: i.path.join('.'), ok: false, error: i.message }));
      for (const field of asked.filter((f) => f !== 'termsAccepted')) results.push({ field, ok: false, error: messages.checkErrors.fillFirst(missing) });
    } else {
      const connector = await connectorFor(deps, tenantId, provider, { purpose: 'interactive' });
      try {
        const checks = await connector.checkSettings(probe.data);
        results.push(...checks.filter((c) => c.field !== 'termsAccepted' && asked.includes(c.field.split('.')[0])));
      } catch (err) {
        throw toApplicationFailure(err);
      }
    }
    if (asked.includes('termsAccepted')) results.push(termsCheck(given.termsAccepted === true));
    return results;
  }

  return {
    async wipeSimonTables(input: { tenantId: string; tables: WipeableTable[] }): Promise<Record<string, number>> {
      await integrationOf(deps, input.tenantId);
      const deleted = await wipeTables(deps.database, input.tenantId, input.tables);
      await setStep(deps.database, input.tenantId, 'wiped', true);
      for (const [table, rows] of Object.entries(deleted)) {
        await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text: messages.wipeDone(table, rows) });
      }
      return deleted;
    },

    /** Verifies the pending credentials; a rejection discards them, so a wrong key leaves nothing stored. */
    async verifyConnection(input: { tenantId: string }): Promise<{ ok: true; label: string | null } | { ok: false; message: string }> {
      const integ = await integrationOf(deps, input.tenantId);
      try {
        // OAuth providers: the callback stored the authorization code; it becomes tokens here, never in the API or a workflow.
        if (isOAuthProvider(integ.provider)) await exchangePendingCode(deps, input.tenantId, integ.provider);
        // The admin's own steps may use the whole daily quota, the export reserve included (lib/quota.ts).
        const connector = await connectorFor(deps, input.tenantId, integ.provider, { pending: true, purpose: 'interactive' });
        const { label, administrationIds } = await connector.verifyConnection();
        // A new connection of an activated integration (after a revoked token) must reach the administration the
        // settings and every imported record belong to; another one is a new activation (docs/administration-change.md).
        if (administrationIds && integ.status !== 'activating') {
          const saved = await settingsVersionAt(deps.database, input.tenantId, new Date());
          const expected = saved ? administrationOf(settingsSchema.parse(saved.settings)) : null;
          if (expected !== null && !sameAdministration(expected, administrationIds)) {
            await discardPendingCredentials(deps.database, input.tenantId);
            const refused = messages.connectedToOtherAdministration(integ.provider, expected, label);
            await writeLog(deps, { tenantId: input.tenantId, severity: 'error', table: 'Integratie', text: refused });
            return { ok: false, message: refused.message };
          }
        }
        await promotePendingCredentials(deps.database, input.tenantId, integ.provider, label);
        await setStep(deps.database, input.tenantId, 'connected', true);
        await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text: messages.connected(integ.provider, label) });
        return { ok: true, label };
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) {
          await discardPendingCredentials(deps.database, input.tenantId);
          await writeLog(deps, { tenantId: input.tenantId, severity: 'error', table: 'Integratie', text: messages.connectFailed(integ.provider, err.providerMessage) });
          return { ok: false, message: err.providerMessage };
        }
        throw toApplicationFailure(err);
      }
    },

    async checkSettings(input: { tenantId: string; settings: Settings; partial?: string[] }): Promise<FieldCheck[]> {
      const integ = await integrationOf(deps, input.tenantId);
      if (input.partial) return checkSomeSettings(integ.provider, input.tenantId, input.settings, input.partial);
      const connector = await connectorFor(deps, input.tenantId, integ.provider, { purpose: 'interactive' });
      try {
        const checks = await connector.checkSettings(input.settings);
        if (integ.status === 'activating' && checks.every((c) => c.ok)) await setStep(deps.database, input.tenantId, 'settingsChecked', true);
        return checks;
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },

    /** Stores a new settings version, effective from now; on the first save of an activation the integration becomes active. */
    async saveSettings(input: { tenantId: string; settings: Settings; actor: string | null; requestId: string; completeActivation: boolean }): Promise<{ version: number; message: string; quotes: { enabled: boolean; wasEnabled: boolean } }> {
      const integ = await integrationOf(deps, input.tenantId);
      const settings = settingsSchema.parse(input.settings);
      const previous = await settingsVersionAt(deps.database, input.tenantId, new Date());
      const wasEnabled = !input.completeActivation && previous ? quoteOptionsFromSettings(settingsSchema.parse(previous.settings)) !== null : false;
      const quoteOptions = quoteOptionsFromSettings(settings);
      const saved = await saveSettingsVersion(deps.database, input.tenantId, settings, input.actor, input.requestId);
      // Who accepted which terms, and when (docs/terms.md): on activation, and whenever a new version is accepted.
      const previousTerms = previous ? ((previous.settings as { termsVersion?: string }).termsVersion ?? null) : null;
      if (!input.completeActivation && settings.termsVersion !== undefined && settings.termsVersion !== previousTerms) {
        await recordTermsAcceptance(deps.database, input.tenantId, input.actor);
      }
      const quotesSentence = quoteImportSentence(integ.provider, quoteOptions, QUOTE_BASELINE_PROVIDERS.includes(integ.provider));
      let text: messages.LogText;
      if (input.completeActivation) {
        text = withSentence(messages.settingsSaved(integ.provider), quotesSentence);
        await completeActivation(deps.database, input.tenantId, input.actor, text.message);
        await kickEvents(deps, input.tenantId);
        await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text });
        await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text: messages.initialImportStarted(integ.provider) });
        const notice = messages.referencePrintedNotice(integ.provider);
        if (notice) await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text: notice });
        // Work orders archived while the integration was off are held, not sent by themselves (docs/export.md).
        const held = await countExports(deps.database, input.tenantId, 'held');
        if (held > 0) await writeLog(deps, { tenantId: input.tenantId, severity: 'warning', table: 'Werkbon', text: messages.heldExportsAfterReactivation(integ.provider, held) });
      } else {
        text = withSentence(messages.settingsChanged(integ.provider, saved.version), quoteOptions && !wasEnabled ? quotesSentence : '');
        await writeLog(deps, { tenantId: input.tenantId, severity: 'info', table: 'Integratie', text });
      }
      return { version: saved.version, message: text.message, quotes: { enabled: quoteOptions !== null, wasEnabled } };
    },

    /** A pick-list for the settings screen (docs/settings.md), read live from the provider. */
    async listOptions(input: { tenantId: string; list: string; q: string | null; administration?: string | null }): Promise<{ ok: true; items: OptionItem[] } | { ok: false; message: string }> {
      const integ = await integrationOf(deps, input.tenantId);
      const connector = await connectorFor(deps, input.tenantId, integ.provider, { purpose: 'interactive' });
      if (!connector.options) return { ok: false, message: `Geen keuzelijsten voor ${integ.provider}` };
      try {
        return { ok: true, items: await connector.options(input.list, input.q, { administration: input.administration ?? null }) };
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) return { ok: false, message: err.providerMessage };
        if (!(err instanceof ProviderError)) return { ok: false, message: (err as Error).message };
        throw toApplicationFailure(err);
      }
    },

    async ensureSchedules(input: { tenantId: string; provider: ProviderId }): Promise<string[]> {
      return upsertTenantSchedules(deps.temporal, { ...input, taskQueue: deps.taskQueue });
    },

    /**
     * First half of an administration change (docs/administration-change.md): no scheduled run starts, every running
     * sync, quote import and cleanup of the tenant is cancelled and has closed. The new settings version is already
     * saved, so a page activity still finishing its last page sees the new administration and writes nothing.
     */
    async stopTenantSyncs(input: { tenantId: string }): Promise<{ stopped: number }> {
      const ctx = Context.current();
      const client = deps.temporal;
      await setTenantSchedulesPaused(client, input.tenantId, true, 'Ander administratie gekozen: synchronisatie gestopt');
      const ids = new Map<string, string | undefined>();
      for (const scope of syncScopes) ids.set(workflowIds.sync(input.tenantId, scope), undefined);
      const query = `TenantId = "${input.tenantId}" AND ExecutionStatus = "Running" AND WorkflowType IN ("syncWorkflow", "scheduledSyncWorkflow", "quoteImportWorkflow", "cleanupWorkflow", "reconcileWorkflow")`;
      for await (const wf of client.workflow.list({ query })) ids.set(wf.workflowId, wf.runId);
      let stopped = 0;
      for (const [workflowId, runId] of ids) {
        const handle = client.workflow.getHandle(workflowId, runId);
        const running = await handle.describe().then((d) => d.status.name === 'RUNNING', () => false);
        if (!running) continue;
        await handle.cancel().catch(() => undefined);
        stopped++;
        // Wait until it has closed (a cancelled sync acknowledges between two pages); heartbeats keep this alive.
        while (await handle.describe().then((d) => d.status.name === 'RUNNING', () => false)) {
          ctx.heartbeat({ waitingFor: workflowId });
          await ctx.sleep(500);
        }
      }
      return { stopped };
    },

    /** Second half: wipe what came from the old administration and hold what was still to be sent (one transaction). */
    async resetAdministration(input: { tenantId: string; from: string; to: string }): Promise<AdministrationReset> {
      const integ = await integrationOf(deps, input.tenantId);
      const reset = await resetAdministration(deps.database, input.tenantId, messages.administrationChangedHeldReason);
      await kickEvents(deps, input.tenantId);
      const w = reset.wiped;
      await writeLog(deps, {
        tenantId: input.tenantId, severity: 'info', table: 'Integratie',
        text: messages.administrationChanged(integ.provider, input.from, input.to, { customers: w.Klant ?? 0, workAddresses: w.Werkadres ?? 0, articles: w.Artikel ?? 0, articleGroups: w['Artikel Groep'] ?? 0 }),
      });
      if (reset.held > 0) await writeLog(deps, { tenantId: input.tenantId, severity: 'warning', table: 'Werkbon', text: messages.exportsHeldAfterAdministrationChange(integ.provider, reset.held) });
      return reset;
    },

    /** Last step: the schedules run again (unless the integration was paused meanwhile). */
    async resumeTenantSchedules(input: { tenantId: string }): Promise<void> {
      const integ = await integrationOf(deps, input.tenantId);
      if (integ.status === 'active') await setTenantSchedulesPaused(deps.temporal, input.tenantId, false, 'Import uit de nieuwe administratie gestart');
    },
  };
}
