import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { checkErrors, octopusTexts as texts } from '../../lib/messages.js';
import { ProviderError } from '../../lib/errors.js';
import { formatOctopusTimestamp } from '../../lib/octopus-time.js';
import { dayWindow } from '../../lib/quota.js';
import type { FieldCheck, Settings, SettingsOf } from '../../lib/settings.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import {
  checkArticleSettings, hasStatus, MAX_OPTIONS, matchesTerm, parseRecord, providerHttp, recordList, termsCheck, unexpectedAnswer, withRenewal,
} from '../kit.js';
import type { Connector, ConnectorContext, ExternalArticle, ExternalArticleGroup, ExternalCustomer, ListRequest, OptionItem, Page } from '../types.js';
import { asBool, asText, compareIds } from '../values.js';
import { sharedCaches, type OctopusCaches } from './caches.js';
import { OCTOPUS, octopusErrorMessage, octopusFailure, octopusStatusError, type ErrorContext } from './errors.js';
import { invoiceOperations } from './invoices.js';
import { deletedRelation, deletedRelationId, isSalesJournal, mapProduct, mapProductGroup, mapRelation, openBookyear, productTerms, relationIdOf, type ProductTerms } from './mappers.js';
import { bookyearSchema, dossierSchema, journalSchema, productGroupSchema, productSchema, relationSchema, type OctopusBookyear, type OctopusJournal, type OctopusRelation } from './schemas.js';

/**
 * Octopus REST API (docs/providers/octopus.md). `POST authentication` (header `softwareHouseUuid`, body
 * {user,password}) gives the session token (header `Token`); `POST dossiers?dossierId=` the dossier token (header
 * `dossierToken`) of every dossier call. Both live 10 minutes; they are kept per worker process and renewed before
 * they run out, or once when Octopus answers 401. Lists are plain arrays without paging: one download per listing,
 * served in slices, and shared through caches.ts because Octopus allows each listing only a few times a day (§4).
 * Relations have change tracking (`relations/modified`, with deletions); products and groups are listed in full.
 * Sales invoices: invoices.ts.
 */

export { OCTOPUS, octopusErrorMessage } from './errors.js';
export const DEFAULT_PAGE_SIZE = 200;
export const TOKEN_LIFETIME_MS = 10 * 60_000;
/** `relations/modified` asks from this long before the previous listing started: clock skew, and a server reading the stamp as UTC (§9 U8). */
export const MODIFIED_OVERLAP_MS = 3 * 60 * 60_000;
/** How long a download is shared when the configuration does not say (OCTOPUS_LISTING_REUSE). */
export const DEFAULT_LISTING_REUSE_MS = 10 * 60_000;
const LOCALE_ID = 1;

type OctopusSettings = SettingsOf<'octopus'>;
type Raw = Record<string, unknown>;
interface ProductRecord { article: ExternalArticle; terms: ProductTerms }

export interface OctopusConnector extends Connector {
  readonly provider: 'octopus';
}

export interface OctopusConnectorOptions {
  /** Defaults to the process-wide caches; tests pass their own (with a clock) to count calls. */
  caches?: OctopusCaches;
}

