import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  answerControl,
  applyLatency,
  holdLateCommit,
  bump,
  countRequest,
  createFaults,
  listen,
  readText,
  seededRandom,
  send,
  spendCount,
  takeFirst,
  type BaseFaults,
} from '../kit.js';
import { child, childrenNamed, el, parseXml, recordOf, textOf, toXml, XmlParseError, type XmlBuild, type XmlElement } from '../../lib/xml.js';

/**
 * A fake iMuis Online "cloudswitch" over real HTTP on 127.0.0.1, for tests and the demo (SPEC §10). It speaks
 * the form-POST transport of the PHP clients (research/accounting-apis.md §3): `POST ws1_api.aspx` with
 * `ACTIE`, `partnerkey`, `omgevingscode`, `SESSIONID` and an XML payload field (`SELECTIE`, `VERKOOPORDER`), answered
 * with a `<DATASET>` XML document; errors are `<ERROR><MESSAGE>` with HTTP 200, never HTTP codes.
 * Sessions expire after `sessionTtlMs`. GETSTAMTABELRECORDS supports SELECTFIELDS, AND-ed WHERE lists (tab
 * separated), MUTDATE_VA, ORDERBY, MAXRESULT, PAGESIZE and SELECTPAGE.
 * UNCONFIRMED shapes (modelled, not seen in a source): the article-group table `ARTGRP` {NR, OMSCHR, BLOK}, the
 * article fields `PRIJS`, `EENH`, `ARTGRP`, the order tables `ORDKOP`/`ORDRG` as queryable tables with `OPM`, the
 * quote tables `OFFKOP`/`OFFRG`, the KENM length of 20, the error texts and the session lifetime.
 * Faults (latency, HTTP 5xx, `ERROR/MESSAGE` and `Result=false` answers, "timeout after commit") through `faults`
 * or `POST /__faults`.
 */

export const API_PATH = '/ws1_api.aspx';
/** Same value as lib/env.ts's development default of IMUIS_PARTNER_KEY. */
export const DEFAULT_IMUIS_PARTNER_KEY = 'simon-dev-partner-key';
export const DEFAULT_ENVIRONMENT_CODE = 'DEMO-7Q4K-2M9X';
export const DEFAULT_SESSION_TTL_MS = 20 * 60_000;
/** UNCONFIRMED: the length of ORDKOP.KENM; the connector keeps its reference within it. */
export const KENM_MAX_LENGTH = 20;

export type JN = 'J' | 'N';

export interface FakeImuisDebtor {
  NR: number;
  ZKSL: string;
  NAAM: string;
  ADRES: string;
  POSTCD: string;
  PLAATS: string;
  LAND: string;
  EMAIL: string;
  TEL: string;
  BLOK: JN;
  /** Last mutation, `YYYY-MM-DD` (what MUTDATE_VA filters on). */
  MUTDAT: string;
}

export interface FakeImuisArticle {
  NR: string;
  ZKSL: string;
  OMSCHR: string;
  /** Sales price excl. VAT. */
  PRIJS: number;
  EENH: string;
  /** Article group code (ARTGRP.NR). */
  ARTGRP: string;
  BLOK: JN;
  MUTDAT: string;
}

export interface FakeImuisArticleGroup {
  NR: string;
  OMSCHR: string;
  BLOK: JN;
  MUTDAT: string;
}

export interface FakeImuisOrderLine {
  RG: number;
  ART: string;
  AANT: number;
  OMSCHR: string;
  PRIJS: number | null;
}

export interface FakeImuisOrder {
  NR: number;
  DEB: number;
  /** As sent: d/m/Y. */
  DAT: string;
  KENM: string;
  OPM: string;
  GEBRORDBEV: JN;
  lines: FakeImuisOrderLine[];
  MUTDAT: string;
}

export interface FakeImuisOfferLine {
  RG: number;
  /** Article code; empty on a plain text line. */
  ART: string;
  AANT: number;
  OMSCHR: string;
  PRIJS: number | null;
}

export interface FakeImuisOffer {
  NR: number;
  DEB: number;
  DAT: string;
  OMSCHR: string;
  OPM: string;
  KENM: string;
  lines: FakeImuisOfferLine[];
  MUTDAT: string;
}

export interface FakeImuisSession {
  partnerKey: string;
  environmentCode: string;
  expiresAt: number;
}

