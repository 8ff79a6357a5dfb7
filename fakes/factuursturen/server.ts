import type http from 'node:http';
import {
  answerControl,
  applyLatency,
  holdLateCommit,
  countRequest,
  createFaults,
  listen,
  MATERIAL_SIZES,
  readText,
  retryAfterHeaders,
  seededRandom,
  parseJson,
  send,
  shouldTimeoutAfterCommit,
  statusText,
  takeFault,
  type BaseFaults,
  type CommitTimeout,
  type FakeAnswer,
  scalarText,
} from '../kit.js';

/**
 * A fake FactuurSturen API v1 over real HTTP on 127.0.0.1, for tests and the demo (SPEC §10). It speaks what
 * the connector speaks: Basic auth, plain JSON arrays without paging, numbers and booleans as strings,
 * `x-ratelimit-remaining` with an hourly limit, plain-text errors, and saved (concept) invoices created by
 * `POST invoices` with `action: 'save'`. Faults (latency, 5xx, 429, "timeout after commit") are injected
 * through `faults` or `POST /__faults`.
 */

export interface FakeFsAccount {
  username: string;
  apiKey: string;
}

export interface FakeFsClient {
  clientnr: number;
  contact: string;
  company: string;
  address: string;
  zipcode: string;
  city: string;
  country: string;
  phone: string;
  mobile: string;
  email: string;
  active: boolean;
  timestamp: string;
  [field: string]: unknown;
}

export interface FakeFsProduct {
  id: number;
  code: string;
  name: string;
  /** Excl. VAT. */
  price: number;
  /** VAT percentage. */
  taxes: number;
  priceintax: number;
  category: number | null;
  /** Not in the real model; served only when set, so tests can exercise "inactive". */
  active?: boolean;
  [field: string]: unknown;
}

export interface FakeFsCategory {
  id: number;
  name: string;
  ledger: number;
}

export interface FakeFsInvoiceLine {
  amount: number;
  description: string;
  price: number;
  tax_rate: number | null;
}

export interface FakeFsSavedInvoice {
  id: number;
  savename: string;
  clientnr: number;
  reference: { line1?: string; line2?: string; line3?: string };
  paymentreference: string | null;
  lines: FakeFsInvoiceLine[];
  profile: number;
  datesaved: string;
  totalintax: number;
}

/** UNCONFIRMED shape (see the connector's `listQuotes`): modelled on saved invoices. */
export interface FakeFsQuoteLine {
  amount: number;
  description: string;
  price: number;
  /** Product code; absent on plain text lines. */
  code?: string;
}

export interface FakeFsQuote {
  id: number;
  quotenr: string;
  clientnr: number;
  /** The quote's name as the user typed it. */
  name: string;
  reference: { line1?: string; line2?: string; line3?: string };
  /** Memo / notitie. */
  notes: string;
  lines: FakeFsQuoteLine[];
  date: string;
  [field: string]: unknown;
}

export interface FakeFactuurSturenState {
  accounts: FakeFsAccount[];
  clients: FakeFsClient[];
  products: FakeFsProduct[];
  categories: FakeFsCategory[];
  savedInvoices: FakeFsSavedInvoice[];
  quotes: FakeFsQuote[];
  profiles: { id: number; name: string }[];
  nextInvoiceId: number;
  /** Every request that reached the API paths (control paths not included). */
  requestCount: number;
  /** Per "METHOD path", e.g. `requests['POST invoices']`, `requests['GET clients']`. */
  requests: Record<string, number>;
  /** Calls allowed per account per hour. */
  rateLimitPerHour: number;
  rateWindows: Record<string, { start: number; used: number }>;
  /** Serve numbers and booleans as strings, as the real API does (fs_api gem). */
  stringly: boolean;
}

