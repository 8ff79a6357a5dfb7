import { ProviderError, describeProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { activityLogger } from '../../lib/logger.js';
import { connectorAnswerTexts, providerName, vismaNetTexts as texts } from '../../lib/messages.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import { providerHttp } from '../kit.js';
import { oauthTokens } from '../credentials.js';
import type { ConnectorContext } from '../types.js';
import { asText } from '../values.js';

/**
 * How the Visma.net connector talks to its two services (docs/providers/visma-net.md §2, §4): one Visma Connect
 * token for the ERP API and SalesOrders V3, renewed once per connector when stale or refused; a rate state per
 * host from `X-RateLimit-*` (V3 may send none, U9), so a used-up window is waited out instead of spending a call;
 * the wait of a 429 is the larger of Retry-After and X-RateLimit-Reset, capped at an hour; and the error bodies of
 * both services (IPPException, ProblemDetails, OAuth) read into Dutch messages a person can act on.
 */

export const VISMA_NET = providerName('visma-net');
export type Host = 'erp' | 'salesOrders';
/** A wait read from a header is never longer than this: a wrong header must not stop a tenant for a day. */
export const MAX_HEADER_WAIT_MS = 3_600_000;
/** Policies of retired endpoints (D4): a call that answers with one of them is a call we should not make. */
const RETIRED_POLICIES = new Set(['6-fixed-window', '8-fixed-window']);

export interface RateState {
  limit: number | null;
  remaining: number;
  /** Epoch ms at which the window resets. */
  resetAt: number;
  policy: string | null;
}

const intHeader = (headers: Headers, name: string) => {
  const n = Number.parseInt(headers.get(name) ?? '', 10);
  return Number.isFinite(n) ? n : null;
};

/** The wait of a 429: the larger of Retry-After and X-RateLimit-Reset (seconds until the window resets), at most an hour. */
export function rateLimitWaitMs(headers: Headers, retryAfterMs: number | undefined): number | undefined {
  const reset = intHeader(headers, 'x-ratelimit-reset');
  const waits = [retryAfterMs, reset === null ? undefined : reset * 1000].filter((w): w is number => w !== undefined && w >= 0);
  return waits.length === 0 ? undefined : Math.min(MAX_HEADER_WAIT_MS, Math.max(...waits));
}

/** The tenant the access token names (`tenant_id`, or `tid`): read, not trusted for anything but naming the company (U2). */
export function tokenTenant(accessToken: string | undefined): string | null {
  const payload = (accessToken ?? '').split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return asText(claims.tenant_id) ?? asText(claims.tid);
  } catch {
    return null;
  }
}

