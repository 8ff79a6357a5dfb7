import { createHash } from 'node:crypto';
import { ProviderError, describeProviderError, type ProviderErrorKind } from '../lib/errors.js';
import { connectorAnswerTexts } from '../lib/messages.js';

/**
 * The one HTTP client every connector uses (ARCHITECTURE.md "Connectors"): base URL, per-request timeout, JSON/text bodies,
 * `Retry-After`, and the classification of every failure into a ProviderError. It never retries by itself:
 * retries belong to Temporal, which knows whether a write may be repeated.
 */

export const DEFAULT_TIMEOUT_MS = 20_000;
/** A 429 without (usable) Retry-After waits this long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;
/** Provider texts are for the log; a whole HTML error page is not. */
const MAX_PROVIDER_MESSAGE = 500;
/** Network failures before anything reached the provider. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL ("clients", "/clients" and "clients/12" all work); absolute URLs pass through. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Plain objects and arrays are sent as JSON; strings, URLSearchParams, FormData and bytes as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * 'auto' parses JSON when the body looks like JSON and gives text otherwise; 'bytes' gives a Buffer; 'sha256' gives
   * the hex SHA-256 of the body, read as a stream and never held whole (the sync's "anything changed?" probe);
   * 'records' parses a top-level JSON array element by element as it streams in (a listing of one document is
   * never held as text), an empty body as null, anything else as 'auto' does.
   */
  responseType?: 'auto' | 'bytes' | 'sha256' | 'records';
}

/** What `onRequest` learns of a call: the method, the path as the connector gave it (relative to the base URL) and the query. */
export interface OutgoingRequest {
  method: string;
  path: string;
  query: Record<string, QueryValue>;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface HttpClientOptions {
  /** Display name used in error messages, e.g. "FactuurSturen". */
  provider: string;
  baseUrl: string;
  timeoutMs?: number;
  /** Auth and other headers added to every request (may refresh a token first). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Extracts the provider's own message from an error body; falls back to `defaultErrorMessage`. */
  errorMessage?: (body: unknown, status: number) => string | null | undefined;
  /** Replaces the generic Dutch lead of 401/403 errors, e.g. "Onjuiste gebruikersnaam of API sleutel". */
  authErrorMessage?: string;
  /**
   * Called once per outgoing request (quota accounting, per endpoint where the package limits endpoints); awaited,
   * and a throw stops the request before it is sent.
   */
  onRequest?: (request: OutgoingRequest) => unknown;
  /** Called when the provider says to wait (a rate limit with a wait), so every call of the tenant waits (docs/quota.md). */
  onRateLimited?: (retryAfterMs: number) => unknown;
  /** The wait of a 429 from the provider's own headers (e.g. Visma.net's X-RateLimit-Reset), given Retry-After's. */
  rateLimitWaitMs?: (headers: Headers, retryAfterMs: number | undefined) => number | undefined;
}

export class HttpClient {
  readonly provider: string;
  readonly baseUrl: string;
  private readonly options: HttpClientOptions;
  private remaining: number | null = null;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.provider = options.provider;
    this.baseUrl = options.baseUrl;
  }

  /** The last `x-ratelimit-remaining` the provider sent (null until one was seen). */
  get rateLimitRemaining(): number | null {
    return this.remaining;
  }