export interface FakeFsFault {
  status: number;
  /** Substring of the path after /api/v1/ (e.g. "invoices" also matches "invoices_saved"); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  body?: string;
}

/** `timeoutAfterCommit`: perform and store the write, then answer 504, `count` times. */
export type FakeFactuurSturenFaults = BaseFaults<FakeFsFault, CommitTimeout>;

export interface FakeFactuurSturen {
  /** Base URL including /api/v1/, to use as the connector's baseUrl. */
  url: string;
  port: number;
  state: FakeFactuurSturenState;
  faults: FakeFactuurSturenFaults;
  stop(): Promise<void>;
}

export const DEFAULT_FS_ACCOUNT: FakeFsAccount = { username: 'demo', apiKey: 'fs-demo-api-key' };
export const DEFAULT_RATE_LIMIT_PER_HOUR = 100_000;
const HOUR_MS = 3_600_000;
const API_PREFIX = '/api/v1/';

export function createFakeFactuurSturenState(accounts: FakeFsAccount[] = [DEFAULT_FS_ACCOUNT]): FakeFactuurSturenState {
  return {
    accounts: [...accounts],
    clients: [],
    products: [],
    categories: [],
    savedInvoices: [],
    quotes: [],
    profiles: [{ id: 1, name: 'Standaard' }],
    nextInvoiceId: 1,
    requestCount: 0,
    requests: {},
    rateLimitPerHour: DEFAULT_RATE_LIMIT_PER_HOUR,
    rateWindows: {},
    stringly: true,
  };
}

export function noFaults(): FakeFactuurSturenFaults {
  return createFaults();
}

export async function startFakeFactuurSturen(
  opts: {
    port?: number;
    accounts?: FakeFsAccount[];
    rateLimitPerHour?: number;
    seed?: SeedOptions;
  } = {},
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

type Answer = FakeAnswer;

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeFactuurSturenState, faults: FakeFactuurSturenFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  if (answerControl(res, url.pathname, method, raw, { faults, noFaults, summary: () => summary(state) })) return;
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, 'Not found');

  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  countRequest(state, `${method} ${path}`);
  await applyLatency(faults);
  await holdLateCommit(faults, method, path);

  const fault = takeFault(faults, method, path);
  if (fault) return send(res, fault.status, fault.body ?? statusText(fault.status), retryAfterHeaders(fault));

  const account = authenticate(req.headers.authorization, state);
  if (!account) {
    return send(res, 401, 'Authentication failed: wrong username or API key', { 'www-authenticate': 'Basic realm="FactuurSturen API"' });
  }

  const window = currentWindow(state, account.username);
  if (window.used >= state.rateLimitPerHour) {
    const retryAfter = Math.max(1, Math.ceil((window.start + HOUR_MS - Date.now()) / 1000));
    return send(res, 429, 'API limit reached for this hour', { 'retry-after': String(retryAfter), 'x-ratelimit-remaining': '0' });
  }
  window.used++;
  const rateHeaders = { 'x-ratelimit-remaining': String(state.rateLimitPerHour - window.used) };

  const answer = route(method, path, parseBody(raw, req.headers['content-type']), state);

  if (shouldTimeoutAfterCommit(faults, answer.wrote, method, path)) return send(res, 504, 'Gateway Time-out', rateHeaders);
  return send(res, answer.status, answer.body, { ...rateHeaders, ...answer.headers });
}