export interface FakeImuisState {
  partnerKeys: string[];
  environmentCodes: string[];
  debtors: FakeImuisDebtor[];
  articles: FakeImuisArticle[];
  articleGroups: FakeImuisArticleGroup[];
  orders: FakeImuisOrder[];
  offers: FakeImuisOffer[];
  nextOrderNr: number;
  sessions: Map<string, FakeImuisSession>;
  sessionTtlMs: number;
  logins: number;
  /** Every request to the API path (control paths not included). */
  requestCount: number;
  /** Per ACTIE, and per `GETSTAMTABELRECORDS <TABLE>`. */
  requests: Record<string, number>;
}

export interface FakeImuisFault {
  /** The ACTIE it answers (e.g. `CREATEVERKOOPORDER`); absent = any but LOGIN. */
  action?: string;
  /** GETSTAMTABELRECORDS only: the table (e.g. `DEB`). */
  table?: string;
  /** Answer with this HTTP status instead of the API. */
  status?: number;
  /** Answer HTTP 200 with `<ERROR><MESSAGE>…`. */
  errorMessage?: string;
  /** Answer HTTP 200 with `<RESULT>false</RESULT><FOUTMELDING>…` (the SOAP operations' Result/Foutmelding pair). */
  foutmelding?: string;
}

/** Faults match on ACTIE, not path; `timeoutAfterCommit`: perform and store the write, then answer 504, `count` times. */
export type FakeImuisFaults = BaseFaults<FakeImuisFault, { action: string; count: number }>;

export interface FakeImuis {
  /** Base URL (the connector posts to `ws1_api.aspx` under it). */
  url: string;
  port: number;
  state: FakeImuisState;
  faults: FakeImuisFaults;
  /** Ends every session now (the next call gets "sessie verlopen"). */
  expireSessions(): void;
  stop(): Promise<void>;
}

/** Today in the Netherlands, `YYYY-MM-DD`: iMuis mutation dates are local dates. */
export function amsterdamDate(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Applies a change the way iMuis does: the record's mutation date becomes today. */
export function mutate<T extends { MUTDAT: string }>(record: T, patch: Partial<T> = {}): T {
  Object.assign(record, patch);
  record.MUTDAT = amsterdamDate();
  return record;
}

export function createFakeImuisState(opts: { partnerKeys?: string[]; environmentCodes?: string[] } = {}): FakeImuisState {
  return {
    partnerKeys: [...(opts.partnerKeys ?? [DEFAULT_IMUIS_PARTNER_KEY])],
    environmentCodes: [...(opts.environmentCodes ?? [DEFAULT_ENVIRONMENT_CODE])],
    debtors: [],
    articles: [],
    articleGroups: [],
    orders: [],
    offers: [],
    nextOrderNr: 5001,
    sessions: new Map(),
    sessionTtlMs: DEFAULT_SESSION_TTL_MS,
    logins: 0,
    requestCount: 0,
    requests: {},
  };
}

export function noImuisFaults(): FakeImuisFaults {
  return createFaults();
}

export async function startFakeImuis(
  opts: { port?: number; partnerKeys?: string[]; environmentCodes?: string[]; sessionTtlMs?: number; seed?: ImuisSeedOptions } = {},
): Promise<FakeImuis> {
  const state = createFakeImuisState(opts);
  if (opts.sessionTtlMs !== undefined) state.sessionTtlMs = opts.sessionTtlMs;
  if (opts.seed) seedImuis(state, opts.seed);
  const faults = noImuisFaults();

  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    sendXml(res, 500, `<html><body>Server Error in '/' Application: ${escapeText(err instanceof Error ? err.message : String(err))}</body></html>`, 'text/html');
  });
  return {
    url: `${server.origin}/`,
    port: server.port,
    state,
    faults,
    expireSessions: () => state.sessions.clear(),
    stop: () => server.stop(),
  };
}

// ---- request handling ----

interface Answer {
  body: XmlBuild;
  /** This request changed state (for timeoutAfterCommit). */
  wrote?: boolean;
}

