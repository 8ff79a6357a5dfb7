import { octopusTexts as texts } from '../../lib/messages.js';
import type { ProviderError, ProviderErrorKind } from '../../lib/errors.js';
import { providerFailure } from '../kit.js';
import { asText } from '../values.js';

/** Octopus's answers in Dutch (docs/providers/octopus.md §5). */

export const OCTOPUS = 'Octopus';

/** What a call was for: the error texts differ (a 403 on the invoice create is the journal, elsewhere a missing right). */
export type ErrorContext = 'authentication' | 'session' | 'dossier' | { journal: string; plan?: { number: string; bookyear: string } };

export interface FailureExtra {
  status?: number;
  said?: string;
  operation?: string;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** A ProviderError whose `providerMessage` (what the log shows) is the Dutch lead, with Octopus's own words after it. */
export function octopusFailure(kind: ProviderErrorKind, lead: string, extra: FailureExtra = {}): ProviderError {
  const { said, ...rest } = extra;
  return providerFailure(OCTOPUS, kind, lead, { ...rest, providerMessage: said ? `${lead} (Octopus: ${said})` : lead });
}

/**
 * An HTTP error in Octopus's terms (§5): 400 parameters, 401 token, 403 journal closed on writes, 404 nothing,
 * 500 with its own message = invalid data on writes. `untilMidnightMs` is the wait when Octopus says a daily limit is
 * reached (§9 U1). Anything else (429, 5xx, 408) stays as the HTTP client classified it, in doubt where it was.
 */
export function octopusStatusError(err: ProviderError, context: ErrorContext, untilMidnightMs: () => number): ProviderError {
  const status = err.status!;
  const said = err.providerMessage;
  const write = typeof context === 'object' ? context : null;
  const as = (kind: ProviderErrorKind, lead: string, extra: FailureExtra = {}) =>
    octopusFailure(kind, lead, { status, said, ...(err.operation ? { operation: err.operation } : {}), ...extra });
  if (status === 401 || (status === 403 && context === 'authentication')) return as('auth', context === 'authentication' ? texts.wrongCredentials : texts.sessionRefused);
  if (status === 403) {
    // §9 U4: a journal that cannot take invoices (no "factuurdagboek") is a setting to change, not a retry.
    if (write && /invoice journal|factuurdagboek|journal type|sales journal/i.test(said)) return as('validation', texts.notASalesJournal(write.journal));
    return write ? as('conflict', texts.journalClosed(write.journal), { retryable: false }) : as('auth', texts.forbidden);
  }
  if (status === 400 && !write && /limit/i.test(said)) return as('rate-limited', texts.providerLimitReached, { retryable: true, retryAfterMs: untilMidnightMs() });
  if (status === 400 || status === 422) {
    if (write?.plan && /already (exists|used|taken)|duplicate/i.test(said)) {
      return as('conflict', texts.numberTaken({ number: write.plan.number, journal: write.journal, bookyear: write.plan.bookyear }), { retryable: false });
    }
    // The fake's "not a known client" has no source (UNCONFIRMED); the real text may differ.
    if (write && /relation/i.test(said)) return as('validation', texts.relationUnknown);
    return as('validation', texts.badRequest);
  }
  if (status === 404) return as('not-found', texts.notFound);
  // Repeating invalid data only burns the day's calls. A 500 without a message of its own (a gateway page, the bare
  // reason phrase) is a server fault, and a create that got it stays in doubt.
  if (status === 500 && write && !isGenericServerText(said)) return as('validation', texts.invalidData, { retryable: false });
  return err;
}

/** Reason phrases and gateway pages: a server fault, not Octopus refusing our data. */
export function isGenericServerText(text: string): boolean {
  return text.trim() === '' || /internal server error|bad gateway|service unavailable|gateway time-?out|^error \d+$/i.test(text);
}

/** Octopus error bodies: `{errorCode: <negative int>, errorMessage, technicalInfo}`; only the message is for people (§5). */
export function octopusErrorMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    return asText(o.errorMessage) ?? asText(o.message) ?? null;
  }
  return typeof body === 'string' ? body : null;
}
