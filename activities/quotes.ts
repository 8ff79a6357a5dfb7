import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './types.js';
import { connectorFor, currentRun, writeLog } from './deps.js';
import { getIntegration, settingsVersionAt } from '../db/queries/integration.js';
import { importQuote, importedQuoteIds } from '../db/queries/quotes.js';
import { ProviderError } from '../lib/errors.js';
import { toApplicationFailure } from '../connectors/failures.js';
import * as messages from '../lib/messages.js';
import { lineArticleKeys, quoteMatchesFilter, quoteOptionsFromSettings, quoteToWorkOrder } from '../lib/quote.js';
import { settingsSchema } from '../lib/settings.js';

/** How long one call keeps paging before it hands back (the schedule's next run continues the work anyway). */
const SLICE_MS = 60_000;

export type QuoteImportSkip = 'unknown-tenant' | 'not-active' | 'no-settings' | 'disabled' | 'unsupported';

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
     * One pass over the provider's quotes (SPEC §5.4). Skips when the integration is not active or the settings
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
        do {
          const page = await connector.listQuotes({ cursor, since: null });
          tally.listed += page.records.length;
          const matching = page.records.filter((q) => q.externalId && quoteMatchesFilter(q, options.includeFilterWord));
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
              articleKeys: {
                externalIds: [...new Set(keys.map((k) => k.externalId).filter((id): id is string => id !== null))],
                codes: [...new Set(keys.flatMap((k) => k.codes))],
              },
              build: (articles) => quoteToWorkOrder(quote, options, articles),
              texts: {
                imported: (workOrderNumber) => messages.quoteImported(provider, quoteNumber, workOrderNumber),
                lineWithoutArticle: (line) => messages.quoteLineWithoutArticle(provider, quoteNumber, line),
                customerUnknown: messages.quoteCustomerNotSynced(provider, quoteNumber),
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
      return { ...tally, skipped: null, settingsVersion: version.version, cursor };
    },
  };
}
