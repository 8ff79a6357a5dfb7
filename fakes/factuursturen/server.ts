import type http from 'node:http';
import {
  answerControl, applyLatency, countRequest, createFaults, holdLateCommit, listen, parseJson, readText, retryAfterHeaders,
  send, shouldTimeoutAfterCommit, statusText, takeFault, type DocumentAdminOp, type FakeAnswer,
} from '../kit.js';
import { adminDocuments } from './admin.js';
import { postInvoice, quotationOnRead, savedInvoiceOnRead, sentInvoiceOnRead } from './invoices.js';
import { seedFactuurSturen, type SeedOptions } from './seed.js';
import {
  createFakeFactuurSturenState, type FakeFactuurSturenFaults, type FakeFactuurSturenState, type FakeFsAccount,
} from './state.js';

export * from './state.js';
export { seedFactuurSturen, type SeedOptions } from './seed.js';

/**
 * A fake FactuurSturen API v1 over real HTTP on 127.0.0.1, for tests and the demo. It follows
 * docs/providers/factuursturen.md: Basic auth, listings as JSON arrays that answer only a first page without
 * `count` (all with `count=-1`, a slice with `count` and `start`), single GETs in a wrapper, numbers and booleans
 * as strings, `x-ratelimit-remaining` on every answer and the hourly limit as **403** with remaining 0, plain-text
 * errors, concepts by `POST invoices` with `action: save` read back under `name`, quotations at `quotations`.
 * Faults (latency, status answers, "timeout after commit", late commits) come through `faults` or `POST /__faults`;
 * `POST /__documents` changes concepts the way a firm does in FactuurSturen itself (./admin.ts).
 */

export interface FakeFactuurSturen {
  /** Base URL including /api/v1/, to use as the connector's baseUrl. */
  url: string;
  port: number;
  state: FakeFactuurSturenState;
  faults: FakeFactuurSturenFaults;
  stop(): Promise<void>;
}

const API_PREFIX = '/api/v1/';
const MAX_ANSWERS_KEPT = 500;
/** Resources the fake knows: another method on one of them is 405, an unknown path 404 "Unknown function". */
const KNOWN = ['clients', 'products', 'categories', 'profiles', 'taxes', 'countrylist', 'invoices', 'invoices_saved', 'quotations'];

export function noFaults(): FakeFactuurSturenFaults {
  return { ...createFaults(), emptyCreateBody: false, duplicateSaveIgnored: false };
}

export async function startFakeFactuurSturen(
  opts: { port?: number; accounts?: FakeFsAccount[]; rateLimitPerHour?: number; seed?: SeedOptions } = {},
): Promise<FakeFactuurSturen> {
  const state = createFakeFactuurSturenState(opts.accounts);
  if (opts.rateLimitPerHour !== undefined) state.rateLimitPerHour = opts.rateLimitPerHour;
  if (opts.seed) seedFactuurSturen(state, opts.seed);
  const faults = noFaults();

  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    send(res, 500, `Internal error in fake: ${err instanceof Error ? err.message : String(err)}`);
  });
  return { url: `${server.origin}${API_PREFIX}`, port: server.port, state, faults, stop: () => server.stop() };
}

// ---- request handling ----

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeFactuurSturenState, faults: FakeFactuurSturenFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  const control = {
    faults, noFaults, extraFaults: ['emptyCreateBody', 'duplicateSaveIgnored'] as const, summary: () => summary(state),
    documents: (op: DocumentAdminOp) => adminDocuments(state, op),
  };
  if (answerControl(res, url.pathname, method, raw, control)) return;
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, 'Not found');

  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  countRequest(state, `${method} ${path}`);
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    state.answers.push({ method, path, query: url.search.replace(/^\?/, ''), status, at: Date.now() });
    if (state.answers.length > MAX_ANSWERS_KEPT) state.answers.splice(0, state.answers.length - MAX_ANSWERS_KEPT);
    send(res, status, body, headers);
  };
  await applyLatency(faults);
  await holdLateCommit(faults, method, path);

  const credentials = basicCredentials(req.headers.authorization);
  const window = currentWindow(state, credentials?.username ?? '');
  const remaining = () => ({ 'x-ratelimit-remaining': String(Math.max(0, state.rateLimitPerHour - window.used)) });

  const fault = takeFault(faults, method, path);
  if (fault) {
    const left = fault.rateLimitRemaining !== undefined ? { 'x-ratelimit-remaining': String(fault.rateLimitRemaining) } : remaining();
    return answer(fault.status, fault.body ?? statusText(fault.status), { ...left, ...retryAfterHeaders(fault) });
  }

  const account = credentials && state.accounts.find((a) => a.username === credentials.username && a.apiKey === credentials.apiKey);
  if (!account) return answer(401, 'Authentication failed: wrong username or API key', { ...remaining(), 'www-authenticate': 'Basic realm="FactuurSturen API"' });
  // The hourly limit: 403 with remaining 0, no Retry-After (C1, C7).
  if (window.used >= state.rateLimitPerHour) return answer(403, 'API limit reached for this hour', remaining());
  window.used++;

  const result = route(method, path, url.searchParams, parseBody(raw, req.headers['content-type']), state, faults);
  if (shouldTimeoutAfterCommit(faults, result.wrote, method, path)) return answer(504, 'Gateway Time-out', remaining());
  return answer(result.status, result.body, { ...remaining(), ...result.headers });
}

