import { createHash } from 'node:crypto';
import { credentialLabel } from '../../lib/credentials.js';
import * as messages from '../../lib/messages.js';
import type { FieldCheck, Settings } from '../../lib/settings.js';
import { ProviderError, describeProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { HttpClient } from '../http.js';
import type {
  Connector,
  ConnectorContext,
  CreatedDocument,
  DocumentDraft,
  ExternalArticle,
  ExternalArticleGroup,
  ExternalCustomer,
  ExternalQuote,
  ListRequest,
  OptionItem,
  Page,
} from '../types.js';
import { asBool, asDecimalString, asNumber, asText } from '../values.js';
import { el, fields, findElement, named, parseXml, recordOf, textOf, toXml, childrenNamed, type XmlElement } from '../../lib/xml.js';

/**
 * iMuis Online "cloudswitch" (research/accounting-apis.md §3), form-POST transport: every call is
 * `POST ws1_api.aspx` with `ACTIE`, the integrator's `partnerkey`, the tenant's `omgevingscode`, a `SESSIONID`
 * from `ACTIE=LOGIN`, and an XML payload field; answers are XML, and errors are `ERROR/MESSAGE` (or the SOAP
 * operations' `…Result=false` + `Foutmelding`) with HTTP 200, never status codes.
 *
 * - Sessions are cached per worker process and renewed once when iMuis says the session is over.
 * - Listings use `GETSTAMTABELRECORDS` on DEB, ART and ARTGRP (UNCONFIRMED name), ordered by NR and paged by key
 *   (`NR > last`, PAGESIZE, SELECTPAGE=1) rather than by SELECTPAGE alone: page numbers shift when a record is
 *   deleted during a listing, and a record skipped that way would look deleted to the cleanup.
 *   iMuis tells no total: each page asks one row more than it serves, so the last page is known without an extra call.
 * - Change tracking is `MUTDATE_VA` (a date, dd-mm-jjjj): the high-water mark is the day the listing started.
 * - `BLOK=J` means inactive. The article-group filter (settings, SPEC §14.12/§14.18) is matched here, exactly and
 *   case-sensitively, on group names: groups outside it and their articles are listed as inactive, so the sync
 *   never inserts them and deactivates ones it had, and the cleanup removes them. The mark carries the filter, so
 *   a changed filter makes the next sync list everything once (new matches are imported).
 * - A work order becomes one sales order (`CREATEVERKOOPORDER`: ORDKOP + ORDRG), found again by its KENM.
 */

export const IMUIS = 'iMuis Online';
export const API_PATH = 'ws1_api.aspx';
export const DEFAULT_PAGE_SIZE = 500;
export const QUOTE_PAGE_SIZE = 100;
const LINE_PAGE_SIZE = 1000;
/** A settings pick-list is searched by typing; thousands of rows help nobody. */
export const MAX_OPTIONS = 100;
/** UNCONFIRMED lengths: KENM as on DEB.KENMOPP-like fields, OMSCHR as on journal lines, OPM as the MEMO fields. */
export const KENM_LENGTH = 20;
export const MAX_LINE_DESCRIPTION = 40;
export const MAX_MEMO = 1024;
/** Change tracking is by day: a worker clock ahead of iMuis's must not skip changes made just before midnight. */
const CLOCK_MARGIN_MS = 60 * 60_000;
const MAX_CACHED_SESSIONS = 10_000;

const texts = {
  missingEnvironmentCode: 'De omgevingscode ontbreekt',
  missingPartnerKey: 'De partnersleutel voor iMuis ontbreekt in de configuratie (IMUIS_PARTNER_KEY)',
  loginRefused: 'iMuis Online weigert de koppeling; controleer de omgevingscode (Muis Apps → Simon)',
  unexpectedAnswer: 'iMuis Online gaf een onverwacht antwoord',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor iMuis Online`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een iMuis-lijst`,
  badValue: (field: string) => `Ongeldige zoekwaarde voor ${field}`,
};

type Row = Record<string, string>;

export interface ImuisConnectorOptions {
  /** The integrator's partner key (configuration, not a tenant secret). */
  partnerKey: string;
  pageSize?: number;
  /** The settings' article-group filter: group names, exact and case-sensitive; empty = all. */
  articleGroupFilter?: readonly string[];
  /** For tests: the clock that dates a listing. */
  now?: () => Date;
}

export interface ImuisConnector extends Connector {
  readonly provider: 'imuis';
}

// ---- errors ----

function providerError(kind: ProviderErrorKind, providerMessage: string, operation: string, lead?: string): ProviderError {
  return new ProviderError({
    kind,
    provider: IMUIS,
    operation,
    providerMessage,
    message: describeProviderError(kind, { provider: IMUIS, providerMessage, ...(lead ? { lead } : {}) }),
  });
}

/** Error elements are searched outside the data rows, so a field value can never pose as an error. */
function findOutsideRows(root: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement | undefined {
  if (predicate(root)) return root;
  for (const c of root.children) {
    if (typeof c === 'string' || c.local === 'DATA') continue;
    const hit = findOutsideRows(c, predicate);
    if (hit) return hit;
  }
  return undefined;
}

/** The provider's error text in an answer, or null: `ERROR/MESSAGE`, or a `…Result` of false with its `Foutmelding`. */
export function imuisError(root: XmlElement): string | null {
  const error = findOutsideRows(root, named('ERROR'));
  if (error) return textOf(findElement(error, named('MESSAGE')) ?? error).trim() || 'onbekende fout';
  const foutmelding = textOf(findOutsideRows(root, named('Foutmelding'))).trim();
  const failed = findOutsideRows(root, (e) => /result$/i.test(e.local) && textOf(e).trim().toLowerCase() === 'false');
  if (failed) return foutmelding || 'onbekende fout';
  // go-imuis treats any non-empty Foutmelding as an error, whatever the Result says.
  return foutmelding || null;
}

/** UNCONFIRMED wording: iMuis's texts for an ended session are not in the stored sources. */
export const isSessionError = (message: string): boolean => /sessie|session/i.test(message);

/** Texts that a later attempt may fix; everything else is a rejection that needs a person. */
export const isTransientError = (message: string): boolean =>
  /time-?out|tijdelijk|niet beschikbaar|bezet|overbelast|probeer (het )?later|deadlock|onderhoud/i.test(message);

// ---- sessions (per worker process) ----

const sessionCache = new Map<string, Promise<string>>();

function rememberSession(key: string, session: Promise<string>): void {
  sessionCache.delete(key);
  sessionCache.set(key, session);
  // Oldest first: a Map iterates in insertion order.
  while (sessionCache.size > MAX_CACHED_SESSIONS) sessionCache.delete(sessionCache.keys().next().value!);
}

// ---- small pure helpers ----

/** `YYYY-MM-DD` in the Netherlands: iMuis mutation dates are local dates. */
export function amsterdamDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-11-23` → `23-11-2026` (MUTDATE_VA, go-imuis: "01-01-2016"). */
export function mutDate(iso: string): string {
  const m = isoDate.exec(iso);
  if (!m) throw new Error(`Geen datum: ${iso}`);
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/** `2026-11-23` → `23/11/2026`: ORDKOP.DAT as d/m/Y (tombaars/imuis_api: the API wanted this "contrary to the docs"). */
export function orderDate(iso: string): string {
  const m = isoDate.exec(iso.slice(0, 10));
  if (!m) throw new Error(`Geen datum: ${iso}`);
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/**
 * Our reference as KENM: as it is when it fits, otherwise a stable 72-bit hash of it, so a KENM cut off by
 * iMuis can never make the exactly-once look-up miss.
 */
export function orderKenmerk(reference: string): string {
  const r = reference.trim();
  if (r.length <= KENM_LENGTH) return r;
  return `S-${createHash('sha256').update(r).digest('hex').slice(0, KENM_LENGTH - 2)}`;
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('').trimEnd();
}

function fingerprint(values: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([...values].sort())).digest('hex').slice(0, 12);
}

/** The high-water mark: the listing's start date, plus the article-group filter it was made under. */
export function highWaterMark(started: string, filterTag: string | null): string {
  return filterTag ? `${started}|g=${filterTag}` : started;
}

/** The date to pass as MUTDATE_VA, or null (list everything) when there is none or the filter changed since. */
export function sinceDate(since: string | null, filterTag: string | null): string | null {
  if (!since) return null;
  const [date, tag] = since.split('|');
  const sinceTag = tag?.startsWith('g=') ? tag.slice(2) : null;
  if (!date || !isoDate.test(date) || sinceTag !== filterTag) return null;
  return date;
}

interface Position {
  /** The listing's start date (`YYYY-MM-DD`). */
  s: string;
  /** The last key served. */
  a: string | null;
  /** The filter the listing started under. */
  g: string | null;
}

function parseCursor(cursor: string): Position {
  try {
    const p = JSON.parse(cursor) as Position;
    if (typeof p.s === 'string' && isoDate.test(p.s) && (p.a === null || typeof p.a === 'string') && (p.g === null || typeof p.g === 'string')) return p;
  } catch {
    /* falls through */
  }
  throw new Error(texts.badCursor(cursor));
}

// ---- mapping: iMuis records → Simon's vocabulary ----

const blocked = (r: Row) => asBool(r.BLOK, false);

export function mapDebtor(r: Row): ExternalCustomer {
  const nr = asText(r.NR) ?? '';
  const name = asText(r.NAAM) ?? asText(r.ZKSL) ?? `Debiteur ${nr}`;
  const street = asText(r.ADRES);
  const postalCode = asText(r.POSTCD);
  const city = asText(r.PLAATS);
  const country = asText(r.LAND);
  const address = [street, postalCode, city].some((v) => v !== null) ? { street, postalCode, city, country } : null;
  return {
    externalId: nr,
    number: nr || null,
    name,
    address,
    email: asText(r.EMAIL),
    phone: asText(r.TEL),
    active: !blocked(r),
    // Manual §3.3: the debtor's address is the customer address and also its first work address.
    workAddresses: address ? [{ origin: 'customer-address', address: { name, ...address } }] : [],
  };
}

export function mapArticle(r: Row, inFilter: boolean): ExternalArticle {
  const code = asText(r.NR) ?? '';
  return {
    externalId: code,
    code,
    description: asText(r.OMSCHR) ?? '',
    salesPrice: asDecimalString(r.PRIJS),
    unit: asText(r.EENH),
    groupExternalId: asText(r.ARTGRP),
    active: !blocked(r) && inFilter,
  };
}

export function mapArticleGroup(r: Row, inFilter: boolean): ExternalArticleGroup {
  const code = asText(r.NR) ?? '';
  return { externalId: code, code, description: asText(r.OMSCHR) ?? '', active: !blocked(r) && inFilter };
}

/** UNCONFIRMED read path: OFFKOP {NR, DEB, OMSCHR, OPM} + OFFRG {OFF, RG, ART, AANT, OMSCHR, PRIJS}, by analogy with orders. */
export function mapOffer(head: Row, lines: Row[]): ExternalQuote {
  const nr = asText(head.NR) ?? '';
  return {
    externalId: nr,
    number: nr || null,
    name: asText(head.OMSCHR) ?? '',
    // Manual §5.8.1: the include word is looked for in the quote's description only.
    reference: null,
    memo: asText(head.OPM),
    customerExternalId: asText(head.DEB),
    lines: lines.map((l) => {
      const art = asText(l.ART);
      return { articleExternalId: art, articleCode: art, description: l.OMSCHR ?? '', quantity: asNumber(l.AANT) ?? 0, unitPrice: asDecimalString(l.PRIJS) };
    }),
  };
}

const DEB_FIELDS = ['NR', 'ZKSL', 'NAAM', 'ADRES', 'POSTCD', 'PLAATS', 'LAND', 'EMAIL', 'TEL', 'BLOK'];
const ART_FIELDS = ['NR', 'ZKSL', 'OMSCHR', 'PRIJS', 'EENH', 'ARTGRP', 'BLOK'];
const GROUP_FIELDS = ['NR', 'OMSCHR', 'BLOK'];
const OFFER_FIELDS = ['NR', 'DEB', 'DAT', 'OMSCHR', 'OPM'];
const OFFER_LINE_FIELDS = ['OFF', 'RG', 'ART', 'AANT', 'OMSCHR', 'PRIJS'];

// ---- the sales order ----

/** The VERKOOPORDER payload for a draft (exported for tests and for reading). */
export function salesOrderXml(draft: DocumentDraft): string {
  const articleLines = draft.lines.filter((l) => l.kind === 'article');
  // iMuis order lines need an article; a text line (not produced for iMuis settings) goes to the remarks instead.
  const textLines = draft.lines.filter((l) => l.kind === 'text').map((l) => l.description);
  const remarks = [draft.memo ?? '', ...textLines].filter((t) => t.trim() !== '').join('\n');
  return toXml(
    el(
      'NewDataSet',
      el(
        'ORDKOP',
        fields({
          DEB: draft.customer.externalId,
          DAT: orderDate(draft.date),
          KENM: orderKenmerk(draft.reference),
          // UNCONFIRMED: OPM as the order's "Opmerkingen" (manual §5.7: the memo shows there).
          OPM: remarks ? cut(remarks, MAX_MEMO) : undefined,
          // SPEC §14.1, UNCONFIRMED which ORDKOP field leaves the order open: no order confirmation is produced, so the
          // order stays an open, unconfirmed sales order that the user checks, changes and confirms in iMuis.
          GEBRORDBEV: 'N',
        }),
      ),
      articleLines.map((line) =>
        el(
          'ORDRG',
          fields({
            ART: line.articleExternalId,
            AANT: line.quantity,
            OMSCHR: cut(line.description, MAX_LINE_DESCRIPTION),
            // UNCONFIRMED field: the agreed price of a used article (SPEC §7); without it iMuis applies its own price.
            PRIJS: line.unitPrice ?? undefined,
          }),
        ),
      ),
    ),
  );
}

// ---- the connector ----

export function createImuisConnector(ctx: ConnectorContext, opts: ImuisConnectorOptions): ImuisConnector {
  const environmentCode = (ctx.credentials.environmentCode ?? '').trim();
  const partnerKey = opts.partnerKey.trim();
  const pageSize = Math.max(1, opts.pageSize ?? DEFAULT_PAGE_SIZE);
  const filter = [...new Set(opts.articleGroupFilter ?? [])];
  const filterTag = filter.length > 0 ? fingerprint(filter) : null;
  const inFilter = (groupName: string | null | undefined) => filter.length === 0 || (groupName !== null && groupName !== undefined && filter.includes(groupName));
  const now = opts.now ?? (() => new Date());
  const cacheKey = createHash('sha256').update(`${ctx.baseUrl}\u0000${partnerKey}\u0000${environmentCode}`).digest('hex');

  const http = new HttpClient({
    provider: IMUIS,
    baseUrl: ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    headers: () => ({ accept: 'text/xml, application/xml' }),
  });

  async function post(form: Record<string, string>, operation: string): Promise<{ root: XmlElement; error: string | null }> {
    const { body } = await http.post(API_PATH, new URLSearchParams(form));
    const text = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch {
      throw providerError('unavailable', cut(text.replace(/\s+/g, ' ').trim(), 200), operation, texts.unexpectedAnswer);
    }
    return { root, error: imuisError(root) };
  }

  async function login(): Promise<string> {
    const operation = 'ACTIE=LOGIN';
    if (!partnerKey) throw providerError('auth', '', operation, texts.missingPartnerKey);
    if (!environmentCode) throw providerError('auth', '', operation, texts.missingEnvironmentCode);
    const { root, error } = await post({ ACTIE: 'LOGIN', partnerkey: partnerKey, omgevingscode: environmentCode }, operation);
    if (error) throw isTransientError(error) ? providerError('unavailable', error, operation) : providerError('auth', error, operation, texts.loginRefused);
    const sessionId = textOf(findElement(root, named('SESSIONID'))).trim();
    if (!sessionId) throw providerError('unavailable', '', operation, texts.unexpectedAnswer);
    return sessionId;
  }

  /** The cached session, or a new login (one at a time per tenant and process). */
  function session(fresh = false): Promise<string> {
    let pending = sessionCache.get(cacheKey);
    if (!pending || fresh) {
      const started = login();
      pending = started;
      rememberSession(cacheKey, started);
      // A failed login must not stick: the next call logs in again.
      started.catch(() => {
        if (sessionCache.get(cacheKey) === started) sessionCache.delete(cacheKey);
      });
    }
    return pending;
  }

  /** After "session over": a new login, unless a parallel call already made one. */
  async function renewSession(stale: string): Promise<string> {
    const current = sessionCache.get(cacheKey);
    if (current) {
      const id = await current.catch(() => null);
      if (id !== null && id !== stale) return id;
    }
    return session(true);
  }

  async function call(action: string, payload: { field: string; xml: string } | null, operation: string): Promise<XmlElement> {
    let sessionId = await session();
    for (let attempt = 1; ; attempt++) {
      const form: Record<string, string> = { ACTIE: action, SESSIONID: sessionId, partnerkey: partnerKey, omgevingscode: environmentCode };
      if (payload) form[payload.field] = payload.xml;
      const { root, error } = await post(form, operation);
      if (error === null) return root;
      // An ended session rejects the call before anything happens, so repeating it (even a create) is safe.
      if (attempt === 1 && isSessionError(error)) {
        sessionId = await renewSession(sessionId);
        continue;
      }
      throw providerError(isTransientError(error) ? 'unavailable' : 'validation', error, operation);
    }
  }

  interface Selection {
    table: string;
    fields: string[];
    where?: [field: string, op: string, value: string][];
    mutatedFrom?: string | null;
    orderBy: string[];
    pageSize: number;
    page?: number;
    maxResult?: number;
  }

  /** GETSTAMTABELRECORDS: the rows of one page as field → text. */
  async function select(sel: Selection): Promise<Row[]> {
    const where = sel.where ?? [];
    const operation = `ACTIE=GETSTAMTABELRECORDS (${sel.table})`;
    for (const [field, , value] of where) {
      // The WHERE lists are tab-separated; a tab or line break inside a value would shift them.
      if (/[\t\r\n]/.test(value)) throw providerError('validation', '', operation, texts.badValue(field));
    }
    const xml = toXml(
      el(
        'NewDataSet',
        el(
          'Table1',
          fields({
            TABLE: sel.table,
            SELECTFIELDS: sel.fields.join(';'),
            WHEREFIELDS: where.length ? where.map((w) => w[0]).join('\t') : undefined,
            WHEREOPERATORS: where.length ? where.map((w) => w[1]).join('\t') : undefined,
            WHEREVALUES: where.length ? where.map((w) => w[2]).join('\t') : undefined,
            MUTDATE_VA: sel.mutatedFrom ? mutDate(sel.mutatedFrom) : undefined,
            ORDERBY: sel.orderBy.join('\t'),
            MAXRESULT: sel.maxResult ?? 0,
            PAGESIZE: sel.pageSize,
            SELECTPAGE: sel.page ?? 1,
          }),
        ),
      ),
    );
    const root = await call('GETSTAMTABELRECORDS', { field: 'SELECTIE', xml }, operation);
    // Never read an unexpected answer as "no records": the cleanup would then remove everything.
    const container = ['DATASET', 'NewDataSet'].includes(root.local) ? root : findElement(root, named('NewDataSet'));
    if (!container) throw providerError('unavailable', '', operation, texts.unexpectedAnswer);
    return childrenNamed(container, 'DATA').map(recordOf);
  }

  /** One page of a listing ordered and paged by its key (see the module comment). */
  async function keysetPage<T>(
    spec: { table: string; fields: string[]; key: string; tag: string | null; size?: number; map: (rows: Row[]) => Promise<T[]> | T[] },
    req: ListRequest,
  ): Promise<Page<T>> {
    const size = Math.max(1, req.pageSize ?? spec.size ?? pageSize);
    const pos: Position = req.cursor === null
      ? { s: amsterdamDate(new Date(now().getTime() - CLOCK_MARGIN_MS)), a: null, g: spec.tag }
      : parseCursor(req.cursor);
    const from = sinceDate(req.since, spec.tag);
    // One row more than served tells whether another page follows, without an empty last request.
    const fetched = await select({
      table: spec.table,
      fields: spec.fields,
      where: pos.a !== null ? [[spec.key, '>', pos.a]] : [],
      mutatedFrom: from,
      orderBy: [spec.key],
      pageSize: size + 1,
    });
    const last = fetched.length <= size;
    const rows = last ? fetched : fetched.slice(0, size);
    const lastKey = asText(rows.at(-1)?.[spec.key]);
    if (!last && lastKey === null) throw providerError('unavailable', '', `ACTIE=GETSTAMTABELRECORDS (${spec.table})`, texts.unexpectedAnswer);
    return {
      records: await spec.map(rows),
      nextCursor: last ? null : JSON.stringify({ s: pos.s, a: lastKey, g: pos.g } satisfies Position),
      ...(last ? { highWaterMark: highWaterMark(pos.s, pos.g) } : {}),
    };
  }

  /** Every article group (a small table), for the filter; once per connector instance. */
  let groupsPending: Promise<Row[]> | null = null;
  function allGroups(): Promise<Row[]> {
    groupsPending ??= (async () => {
      const out: Row[] = [];
      let after: string | null = null;
      for (;;) {
        const rows = await select({ table: 'ARTGRP', fields: GROUP_FIELDS, where: after !== null ? [['NR', '>', after]] : [], orderBy: ['NR'], pageSize });
        out.push(...rows);
        if (rows.length < pageSize) return out;
        after = rows.at(-1)!.NR ?? null;
        if (after === null) throw providerError('unavailable', '', 'ACTIE=GETSTAMTABELRECORDS (ARTGRP)', texts.unexpectedAnswer);
      }
    })();
    groupsPending.catch(() => {
      groupsPending = null;
    });
    return groupsPending;
  }

  async function groupNameByCode(): Promise<Map<string, string>> {
    return new Map((await allGroups()).map((g) => [g.NR ?? '', g.OMSCHR ?? '']));
  }

  async function findArticle(code: string): Promise<Row | undefined> {
    const rows = await select({ table: 'ART', fields: ART_FIELDS, where: [['NR', '=', code]], orderBy: ['NR'], pageSize: 10 });
    // The server may compare case-insensitively; the code in the settings must match exactly.
    return rows.find((r) => r.NR === code);
  }

  async function findDocumentByReference(reference: string): Promise<CreatedDocument | null> {
    const kenm = orderKenmerk(reference);
    // UNCONFIRMED: ORDKOP read as a table through GETSTAMTABELRECORDS, with NR as the order number.
    const rows = await select({ table: 'ORDKOP', fields: ['NR', 'KENM'], where: [['KENM', '=', kenm]], orderBy: ['NR'], pageSize: 10 });
    const nr = rows.filter((r) => (r.KENM ?? '').trim() === kenm).map((r) => asText(r.NR)).find((n) => n !== null);
    return nr ? { documentId: nr, documentNumber: nr } : null;
  }

  return {
    provider: 'imuis',
    changeTracking: 'modified-since',

    async verifyConnection() {
      // Always a real login: the cached session proves nothing about newly entered credentials.
      await session(true);
      return { label: credentialLabel({ environmentCode }) };
    },

    listArticleGroups(req) {
      return keysetPage({ table: 'ARTGRP', fields: GROUP_FIELDS, key: 'NR', tag: filterTag, map: (rows) => rows.map((r) => mapArticleGroup(r, inFilter(r.OMSCHR))) }, req);
    },

    listArticles(req) {
      return keysetPage(
        {
          table: 'ART',
          fields: ART_FIELDS,
          key: 'NR',
          tag: filterTag,
          map: async (rows) => {
            if (filter.length === 0) return rows.map((r) => mapArticle(r, true));
            const groups = await groupNameByCode();
            return rows.map((r) => mapArticle(r, inFilter(groups.get(r.ARTGRP ?? ''))));
          },
        },
        req,
      );
    },

    listCustomers(req) {
      return keysetPage({ table: 'DEB', fields: DEB_FIELDS, key: 'NR', tag: null, map: (rows) => rows.map(mapDebtor) }, req);
    },

    async listQuotes(req) {
      // Quotes are imported once each, so every run lists them all (since is ignored).
      return keysetPage(
        {
          table: 'OFFKOP',
          fields: OFFER_FIELDS,
          key: 'NR',
          tag: null,
          size: req.pageSize ?? QUOTE_PAGE_SIZE,
          map: async (heads) => {
            if (heads.length === 0) return [];
            const first = heads[0].NR ?? '';
            const last = heads.at(-1)!.NR ?? '';
            const lines: Row[] = [];
            for (let page = 1; ; page++) {
              const rows = await select({
                table: 'OFFRG',
                fields: OFFER_LINE_FIELDS,
                where: [['OFF', '>=', first], ['OFF', '<=', last]],
                orderBy: ['OFF', 'RG'],
                pageSize: LINE_PAGE_SIZE,
                page,
              });
              lines.push(...rows);
              if (rows.length < LINE_PAGE_SIZE) break;
            }
            const byOffer = new Map<string, Row[]>();
            for (const l of lines) {
              const off = asText(l.OFF) ?? '';
              byOffer.set(off, [...(byOffer.get(off) ?? []), l]);
            }
            return heads.map((h) => mapOffer(h, byOffer.get(asText(h.NR) ?? '') ?? []));
          },
        },
        { ...req, since: null },
      );
    },

    async checkSettings(settings: Settings): Promise<FieldCheck[]> {
      const checks: FieldCheck[] = [];
      const groupFilter = settings.provider === 'imuis' ? [...new Set(settings.articleGroupFilter)] : [];
      const articleFields = (['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const).filter(
        (field) => settings[field] !== null && settings[field] !== undefined,
      );
      const groups = articleFields.length > 0 || groupFilter.length > 0 ? await allGroups() : [];
      const groupName = new Map(groups.map((g) => [g.NR ?? '', g.OMSCHR ?? '']));
      for (const field of articleFields) {
        const code = settings[field]!.trim();
        const article = await findArticle(code);
        if (!article) {
          checks.push({ field, ok: false, error: messages.checkErrors.articleUnknown('imuis') });
          continue;
        }
        const group = groupName.get(article.ARTGRP ?? '') ?? null;
        const found = { code: article.NR, name: asText(article.OMSCHR), searchKey: asText(article.ZKSL), group, price: asDecimalString(article.PRIJS) };
        if (blocked(article)) checks.push({ field, ok: false, found, error: messages.checkErrors.articleBlocked('imuis') });
        else if (groupFilter.length > 0 && (group === null || !groupFilter.includes(group))) {
          checks.push({ field, ok: false, found, error: messages.checkErrors.articleOutsideGroupFilter(group) });
        } else checks.push({ field, ok: true, found });
      }
      if (groupFilter.length > 0) {
        const names = new Set(groups.map((g) => g.OMSCHR ?? ''));
        const unknown = groupFilter.filter((name) => !names.has(name));
        checks.push(
          unknown.length === 0
            ? { field: 'articleGroupFilter', ok: true, found: { groups: groupFilter } }
            : { field: 'articleGroupFilter', ok: false, error: unknown.map((g) => messages.checkErrors.articleGroupUnknown('imuis', g)).join('; ') },
        );
      }
      const termsOk = settings.termsAccepted === true;
      checks.push(termsOk ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: messages.checkErrors.termsNotAccepted() });
      return checks;
    },

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      const term = (q ?? '').trim();
      if (list === 'articleGroups') {
        const needle = term.toLowerCase();
        return (await allGroups())
          .filter((g) => !blocked(g))
          .filter((g) => !needle || [g.NR, g.OMSCHR].some((v) => (v ?? '').toLowerCase().includes(needle)))
          .slice(0, MAX_OPTIONS)
          // The filter holds group names (manual §5.4), so the name is the id.
          .map((g) => ({ id: g.OMSCHR ?? '', name: g.OMSCHR ?? '', code: g.NR ?? '' }));
      }
      if (list === 'articles') {
        // LIKE needs no escaping beyond its own wildcard; tabs would break the WHERE lists.
        const like = `%${term.replace(/[%\t\r\n]/g, ' ').trim()}%`;
        const searches = term
          ? ['NR', 'ZKSL', 'OMSCHR'].map((field) =>
              select({ table: 'ART', fields: ART_FIELDS, where: [[field, 'LIKE', like], ['BLOK', '<>', 'J']], orderBy: ['NR'], pageSize: MAX_OPTIONS, maxResult: MAX_OPTIONS }),
            )
          : [select({ table: 'ART', fields: ART_FIELDS, where: [['BLOK', '<>', 'J']], orderBy: ['NR'], pageSize: MAX_OPTIONS, maxResult: MAX_OPTIONS })];
        const [found, groups] = await Promise.all([Promise.all(searches), groupNameByCode()]);
        const byCode = new Map<string, Row>();
        for (const r of found.flat()) if (r.NR && !byCode.has(r.NR)) byCode.set(r.NR, r);
        return [...byCode.values()]
          .sort((a, b) => (a.NR < b.NR ? -1 : a.NR > b.NR ? 1 : 0))
          .slice(0, MAX_OPTIONS)
          .map((r) => ({
            id: r.NR,
            name: asText(r.OMSCHR) ?? '',
            code: r.NR,
            searchKey: asText(r.ZKSL),
            group: groups.get(r.ARTGRP ?? '') ?? null,
            price: asDecimalString(r.PRIJS),
          }));
      }
      throw new Error(texts.unknownList(list));
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      const operation = 'ACTIE=CREATEVERKOOPORDER';
      const root = await call('CREATEVERKOOPORDER', { field: 'VERKOOPORDER', xml: salesOrderXml(draft) }, operation);
      const nr = asText(textOf(findElement(root, named('ORDNR'))));
      if (nr !== null && nr !== '0') return { documentId: nr, documentNumber: nr };
      // Accepted without a number: the order exists, so look it up rather than guess.
      const saved = await findDocumentByReference(draft.reference);
      if (saved) return saved;
      throw providerError('unavailable', '', operation, texts.unexpectedAnswer);
    },

    // docs/providers/imuis.md, "Exactly once".
    documentIdentity: { uniqueReference: false },
    findDocument: (lookup) => findDocumentByReference(lookup.reference),
  };
}