  get<T = unknown>(path: string, query?: Record<string, QueryValue>, extra: Partial<HttpRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...extra, method: 'GET', path, ...(query ? { query } : {}) });
  }

  post<T = unknown>(path: string, body?: unknown, extra: Partial<HttpRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...extra, method: 'POST', path, body });
  }

  put<T = unknown>(path: string, body?: unknown, extra: Partial<HttpRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...extra, method: 'PUT', path, body });
  }

  delete<T = unknown>(path: string, extra: Partial<HttpRequest> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...extra, method: 'DELETE', path });
  }

  /** Sends one request; resolves on 2xx, throws a classified ProviderError otherwise. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const operation = `${method} ${stripQuery(req.path)}`;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const url = buildUrl(this.baseUrl, req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.options.headers?.()), ...req.headers };
    const body = encodeBody(req.body, headers);

    await this.options.onRequest?.({ method, path: req.path, query: req.query ?? {} });
    // One signal for the whole exchange, so a provider that stalls while sending the body also times out.
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let payload: unknown;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal });
      this.noteRateLimit(response.headers);
      payload = req.responseType === 'bytes' && response.ok
        ? Buffer.from(await response.arrayBuffer())
        : req.responseType === 'sha256' && response.ok
          ? await digestBody(response)
          : req.responseType === 'records' && response.ok
            ? await streamRecords(response)
            : parseBody(await response.text());
    } catch (err) {
      throw transportFailure(this.provider, err, operation, timeoutMs);
    }

    if (response.ok) return { status: response.status, headers: response.headers, body: payload as T };
    const error = this.statusError(response, payload, operation);
    if (error.kind === 'rate-limited' && error.retryAfterMs !== undefined) await this.options.onRateLimited?.(error.retryAfterMs);
    throw error;
  }

  /**
   * A GET of a listing that is one JSON array, read as the caller takes its records (docs/import.md): nothing but the
   * records asked for and one network chunk is held, whatever the listing's length. The timeout applies to the
   * answer's head and to each read of the body, not to the time the caller spends between takes. A body that is no
   * array comes back parsed as 'auto' would (`body`); a failure status throws as `request` does.
   */
  async openRecords(req: Omit<HttpRequest, 'responseType' | 'body'>): Promise<{ status: number; headers: Headers; records: RecordReader } | { status: number; headers: Headers; body: unknown }> {
    const method = req.method ?? 'GET';
    const operation = `${method} ${stripQuery(req.path)}`;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const url = buildUrl(this.baseUrl, req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.options.headers?.()), ...req.headers };
    await this.options.onRequest?.({ method, path: req.path, query: req.query ?? {} });
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const watch = (on: boolean) => {
      clearTimeout(timer);
      timer = on ? setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs) : undefined;
    };
    const classify = (err: unknown) => transportFailure(this.provider, controller.signal.aborted ? controller.signal.reason : err, operation, timeoutMs);
    let response: Response;
    let opened: Awaited<ReturnType<typeof openReader>> | null = null;
    let payload: unknown;
    try {
      watch(true);
      response = await fetch(url, { method, headers, signal: controller.signal });
      this.noteRateLimit(response.headers);
      // A small answer is parsed whole, as 'records' does.
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      if (response.ok && response.body && !(Number.isFinite(length) && length <= WHOLE_BODY_MAX)) opened = await openReader(response.body.getReader(), watch);
      else if (response.ok) {
        const body = parseBody(await response.text());
        opened = Array.isArray(body) ? { reader: arrayReader(body) } : { body };
      } else payload = parseBody(await response.text());
    } catch (err) {
      throw classify(err);
    } finally {
      watch(false);
    }
    if (response.ok) {
      if (!opened) return { status: response.status, headers: response.headers, body: null };
      if (!('reader' in opened)) return { status: response.status, headers: response.headers, body: opened.body };
      const inner = opened.reader;
      const records = readerWithTake(inner, async (n) => {
        try {
          return await inner.take(n);
        } catch (err) {
          inner.close();
          throw classify(err);
        }
      });
      return { status: response.status, headers: response.headers, records };
    }
    const error = this.statusError(response, payload, operation);
    if (error.kind === 'rate-limited' && error.retryAfterMs !== undefined) await this.options.onRateLimited?.(error.retryAfterMs);
    throw error;
  }

  private noteRateLimit(headers: Headers): void {
    const raw = headers.get('x-ratelimit-remaining');
    if (raw === null) return;
    const n = Number.parseInt(raw, 10);
    if (Number.isFinite(n)) this.remaining = n;
  }

  private statusError(response: Response, body: unknown, operation: string): ProviderError {
    const status = response.status;
    const kind = classifyStatus(status);
    const providerMessage = clipMessage(this.options.errorMessage?.(body, status) || defaultErrorMessage(body));
    let retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (kind === 'rate-limited' && this.options.rateLimitWaitMs) retryAfterMs = this.options.rateLimitWaitMs(response.headers, retryAfterMs);
    if (kind === 'rate-limited' && retryAfterMs === undefined) retryAfterMs = DEFAULT_RATE_LIMIT_WAIT_MS;
    const lead = kind === 'auth' ? this.options.authErrorMessage : undefined;
    return new ProviderError({
      kind,
      status,
      provider: this.provider,
      operation,
      providerMessage,
      // A 5xx or 408 may come after the provider stored the write (a gateway timing out in front of it).
      outcomeUnknown: status >= 500 || status === 408,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message: describeProviderError(kind, { provider: this.provider, status, providerMessage, ...(lead ? { lead } : {}) }),
    });
  }
}

