/**
 * One error type for everything that goes wrong while talking to an accounting package, classified once
 * (connectors/http.ts) so activities and workflows decide retry vs. give-up without knowing the provider.
 */
import type { ProviderErrorKind } from './error-kinds.js';
import { providerErrorTexts as kindText } from './messages.js';

export { providerErrorKinds, type ProviderErrorKind } from './error-kinds.js';

/** Kinds that a later attempt can fix on its own; the others need a person (credentials, data, settings). */
const retryableByDefault: Record<ProviderErrorKind, boolean> = {
  auth: false,
  validation: false,
  'not-found': false,
  'rate-limited': true,
  unavailable: true,
  timeout: true,
  network: true,
  conflict: false,
};

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  /** Dutch, for the log. */
  message: string;
  /** The provider's own text (never credentials or headers); empty when it said nothing useful. */
  providerMessage?: string;
  /** Defaults per kind: rate-limited, unavailable, timeout and network are retryable. */
  retryable?: boolean;
  status?: number;
  retryAfterMs?: number;
  /** Display name of the provider, e.g. "FactuurSturen". */
  provider?: string;
  /** Method and path without query, e.g. "POST invoices", for support. */
  operation?: string;
  /**
   * The request may have reached the provider and been carried out (a timeout, a dropped connection, a 5xx): a
   * create that ends like this is in doubt (docs/exactly-once.md). False when the provider certainly did nothing
   * (connection refused, a 4xx or 429 answer, a refusal of our own quota guard).
   */
  outcomeUnknown?: boolean;
}

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerMessage: string;
  readonly provider?: string;
  readonly operation?: string;
  readonly outcomeUnknown: boolean;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.name = 'ProviderError';
    this.kind = init.kind;
    this.retryable = init.retryable ?? retryableByDefault[init.kind];
    this.providerMessage = init.providerMessage ?? '';
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.provider !== undefined) this.provider = init.provider;
    if (init.operation !== undefined) this.operation = init.operation;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/**
 * Builds the log message: a Dutch sentence per kind (or `lead` when the connector knows better, e.g.
 * "Onjuiste gebruikersnaam of API sleutel"), the HTTP status, and the provider's own text.
 */
export function describeProviderError(
  kind: ProviderErrorKind,
  opts: { provider: string; status?: number; providerMessage?: string; lead?: string },
): string {
  const lead = opts.lead ?? kindText[kind](opts.provider);
  const status = opts.status !== undefined ? ` (HTTP ${opts.status})` : '';
  const said = opts.providerMessage ? `: ${opts.providerMessage}` : '';
  return `${lead}${status}${said}`;
}
