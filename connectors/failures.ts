import { ApplicationFailure } from '@temporalio/common';
import { ProviderError, type ProviderErrorKind } from '../lib/errors.js';

/** Temporal failure type per kind, e.g. 'ProviderRateLimited'; workflows match on these strings. */
export function providerFailureType(kind: ProviderErrorKind): string {
  return 'Provider' + kind.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

/** What a workflow can read from `failure.details[0]` without parsing the message. */
export interface ProviderFailureDetails {
  kind: ProviderErrorKind;
  status: number | null;
  providerMessage: string;
  retryAfterMs: number | null;
  operation: string | null;
}

/**
 * Turns a ProviderError into the ApplicationFailure Temporal understands: retryable or not, and for a 429
 * (or a 503 with Retry-After) the provider's own wait as `nextRetryDelay`. Anything else passes through.
 * Use as `catch (err) { throw toApplicationFailure(err); }` at the activity boundary.
 */
export function toApplicationFailure(err: ProviderError): ApplicationFailure;
export function toApplicationFailure(err: unknown): unknown;
export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  const details: ProviderFailureDetails = {
    kind: err.kind,
    status: err.status ?? null,
    providerMessage: err.providerMessage,
    retryAfterMs: err.retryAfterMs ?? null,
    operation: err.operation ?? null,
  };
  return ApplicationFailure.create({
    type: providerFailureType(err.kind),
    message: err.message,
    nonRetryable: !err.retryable,
    details: [details],
    ...(err.retryable && err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}