function route(method: string, path: string, body: unknown, state: FakeFactuurSturenState): Answer {
  const [resource, id, ...rest] = path.split('/');
  if (rest.length > 0) return { status: 404, body: 'Unknown function' };
  const wire = (v: unknown) => (state.stringly ? stringify(v) : v);

  switch (`${method} ${resource}${id !== undefined ? '/:id' : ''}`) {
    case 'GET clients':
      return { status: 200, body: wire(state.clients) };
    case 'GET clients/:id': {
      const client = state.clients.find((c) => String(c.clientnr) === id);
      return client ? { status: 200, body: wire({ client }) } : { status: 404, body: 'Client not found' };
    }
    case 'GET products':
      return { status: 200, body: wire(state.products.map(withoutUnsetFields)) };
    case 'GET products/:id': {
      const product = state.products.find((p) => String(p.id) === id);
      return product ? { status: 200, body: wire({ product: withoutUnsetFields(product) }) } : { status: 404, body: 'Product not found' };
    }
    case 'GET categories':
      return { status: 200, body: wire(state.categories) };
    case 'GET profiles':
      return { status: 200, body: wire(state.profiles) };
    case 'GET taxes':
      return { status: 200, body: wire([{ percentage: 21, type: 'hoog', default: true }, { percentage: 9, type: 'laag', default: false }, { percentage: 0, type: 'nul', default: false }]) };
    case 'GET invoices_saved':
      return { status: 200, body: wire(state.savedInvoices) };
    case 'GET invoices_saved/:id': {
      const invoice = state.savedInvoices.find((i) => String(i.id) === id);
      return invoice ? { status: 200, body: wire({ invoice }) } : { status: 404, body: 'Invoice not found' };
    }
    case 'DELETE invoices_saved/:id': {
      const index = state.savedInvoices.findIndex((i) => String(i.id) === id);
      if (index < 0) return { status: 404, body: 'Invoice not found' };
      state.savedInvoices.splice(index, 1);
      return { status: 200, body: '', wrote: true };
    }
    case 'POST invoices':
      return saveInvoice(body, state);
    case 'GET quotes':
      return { status: 200, body: wire(state.quotes.map(withoutUnsetFields)) };
    case 'GET quotes/:id': {
      const quote = state.quotes.find((q) => String(q.id) === id);
      return quote ? { status: 200, body: wire({ quote: withoutUnsetFields(quote) }) } : { status: 404, body: 'Quote not found' };
    }
    default: {
      const known = ['clients', 'products', 'categories', 'profiles', 'taxes', 'invoices', 'invoices_saved', 'quotes'];
      return known.includes(resource ?? '') ? { status: 405, body: 'Method not allowed' } : { status: 404, body: 'Unknown function' };
    }
  }
}

/** `POST invoices` with action 'save': a concept invoice under `savename`. Texts follow the API docs' tone. */
function saveInvoice(body: unknown, state: FakeFactuurSturenState): Answer {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 400, body: 'No invoice data received' };
  const input = body as Record<string, unknown>;
  const action = scalarText(input.action);
  if (!['save', 'send', 'repeat'].includes(action)) return { status: 400, body: "Invalid action: use 'send', 'save' or 'repeat'" };
  if (action !== 'save') return { status: 400, body: `Action '${action}' is not supported by this fake` };
  const savename = typeof input.savename === 'string' ? input.savename.trim() : '';
  if (!savename) return { status: 400, body: "When the action is 'save' or 'repeat' you must supply a savename" };

  const clientnr = Number(input.clientnr);
  if (!state.clients.some((c) => c.clientnr === clientnr)) return { status: 400, body: `Client ${scalarText(input.clientnr)} does not exist` };

  const rawLines = Array.isArray(input.lines) ? input.lines : input.lines && typeof input.lines === 'object' ? Object.values(input.lines) : [];
  if (rawLines.length === 0) return { status: 400, body: 'An invoice needs at least one line' };
  const lines: FakeFsInvoiceLine[] = [];
  for (const [i, l] of rawLines.entries()) {
    const line = (l ?? {}) as Record<string, unknown>;
    const amount = toNumber(line.amount ?? 0);
    const price = toNumber(line.price ?? 0);
    if (amount === null) return { status: 400, body: `Line ${i + 1}: amount is not a number` };
    if (price === null) return { status: 400, body: `Line ${i + 1}: price is not a number` };
    const taxRate = line.tax_rate === undefined || line.tax_rate === null || line.tax_rate === '' ? null : toNumber(line.tax_rate);
    lines.push({ amount, description: scalarText(line.description), price, tax_rate: taxRate });
  }

  const reference = (input.reference && typeof input.reference === 'object' ? input.reference : {}) as FakeFsSavedInvoice['reference'];
  const existing = state.savedInvoices.find((inv) => inv.savename === savename);
  const overwrite = input.overwrite_if_exist === true || input.overwrite_if_exist === 'true' || input.overwrite_if_exist === '1';
  if (existing && !overwrite) return { status: 400, body: `A saved invoice with savename '${savename}' already exists` };

  const invoice: FakeFsSavedInvoice = {
    id: existing?.id ?? state.nextInvoiceId++,
    savename,
    clientnr,
    reference: { ...(reference.line1 ? { line1: String(reference.line1) } : {}), ...(reference.line2 ? { line2: String(reference.line2) } : {}), ...(reference.line3 ? { line3: String(reference.line3) } : {}) },
    paymentreference: typeof input.paymentreference === 'string' ? input.paymentreference : null,
    lines,
    profile: 1,
    datesaved: new Date().toISOString().slice(0, 10),
    totalintax: round2(lines.reduce((sum, l) => sum + l.amount * l.price * (1 + (l.tax_rate ?? 21) / 100), 0)),
  };
  if (existing) state.savedInvoices[state.savedInvoices.indexOf(existing)] = invoice;
  else state.savedInvoices.push(invoice);
  // The real API answers a create with the bare id as text.
  return { status: 201, body: String(invoice.id), wrote: true };
}