export function createTransport(ctx: ConnectorContext, salesOrderBaseUrl: string) {
  const rates: Record<Host, RateState | null> = { erp: null, salesOrders: null };
  const warned = new Set<string>();

  const options = {
    provider: VISMA_NET,
    headers: () => ({ authorization: `Bearer ${tokens.accessToken}` }),
    errorMessage: vismaErrorMessage,
    rateLimitWaitMs,
  };
  const clients: Record<Host, ReturnType<typeof providerHttp>> = {
    erp: providerHttp(ctx, options),
    salesOrders: providerHttp(ctx, { ...options, baseUrl: salesOrderBaseUrl }),
  };

  function authError(lead: string, status?: number, providerMessage = ''): ProviderError {
    return new ProviderError({
      kind: 'auth', provider: VISMA_NET, providerMessage: providerMessage || lead, ...(status !== undefined ? { status } : {}),
      message: describeProviderError('auth', { provider: VISMA_NET, lead, providerMessage, ...(status !== undefined ? { status } : {}) }),
    });
  }

  const tokens = oauthTokens(ctx, 'visma-net', { notConnected: () => authError(texts.notConnected), cannotRefresh: () => authError(texts.expired) });

  function noteRate(host: Host, headers: Headers, operation: string): void {
    const policy = headers.get('x-ratelimit-policy');
    if (policy && RETIRED_POLICIES.has(policy) && !warned.has(operation)) {
      // U11: an endpoint we use counted under a migration policy; say so once, the call itself went through.
      warned.add(operation);
      activityLogger({ provider: 'visma-net' }).warn({ operation, policy }, 'Visma.net counts this call under a retired-endpoint policy');
    }
    const remaining = intHeader(headers, 'x-ratelimit-remaining');
    if (remaining === null) return;
    const reset = intHeader(headers, 'x-ratelimit-reset');
    rates[host] = {
      limit: intHeader(headers, 'x-ratelimit-limit'), remaining, policy,
      resetAt: Date.now() + Math.min(MAX_HEADER_WAIT_MS, (reset ?? 60) * 1000),
    };
  }

  /** The window of this host is used up: wait for it (the whole tenant holds), do not spend a call on a 429. */
  async function guardRate(host: Host, operation: string): Promise<void> {
    const rate = rates[host];
    if (!rate || rate.remaining > 0) return;
    const wait = rate.resetAt - Date.now();
    if (wait <= 0) return;
    await ctx.onRateLimited?.(wait);
    const said = connectorAnswerTexts.windowUsedUp(Math.ceil(wait / 1000));
    throw new ProviderError({
      kind: 'rate-limited', provider: VISMA_NET, operation, retryAfterMs: wait, providerMessage: said,
      message: describeProviderError('rate-limited', { provider: VISMA_NET, providerMessage: said }),
    });
  }

  /** One API call: fresh token, quota, one refresh-and-retry on 401, clear Dutch messages per status. */
  async function call<T = unknown>(host: Host, req: HttpRequest): Promise<HttpResponse<T>> {
    await tokens.fresh();
    const operation = `${req.method ?? 'GET'} ${req.path}`;
    for (let attempt = 0; ; attempt++) {
      await guardRate(host, operation);
      try {
        const res = await clients[host].request<T>(req);
        noteRate(host, res.headers, operation);
        return res;
      } catch (err) {
        // A 401 means the request was not processed, so repeating it (even a POST) cannot create anything twice.
        if (err instanceof ProviderError && err.status === 401 && attempt === 0 && tokens.renewable) {
          await tokens.refresh();
          continue;
        }
        throw clarify(err, attempt > 0);
      }
    }
  }

  return {
    call,
    get rates(): Readonly<Record<Host, RateState | null>> {
      return rates;
    },
    /** The company the current token reaches, as its tenant id (null when the token does not say). */
    tenant: () => tokenTenant(tokens.accessToken),
  };
}

export type Transport = ReturnType<typeof createTransport>;

// ---- errors ----

/** Dutch leads for the statuses a user (or support) can act on; the provider's own text is kept. */
function clarify(err: unknown, afterRefresh: boolean): unknown {
  if (!(err instanceof ProviderError) || err.status === undefined) return err;
  const lead: Partial<Record<number, [ProviderErrorKind, string]>> = {
    401: ['auth', afterRefresh ? texts.wrongTenant : texts.expired],
    403: ['auth', texts.forbidden],
    409: ['conflict', texts.duplicate],
    412: ['conflict', texts.conflict],
    428: ['validation', texts.ifMatchRequired],
  };
  const hit = lead[err.status];
  if (!hit) return err;
  return new ProviderError({
    kind: hit[0], status: err.status, provider: VISMA_NET, providerMessage: err.providerMessage,
    ...(err.operation !== undefined ? { operation: err.operation } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    message: describeProviderError(hit[0], { provider: VISMA_NET, status: err.status, providerMessage: err.providerMessage, lead: hit[1] }),
  });
}

/** IPPException (ERP), ProblemDetails (V3), OAuth errors (`error_description`) or a plain `message`. */
export function vismaErrorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body || null;
  if (!body || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  const ipp = asText(o.ExceptionMessage);
  if (ipp) {
    const details = asText(o.ExceptionDetails);
    const code = asText(o.ExceptionFaultCode);
    return `${ipp}${details ? ` (${details})` : ''}${code ? ` [${code}]` : ''}`;
  }
  const problem = asText(o.detail) ?? asText(o.title);
  if (problem) {
    const details = Array.isArray(o.details)
      ? o.details.map((d) => (d && typeof d === 'object' ? [asText((d as Record<string, unknown>).code), asText((d as Record<string, unknown>).message)].filter(Boolean).join(': ') : '')).filter(Boolean)
      : [];
    const errors = o.errors && typeof o.errors === 'object' && details.length === 0
      ? Object.entries(o.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map((x) => asText(x) ?? '').join(', ') : asText(v) ?? ''}`)
      : [];
    const extra = [...details, ...errors].filter((d) => d !== problem);
    return extra.length > 0 ? `${problem} (${extra.join('; ')})` : problem;
  }
  return asText(o.error_description) ?? asText(o.message) ?? asText(o.Message) ?? asText(o.error) ?? null;
}