/** A request that got no answer (timeout, refused, dropped) as a retryable ProviderError; also for fetches made by a library. */
export function transportFailure(provider: string, err: unknown, operation: string, timeoutMs: number): ProviderError {
  if (isTimeout(err)) {
    const providerMessage = connectorAnswerTexts.noAnswerWithin(formatSeconds(timeoutMs));
    return new ProviderError({
      kind: 'timeout',
      provider,
      operation,
      providerMessage,
      outcomeUnknown: true,
      message: describeProviderError('timeout', { provider, providerMessage }),
    });
  }
  const providerMessage = networkErrorCode(err);
  return new ProviderError({
    kind: 'network',
    provider,
    operation,
    providerMessage,
    // Refused or unresolvable: nothing was sent. A connection dropped mid-exchange may have been carried out.
    outcomeUnknown: !NOT_SENT_CODES.has(providerMessage),
    message: describeProviderError('network', { provider, providerMessage }),
  });
}

/** Status → kind. 408 and 5xx are worth another try; the other 4xx need a person. */
export function classifyStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 409 || status === 412) return 'conflict';
  if (status >= 400 && status < 500) return 'validation';
  return 'unavailable';
}

/**
 * `Retry-After` as milliseconds from `now`: either delta-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"). A date in the past gives 0; garbage gives undefined.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Joins base and path with exactly one slash and appends the query (null/undefined values are left out). */
export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const url = /^https?:\/\//i.test(path)
    ? new URL(path)
    : new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Best-effort provider message from an error body: common JSON shapes, or the text itself. */
export function defaultErrorMessage(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return /^\s*</.test(body) ? body.replace(/<[^>]*>/g, ' ') : body;
  if (typeof body !== 'object') return JSON.stringify(body) ?? '';
  const o = body as Record<string, unknown>;
  for (const key of ['message', 'errorMessage', 'error_description', 'detail', 'title', 'error']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim()) return v;
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string') {
      return (v as Record<string, string>).message;
    }
  }
  if (Array.isArray(o.errors)) return o.errors.map((e) => defaultErrorMessage(e)).filter(Boolean).join('; ');
  return JSON.stringify(body);
}

