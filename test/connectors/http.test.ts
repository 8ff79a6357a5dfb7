import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import { HttpClient, JsonArraySplitter, buildUrl, classifyStatus, parseRetryAfter } from '../../connectors/http.js';
import { freePort } from '../../scripts/local/temporal-server.js';

/**
 * The shared plumbing against a real local HTTP server whose answers each test chooses: the route
 * `/reply/<name>` answers with the canned response of that name.
 */
interface Canned {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const canned = new Map<string, Canned>();
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const name = new URL(req.url!, 'http://x').pathname.split('/').pop()!;
      const reply = canned.get(name) ?? { status: 404, body: 'no such canned reply' };
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`;
});

afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
});

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  return new HttpClient({ provider: 'Testpakket', baseUrl, ...extra });
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('HttpClient', () => {
  it('joins the base URL, adds auth headers, sends JSON, parses JSON and counts the call', async () => {
    canned.set('ok', { status: 200, body: '{"id":"7","active":"true"}', headers: { 'content-type': 'text/html', 'x-ratelimit-remaining': '4999' } });
    let calls = 0;
    const c = client({ headers: () => ({ authorization: 'Basic c2VjcmV0' }), onRequest: () => calls++ });
    expect(c.rateLimitRemaining).toBeNull();
    const res = await c.post('/reply/ok', { savename: 'x' });
    expect(res.body).toEqual({ id: '7', active: 'true' });
    const req = seen.at(-1)!;
    expect(req.url).toBe('/api/v1/reply/ok');
    expect(req.headers.authorization).toBe('Basic c2VjcmV0');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ savename: 'x' });
    expect(calls).toBe(1);
    expect(c.rateLimitRemaining).toBe(4999);
  });

  it('gives a bare number or plain text as it came', async () => {
    canned.set('number', { status: 201, body: '42' });
    canned.set('text', { status: 200, body: 'Opgeslagen' });
    expect((await client().post('reply/number', {})).body).toBe(42);
    expect((await client().get('reply/text')).body).toBe('Opgeslagen');
  });

  it('429 with an HTTP-date Retry-After → rate-limited, retryable, wait until that date', async () => {
    const at = new Date(Date.now() + 120_000);
    canned.set('limited-date', { status: 429, body: 'Too many requests', headers: { 'retry-after': at.toUTCString() } });
    const err = await failure(client().get('reply/limited-date'));
    expect(err).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429, providerMessage: 'Too many requests' });
    // HTTP dates have whole seconds.
    expect(err.retryAfterMs).toBeGreaterThan(115_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('429 with Retry-After in seconds, and without one (30 s default)', async () => {
    canned.set('limited-seconds', { status: 429, headers: { 'retry-after': '12' } });
    canned.set('limited-bare', { status: 429 });
    expect((await failure(client().get('reply/limited-seconds'))).retryAfterMs).toBe(12_000);
    expect((await failure(client().get('reply/limited-bare'))).retryAfterMs).toBe(30_000);
  });

  it.each([500, 502, 503, 504])('%i → unavailable and retryable', async (status) => {
    canned.set(`s${status}`, { status, body: '<html><body><h1>Service Unavailable</h1></body></html>' });
    const err = await failure(client().get(`reply/s${status}`));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true, status, providerMessage: 'Service Unavailable' });
    expect(err.message).toContain('Testpakket is tijdelijk niet beschikbaar');
  });

  it('503 with Retry-After passes the wait on', async () => {
    canned.set('maintenance', { status: 503, headers: { 'retry-after': '90' } });
    expect(await failure(client().get('reply/maintenance'))).toMatchObject({ kind: 'unavailable', retryAfterMs: 90_000 });
  });

  it('401/403 → auth, not retryable, with the connector\'s own lead and without the secret', async () => {
    canned.set('denied', { status: 401, body: 'Bad credentials' });
    canned.set('forbidden', { status: 403, body: '{"error":{"message":"scope missing"}}' });
    const c = client({ headers: () => ({ authorization: 'Basic c3VwZXJnZWhlaW0=' }), authErrorMessage: 'Onjuiste gebruikersnaam of API sleutel' });
    const err = await failure(c.get('reply/denied'));
    expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401, providerMessage: 'Bad credentials', operation: 'GET reply/denied' });
    expect(err.message).toBe('Onjuiste gebruikersnaam of API sleutel (HTTP 401): Bad credentials');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('c3VwZXJnZWhlaW0');
    expect(await failure(c.get('reply/forbidden'))).toMatchObject({ kind: 'auth', status: 403, providerMessage: 'scope missing' });
  });

  it('other 4xx → validation, not retryable, with the message the provider hook extracts', async () => {
    canned.set('invalid', { status: 422, body: '{"error":{"type":"client.parameters.validation","message":"quantity must be > 0"}}', headers: { 'content-type': 'application/json' } });
    const hook = (body: unknown) => (body as { error: { type: string } }).error.type;
    expect(await failure(client().get('reply/invalid'))).toMatchObject({ kind: 'validation', retryable: false, providerMessage: 'quantity must be > 0' });
    expect(await failure(client({ errorMessage: hook }).get('reply/invalid'))).toMatchObject({ providerMessage: 'client.parameters.validation' });
  });

  it('404 → not-found, 409 → conflict, both not retryable', async () => {
    canned.set('conflict', { status: 409, body: 'exists' });
    expect(await failure(client().get('reply/nothing-here'))).toMatchObject({ kind: 'not-found', retryable: false, status: 404 });
    expect(await failure(client().get('reply/conflict'))).toMatchObject({ kind: 'conflict', retryable: false, status: 409 });
  });

  it('no answer within the timeout → timeout, retryable', async () => {
    canned.set('slow', { status: 200, body: '[]', delayMs: 500 });
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 80 }).get('reply/slow'));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('nobody listening → network, retryable, with the socket error code', async () => {
    const port = await freePort();
    const c = new HttpClient({ provider: 'Testpakket', baseUrl: `http://127.0.0.1:${port}/` });
    const err = await failure(c.get('clients'));
    expect(err).toMatchObject({ kind: 'network', retryable: true, providerMessage: 'ECONNREFUSED' });
    expect(err.message).toContain('Testpakket is niet bereikbaar');
  });
});

