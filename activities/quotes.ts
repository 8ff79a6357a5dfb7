import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './types.js';
import { connectorFor, currentRun, writeLog } from './deps.js';
import { getIntegration, settingsVersionAt } from '../db/queries/integration.js';
import { clearQuoteBaseline, importQuote, importedQuoteIds, quoteBaseline, setQuoteBaseline } from '../db/queries/quotes.js';
import { compareIds } from '../connectors/values.js';
import type { Connector } from '../connectors/types.js';
import type { ProviderId } from '../lib/providers.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import * as messages from '../lib/messages.js';
import { lineArticleKeys, quoteMatchesFilter, quoteOptionsFromSettings, quoteToWorkOrder } from '../lib/quote.js';
import { settingsSchema } from '../lib/settings.js';
import { kickEvents } from './events.js';

/** How long one call keeps paging before it hands back (the schedule's next run continues the work anyway). */
const SLICE_MS = 60_000;

export type QuoteImportSkip = 'unknown-tenant' | 'not-active' | 'no-settings' | 'disabled' | 'unsupported' | 'baseline-taken';

/**
 * Packages whose quotes are all kept, so enabling the import must not turn history into work orders: only quotes
 * newer than the baseline are imported (docs/quotes.md). Visma.net imports open orders only, which is its own bound.
 */
export const QUOTE_BASELINE_PROVIDERS: readonly ProviderId[] = ['factuursturen', 'imuis'];