function encodeBody(body: unknown, headers: Record<string, string>): RequestInit['body'] {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams || body instanceof FormData || body instanceof Uint8Array) {
    return body as RequestInit['body'];
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

/** Providers label JSON inconsistently (FactuurSturen answers a create with a bare number), so look at the text. */
async function digestBody(response: Response): Promise<string> {
  const hash = createHash('sha256');
  if (response.body) for await (const chunk of response.body) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

const WHOLE_BODY_MAX = 256 * 1024;

/**
 * A listing read as it streams in (`HttpClient.openRecords`): records are parsed and handed out as the caller asks
 * for them, so a listing of any length is never held, neither as text nor as records (docs/import.md).
 */
export interface RecordReader {
  /** Up to `n` further records; fewer only when the listing ends ([] after its end). */
  take(n: number): Promise<unknown[]>;
  /** Records handed out so far. */
  readonly taken: number;
  /** The listing's length when known before its end (an answer small enough to be parsed whole), else null. */
  readonly length: number | null;
  /** The listing's end was read and every record handed out. */
  readonly ended: boolean;
  /** Stops reading (the rest of the answer is not downloaded). */
  close(): void;
}

/** A RecordReader over records already in memory. */
export function arrayReader(records: readonly unknown[]): RecordReader {
  let taken = 0;
  return {
    get taken() {
      return taken;
    },
    length: records.length,
    get ended() {
      return taken >= records.length;
    },
    take(n) {
      const out = records.slice(taken, taken + n);
      taken += out.length;
      return Promise.resolve(out);
    },
    close() {},
  };
}

/** `inner` with another `take` (checks or error handling around the inner one); the rest is the inner reader's. */
export function readerWithTake(inner: RecordReader, take: (n: number) => Promise<unknown[]>): RecordReader {
  return {
    get taken() {
      return inner.taken;
    },
    length: inner.length,
    get ended() {
      return inner.ended;
    },
    take,
    close: () => inner.close(),
  };
}

/**
 * Splits the text of one top-level JSON array into its elements as chunks arrive, and parses each run of complete
 * elements with one `JSON.parse` (several times faster than a token-by-token parser). Only strings, brackets and
 * commas are looked at; the elements themselves are validated by JSON.parse.
 */
export class JsonArraySplitter {
  private buf = '';
  /** Where scanning goes on in `buf`. */
  private pos = 0;
  /** Where the not yet parsed elements start in `buf` (after the '[' or a ','). */
  private from = 0;
  private depth = 0;
  private started = false;
  private closed = false;

  /** Whether the array's closing bracket was read. */
  get ended(): boolean {
    return this.closed;
  }

  /** Adds text; returns the elements completed by it. */
  push(text: string): unknown[] {
    if (this.closed) {
      if (/\S/.test(text)) throw new SyntaxError('Unexpected text after the end of a JSON array');
      return [];
    }
    const buf = this.buf.length > this.from ? this.buf.slice(this.from) + text : text;
    this.pos -= this.from;
    this.from = 0;
    this.buf = buf;
    let boundary = -1;
    let i = this.pos;
    const n = buf.length;
    let depth = this.depth;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === 0x22) {
        // A string: jump to its closing quote (one not escaped by an odd number of backslashes).
        let j = buf.indexOf('"', i + 1);
        while (j !== -1) {
          let k = j - 1;
          while (buf.charCodeAt(k) === 0x5c) k--;
          if ((j - 1 - k) % 2 === 0) break;
          j = buf.indexOf('"', j + 1);
        }
        if (j === -1) break; // the string goes on in the next chunk: scan it again from its start then
        i = j + 1;
        continue;
      }
      if (c === 0x5b || c === 0x7b) {
        depth++;
        if (!this.started) {
          if (c !== 0x5b) throw new SyntaxError('A JSON array was expected');
          this.started = true;
          this.from = i + 1;
        }
      } else if (c === 0x5d || c === 0x7d) {
        depth--;
        if (depth === 0) {
          boundary = i;
          this.closed = true;
          if (/\S/.test(buf.slice(i + 1))) throw new SyntaxError('Unexpected text after the end of a JSON array');
          i = n;
          break;
        }
      } else if (c === 0x2c && depth === 1) {
        boundary = i;
      }
      i++;
    }
    this.depth = depth;
    this.pos = i;
    if (boundary === -1) return [];
    const body = buf.slice(this.from, boundary);
    this.from = boundary + 1;
    if (this.closed) {
      this.buf = '';
      this.pos = 0;
      this.from = 0;
    }
    return /\S/.test(body) ? (JSON.parse(`[${body}]`) as unknown[]) : [];
  }

  /** The text ended: throws when the array was not closed. */
  end(): void {
    if (!this.closed) throw new SyntaxError('The JSON array ends early');
  }
}