describe('Retry-After parsing', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP date (IMF-fixdate and the obsolete RFC 850 form)', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Monday, 23-Nov-26 10:00:05 GMT', now)).toBe(5_000);
  });
  it('a date in the past means "now"; nonsense or absence means "not given"', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('URLs and status classes', () => {
  it('joins base and path with exactly one slash and leaves out empty query values', () => {
    expect(buildUrl('http://h/api/v1/', 'clients')).toBe('http://h/api/v1/clients');
    expect(buildUrl('http://h/api/v1', '/clients/12')).toBe('http://h/api/v1/clients/12');
    expect(buildUrl('http://h/api/v1/', 'invoices', { filter: 'open', page: 2, q: null, x: undefined })).toBe('http://h/api/v1/invoices?filter=open&page=2');
    expect(buildUrl('http://h/api/v1/', 'https://other/x')).toBe('https://other/x');
  });
  it('classifies statuses', () => {
    expect([429, 401, 403, 404, 408, 409, 400, 422, 500, 503].map(classifyStatus)).toEqual([
      'rate-limited', 'auth', 'auth', 'not-found', 'timeout', 'conflict', 'validation', 'validation', 'unavailable', 'unavailable',
    ]);
  });
});

describe('listings read as a stream', () => {
  it("'records' gives the elements of a JSON array, and an empty or non-array body as 'auto' would", async () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ clientnr: i + 1, company: `Klant ${i + 1} – Zoë`, tags: [i, { n: null }] }));
    canned.set('list-big', { status: 200, body: JSON.stringify(big), headers: { 'content-type': 'application/json' } });
    canned.set('list-empty', { status: 200, body: '' });
    canned.set('list-object', { status: 200, body: '{"error":"nee"}' });
    canned.set('list-cut', { status: 200, body: '[{"clientnr":1},{"clientnr"' });
    // With a small Content-Length the answer is parsed whole; the result is the same.
    const small = JSON.stringify(big.slice(0, 10));
    canned.set('list-small', { status: 200, body: small, headers: { 'content-length': String(Buffer.byteLength(small)) } });
    const c = client();
    expect((await c.request({ path: 'reply/list-big', responseType: 'records' })).body).toEqual(big);
    expect((await c.request({ path: 'reply/list-small', responseType: 'records' })).body).toEqual(big.slice(0, 10));
    expect((await c.request({ path: 'reply/list-empty', responseType: 'records' })).body).toBeNull();
    expect((await c.request({ path: 'reply/list-object', responseType: 'records' })).body).toEqual({ error: 'nee' });
    await expect(c.request({ path: 'reply/list-cut', responseType: 'records' })).rejects.toBeInstanceOf(ProviderError);
  });

  it("'sha256' gives the hex SHA-256 of the body, equal for equal bodies only", async () => {
    canned.set('digest-a', { status: 200, body: '[{"id":1}]' });
    canned.set('digest-b', { status: 200, body: '[{"id":2}]' });
    const c = client();
    const a = (await c.request<string>({ path: 'reply/digest-a', responseType: 'sha256' })).body;
    expect(a).toBe(createHash('sha256').update('[{"id":1}]').digest('hex'));
    expect((await c.request<string>({ path: 'reply/digest-b', responseType: 'sha256' })).body).not.toBe(a);
  });

  it('openRecords hands out a listing page by page as it is read, knows its end, and classifies a cut body', async () => {
    // Over 256 KiB (smaller answers are parsed whole).
    const big = Array.from({ length: 3000 }, (_, i) => ({ clientnr: i + 1, company: `Klant "${i + 1}" \\ Zoë, [b.v.]`, notes: 'x'.repeat(100) }));
    const text = JSON.stringify(big);
    expect(text.length).toBeGreaterThan(400_000);
    canned.set('open-big', { status: 200, body: text });
    canned.set('open-cut', { status: 200, body: text.slice(0, 300_000) });
    const c = client();
    const opened = await c.openRecords({ path: 'reply/open-big' });
    if (!('records' in opened)) throw new Error('expected a reader');
    const got: unknown[] = [];
    while (!opened.records.ended) got.push(...(await opened.records.take(200)));
    expect(got).toEqual(big);
    expect(opened.records.taken).toBe(3000);
    expect(await opened.records.take(200)).toEqual([]);

    const cut = await c.openRecords({ path: 'reply/open-cut' });
    if (!('records' in cut)) throw new Error('expected a reader');
    const reading = (async () => {
      while (!cut.records.ended) await cut.records.take(200);
    })();
    await expect(reading).rejects.toBeInstanceOf(ProviderError);
    await expect(c.openRecords({ path: 'reply/list-object' })).resolves.toMatchObject({ body: { error: 'nee' } });
  });
});

describe('JsonArraySplitter', () => {
  it('gives the elements of an array cut anywhere, strings with quotes, backslashes, brackets and commas included', () => {
    const value = [{ a: 'x,"y"]}', b: [1, [2, { c: '\\' }]] }, 'tekst \\" ,', 3, null, true, { d: {} }];
    const text = ` ${JSON.stringify(value)} \n`;
    for (const size of [1, 2, 3, 7, 50]) {
      const splitter = new JsonArraySplitter();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.slice(i, i + size)));
      splitter.end();
      expect(out, `chunks of ${size}`).toEqual(value);
    }
  });

  it('refuses a body that ends early, text after the array, and an object', () => {
    const early = new JsonArraySplitter();
    early.push('[{"a":1},{"b"');
    expect(() => early.end()).toThrow(SyntaxError);
    expect(() => new JsonArraySplitter().push('[1] 2')).toThrow(SyntaxError);
    expect(() => new JsonArraySplitter().push('{"a":1}')).toThrow(SyntaxError);
    const empty = new JsonArraySplitter();
    expect(empty.push('[ ]')).toEqual([]);
    expect(() => empty.end()).not.toThrow();
  });
});