/** The highest quote id the package has now (a full listing); null when it has none. */
async function highestQuoteId(connector: Connector): Promise<string | null> {
  let highest: string | null = null;
  let cursor: string | null = null;
  do {
    const page = await connector.listQuotes!({ cursor, since: null });
    for (const q of page.records) if (q.externalId && (highest === null || compareIds(q.externalId, highest) > 0)) highest = q.externalId;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return highest;
}

export interface QuoteImportTally {
  /** Quotes listed by the provider. */
  listed: number;
  /** Quotes that pass the include filter. */
  matching: number;
  imported: number;
  alreadyImported: number;
  /** Not imported because the customer is not in Simon yet; retried on the next run. */
  waitingForCustomer: number;
}

export interface QuoteImportResult extends QuoteImportTally {
  skipped: QuoteImportSkip | null;
  settingsVersion: number | null;
  /** Where the next call continues when the time slice ran out; null = the listing was finished. */
  cursor: string | null;
}

const emptyTally = (): QuoteImportTally => ({ listed: 0, matching: 0, imported: 0, alreadyImported: 0, waitingForCustomer: 0 });

export function quoteActivities(deps: ActivityDeps) {
  return {
    /**
     * One pass over the provider's quotes (docs/quotes.md). Skips when the integration is not active or the settings
     * version in force has quotes switched off. Every matching quote not yet imported is imported in its own
     * transaction (db/queries/quotes.ts), so a retry after a crash repeats nothing; the heartbeat carries the
     * position so a retry also need not start over.
     */
    async importQuotes(input: { tenantId: string; cursor?: string | null }): Promise<QuoteImportResult> {
      const { tenantId } = input;
      const skip = (skipped: QuoteImportSkip, settingsVersion: number | null = null): QuoteImportResult => ({
        ...emptyTally(), skipped, settingsVersion, cursor: null,
      });
      const integ = await getIntegration(deps.database, tenantId);
      if (!integ) return skip('unknown-tenant');
      if (integ.status !== 'active') return skip('not-active');
      const provider = integ.provider;
      const version = await settingsVersionAt(deps.database, tenantId, new Date());
      if (!version) return skip('no-settings');
      const options = quoteOptionsFromSettings(settingsSchema.parse(version.settings));
      if (!options) return skip('disabled', version.version);

      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { cursor: string | null; tally: QuoteImportTally } | undefined;
      let cursor = resumed ? resumed.cursor : (input.cursor ?? null);
      const tally = resumed?.tally ?? emptyTally();
      const run = currentRun();
      const started = Date.now();
      // Heartbeats between pages carry the position; inside a page they repeat the last one (a retry redoes the page).
      let checkpoint = { cursor, tally: { ...tally } };
      try {
        const connector = await connectorFor(deps, tenantId, provider);
        if (!connector.listQuotes) return skip('unsupported', version.version);
        let baseline: string | undefined;
        if (QUOTE_BASELINE_PROVIDERS.includes(provider)) {
          baseline = await quoteBaseline(deps.database.sql, tenantId);
          if (baseline === undefined) {
            // Enabled before baselines existed, or the save could not take it: take it now; only newer quotes count.
            await setQuoteBaseline(deps.database.sql, tenantId, await highestQuoteId(connector));
            return skip('baseline-taken', version.version);
          }
        }
        const newerThanBaseline = (id: string) => baseline === undefined || baseline === '' || compareIds(id, baseline) > 0;
        do {
          const page = await connector.listQuotes({ cursor, since: null });
          tally.listed += page.records.length;
          const matching = page.records.filter((q) => q.externalId && newerThanBaseline(q.externalId) && quoteMatchesFilter(q, options.includeFilterWord));
          tally.matching += matching.length;
          const done = await importedQuoteIds(deps.database.sql, tenantId, provider, matching.map((q) => q.externalId));
          tally.alreadyImported += done.size;
          for (const quote of matching) {
            if (done.has(quote.externalId)) continue;
            const keys = quote.lines.map(lineArticleKeys);
            const quoteNumber = quote.number ?? quote.externalId;
            const outcome = await importQuote(deps.database.sql, {
              tenantId,
              provider,
              quoteId: quote.externalId,
              kind: quote.kind ?? 'quote',
              number: quoteNumber,
              customerExternalId: quote.customerExternalId,
              workAddress: quote.workAddress ?? null,
              articleKeys: {
                externalIds: [...new Set(keys.map((k) => k.externalId).filter((id): id is string => id !== null))],
                codes: [...new Set(keys.flatMap((k) => k.codes))],
              },
              build: (articles) => quoteToWorkOrder(quote, options, articles),
              texts: {
                imported: (workOrderNumber) => messages.quoteImported(provider, quoteNumber, workOrderNumber),
                lineWithoutArticle: (line) => messages.quoteLineWithoutArticle(provider, quoteNumber, line),
                customerUnknown: messages.quoteCustomerNotSynced(provider, quoteNumber),
                workAddressAdded: messages.workAddressAdded(),
              },
              run,
            });
            if (outcome.kind === 'created') tally.imported++;
            else if (outcome.kind === 'already-imported') tally.alreadyImported++;
            else tally.waitingForCustomer++;
            ctx.heartbeat(checkpoint);
          }
          cursor = page.nextCursor;
          checkpoint = { cursor, tally: { ...tally } };
          ctx.heartbeat(checkpoint);
        } while (cursor !== null && Date.now() - started < SLICE_MS && !ctx.cancellationSignal.aborted);
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) {
          await writeLog(deps, { tenantId, severity: 'error', table: 'Offerte', text: messages.syncFailed(provider, 'quotes', err.providerMessage) });
        }
        throw toApplicationFailure(err);
      }
      // Each work order's workorder.created event was written with it (db/queries/quotes.ts).
      if (tally.imported > 0) await kickEvents(deps, tenantId);
      return { ...tally, skipped: null, settingsVersion: version.version, cursor };
    },

    /**
     * Takes the quote baseline when the import is switched on (and forgets it when switched off), from the save of the
     * settings: the quotes that exist at that moment stay quotes (docs/quotes.md).
     */
    async updateQuoteBaseline(input: { tenantId: string; enabled: boolean; wasEnabled: boolean }): Promise<{ baseline: string | null } | null> {
      const integ = await getIntegration(deps.database, input.tenantId);
      if (!integ || !QUOTE_BASELINE_PROVIDERS.includes(integ.provider)) return null;
      if (!input.enabled) {
        await clearQuoteBaseline(deps.database.sql, input.tenantId);
        return null;
      }
      if (input.wasEnabled && (await quoteBaseline(deps.database.sql, input.tenantId)) !== undefined) return null;
      try {
        const connector = await connectorFor(deps, input.tenantId, integ.provider, { purpose: 'interactive' });
        if (!connector.listQuotes) return null;
        const baseline = await highestQuoteId(connector);
        await setQuoteBaseline(deps.database.sql, input.tenantId, baseline);
        return { baseline };
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
  };
}