function authenticate(header: string | undefined, state: FakeFactuurSturenState): FakeFsAccount | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const username = decoded.slice(0, colon);
  const apiKey = decoded.slice(colon + 1);
  return state.accounts.find((a) => a.username === username && a.apiKey === apiKey);
}

function currentWindow(state: FakeFactuurSturenState, username: string) {
  const now = Date.now();
  let window = state.rateWindows[username];
  if (!window || now - window.start >= HOUR_MS) {
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
    quotes: state.quotes.length,
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

function withoutUnsetFields<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// ---- deterministic Dutch demo data ----

export interface SeedOptions {
  groups?: number;
  products?: number;
  clients?: number;
  /** Same seed, same data. */
  seed?: number;
}

const groupNames = ['Tijden', 'Materialen', 'Diensten', 'Sanitair', 'Verwarming', 'Elektra', 'Dakwerk', 'Tuin'];
const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Johan', 'Willem', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Marieke', 'Fleur', 'Daan', 'Bram', 'Joost', 'Ruud', 'Ingrid', 'Femke', 'Thijs', 'Noor', 'Lieke', 'Gerard', 'Ton', 'Ria'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra', 'de Graaf', 'van der Meer', 'van Dijk', 'Kok', 'den Butter'];
const trades = ['Bakkerij', 'Installatiebedrijf', 'Loodgietersbedrijf', 'Garage', 'Restaurant', 'Kapsalon', 'Bouwbedrijf', 'Schildersbedrijf', 'Camping', 'Zorgcentrum', 'Hotel', 'Tandartspraktijk', 'Slagerij', 'Fietsenwinkel', 'Woningstichting', 'Sportschool'];
const legalForms = ['', ' B.V.', ' V.O.F.', ''];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Schoolstraat', 'Molenweg', 'Stationsweg', 'Hoofdstraat', 'Dunantstraat', 'Julianalaan', 'Beatrixstraat', 'Wilhelminaplein', 'Parallelweg', 'Industrieweg', 'Nieuwstraat', 'Lindelaan', 'Eikenlaan', 'Marktplein'];
const cities: [string, string, string][] = [
  ['Eindhoven', '56', '040'], ['Amsterdam', '10', '020'], ['Rotterdam', '30', '010'], ['Utrecht', '35', '030'],
  ['Den Haag', '25', '070'], ['Groningen', '97', '050'], ['Zwolle', '80', '038'], ['Tilburg', '50', '013'],
  ['Breda', '48', '076'], ['Nijmegen', '65', '024'], ['Arnhem', '68', '026'], ['Haarlem', '20', '023'],
  ['Hoofddorp', '21', '023'], ['Leeuwarden', '89', '058'], ['Maastricht', '62', '043'], ['Apeldoorn', '73', '055'],
];
const materials = ['Koperen bocht', 'Knelkoppeling', 'T-stuk', 'Kogelkraan', 'PVC-buis', 'Radiatorkraan', 'Thermostaatknop', 'Expansievat', 'Vlotter', 'Sifon', 'Mengkraan', 'Afvoerbuis', 'Rookmelder', 'Wandcontactdoos', 'Schakelaar', 'Installatiekabel', 'LED-lamp', 'Aardlekschakelaar', 'Luchtfilter', 'Pakking'];
const services = ['Onderhoud CV-ketel', 'Inspectie dakgoot', 'Legionellacontrole', 'Storingsdienst', 'Keuring installatie', 'Ontstoppen riool'];

/**
 * Replaces the fake's categories, products and clients with realistic Dutch data. Products 0001 Reistijd,
 * 0002 Werktijd and 0003 Voorrijkosten exist as in the manual's examples. Every 30th client is inactive,
 * every 6th is a private person (contact, no company).
 */
export function seedFactuurSturen(state: FakeFactuurSturenState, opts: SeedOptions = {}): { groups: number; products: number; clients: number } {
  const groupCount = opts.groups ?? 3;
  const productCount = opts.products ?? 250;
  const clientCount = opts.clients ?? 1200;
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 1);
  const letters = () => {
    let pair: string;
    do pair = String.fromCharCode(65 + Math.floor(rnd() * 26), 65 + Math.floor(rnd() * 26));
    while (['SA', 'SD', 'SS'].includes(pair));
    return pair;
  };
  const slug = (s: string) => s.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '');

  state.categories = Array.from({ length: groupCount }, (_, i) => ({
    id: i + 1,
    name: groupNames[i] ?? `Groep ${i + 1}`,
    ledger: 8000 + i * 10,
  }));
  const timeGroup = state.categories[0]?.id ?? null;
  const otherGroup = () => (groupCount > 1 ? state.categories[1 + Math.floor(rnd() * (groupCount - 1))].id : timeGroup);

  const fixed: [string, string, number][] = [['0001', 'Reistijd', 45], ['0002', 'Werktijd', 62.5], ['0003', 'Voorrijkosten', 35]];
  state.products = Array.from({ length: productCount }, (_, i): FakeFsProduct => {
    let code: string, name: string, price: number, category: number | null;
    if (i < fixed.length) {
      [code, name, price] = fixed[i]!;
      category = timeGroup;
    } else {
      code = String(1000 + i);
      const service = rnd() < 0.1;
      name = service ? pick(services) : `${pick(materials)} ${pick(MATERIAL_SIZES)}`;
      price = service ? round2(40 + rnd() * 160) : round2(0.95 + rnd() * 120);
      category = otherGroup();
    }
    // Labour and call-out are always 21 %; some materials are 9 %.
    const taxes = i >= fixed.length && rnd() < 0.1 ? 9 : 21;
    return { id: i + 1, code, name, price, taxes, priceintax: round2(price * (1 + taxes / 100)), category };
  });

  const base = Date.UTC(2024, 0, 1);
  state.clients = Array.from({ length: clientCount }, (_, i) => {
    const clientnr = 1001 + i;
    const [city, zipPrefix, areaCode] = pick(cities);
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const person = i % 6 === 5;
    const company = person ? '' : `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}${pick(legalForms)}`;
    return {
      clientnr,
      contact,
      company,
      address: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      zipcode: `${zipPrefix}${digits(2)} ${letters()}`,
      city,
      country: 'Nederland',
      phone: `${areaCode}-${digits(10 - areaCode.length)}`,
      mobile: `06-${digits(8)}`,
      email: person ? `${slug(contact)}@voorbeeld.nl` : `info@${slug(company)}.nl`,
      active: i % 30 !== 29,
      timestamp: new Date(base + i * HOUR_MS).toISOString().slice(0, 10),
    };
  });
  return { groups: groupCount, products: productCount, clients: clientCount };
}
