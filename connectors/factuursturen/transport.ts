import { ProviderError } from '../../lib/errors.js';
import { connectorAnswerTexts, factuurSturenTexts as texts } from '../../lib/messages.js';
import type { HttpRequest, HttpResponse, QueryValue, RecordReader } from '../http.js';
import { readCredentials } from '../credentials.js';
import { providerFailure, providerHttp } from '../kit.js';
import type { ConnectorContext } from '../types.js';
import { asText } from '../values.js';

/**
 * How the connector talks to FactuurSturen (docs/providers/factuursturen.md §2, §4): HTTP Basic with the account
 * name and an API key on every call, JSON, plain-text errors, and an hourly call limit reported in
 * `X-RateLimit-Remaining`. The limit is answered with **403** and remaining `0` (no 429, no Retry-After); a wrong
 * key with 401. Each request gets its own HttpClient, so the header read is the one of that very answer even when
 * calls overlap.
 */

export const FACTUURSTUREN = 'FactuurSturen';
const HOUR_MS = 3_600_000;

export interface Transport {
  get(path: string, query?: Record<string, QueryValue>): Promise<unknown>;
  /** A listing (one JSON array) parsed record by record as it streams in; null for an empty answer. */
  list(path: string, query?: Record<string, QueryValue>): Promise<unknown>;
  /**
   * A listing read as its records are taken (docs/import.md): a reader, or the parsed body when the answer is no array
   * (an empty answer: null).
   */
  open(path: string, query?: Record<string, QueryValue>): Promise<RecordReader | { body: unknown }>;
  /** The hex SHA-256 of a GET's answer body, streamed (the idle sync's probe). */
  digest(path: string, query?: Record<string, QueryValue>): Promise<string>;
  /** The whole response: a create is judged by its status and body together. */
  post(path: string, body: unknown): Promise<HttpResponse>;
  /** Calls left this hour according to the last answer that said so (null before one did). */
  readonly rateLimitRemaining: number | null;
  /** The account name the credentials give (the connection's label), null when they are incomplete. */
  readonly username: string | null;
}

export function createTransport(ctx: ConnectorContext): Transport {
  const credentials = readCredentials('factuursturen', ctx.credentials, () => providerFailure(FACTUURSTUREN, 'auth', texts.missingCredentials));
  const fixedWait = Number(ctx.config?.rateLimitWaitMs);
  let remaining: number | null = null;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    return exchange((http) => http.request(req));
  }

  async function exchange<T>(call: (http: ReturnType<typeof providerHttp>) => Promise<T>): Promise<T> {
    const { username, apiKey } = credentials.get();
    const authorization = `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`;
    const http = providerHttp(ctx, {
      provider: FACTUURSTUREN,
      headers: () => ({ authorization }),
      authErrorMessage: texts.wrongCredentials,
      errorMessage: errorText,
    });
    try {
      return await call(http);
    } catch (err) {
      throw await classified(err, http.rateLimitRemaining);
    } finally {
      if (http.rateLimitRemaining !== null) remaining = http.rateLimitRemaining;
    }
  }

  /** The 403 of the hourly limit becomes a retryable wait; another 403 stays auth, with the header value said. */
  async function classified(err: unknown, left: number | null): Promise<unknown> {
    if (!(err instanceof ProviderError) || err.status !== 403) return err;
    const extra = { status: 403, ...(err.operation ? { operation: err.operation } : {}) };
    if (left === 0) {
      const retryAfterMs = Number.isFinite(fixedWait) && fixedWait > 0 ? fixedWait : untilNextHourMs(Date.now());
      await ctx.onRateLimited?.(retryAfterMs);
      return providerFailure(FACTUURSTUREN, 'rate-limited', texts.hourlyLimit, { ...extra, retryAfterMs, providerMessage: err.providerMessage });
    }
    const said = `${err.providerMessage ? `${err.providerMessage}; ` : ''}X-RateLimit-Remaining: ${left ?? connectorAnswerTexts.headerMissing}`;
    return providerFailure(FACTUURSTUREN, 'auth', texts.accessRefused, { ...extra, providerMessage: said });
  }

  return {
    async get(path, query) {
      return (await request({ method: 'GET', path, ...(query ? { query } : {}) })).body;
    },
    async list(path, query) {
      return (await request({ method: 'GET', path, responseType: 'records', ...(query ? { query } : {}) })).body;
    },
    async open(path, query) {
      const answer = await exchange((http) => http.openRecords({ method: 'GET', path, ...(query ? { query } : {}) }));
      return 'records' in answer ? answer.records : { body: answer.body };
    },
    async digest(path, query) {
      return (await request({ method: 'GET', path, responseType: 'sha256', ...(query ? { query } : {}) })).body as string;
    },
    post: (path, body) => request({ method: 'POST', path, body }),
    get rateLimitRemaining() {
      return remaining;
    },
    username: credentials.value?.username ?? null,
  };
}

/**
 * Until the next full hour plus 1–5 minutes: the window's kind (clock or rolling hour) and its reset are unconfirmed
 * (U9), and the jitter keeps the tenants of one worker from all calling at the stroke of the hour.
 */
export function untilNextHourMs(now: number, random: () => number = Math.random): number {
  const nextHour = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  return nextHour - now + 60_000 + Math.floor(random() * 240_000);
}

/** FactuurSturen errors are plain text; a proxy in front of it may answer JSON. */
export function errorText(body: unknown): string | null {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    return asText(o.error) ?? asText(o.message) ?? null;
  }
  return null;
}