export function createOctopusConnector(ctx: ConnectorContext, opts: OctopusConnectorOptions = {}): OctopusConnector {
  const user = ctx.credentials.username ?? '';
  const password = ctx.credentials.password ?? '';
  const softwareHouseUuid = ctx.config?.softwareHouseUuid ?? '';
  const reuseMs = ctx.config?.listingReuseMs !== undefined ? Number(ctx.config.listingReuseMs) : DEFAULT_LISTING_REUSE_MS;
  const caches = opts.caches ?? sharedCaches;
  const now = caches.now;
  const settings: OctopusSettings | null = ctx.settings?.provider === 'octopus' ? ctx.settings : null;
  // The password only as a hash, so no key holds a secret.
  const scope = ['octopus', ctx.baseUrl, softwareHouseUuid, user, createHash('sha256').update(password).digest('hex')].join('|');
  const http = providerHttp(ctx, { provider: OCTOPUS, errorMessage: octopusErrorMessage });

  // ---- tokens, cookies and calls ----

  const cookieHeader = (token: string): Record<string, string> => {
    const cookie = caches.cookies.get(token);
    return cookie ? { cookie } : {};
  };
  /** SOAP needed the session cookies between authentication and dossier calls; REST clients keep them too (§9 U13). */
  function keepCookies(token: string, headers: Headers, inherited: string | null): void {
    const own = (headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).filter(Boolean);
    const all = [inherited, ...own].filter(Boolean).join('; ');
    if (all) caches.cookies.set(token, all);
    if (caches.cookies.size > 2_000) caches.cookies.delete(caches.cookies.keys().next().value as string);
  }

  function sessionToken(): Promise<string> {
    if (!softwareHouseUuid) return Promise.reject(octopusFailure('auth', texts.noSoftwareHouse));
    if (!user || !password) return Promise.reject(octopusFailure('auth', texts.missingCredentials));
    return caches.tokens.use(scope, async () => {
      const res = await http.post('authentication', { user, password }, { headers: { softwareHouseUuid } }).catch((err: unknown) => {
        throw mapError(err, 'authentication');
      });
      const token = asText((res.body as Raw | null)?.token);
      if (!token) throw unexpectedAnswer(OCTOPUS, 'POST authentication', res.body);
      keepCookies(token, res.headers, null);
      return { value: token, expiresAt: now() + TOKEN_LIFETIME_MS };
    });
  }

  const withSession = <T>(call: (token: string) => Promise<T>): Promise<T> =>
    withRenewal(sessionToken, (t) => caches.tokens.invalidate(scope, t), call).catch((err: unknown) => {
      throw mapError(err, 'session');
    });

  const dossierKey = (dossierId: string) => `${scope}|dossier:${dossierId}`;
  function dossierToken(dossierId: string): Promise<string> {
    return caches.tokens.use(dossierKey(dossierId), async () => {
      let session = '';
      const res = await withSession((token) => {
        session = token;
        return http.post('dossiers', undefined, { query: { dossierId, localeId: LOCALE_ID }, headers: { ...cookieHeader(token), Token: token } });
      });
      const body = (res.body ?? {}) as Raw;
      const value = asText(body.Dossiertoken) ?? asText(body.dossierToken);
      if (!value) throw unexpectedAnswer(OCTOPUS, 'POST dossiers', res.body);
      keepCookies(value, res.headers, caches.cookies.get(session) ?? null);
      return { value, expiresAt: now() + TOKEN_LIFETIME_MS };
    });
  }

  /** A dossier call (header `dossierToken`); a 401 renews the token (or the session behind it) and repeats the call once. */
  function inDossier<T = unknown>(dossierId: string, req: HttpRequest, context: ErrorContext = 'dossier'): Promise<HttpResponse<T>> {
    return withRenewal(
      () => dossierToken(dossierId),
      (t) => caches.tokens.invalidate(dossierKey(dossierId), t),
      (token) => http.request<T>({ ...req, headers: { ...req.headers, ...cookieHeader(token), dossierToken: token } }),
    ).catch((err: unknown) => {
      throw mapError(err, context);
    });
  }

  // ---- errors ----

  const mapped = new WeakSet<ProviderError>();
  function mapError(err: unknown, context: ErrorContext): unknown {
    // Transport faults and the quota guard carry no status; an error mapped once (inner call) stays as it is.
    if (!(err instanceof ProviderError) || err.status === undefined || mapped.has(err)) return err;
    const out = octopusStatusError(err, context, untilMidnight);
    mapped.add(out);
    return out;
  }

  const untilMidnight = () => Math.max(1_000, dayWindow(new Date(now())).end.getTime() - now());

  // ---- reads ----

  const parse = <S extends z.ZodObject>(operation: string, schema: S, list: Raw[]) => list.map((r) => parseRecord(ctx, OCTOPUS, operation, schema, r));

  /** A listing: an array; 404 is "none" (S13 "no data"; the cleanup refuses to act on an empty listing of what Simon holds). */
  async function listing(dossierId: string, path: string, operation: string, query?: HttpRequest['query']): Promise<Raw[]> {
    try {
      const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/${path}`, ...(query ? { query } : {}) });
      return recordList(OCTOPUS, operation, body);
    } catch (err) {
      if (hasStatus(err, 404)) return [];
      throw err;
    }
  }

  async function listDossiers() {
    const { body } = await withSession((token) => http.get('dossiers', undefined, { headers: { ...cookieHeader(token), Token: token } }));
    return parse('GET dossiers', dossierSchema, recordList(OCTOPUS, 'GET dossiers', body));
  }

  /** Book years and journals, kept for the day (24 reads a day, §4); the settings screen reads them again after the reuse window. */
  const bookyears = (dossierId: string, maxAgeMs?: number): Promise<OctopusBookyear[]> =>
    caches.forTheDay(`${scope}|${dossierId}|bookyears`, async () => parse('GET bookyears', bookyearSchema, await listing(dossierId, 'bookyears', 'GET bookyears')), maxAgeMs);
  const journals = (dossierId: string, bookyearId: string, maxAgeMs?: number): Promise<OctopusJournal[]> =>
    caches.forTheDay(`${scope}|${dossierId}|journals|${bookyearId}`, async () => parse('GET journals', journalSchema, await listing(dossierId, `bookyears/${bookyearId}/journals`, 'GET journals')), maxAgeMs);

  function customersOf(relations: OctopusRelation[], dossierId: string): ExternalCustomer[] {
    return relations.map((r) => {
      caches.notePaymentDays(`${scope}|${dossierId}|${relationIdOf(r)}`, r.expirationDays ?? null);
      return mapRelation(r);
    });
  }

  const byId = <T extends { externalId: string }>(list: T[]) => list.sort((a, b) => compareIds(a.externalId, b.externalId));

  async function allRelations(dossierId: string): Promise<ExternalCustomer[]> {
    return byId(customersOf(parse('GET relations', relationSchema, await listing(dossierId, 'relations', 'GET relations')), dossierId));
  }

  /** Changed relations since `sinceMs` (minus the overlap), and the deleted ones as inactive; 404 = nothing changed (§3.3). */
  async function modifiedRelations(dossierId: string, sinceMs: number): Promise<ExternalCustomer[]> {
    const operation = 'GET relations/modified';
    let body: unknown;
    try {
      body = (await inDossier(dossierId, { path: `dossiers/${dossierId}/relations/modified`, query: { modifiedTimeStamp: formatOctopusTimestamp(new Date(sinceMs - MODIFIED_OVERLAP_MS)) } })).body;
    } catch (err) {
      if (hasStatus(err, 404)) return [];
      throw err;
    }
    // `{modified, deleted}` (S13); a bare array is read too. Anything else is an error, never "nothing changed".
    const answer = Array.isArray(body) ? { modified: body, deleted: [] } : body && typeof body === 'object' ? (body as Raw) : null;
    if (!answer || !Array.isArray(answer.modified) || !Array.isArray(answer.deleted ?? [])) throw unexpectedAnswer(OCTOPUS, operation, body);
    const changed = customersOf(parse(operation, relationSchema, recordList(OCTOPUS, operation, answer.modified)), dossierId);
    const out = new Map(changed.map((c) => [c.externalId, c]));
    for (const entry of (answer.deleted ?? []) as unknown[]) {
      const id = deletedRelationId(entry);
      if (!id) throw unexpectedAnswer(OCTOPUS, operation, body);
      const full = entry && typeof entry === 'object' && 'name' in entry ? mapRelation(parseRecord(ctx, OCTOPUS, operation, relationSchema, entry)) : null;
      out.set(id, deletedRelation(id, full ?? out.get(id) ?? null));
    }
    return byId([...out.values()]);
  }

  async function fetchProducts(dossierId: string): Promise<ProductRecord[]> {
    const products = parse('GET products', productSchema, await listing(dossierId, 'products', 'GET products'));
    return products.map((p) => ({ article: mapProduct(p), terms: productTerms(p) })).sort((a, b) => compareIds(a.article.externalId, b.article.externalId));
  }

  async function fetchGroups(dossierId: string): Promise<ExternalArticleGroup[]> {
    return byId(parse('GET productgroups', productGroupSchema, await listing(dossierId, 'productgroups', 'GET productgroups')).map(mapProductGroup));
  }

  // ---- listings, downloaded once and paged in memory ----

  function requireDossier(): string {
    if (!settings) throw octopusFailure('validation', texts.noDossierChosen);
    return settings.dossierId.trim();
  }
  const listingKey = (dossierId: string, name: string) => `${scope}|${dossierId}|${name}`;

  /** The download a page belongs to: the one its cursor names, else one started within `reuseWithinMs`, else a new one. */
  async function downloaded<T>(key: string, cursor: string | null, fetch: () => Promise<T[]>, reuseWithinMs: number) {
    const { offset, stamp } = parseCursor(cursor);
    const hit = stamp !== null ? caches.download<T>(key, { stamp }) : caches.download<T>(key, { maxAgeMs: reuseWithinMs });
    // A cursor whose download this process no longer holds (another worker, a restart) continues in a new one.
    const d = hit ?? caches.startDownload(key, fetch);
    return { records: await d.records, stamp: d.stamp, offset };
  }

  /**
   * One page of a listing. A listing with `since` is a sync after the first import (the nightly run, "Nu
   * synchroniseren"): it downloads afresh. Without it (the initial import, the cleanup) a download of the last
   * `reuseMs` is used again: "Controleer", the import right after "Opslaan" and a cleanup share one of the two calls.
   * The high-water mark is where the download started: the next `relations/modified` asks from there.
   */
  async function page<R, T>(key: string, req: ListRequest, fetch: () => Promise<R[]>, map: (r: R) => T, opts: { keep: boolean }): Promise<Page<T>> {
    const { records, stamp, offset } = await downloaded(key, req.cursor, fetch, req.since !== null ? 0 : reuseMs);
    const end = Math.min(offset + Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE), records.length);
    const last = end >= records.length;
    if (last && !opts.keep) caches.forget(key, stamp);
    return {
      records: records.slice(offset, end).map(map),
      nextCursor: last ? null : `${end}@${stamp}`,
      total: records.length,
      ...(last ? { highWaterMark: new Date(stamp).toISOString() } : {}),
    };
  }

  const products = (dossierId: string, maxAgeMs: number) => downloaded(listingKey(dossierId, 'products'), null, () => fetchProducts(dossierId), maxAgeMs).then((d) => d.records);
  const groups = (dossierId: string, maxAgeMs: number) => downloaded(listingKey(dossierId, 'productgroups'), null, () => fetchGroups(dossierId), maxAgeMs).then((d) => d.records);

  async function articlesWithGroups(dossierId: string) {
    const [list, all] = await Promise.all([products(dossierId, reuseMs), groups(dossierId, reuseMs)]);
    const groupName = new Map(all.map((g) => [g.externalId, g.description]));
    return list.map((p) => ({ ...p.article, group: p.article.groupExternalId ? groupName.get(p.article.groupExternalId) ?? null : null }));
  }

  const today = () => formatOctopusTimestamp(new Date(now())).slice(0, 10);

  const invoices = invoiceOperations({
    ctx, settings, scope, caches, fail: octopusFailure, inDossier,
    bookyears: (dossierId) => bookyears(dossierId),
    journals: (dossierId, bookyearId) => journals(dossierId, bookyearId),
    productTerms: async (dossierId, maxAgeMs) => new Map((await products(dossierId, maxAgeMs)).map((p) => [p.article.code, p.terms])),
  });

  return {
    provider: 'octopus',
    changeTracking: 'modified-since',

    async verifyConnection() {
      if ((await listDossiers()).length === 0) throw octopusFailure('auth', texts.noDossiers, { operation: 'GET dossiers' });
      return { label: user };
    },

    async listArticleGroups(req) {
      const dossierId = requireDossier();
      return page(listingKey(dossierId, 'productgroups'), req, () => fetchGroups(dossierId), (g) => g, { keep: true });
    },

    async listArticles(req) {
      // No modified endpoint for products (§3.4): a full listing, compared by content in Simon.
      const dossierId = requireDossier();
      return page(listingKey(dossierId, 'products'), req, () => fetchProducts(dossierId), (p) => p.article, { keep: true });
    },

    async listCustomers(req) {
      const dossierId = requireDossier();
      const sinceMs = req.since ? Date.parse(req.since) : NaN;
      // After the first import only `relations/modified`: the full listing may be made twice a day (§4).
      if (Number.isNaN(sinceMs)) return page(listingKey(dossierId, 'relations'), req, () => allRelations(dossierId), (c) => c, { keep: false });
      return page(listingKey(dossierId, `relations/modified|${req.since}`), req, () => modifiedRelations(dossierId, sinceMs), (c) => c, { keep: false });
    },

    async checkSettings(input: Settings): Promise<FieldCheck[]> {
      if (input.provider !== 'octopus') throw new Error(`Octopus cannot check ${input.provider} settings`);
      const dossierId = input.dossierId.trim();
      const journalKey = input.journal.trim();
      const dossier = (await listDossiers()).find((d) => String(d.dossierKey.id) === dossierId);
      if (!dossier) {
        const dependent = ['journal', ...(['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const).filter((f) => input[f])];
        return [
          { field: 'dossierId', ok: false, error: checkErrors.dossierUnknown('octopus') },
          ...dependent.map((field) => ({ field, ok: false, error: checkErrors.dossierFirst('octopus') })),
          termsCheck(input.termsAccepted),
        ];
      }
      const checks: FieldCheck[] = [{ field: 'dossierId', ok: true, found: { id: dossierId, name: asText(dossier.dossierDescription) } }];
      const year = openBookyear(await bookyears(dossierId, reuseMs), today());
      const journal = year ? (await journals(dossierId, String(year.bookyearKey.id), reuseMs)).find((j) => j.journalKey === journalKey) : undefined;
      if (!year) checks.push({ field: 'journal', ok: false, error: checkErrors.noOpenBookyear('octopus') });
      else if (!journal) checks.push({ field: 'journal', ok: false, error: checkErrors.journalUnknown('octopus') });
      else if (!isSalesJournal(journal.journalKey)) checks.push({ field: 'journal', ok: false, error: texts.checkNotASalesJournal(journalKey) });
      else if (asBool(journal.closed, false)) checks.push({ field: 'journal', ok: false, error: checkErrors.journalClosed('octopus', journalKey) });
      else checks.push({ field: 'journal', ok: true, found: { journalKey, name: asText(journal.name), bookyear: asText(year.bookyearDescription) } });
      checks.push(...(await checkArticleSettings(OCTOPUS, input, async () => {
        const all = await articlesWithGroups(dossierId);
        return new Map(all.map((a) => [a.code, { code: a.code, name: a.description, group: a.group, price: a.salesPrice }]));
      })));
      return checks;
    },

    async options(list: string, q: string | null, where?: { administration?: string | null }): Promise<OptionItem[]> {
      if (list === 'dossiers') {
        return (await listDossiers())
          .filter((d) => matchesTerm(q, String(d.dossierKey.id), d.dossierDescription))
          .slice(0, MAX_OPTIONS)
          .map((d) => ({ id: String(d.dossierKey.id), name: asText(d.dossierDescription) ?? String(d.dossierKey.id) }));
      }
      if (!['journals', 'articles', 'articleGroups'].includes(list)) throw new Error(texts.unknownList(list));
      // The dossier being chosen on the settings screen, else the saved one, else the user's only dossier.
      let dossierId = where?.administration?.trim() || settings?.dossierId.trim() || null;
      if (!dossierId) {
        const dossiers = await listDossiers();
        if (dossiers.length !== 1) throw new Error(texts.chooseDossierFirst);
        dossierId = String(dossiers[0].dossierKey.id);
      }
      if (list === 'journals') {
        const year = openBookyear(await bookyears(dossierId, reuseMs), today());
        if (!year) return [];
        // Only open sales journals: invoices go in a V journal (§3.2, §9 U4).
        return (await journals(dossierId, String(year.bookyearKey.id), reuseMs))
          .filter((j) => isSalesJournal(j.journalKey) && !asBool(j.closed, false) && matchesTerm(q, j.journalKey, j.name))
          .slice(0, MAX_OPTIONS)
          .map((j) => ({ id: j.journalKey, name: asText(j.name) ?? j.journalKey, bookyear: asText(year.bookyearDescription) }));
      }
      if (list === 'articleGroups') {
        return (await groups(dossierId, reuseMs)).filter((g) => matchesTerm(q, g.code, g.description)).slice(0, MAX_OPTIONS).map((g) => ({ id: g.externalId, name: g.description }));
      }
      return (await articlesWithGroups(dossierId))
        .filter((a) => matchesTerm(q, a.code, a.description))
        .slice(0, MAX_OPTIONS)
        .map((a) => ({ id: a.code, name: a.description, code: a.code, externalId: a.externalId, group: a.group, price: a.salesPrice }));
    },

    // docs/providers/octopus.md §6: the planned key is the anchor; Octopus refuses nothing by our reference.
    documentIdentity: { uniqueReference: false },
    planDocument: (draft) => invoices.plan(draft),
    createDocument: (draft, plan) => invoices.create(draft, plan),
    findDocument: (lookup) => invoices.find(lookup),
  };
}

/** `offset@stamp` (the download it pages through); a bare offset is read too. */
function parseCursor(cursor: string | null): { offset: number; stamp: number | null } {
  if (cursor === null) return { offset: 0, stamp: null };
  const m = /^(\d+)(?:@(\d+))?$/.exec(cursor);
  if (!m) throw new Error(texts.badCursor(cursor));
  return { offset: Number(m[1]), stamp: m[2] !== undefined ? Number(m[2]) : null };
}