const errorAnswer = (message: string): Answer => ({ body: el('DATASET', el('ERROR', el('MESSAGE', message))) });

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeImuisState, faults: FakeImuisFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  if (answerControl(res, url.pathname, method, raw, { faults, noFaults: noImuisFaults, summary: () => summary(state) })) return;
  if (url.pathname.toLowerCase() !== API_PATH) return sendXml(res, 404, '<html><body>The resource cannot be found.</body></html>', 'text/html');
  if (method !== 'POST') return sendXml(res, 405, '<html><body>Method not allowed</body></html>', 'text/html');

  const form = new URLSearchParams(raw);
  const action = (form.get('ACTIE') ?? '').trim().toUpperCase();
  countRequest(state, action);
  let table: string | null = null;
  if (action === 'GETSTAMTABELRECORDS') {
    table = tableOfSelection(form.get('SELECTIE'));
    if (table) bump(state.requests, `${action} ${table}`);
  }

  await applyLatency(faults);
  await holdLateCommit(faults, 'POST', action);

  const fault = takeFirst(
    faults.failNext,
    (f) => (f.action ? f.action.toUpperCase() === action : action !== 'LOGIN') && (!f.table || f.table.toUpperCase() === table),
  );
  if (fault) {
    if (fault.status !== undefined) return sendXml(res, fault.status, `<html><body>${fault.status} ${statusText(fault.status)}</body></html>`, 'text/html');
    if (fault.foutmelding !== undefined) return sendAnswer(res, { body: el('DATASET', el('RESULT', 'false'), el('FOUTMELDING', fault.foutmelding)) });
    return sendAnswer(res, errorAnswer(fault.errorMessage ?? 'Onbekende fout'));
  }

  const answer = route(action, form, state);
  if (answer.wrote && spendCount(faults.timeoutAfterCommit, (t) => t.action.toUpperCase() === action)) {
    return sendXml(res, 504, '<html><body>504 Gateway Time-out</body></html>', 'text/html');
  }
  return sendAnswer(res, answer);
}

function route(action: string, form: URLSearchParams, state: FakeImuisState): Answer {
  const partnerKey = form.get('partnerkey') ?? form.get('PARTNERKEY') ?? '';
  const environmentCode = form.get('omgevingscode') ?? form.get('OMGEVINGSCODE') ?? '';
  if (!action) return errorAnswer('Geen ACTIE opgegeven');
  if (action === 'LOGIN') return login(partnerKey, environmentCode, state);

  const sessionId = form.get('SESSIONID') ?? '';
  const session = state.sessions.get(sessionId);
  if (!session || session.expiresAt <= Date.now() || session.partnerKey !== partnerKey || session.environmentCode !== environmentCode) {
    if (session) state.sessions.delete(sessionId);
    return errorAnswer('Sessie is verlopen of ongeldig, log opnieuw in');
  }

  switch (action) {
    case 'KEEPSESSION':
      session.expiresAt = Date.now() + state.sessionTtlMs;
      return { body: el('DATASET', el('RESULT', 'true')) };
    case 'LOGOUT':
      state.sessions.delete(sessionId);
      return { body: el('DATASET', el('RESULT', 'true')) };
    case 'GETSTAMTABELRECORDS':
      return selectRecords(form.get('SELECTIE'), state);
    case 'CREATEVERKOOPORDER':
      return createOrder(form.get('VERKOOPORDER'), state);
    default:
      return errorAnswer(`Onbekende actie '${action}'`);
  }
}

function login(partnerKey: string, environmentCode: string, state: FakeImuisState): Answer {
  state.logins++;
  if (!state.partnerKeys.includes(partnerKey)) return errorAnswer('Partnerkey is onjuist of niet geactiveerd');
  if (!state.environmentCodes.includes(environmentCode)) {
    return errorAnswer('Omgevingscode is onbekend of de app Simon is niet geactiveerd in deze omgeving');
  }
  const sessionId = randomBytes(16).toString('hex');
  state.sessions.set(sessionId, { partnerKey, environmentCode, expiresAt: Date.now() + state.sessionTtlMs });
  return { body: el('DATASET', el('SESSION', el('SESSIONID', sessionId))) };
}

// ---- GETSTAMTABELRECORDS ----

type Row = Record<string, string | number | null>;

interface TableDef {
  fields: string[];
  rows(state: FakeImuisState): Row[];
}