/** A JSON array parsed as it streams in; a body that is no array is parsed as 'auto' would. */
async function streamRecords(response: Response): Promise<unknown> {
  if (!response.body) return null;
  // A small answer (a product list for one invoice) is parsed whole: holding it costs nothing worth saving.
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(length) && length <= WHOLE_BODY_MAX) return parseBody(await response.text());
  const opened = await openReader(response.body.getReader(), () => undefined);
  if (!('reader' in opened)) return opened.body;
  const records: unknown[] = [];
  for (;;) {
    const more = await opened.reader.take(10_000);
    for (const r of more) records.push(r);
    if (opened.reader.ended) return records;
  }
}

/**
 * Reads the head of a body: a JSON array becomes a RecordReader; anything else is read whole and parsed as 'auto'.
 * `onRead` is told when a read starts (true) and ends (false), for the idle timeout.
 */
async function openReader(
  reader: ReadableStreamDefaultReader<Uint8Array>, onRead: (reading: boolean) => void,
): Promise<{ reader: RecordReader } | { body: unknown }> {
  const decoder = new TextDecoder();
  const read = async (): Promise<string | null> => {
    onRead(true);
    try {
      const { value, done } = await reader.read();
      return done ? null : decoder.decode(value, { stream: true });
    } finally {
      onRead(false);
    }
  };
  let head = '';
  for (;;) {
    const text = await read();
    if (text === null) return { body: parseBody(head + decoder.decode()) };
    head += text;
    const first = /\S/.exec(head)?.[0];
    if (first === undefined) continue;
    if (first !== '[') {
      for (let more = await read(); more !== null; more = await read()) head += more;
      return { body: parseBody(head + decoder.decode()) };
    }
    break;
  }
  const splitter = new JsonArraySplitter();
  let queue: unknown[] = splitter.push(head);
  let at = 0;
  let taken = 0;
  let done = false;
  let closed = false;
  const records: RecordReader = {
    get taken() {
      return taken;
    },
    length: null,
    get ended() {
      return done && at >= queue.length;
    },
    async take(n) {
      // One record more than asked, so `ended` is known once the last record is out.
      while (queue.length - at <= n && !done) {
        const text = closed ? null : await read();
        if (text === null) {
          splitter.push(decoder.decode());
          splitter.end();
          done = true;
          break;
        }
        const more = splitter.push(text);
        if (more.length > 0) {
          queue = at > 0 ? queue.slice(at).concat(more) : queue.concat(more);
          at = 0;
        }
        if (splitter.ended) done = true;
      }
      const out = queue.slice(at, at + n);
      at += out.length;
      taken += out.length;
      if (at >= queue.length) {
        queue = [];
        at = 0;
      }
      return out;
    },
    close() {
      if (closed) return;
      closed = true;
      reader.cancel().catch(() => {});
    },
  };
  if (splitter.ended) done = true;
  return { reader: records };
}

function parseBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^[[{"]/.test(trimmed) || /^-?\d+(\.\d+)?$/.test(trimmed) || trimmed === 'true' || trimmed === 'false') {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** undici hides the socket error in `cause` (sometimes two levels deep); its code is all we keep. */
function networkErrorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : 'onbekende netwerkfout';
}

function stripQuery(path: string): string {
  const noQuery = path.split('?')[0];
  return /^https?:\/\//i.test(noQuery) ? new URL(noQuery).pathname : noQuery.replace(/^\/+/, '');
}

/** A provider text flattened and clipped for the log. */
export function clipMessage(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_PROVIDER_MESSAGE ? `${flat.slice(0, MAX_PROVIDER_MESSAGE - 1)}…` : flat;
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