function route(method: string, path: string, query: URLSearchParams, body: unknown, state: FakeFactuurSturenState, faults: FakeFactuurSturenFaults): FakeAnswer {
  const [resource, id, ...rest] = path.split('/');
  if (rest.length > 0) return { status: 404, body: 'Unknown function' };
  const wire = (v: unknown) => (state.stringly ? stringify(v) : v);
  const list = (records: unknown[]) => listing(records, query, state, wire);
  const one = (key: string, record: unknown, missing: string): FakeAnswer =>
    record ? { status: 200, body: wire({ [key]: record }) } : { status: 404, body: missing };

  switch (`${method} ${resource}${id !== undefined ? '/:id' : ''}`) {
    case 'GET clients':
      return list(state.clients);
    case 'GET clients/:id': {
      // The real API answered an unknown client id with the whole list (C9), not with 404.
      const client = state.clients.find((c) => String(c.clientnr) === id);
      return client ? { status: 200, body: wire({ client }) } : { status: 200, body: wire(state.clients) };
    }
    case 'GET products':
      return list(state.products);
    case 'GET products/:id':
      return one('product', state.products.find((p) => String(p.id) === id), 'Product not found');
    case 'GET categories':
      return list(state.categories);
    case 'GET profiles':
      return list(state.profiles);
    case 'GET taxes':
      return list(state.taxes.map((percentage, i) => ({ percentage, type: ['hoog', 'laag', 'nul'][i] ?? 'overig', default: i === 0 })));
    case 'GET countrylist':
      return list(state.countries);
    case 'GET countrylist/:id':
      return ['nl', 'en'].includes(id ?? '') ? list(state.countries) : { status: 404, body: 'Unknown language' };
    case 'GET invoices_saved':
      return list(state.savedInvoices.map((inv) => savedInvoiceOnRead(inv, state)));
    case 'GET invoices_saved/:id': {
      const invoice = state.savedInvoices.find((i) => String(i.id) === id);
      return one('invoice', invoice && savedInvoiceOnRead(invoice, state), 'Invoice not found');
    }
    case 'DELETE invoices_saved/:id': {
      const index = state.savedInvoices.findIndex((i) => String(i.id) === id);
      if (index < 0) return { status: 404, body: 'Invoice not found' };
      state.savedInvoices.splice(index, 1);
      return { status: 200, body: '', wrote: true };
    }
    case 'POST invoices':
      return postInvoice(body, state, faults);
    case 'GET invoices': {
      const since = query.get('since');
      const until = query.get('until');
      const sent = state.sentInvoices.filter((i) => (!since || i.sent >= since) && (!until || i.sent <= until));
      return list(sent.map(sentInvoiceOnRead));
    }
    case 'GET invoices/:id': {
      const invoice = state.sentInvoices.find((i) => i.invoicenr === id || String(i.id) === id);
      return one('invoice', invoice && sentInvoiceOnRead(invoice), 'Invoice not found');
    }
    case 'GET quotations':
      return list(state.quotations.map((q) => quotationOnRead(q, state)));
    case 'GET quotations/:id': {
      const quotation = state.quotations.find((q) => String(q.id) === id);
      return one('quotation', quotation && quotationOnRead(quotation, state), 'Quotation not found');
    }
    default:
      return KNOWN.includes(resource ?? '') ? { status: 405, body: 'Method not allowed' } : { status: 404, body: 'Unknown function' };
  }
}

/**
 * Without `count` only a first page (the real default is unknown, U7); `count=-1` all from `start`; else `count`
 * records from `start`. With `honoursCount` off, `count` is ignored (a page of the default size from `start`).
 */
function listing(records: unknown[], query: URLSearchParams, state: FakeFactuurSturenState, wire: (v: unknown) => unknown): FakeAnswer {
  const count = query.get('count');
  const start = query.get('start') ?? '0';
  if ((count !== null && (!/^-?\d+$/.test(count) || Number(count) < -1)) || !/^\d+$/.test(start)) return { status: 400, body: 'Invalid value for count or start' };
  const from = Number(start);
  const n = count === null || !state.honoursCount ? state.defaultListSize : Number(count);
  return { status: 200, body: wire(n === -1 ? records.slice(from) : records.slice(from, from + n)) };
}

function basicCredentials(header: string | undefined): FakeFsAccount | null {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), apiKey: decoded.slice(colon + 1) };
}

function currentWindow(state: FakeFactuurSturenState, username: string) {
  const now = Date.now();
  let window = state.rateWindows[username];
  if (!window || now - window.start >= state.rateWindowMs) {
    window = { start: now, used: 0 };
    state.rateWindows[username] = window;
  }
  return window;
}

function summary(state: FakeFactuurSturenState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    clients: state.clients.length,
    products: state.products.length,
    categories: state.categories.length,
    savedInvoices: state.savedInvoices.length,
    sentInvoices: state.sentInvoices.length,
    quotations: state.quotations.length,
  };
}

// ---- wire helpers ----

/** JSON, or form fields in PHP bracket style (`lines[0][amount]=2`) as the Python client sends them. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw.trim()) return null;
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      const parts = key.split(/[[\]]+/).filter(Boolean);
      let node = out;
      parts.forEach((part, i) => {
        if (i === parts.length - 1) node[part] = value;
        else node = (node[part] ??= {}) as Record<string, unknown>;
      });
    }
    return out;
  }
  return parseJson(raw);
}

function stringify(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.map(stringify);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringify(v)]));
  return value;
}