const tableDefs: Record<string, TableDef> = {
  DEB: { fields: ['NR', 'ZKSL', 'NAAM', 'ADRES', 'POSTCD', 'PLAATS', 'LAND', 'EMAIL', 'TEL', 'BLOK', 'MUTDAT'], rows: (s) => s.debtors as unknown as Row[] },
  ART: { fields: ['NR', 'ZKSL', 'OMSCHR', 'PRIJS', 'EENH', 'ARTGRP', 'BLOK', 'MUTDAT'], rows: (s) => s.articles as unknown as Row[] },
  ARTGRP: { fields: ['NR', 'OMSCHR', 'BLOK', 'MUTDAT'], rows: (s) => s.articleGroups as unknown as Row[] },
  ORDKOP: {
    fields: ['NR', 'DEB', 'DAT', 'KENM', 'OPM', 'GEBRORDBEV', 'MUTDAT'],
    rows: (s) => s.orders.map(({ lines: _lines, ...head }) => head),
  },
  ORDRG: {
    fields: ['ORD', 'RG', 'ART', 'AANT', 'OMSCHR', 'PRIJS', 'MUTDAT'],
    rows: (s) => s.orders.flatMap((o) => o.lines.map((l) => ({ ORD: o.NR, ...l, MUTDAT: o.MUTDAT }))),
  },
  OFFKOP: {
    fields: ['NR', 'DEB', 'DAT', 'OMSCHR', 'OPM', 'KENM', 'MUTDAT'],
    rows: (s) => s.offers.map(({ lines: _lines, ...head }) => head),
  },
  OFFRG: {
    fields: ['OFF', 'RG', 'ART', 'AANT', 'OMSCHR', 'PRIJS', 'MUTDAT'],
    rows: (s) => s.offers.flatMap((o) => o.lines.map((l) => ({ OFF: o.NR, ...l, MUTDAT: o.MUTDAT }))),
  },
};

function tableOfSelection(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const root = parseXml(raw);
    const selection = child(root, 'Table1') ?? root;
    return textOf(child(selection, 'TABLE')).trim().toUpperCase() || null;
  } catch {
    return null;
  }
}

/** SELECTFIELDS and ORDERBY lists: iMuis examples use both tabs and semicolons. */
const splitList = (text: string): string[] => text.split(/[\t;,]/).map((s) => s.trim()).filter(Boolean);

function selectRecords(raw: string | null, state: FakeImuisState): Answer {
  if (!raw) return errorAnswer('Geen SELECTIE opgegeven');
  let root: XmlElement;
  try {
    root = parseXml(raw);
  } catch (err) {
    return errorAnswer(`SELECTIE is geen geldige XML: ${err instanceof XmlParseError ? err.message : String(err)}`);
  }
  const sel = recordOf(child(root, 'Table1') ?? root);
  const tableName = (sel.TABLE ?? '').trim().toUpperCase();
  const def = tableDefs[tableName];
  if (!def) return errorAnswer(`Tabel '${tableName}' bestaat niet`);
  const known = (f: string) => def.fields.includes(f);

  const selectText = (sel.SELECTFIELDS ?? '').trim();
  const selectFields = selectText === '' || selectText === '*' ? def.fields : splitList(selectText).map((f) => f.toUpperCase());
  const unknownField = selectFields.find((f) => !known(f));
  if (unknownField) return errorAnswer(`Veld '${unknownField}' bestaat niet in tabel ${tableName}`);

  // WHERE lists are tab-separated and AND-ed (Opifer Client.php: "FACT\tCRE", "=\t=").
  const whereFields = (sel.WHEREFIELDS ?? '').split('\t').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const whereOps = (sel.WHEREOPERATORS ?? '').split('\t').map((s) => s.trim().toUpperCase());
  const whereValues = (sel.WHEREVALUES ?? '').split('\t');
  if (whereFields.length > 0 && (whereOps.length !== whereFields.length || whereValues.length !== whereFields.length)) {
    return errorAnswer('WHEREFIELDS, WHEREOPERATORS en WHEREVALUES hebben niet hetzelfde aantal waarden');
  }
  const conditions: ((row: Row) => boolean)[] = [];
  for (const [i, field] of whereFields.entries()) {
    if (!known(field)) return errorAnswer(`Veld '${field}' bestaat niet in tabel ${tableName}`);
    const op = whereOps[i];
    const value = whereValues[i];
    const test = condition(field, op, value);
    if (!test) return errorAnswer(`Onbekende operator '${op}'`);
    conditions.push(test);
  }

  const mutFrom = (sel.MUTDATE_VA ?? '').trim();
  if (mutFrom) {
    const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(mutFrom);
    if (!m || !isRealDate(Number(m[3]), Number(m[2]), Number(m[1]))) return errorAnswer(`Ongeldige datum '${mutFrom}' in MUTDATE_VA (verwacht dd-mm-jjjj)`);
    const iso = `${m[3]}-${m[2]}-${m[1]}`;
    conditions.push((row) => String(row.MUTDAT ?? '') >= iso);
  }

  const orderBy = splitList(sel.ORDERBY ?? '').map((f) => f.toUpperCase());
  const unknownOrder = orderBy.find((f) => !known(f));
  if (unknownOrder) return errorAnswer(`Veld '${unknownOrder}' bestaat niet in tabel ${tableName}`);

  const int = (text: string | undefined, fallback: number) => {
    const t = (text ?? '').trim();
    return /^\d+$/.test(t) ? Number(t) : fallback;
  };
  const maxResult = int(sel.MAXRESULT, 0);
  const pageSize = int(sel.PAGESIZE, 10_000);
  const page = Math.max(1, int(sel.SELECTPAGE, 1));
  if (pageSize < 1) return errorAnswer('PAGESIZE moet groter dan 0 zijn');

  let rows = def.rows(state).filter((row) => conditions.every((c) => c(row)));
  if (orderBy.length > 0) rows = [...rows].sort((a, b) => compareRows(a, b, orderBy));
  if (maxResult > 0) rows = rows.slice(0, maxResult);
  rows = rows.slice((page - 1) * pageSize, page * pageSize);

  return { body: el('DATASET', rows.map((row) => el('DATA', selectFields.map((f) => el(f, wireValue(f, row[f])))))) };
}

/** Numbers compare as numbers, text as text (one SQL column has one type); LIKE is case-insensitive like SQL Server's default. */
function condition(field: string, op: string, value: string): ((row: Row) => boolean) | null {
  const cmp = (row: Row) => compareValue(row[field] ?? null, value);
  switch (op) {
    case '=':
      return (row) => cmp(row) === 0;
    case '<>':
      return (row) => cmp(row) !== 0;
    case '>':
      return (row) => cmp(row) > 0;
    case '>=':
      return (row) => cmp(row) >= 0;
    case '<':
      return (row) => cmp(row) < 0;
    case '<=':
      return (row) => cmp(row) <= 0;
    case 'LIKE': {
      const pattern = new RegExp(`^${value.split('').map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'is');
      return (row) => pattern.test(String(row[field] ?? ''));
    }
    default:
      return null;
  }
}

function compareValue(cell: string | number | null, value: string): number {
  if (typeof cell === 'number') {
    const n = Number(value.replace(',', '.'));
    return Number.isNaN(n) ? -1 : cell - n;
  }
  const text = cell ?? '';
  return text < value ? -1 : text > value ? 1 : 0;
}

function compareRows(a: Row, b: Row, orderBy: string[]): number {
  for (const f of orderBy) {
    const x = a[f] ?? null;
    const y = b[f] ?? null;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '') < String(y ?? '') ? -1 : String(x ?? '') > String(y ?? '') ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

function wireValue(field: string, value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (field === 'MUTDAT') {
    const [y, m, d] = String(value).split('-');
    return `${d}-${m}-${y}`;
  }
  return String(value);
}

// ---- CREATEVERKOOPORDER ----

function createOrder(raw: string | null, state: FakeImuisState): Answer {
  if (!raw) return errorAnswer('Geen VERKOOPORDER opgegeven');
  let root: XmlElement;
  try {
    root = parseXml(raw);
  } catch (err) {
    return errorAnswer(`VERKOOPORDER is geen geldige XML: ${err instanceof XmlParseError ? err.message : String(err)}`);
  }
  const headEl = child(root, 'ORDKOP');
  if (!headEl) return errorAnswer('ORDKOP ontbreekt in de verkooporder');
  const head = recordOf(headEl);
  const debNr = Number((head.DEB ?? '').trim());
  const debtor = state.debtors.find((d) => d.NR === debNr);
  if (!debtor) return errorAnswer(`Debiteur ${head.DEB ?? ''} bestaat niet`);
  if (debtor.BLOK === 'J') return errorAnswer(`Debiteur ${debNr} is geblokkeerd`);
  const dat = (head.DAT ?? '').trim();
  const dm = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(dat);
  // The PHP client had to send d/m/Y "contrary to the docs" (tombaars/imuis_api CreateOrder.php).
  if (!dm || !isRealDate(Number(dm[3]), Number(dm[2]), Number(dm[1]))) return errorAnswer(`Ongeldige datum '${dat}' in ORDKOP.DAT`);
  const kenm = (head.KENM ?? '').trim();
  if (kenm.length > KENM_MAX_LENGTH) return errorAnswer(`Kenmerk (KENM) is te lang: maximaal ${KENM_MAX_LENGTH} tekens`);
  const opm = head.OPM ?? '';
  if (opm.length > 1024) return errorAnswer('Opmerking (OPM) is te lang: maximaal 1024 tekens');

  const lineEls = childrenNamed(root, 'ORDRG');
  if (lineEls.length === 0) return errorAnswer('Een verkooporder moet minstens één orderregel (ORDRG) hebben');
  const lines: FakeImuisOrderLine[] = [];
  for (const [i, lineEl] of lineEls.entries()) {
    const line = recordOf(lineEl);
    const code = (line.ART ?? '').trim();
    const article = state.articles.find((a) => a.NR === code);
    if (!article) return errorAnswer(`Regel ${i + 1}: artikel '${code}' bestaat niet`);
    if (article.BLOK === 'J') return errorAnswer(`Regel ${i + 1}: artikel '${code}' is geblokkeerd`);
    const amount = Number((line.AANT ?? '').trim());
    if (!(line.AANT ?? '').trim() || !Number.isFinite(amount)) return errorAnswer(`Regel ${i + 1}: aantal '${line.AANT ?? ''}' is geen getal`);
    const priceText = (line.PRIJS ?? '').trim();
    const price = priceText === '' ? null : Number(priceText);
    if (price !== null && !Number.isFinite(price)) return errorAnswer(`Regel ${i + 1}: prijs '${priceText}' is geen getal`);
    lines.push({ RG: i + 1, ART: code, AANT: amount, OMSCHR: line.OMSCHR ?? article.OMSCHR, PRIJS: price });
  }
  const gebr = (head.GEBRORDBEV ?? 'N').trim().toUpperCase() === 'J' ? 'J' : 'N';
  const order: FakeImuisOrder = { NR: state.nextOrderNr++, DEB: debNr, DAT: dat, KENM: kenm, OPM: opm, GEBRORDBEV: gebr, lines, MUTDAT: amsterdamDate() };
  state.orders.push(order);
  return { body: el('DATASET', el('ORDNR', order.NR)), wrote: true };
}

// ---- control and wire helpers ----

function summary(state: FakeImuisState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    logins: state.logins,
    sessions: state.sessions.size,
    debtors: state.debtors.length,
    articles: state.articles.length,
    articleGroups: state.articleGroups.length,
    orders: state.orders.length,
    offers: state.offers.length,
  };
}

function sendAnswer(res: http.ServerResponse, answer: Answer): void {
  sendXml(res, 200, toXml(answer.body, { declaration: true }), 'text/xml');
}

function sendXml(res: http.ServerResponse, status: number, payload: string, type: 'text/xml' | 'text/html'): void {
  send(res, status, payload, {}, type);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function statusText(status: number): string {
  return ({ 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out' } as Record<number, string>)[status] ?? 'Error';
}

// ---- deterministic Dutch demo data ----

export interface ImuisSeedOptions {
  /** Group names in order (codes G1, G2, …); the first holds the three fixed articles unless `timeGroup` says otherwise. */
  groups?: string[];
  /** The group of REISTIJD, WERKTIJD and VOORRIJKOSTEN. */
  timeGroup?: string;
  articles?: number;
  debtors?: number;
  seed?: number;
}

export const DEFAULT_GROUPS = ['Tijden', 'Installatie', 'Materialen', 'Diensten'];

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Johan', 'Willem', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Marieke', 'Fleur', 'Daan', 'Bram', 'Joost', 'Ruud'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Bakkerij', 'Installatiebedrijf', 'Garage', 'Restaurant', 'Bouwbedrijf', 'Schildersbedrijf', 'Camping', 'Zorgcentrum', 'Hotel', 'Woningstichting'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Hoofdstraat', 'Dunantstraat', 'Julianalaan', 'Industrieweg', 'Lindelaan', 'Marktplein'];
const cities: [string, string][] = [['Eindhoven', '56'], ['Amsterdam', '10'], ['Utrecht', '35'], ['Zwolle', '80'], ['Tilburg', '50'], ['Haarlem', '20'], ['Groningen', '97']];
const materials = ['Koperen bocht', 'Knelkoppeling', 'T-stuk', 'Kogelkraan', 'PVC-buis', 'Radiatorkraan', 'Thermostaatknop', 'Expansievat', 'Sifon', 'Mengkraan', 'Rookmelder', 'Wandcontactdoos', 'Installatiekabel', 'Pakking'];
const sizes = ['15 mm', '22 mm', '28 mm', '1/2"', '3/4"', 'set', 'wit', 'chroom'];

/**
 * Replaces groups, articles and debtors with realistic Dutch data, all mutated on 2024-01-01 (so a change made
 * later, with `mutate`, is what an incremental sync sees). REISTIJD, WERKTIJD and VOORRIJKOSTEN exist as in the
 * manual's screenshots; the other articles spread over the other groups in turn. Every 30th debtor is blocked.
 */
export function seedImuis(state: FakeImuisState, opts: ImuisSeedOptions = {}): { groups: number; articles: number; debtors: number } {
  const groupNames = opts.groups ?? DEFAULT_GROUPS;
  const articleCount = opts.articles ?? 40;
  const debtorCount = opts.debtors ?? 120;
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 1);
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const old = '2024-01-01';

  state.articleGroups = groupNames.map((name, i) => ({ NR: `G${i + 1}`, OMSCHR: name, BLOK: 'N', MUTDAT: old }));
  const timeGroup = state.articleGroups.find((g) => g.OMSCHR === (opts.timeGroup ?? groupNames[0]))?.NR ?? 'G1';
  const others = state.articleGroups.map((g) => g.NR).filter((nr) => nr !== timeGroup);

  const fixed: FakeImuisArticle[] = [
    { NR: 'REISTIJD', ZKSL: '55', OMSCHR: 'Reistijd', PRIJS: 45, EENH: 'uur', ARTGRP: timeGroup, BLOK: 'N', MUTDAT: old },
    { NR: 'WERKTIJD', ZKSL: 'werktijd vanuit simo', OMSCHR: 'werktijd vanuit Simon', PRIJS: 62.5, EENH: 'uur', ARTGRP: timeGroup, BLOK: 'N', MUTDAT: old },
    { NR: 'VOORRIJKOSTEN', ZKSL: 'vr', OMSCHR: 'Voorrijkosten', PRIJS: 35, EENH: 'st', ARTGRP: timeGroup, BLOK: 'N', MUTDAT: old },
  ];
  state.articles = [
    ...fixed.slice(0, Math.min(articleCount, 3)),
    ...Array.from({ length: Math.max(0, articleCount - 3) }, (_, i): FakeImuisArticle => {
      const name = `${pick(materials)} ${pick(sizes)}`;
      return {
        NR: String(1000 + i),
        ZKSL: name.toLowerCase().slice(0, 20),
        OMSCHR: name,
        PRIJS: round2(0.95 + rnd() * 120),
        EENH: 'st',
        ARTGRP: others.length > 0 ? others[i % others.length] : timeGroup,
        BLOK: 'N',
        MUTDAT: old,
      };
    }),
  ];

  state.debtors = Array.from({ length: debtorCount }, (_, i): FakeImuisDebtor => {
    const [city, zip] = pick(cities);
    const person = i % 6 === 5;
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const name = person ? contact : `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}`;
    return {
      NR: 10001 + i,
      ZKSL: name.toUpperCase().replace(/[^A-Z0-9]+/g, '').slice(0, 20),
      NAAM: name,
      ADRES: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      POSTCD: `${zip}${digits(2)} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}${String.fromCharCode(65 + Math.floor(rnd() * 26))}`,
      PLAATS: city,
      LAND: 'NL',
      EMAIL: `info@${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.nl`,
      TEL: `0${digits(9)}`,
      BLOK: i % 30 === 29 ? 'J' : 'N',
      MUTDAT: old,
    };
  });
  return { groups: state.articleGroups.length, articles: state.articles.length, debtors: state.debtors.length };
}

/** Builds an offer as iMuis would hold it (tests add these to `state.offers`). */
export function fakeOffer(nr: number, deb: number, omschr: string, over: Partial<Omit<FakeImuisOffer, 'NR' | 'DEB' | 'OMSCHR'>> = {}): FakeImuisOffer {
  return { NR: nr, DEB: deb, DAT: '01-05-2024', OMSCHR: omschr, OPM: '', KENM: '', lines: [], MUTDAT: amsterdamDate(), ...over };
}
