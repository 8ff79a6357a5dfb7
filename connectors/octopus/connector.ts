import { createHash } from 'node:crypto';
import { checkErrors } from '../../lib/messages.js';
import type { FieldCheck, Settings, SettingsOf } from '../../lib/settings.js';
import { ProviderError, describeProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../http.js';
import type {
  Connector,
  ConnectorContext,
  CreatedDocument,
  DocumentDraft,
  DocumentLine,
  ExternalArticle,
  ExternalArticleGroup,
  ExternalCustomer,
  ListRequest,
  OptionItem,
  Page,
} from '../types.js';
import { asBool, asDecimalString, asNumber, asText, compareIds } from '../values.js';
import { formatOctopusTimestamp } from '../../lib/octopus-time.js';

/**
 * Octopus REST API (research/accounting-apis.md §1). Two tokens, both valid 10 minutes: `POST authentication`
 * (header `softwareHouseUuid` from configuration, body {user,password}) gives the session token (header `Token`),
 * `POST dossiers?dossierId=` gives the dossier token (header `dossierToken`) every dossier call needs. Tokens are
 * cached per worker process (calls count against a low daily quota) and renewed before they run out or when Octopus
 * answers 401, once per call, so a token expiring in the middle of an import never fails the run.
 *
 * Lists are plain arrays without paging: one download per listing, served in slices (like FactuurSturen).
 * Relations have change tracking (`relations/modified?modifiedTimeStamp=`); products and product groups have no
 * confirmed modified endpoint, so they are listed in full and Simon's upsert compares content.
 *
 * A work order becomes a sales invoice in the chosen journal of the open book year: `POST invoices` creates it
 * unbooked (booking is the separate `invoices/book`, which we never call: SPEC §14.1). The create answers 201 with
 * an empty body, so the invoice is found back by our reference. `reference` is the payment reference the admin
 * chose and `customFieldValueList` needs a custom field the dossier may not have, so our reference goes on the last
 * line of `comment` (the "Opmerkingen" memo), as "Simon-referentie: simon-…", after the memo the settings ask for.
 */

export const OCTOPUS = 'Octopus';
export const DEFAULT_PAGE_SIZE = 200;
export const MAX_OPTIONS = 100;
/** Both tokens live 10 minutes; renewing a minute early avoids a refused call. */
export const TOKEN_LIFETIME_MS = 10 * 60_000;
const RENEW_MARGIN_MS = 60_000;
/**
 * `relations/modified` asks from this long before the previous listing started: it covers clock skew and a server
 * that reads the wall-clock stamp as UTC instead of Brussels time. Re-reading a few hours of changes costs nothing
 * (Simon's upsert ignores unchanged records).
 */
export const MODIFIED_OVERLAP_MS = 3 * 60 * 60_000;
/** Our reference on the invoice: the last line of its comment. */
export const REFERENCE_LABEL = 'Simon-referentie:';
const LOCALE_ID = 1;

const texts = {
  wrongCredentials: 'Onjuiste gebruikersnaam of wachtwoord voor Octopus',
  missingCredentials: 'Gebruikersnaam of wachtwoord voor Octopus ontbreekt',
  noSoftwareHouse: 'De Octopus-koppeling is niet geconfigureerd (OCTOPUS_SOFTWARE_HOUSE_UUID ontbreekt)',
  noDossiers: 'Deze Octopus-gebruiker heeft geen dossiers; is de webservicemodule actief?',
  sessionRefused: 'Octopus weigert de sessie, ook na opnieuw inloggen',
  forbidden: 'Octopus weigert de toegang: recht of webservicemodule ontbreekt',
  badRequest: 'Octopus vindt het verzoek ongeldig of onvolledig',
  notFound: 'Niet gevonden in Octopus',
  journalClosed: (journal: string) => `Dagboek '${journal}' is afgesloten of in gebruik in Octopus`,
  invalidData: 'Octopus weigert de gegevens (ongeldige datum, bedrag of code)',
  noDossierChosen: 'Er is nog geen Octopus-dossier gekozen',
  noDocumentSettings: 'De instellingen voor Octopus (dossier en dagboek) ontbreken',
  noOpenBookyear: (date: string) => `Geen open boekjaar in Octopus voor ${date}`,
  unexpectedAnswer: 'Octopus gaf een onverwacht antwoord',
  invoiceNotFound: 'Octopus bevestigde de verkoopfactuur, maar die is nog niet terug te vinden; het wordt opnieuw geprobeerd',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor Octopus`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een Octopus-lijst`,
  chooseDossierFirst: 'Kies eerst een dossier (parameter administration)',
};

type RawRecord = Record<string, unknown>;
type OctopusSettings = SettingsOf<'octopus'>;

// ---- token cache ----

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Session and dossier tokens per credentials (and dossier), shared by the connectors of one worker process: every
 * activity builds a new connector, and two extra calls per activity would eat the daily quota. In-flight requests
 * for the same token are shared too (the customers and articles syncs start together).
 */
export class OctopusTokenCache {
  private readonly entries = new Map<string, Promise<CachedToken>>();
  constructor(private readonly now: () => number = Date.now) {}

  async use(key: string, create: () => Promise<string>): Promise<string> {
    const existing = this.entries.get(key);
    if (existing) {
      const token = await existing.catch(() => null);
      if (token && token.expiresAt - RENEW_MARGIN_MS > this.now()) return token.value;
      if (this.entries.get(key) !== existing) return this.use(key, create);
      this.entries.delete(key);
    }
    const started = create().then((value) => ({ value, expiresAt: this.now() + TOKEN_LIFETIME_MS }));
    this.entries.set(key, started);
    started.catch(() => {
      if (this.entries.get(key) === started) this.entries.delete(key);
    });
    return (await started).value;
  }

  /** Forgets a token Octopus refused, unless another call already replaced it. */
  async invalidate(key: string, refused: string): Promise<void> {
    const current = this.entries.get(key);
    if (!current) return;
    const token = await current.catch(() => null);
    if ((!token || token.value === refused) && this.entries.get(key) === current) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

const sharedTokenCache = new OctopusTokenCache();

export interface OctopusConnector extends Connector {
  readonly provider: 'octopus';
}

export interface OctopusConnectorOptions {
  /** Defaults to the process-wide cache; tests pass their own to count authentications. */
  tokenCache?: OctopusTokenCache;
  now?: () => number;
}

export function createOctopusConnector(ctx: ConnectorContext, opts: OctopusConnectorOptions = {}): OctopusConnector {
  const user = ctx.credentials.username ?? '';
  const password = ctx.credentials.password ?? '';
  const softwareHouseUuid = ctx.config?.softwareHouseUuid ?? '';
  const cache = opts.tokenCache ?? sharedTokenCache;
  const now = opts.now ?? Date.now;
  const settings: OctopusSettings | null = ctx.settings?.provider === 'octopus' ? ctx.settings : null;
  // The password only as a hash, so the cache key holds nothing secret.
  const sessionKey = ['octopus', ctx.baseUrl, softwareHouseUuid, user, createHash('sha256').update(password).digest('hex')].join('|');
  const dossierKey = (dossierId: string) => `${sessionKey}|dossier:${dossierId}`;

  const http = new HttpClient({
    provider: OCTOPUS,
    baseUrl: ctx.baseUrl,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}),
    errorMessage: octopusErrorMessage,
  });

  function fail(kind: ProviderErrorKind, lead: string, operation?: string, providerMessage = ''): ProviderError {
    return new ProviderError({
      kind,
      provider: OCTOPUS,
      ...(operation ? { operation } : {}),
      providerMessage: providerMessage ? `${lead} (Octopus: ${providerMessage})` : lead,
      message: describeProviderError(kind, { provider: OCTOPUS, lead, ...(providerMessage ? { providerMessage } : {}) }),
    });
  }

  function requireCredentials(): void {
    if (!softwareHouseUuid) throw fail('auth', texts.noSoftwareHouse);
    if (!user || !password) throw fail('auth', texts.missingCredentials);
  }

  // ---- tokens and calls ----

  async function sessionToken(): Promise<string> {
    requireCredentials();
    return cache.use(sessionKey, async () => {
      let body: unknown;
      try {
        body = (await http.post('authentication', { user, password }, { headers: { softwareHouseUuid } })).body;
      } catch (err) {
        throw mapError(err, 'authentication');
      }
      const token = asText((body as RawRecord | null)?.token);
      if (!token) throw unexpected('POST authentication', body);
      return token;
    });
  }

  /** A call with the session token; on 401 (expired) once more with a new one. */
  async function withSession<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await sessionToken();
    try {
      return await call(token);
    } catch (err) {
      if (!hasStatus(err, 401)) throw mapError(err, 'session');
      await cache.invalidate(sessionKey, token);
      try {
        return await call(await sessionToken());
      } catch (again) {
        throw mapError(again, 'session');
      }
    }
  }

  function dossierToken(dossierId: string): Promise<string> {
    return cache.use(dossierKey(dossierId), () =>
      withSession(async (token) => {
        const { body } = await http.post('dossiers', undefined, { query: { dossierId, localeId: LOCALE_ID }, headers: { Token: token } });
        const o = (body ?? {}) as RawRecord;
        const value = asText(o.Dossiertoken) ?? asText(o.dossierToken) ?? asText(o.dossiertoken);
        if (!value) throw unexpected('POST dossiers', body);
        return value;
      }),
    );
  }

  /**
   * A dossier call (header `dossierToken`). A 401 means the dossier token expired (or the session behind it):
   * renew it and repeat the call once, so a long import crosses the 10-minute boundary without failing.
   */
  async function inDossier<T = unknown>(dossierId: string, req: HttpRequest, context: ErrorContext = 'dossier'): Promise<HttpResponse<T>> {
    const send = (token: string) => http.request<T>({ ...req, headers: { ...req.headers, dossierToken: token } });
    const token = await dossierToken(dossierId);
    try {
      return await send(token);
    } catch (err) {
      if (!hasStatus(err, 401)) throw mapError(err, context);
      await cache.invalidate(dossierKey(dossierId), token);
      try {
        return await send(await dossierToken(dossierId));
      } catch (again) {
        throw mapError(again, context);
      }
    }
  }

  type ErrorContext = 'authentication' | 'session' | 'dossier' | { invoiceJournal: string };
  const mapped = new WeakSet<ProviderError>();

  /** Octopus statuses in Dutch (the unnamed Ruby client: 400 parameters, 401 token, 403 journal closed, 500 bad data). */
  function mapError(err: unknown, context: ErrorContext): unknown {
    // Transport faults and the quota guard carry no status; an error mapped once (inner call) stays as it is.
    if (!(err instanceof ProviderError) || err.status === undefined || mapped.has(err)) return err;
    const out = mapStatus(err, context);
    if (out instanceof ProviderError) mapped.add(out);
    return out;
  }

  function mapStatus(err: ProviderError, context: ErrorContext): unknown {
    const status = err.status!;
    const said = err.providerMessage;
    const operation = err.operation;
    const rebuild = (kind: ProviderErrorKind, lead: string, retryable?: boolean) =>
      new ProviderError({
        kind,
        status,
        provider: OCTOPUS,
        ...(operation ? { operation } : {}),
        ...(retryable !== undefined ? { retryable } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        providerMessage: said ? `${lead} (Octopus: ${said})` : lead,
        message: describeProviderError(kind, { provider: OCTOPUS, status, lead, ...(said ? { providerMessage: said } : {}) }),
      });
    if (status === 401 || (status === 403 && context === 'authentication')) {
      return rebuild('auth', context === 'authentication' ? texts.wrongCredentials : texts.sessionRefused);
    }
    if (status === 403) {
      return typeof context === 'object' ? rebuild('conflict', texts.journalClosed(context.invoiceJournal), false) : rebuild('auth', texts.forbidden);
    }
    if (status === 400 || status === 422) return rebuild('validation', texts.badRequest);
    if (status === 404) return rebuild('not-found', texts.notFound);
    // Octopus answers invalid data on a write with 500 and its own message; repeating such a write only burns quota.
    // A 500 without a message of its own (a gateway page, the bare reason phrase) is a server fault worth retrying.
    if (status === 500 && typeof context === 'object' && !isGenericServerText(said)) return rebuild('validation', texts.invalidData, false);
    return err;
  }

  function unexpected(operation: string, body: unknown): ProviderError {
    return new ProviderError({
      kind: 'unavailable',
      provider: OCTOPUS,
      operation,
      providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
      message: describeProviderError('unavailable', { provider: OCTOPUS, lead: texts.unexpectedAnswer }),
    });
  }

  // ---- reads ----

  async function listDossiers(): Promise<RawRecord[]> {
    const body = await withSession(async (token) => (await http.get('dossiers', undefined, { headers: { Token: token } })).body);
    return asRecordList(body, 'GET dossiers');
  }

  const bookyearCache = new Map<string, Promise<RawRecord[]>>();
  function bookyears(dossierId: string): Promise<RawRecord[]> {
    let pending = bookyearCache.get(dossierId);
    if (!pending) {
      pending = inDossier(dossierId, { path: `dossiers/${dossierId}/bookyears` }).then(({ body }) => asRecordList(body, 'GET bookyears'));
      bookyearCache.set(dossierId, pending);
      pending.catch(() => bookyearCache.delete(dossierId));
    }
    return pending;
  }

  async function journals(dossierId: string, bookyearId: string): Promise<RawRecord[]> {
    const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/bookyears/${bookyearId}/journals` });
    return asRecordList(body, 'GET journals');
  }

  async function products(dossierId: string): Promise<RawRecord[]> {
    const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/products` });
    return asRecordList(body, 'GET products');
  }

  async function productGroups(dossierId: string): Promise<RawRecord[]> {
    const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/productgroups` });
    return asRecordList(body, 'GET productgroups');
  }

  /** `since` is the ISO start of the previous complete listing; null lists every relation. */
  async function relations(dossierId: string, since: string | null): Promise<RawRecord[]> {
    const sinceMs = since ? Date.parse(since) : NaN;
    if (Number.isNaN(sinceMs)) {
      const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/relations` });
      return asRecordList(body, 'GET relations');
    }
    try {
      const { body } = await inDossier(dossierId, {
        path: `dossiers/${dossierId}/relations/modified`,
        query: { modifiedTimeStamp: formatOctopusTimestamp(new Date(sinceMs - MODIFIED_OVERLAP_MS)) },
      });
      return asRecordList(body, 'GET relations/modified');
    } catch (err) {
      // "Nothing modified" comes back as 404 (the Python client ignores it).
      if (err instanceof ProviderError && err.kind === 'not-found') return [];
      throw err;
    }
  }

  function requireDossier(): string {
    if (!settings) throw fail('validation', texts.noDossierChosen);
    return settings.dossierId.trim();
  }

  // ---- listings, sliced into pages ----

  type Listing = 'relations' | 'products' | 'productgroups';
  const listings = new Map<string, Promise<{ records: RawRecord[]; startedAt: number }>>();

  function download(listing: Listing, since: string | null): Promise<{ records: RawRecord[]; startedAt: number }> {
    const dossierId = requireDossier();
    const startedAt = now();
    const fetchRecords =
      listing === 'relations' ? relations(dossierId, since) : listing === 'products' ? products(dossierId) : productGroups(dossierId);
    return fetchRecords.then((records) => ({ records: records.sort((a, b) => compareIds(recordId(a, listing), recordId(b, listing))), startedAt }));
  }

  /** A listing starts at cursor null with a fresh download; later pages of it reuse that download. */
  function listing(name: Listing, since: string | null, fresh: boolean) {
    const key = `${name}|${since ?? ''}`;
    let pending = listings.get(key);
    if (!pending || fresh) {
      const started = download(name, since);
      pending = started;
      listings.set(key, started);
      started.catch(() => {
        if (listings.get(key) === started) listings.delete(key);
      });
    }
    return pending;
  }

  async function page<T>(name: Listing, req: ListRequest, map: (r: RawRecord) => T, tracksChanges: boolean): Promise<Page<T>> {
    const offset = parseCursor(req.cursor);
    const pageSize = Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE);
    const since = tracksChanges ? req.since : null;
    const { records, startedAt } = await listing(name, since, req.cursor === null);
    const end = Math.min(offset + pageSize, records.length);
    const last = end >= records.length;
    return {
      records: records.slice(offset, end).map(map),
      nextCursor: last ? null : String(end),
      total: records.length,
      // The next modified listing starts where this one started (minus the overlap, applied when asking).
      ...(last ? { highWaterMark: tracksChanges ? new Date(startedAt).toISOString() : null } : {}),
    };
  }

  // ---- invoices ----

  function documentSettings(): OctopusSettings {
    if (!settings) throw fail('validation', texts.noDocumentSettings);
    return settings;
  }

  async function invoicesIn(dossierId: string, bookyearId: string, journalKey: string): Promise<RawRecord[]> {
    const { body } = await inDossier(dossierId, { path: `dossiers/${dossierId}/invoices`, query: { bookyearId, journalKey } });
    return asRecordList(body, 'GET invoices');
  }

  async function findIn(dossierId: string, journalKey: string, years: RawRecord[], reference: string): Promise<CreatedDocument | null> {
    for (const year of years) {
      const bookyearId = bookyearIdOf(year);
      if (!bookyearId) continue;
      const match = (await invoicesIn(dossierId, bookyearId, journalKey))
        .filter((inv) => carriesReference(inv, reference))
        .sort((a, b) => (asNumber(a.documentSequenceNr) ?? 0) - (asNumber(b.documentSequenceNr) ?? 0))[0];
      if (match) {
        const seq = asText(match.documentSequenceNr) ?? '';
        return { documentId: `${bookyearId}/${journalKey}/${seq}`, documentNumber: seq };
      }
    }
    return null;
  }

  async function findDocumentByReference(reference: string): Promise<CreatedDocument | null> {
    const s = documentSettings();
    const dossierId = s.dossierId.trim();
    // The invoice was made in an open book year; look in every one that is still open (usually one, two around New Year).
    const open = (await bookyears(dossierId)).filter((b) => !asBool(b.closed, false));
    return findIn(dossierId, s.journal.trim(), open, reference);
  }

  async function productsWithGroups(dossierId: string) {
    const [list, groups] = await Promise.all([products(dossierId), productGroups(dossierId)]);
    const groupName = new Map(groups.map((g) => [asText((g.productGroupKey as RawRecord | undefined)?.id) ?? asText(g.id) ?? '', descriptionOf(g.description)]));
    return list.map((p) => ({ raw: p, article: mapProduct(p), group: groupName.get(asText((p.productGroupKey as RawRecord | undefined)?.id) ?? '') ?? null }));
  }

  return {
    provider: 'octopus',
    changeTracking: 'modified-since',

    async verifyConnection() {
      const dossiers = await listDossiers();
      if (dossiers.length === 0) throw fail('auth', texts.noDossiers, 'GET dossiers');
      return { label: user };
    },

    listArticleGroups(req) {
      return page('productgroups', req, mapProductGroup, false);
    },

    listArticles(req) {
      // No modified endpoint for products is confirmed: a full listing each time, compared by content in Simon.
      return page('products', req, mapProduct, false);
    },

    listCustomers(req) {
      return page('relations', req, mapRelation, true);
    },

    async checkSettings(input: Settings): Promise<FieldCheck[]> {
      if (input.provider !== 'octopus') throw new Error(`Octopus cannot check ${input.provider} settings`);
      const checks: FieldCheck[] = [];
      const dossierId = input.dossierId.trim();
      const articleFields = (['workTimeArticle', 'travelTimeArticle', 'defaultArticle'] as const).filter((f) => input[f] !== null && input[f] !== undefined);
      const dossier = (await listDossiers()).find((d) => dossierIdOf(d) === dossierId);
      if (!dossier) {
        checks.push({ field: 'dossierId', ok: false, error: checkErrors.dossierUnknown('octopus') });
        for (const field of ['journal', ...articleFields]) checks.push({ field, ok: false, error: checkErrors.dossierFirst('octopus') });
      } else {
        checks.push({ field: 'dossierId', ok: true, found: { id: dossierId, name: asText(dossier.dossierDescription) } });
        const year = openBookyear(await bookyears(dossierId), today());
        if (!year) {
          checks.push({ field: 'journal', ok: false, error: checkErrors.noOpenBookyear('octopus') });
        } else {
          const journal = (await journals(dossierId, bookyearIdOf(year)!)).find((j) => asText(j.journalKey) === input.journal.trim());
          if (!journal) checks.push({ field: 'journal', ok: false, error: checkErrors.journalUnknown('octopus') });
          else if (asBool(journal.closed, false)) checks.push({ field: 'journal', ok: false, error: checkErrors.journalClosed('octopus', input.journal.trim()) });
          else checks.push({ field: 'journal', ok: true, found: { journalKey: asText(journal.journalKey), name: asText(journal.name), bookyear: asText(year.bookyearDescription) } });
        }
        if (articleFields.length > 0) {
          const all = await productsWithGroups(dossierId);
          for (const field of articleFields) {
            const code = input[field]!.trim();
            const hit = all.find((p) => p.article.code === code && p.article.active);
            checks.push(
              hit
                ? { field, ok: true, found: { code: hit.article.code, name: hit.article.description, group: hit.group, price: hit.article.salesPrice } }
                : { field, ok: false, error: checkErrors.articleUnknown('octopus') },
            );
          }
        }
      }
      checks.push(input.termsAccepted === true ? { field: 'termsAccepted', ok: true } : { field: 'termsAccepted', ok: false, error: checkErrors.termsNotAccepted() });
      return checks;
    },

    async options(list: string, q: string | null, scope?: { administration?: string | null }): Promise<OptionItem[]> {
      const term = (q ?? '').trim().toLowerCase();
      const matches = (...values: unknown[]) => !term || values.some((v) => (asText(v) ?? '').toLowerCase().includes(term));
      if (list === 'dossiers') {
        return (await listDossiers())
          .filter((d) => matches(dossierIdOf(d), d.dossierDescription))
          .slice(0, MAX_OPTIONS)
          .map((d) => ({ id: dossierIdOf(d), name: asText(d.dossierDescription) ?? dossierIdOf(d) }));
      }
      if (!['journals', 'articles', 'articleGroups'].includes(list)) throw new Error(texts.unknownList(list));
      // The dossier being chosen on the settings screen, else the saved one, else the user's only dossier.
      let dossierId = scope?.administration?.trim() || settings?.dossierId.trim() || null;
      if (!dossierId) {
        const dossiers = await listDossiers();
        if (dossiers.length !== 1) throw new Error(texts.chooseDossierFirst);
        dossierId = dossierIdOf(dossiers[0]);
      }
      if (list === 'journals') {
        const year = openBookyear(await bookyears(dossierId), today());
        if (!year) return [];
        return (await journals(dossierId, bookyearIdOf(year)!))
          .filter((j) => !asBool(j.closed, false) && matches(j.journalKey, j.name))
          .slice(0, MAX_OPTIONS)
          .map((j) => ({ id: asText(j.journalKey) ?? '', name: asText(j.name) ?? asText(j.journalKey) ?? '', bookyear: asText(year.bookyearDescription) }));
      }
      if (list === 'articleGroups') {
        return (await productGroups(dossierId))
          .map(mapProductGroup)
          .filter((g) => matches(g.code, g.description))
          .slice(0, MAX_OPTIONS)
          .map((g) => ({ id: g.externalId, name: g.description }));
      }
      return (await productsWithGroups(dossierId))
        .filter((p) => p.article.active && matches(p.article.code, p.article.description))
        .slice(0, MAX_OPTIONS)
        .map((p) => ({ id: p.article.code, name: p.article.description, code: p.article.code, externalId: p.article.externalId, group: p.group, price: p.article.salesPrice }));
    },

    async createDocument(draft: DocumentDraft): Promise<CreatedDocument> {
      const s = documentSettings();
      const dossierId = s.dossierId.trim();
      const journal = s.journal.trim();
      const year = openBookyear(await bookyears(dossierId), draft.date);
      if (!year) throw fail('validation', texts.noOpenBookyear(draft.date), 'POST invoices');
      await inDossier(dossierId, { method: 'POST', path: `dossiers/${dossierId}/invoices`, body: invoiceBody(draft, { bookyearId: bookyearIdOf(year)!, journal }) }, { invoiceJournal: journal });
      // 201 without a body: the invoice's number is read back by our reference.
      const created = await findIn(dossierId, journal, [year], draft.reference);
      if (created) return created;
      throw fail('unavailable', texts.invoiceNotFound, 'GET invoices');
    },

    // docs/providers/octopus.md, "Exactly once".
    documentIdentity: { uniqueReference: false },
    findDocument: (lookup) => findDocumentByReference(lookup.reference),
  };

  function parseCursor(cursor: string | null): number {
    if (cursor === null) return 0;
    if (!/^\d+$/.test(cursor)) throw new Error(texts.badCursor(cursor));
    return Number(cursor);
  }

  function today(): string {
    return formatOctopusTimestamp(new Date(now())).slice(0, 10);
  }
}

// ---- mapping: Octopus records → Simon's vocabulary ----

export function mapRelation(r: RawRecord): ExternalCustomer {
  const id = relationIdOf(r);
  const street = asText(r.streetAndNr);
  const postalCode = asText(r.postalCode);
  const city = asText(r.city);
  const name = asText(r.name);
  const firstName = asText(r.firstName) ?? asText(r.firstname);
  return {
    externalId: id,
    number: id || null,
    // A private person has a first name; a company only a name.
    name: [firstName, name].filter(Boolean).join(' ') || `Relatie ${id}`,
    address: [street, postalCode, city].some((v) => v !== null) ? { street, postalCode, city, country: asText(r.country) } : null,
    email: asText(r.email),
    phone: asText(r.telephone) ?? asText(r.mobile),
    // A relation that is only a supplier is no customer for Simon.
    active: asBool(r.active, true) && asBool(r.client, true),
    workAddresses: [],
  };
}

/** UNCONFIRMED product fields: `productKey.id`, `externProductNr` (confirmed on invoice lines), `description`, `salesPrice`, `productGroupKey.id`, `active`. */
export function mapProduct(p: RawRecord): ExternalArticle {
  const code = asText(p.externProductNr) ?? '';
  return {
    externalId: asText((p.productKey as RawRecord | undefined)?.id) ?? code,
    code,
    description: descriptionOf(p.description),
    salesPrice: asDecimalString(p.salesPrice ?? p.price),
    unit: asText(p.unit),
    groupExternalId: asText((p.productGroupKey as RawRecord | undefined)?.id),
    active: asBool(p.active, true),
  };
}

export function mapProductGroup(g: RawRecord): ExternalArticleGroup {
  const id = asText((g.productGroupKey as RawRecord | undefined)?.id) ?? asText(g.id) ?? '';
  return { externalId: id, code: asText(g.code) ?? id, description: descriptionOf(g.description), active: asBool(g.active, true) };
}

/** Octopus gives some descriptions per language ({description_NL, description_FR, …}); Dutch first. */
function descriptionOf(value: unknown): string {
  if (value && typeof value === 'object') {
    const o = value as RawRecord;
    return asText(o.description_NL) ?? asText(o.description_EN) ?? asText(o.description_FR) ?? asText(o.description_DE) ?? '';
  }
  return asText(value) ?? '';
}

// ---- the sales invoice ----

/** The `POST dossiers/{id}/invoices` body (InvoiceServiceData, unwrapped as the Ruby client sends it). */
export function invoiceBody(draft: DocumentDraft, where: { bookyearId: string; journal: string }): Record<string, unknown> {
  const body: Record<string, unknown> = {
    bookyearKey: { id: asNumber(where.bookyearId) ?? where.bookyearId },
    journalKey: where.journal,
    documentDate: draft.date,
    currencyCode: 'EUR',
    exchangeRate: 1,
    relationIdentificationServiceData: { relationKey: { id: asNumber(draft.customer.externalId) ?? draft.customer.externalId } },
    comment: commentWithReference(draft.memo, draft.reference),
    invoiceLines: draft.lines.map(invoiceLine),
  };
  if (draft.paymentReference) body.reference = draft.paymentReference;
  return body;
}

/** The memo (SPEC §14.19) in "Opmerkingen", with our reference as its last line. */
export function commentWithReference(memo: string | null, reference: string): string {
  return [memo?.trim() ?? '', `${REFERENCE_LABEL} ${reference}`].filter(Boolean).join('\n');
}

function carriesReference(invoice: RawRecord, reference: string): boolean {
  const comment = asText(invoice.comment);
  if (!comment) return false;
  return comment.split(/\r?\n/).some((line) => line.trim() === `${REFERENCE_LABEL} ${reference}`);
}

function invoiceLine(line: DocumentLine): Record<string, unknown> {
  // A text line has no product, quantity or price in Simon; 0 × 0 keeps it out of the total.
  if (line.kind === 'text') return { description: line.description, count: 0, unitPrice: 0 };
  return {
    externProductNr: line.articleCode,
    description: line.description,
    count: line.quantity,
    // No price on the work order: Octopus takes the product's own sales price (UNCONFIRMED, as the fake does).
    ...(line.unitPrice !== null ? { unitPrice: Number(line.unitPrice) } : {}),
  };
}

// ---- small readers ----

function relationIdOf(r: RawRecord): string {
  const ident = r.relationIdentificationServiceData as RawRecord | undefined;
  return asText((ident?.relationKey as RawRecord | undefined)?.id) ?? asText((r.relationKey as RawRecord | undefined)?.id) ?? '';
}

function dossierIdOf(d: RawRecord): string {
  return asText((d.dossierKey as RawRecord | undefined)?.id) ?? asText(d.dossierId) ?? '';
}

function bookyearIdOf(b: RawRecord): string | null {
  return asText((b.bookyearKey as RawRecord | undefined)?.id);
}

/** The open (not closed) book year that contains `date` (YYYY-MM-DD); null when there is none. */
export function openBookyear(years: RawRecord[], date: string): RawRecord | null {
  return (
    years.find((b) => {
      if (asBool(b.closed, false)) return false;
      const start = (asText(b.startDate) ?? '').slice(0, 10);
      const end = (asText(b.endDate) ?? '').slice(0, 10);
      return start !== '' && end !== '' && start <= date && date <= end;
    }) ?? null
  );
}

function recordId(record: RawRecord, listing: 'relations' | 'products' | 'productgroups'): string {
  if (listing === 'relations') return relationIdOf(record);
  if (listing === 'products') return mapProduct(record).externalId;
  return mapProductGroup(record).externalId;
}

function hasStatus(err: unknown, status: number): boolean {
  return err instanceof ProviderError && err.status === status;
}

/** Reason phrases and gateway pages: a server fault, not Octopus refusing our data. */
function isGenericServerText(text: string): boolean {
  return text.trim() === '' || /internal server error|bad gateway|service unavailable|gateway time-?out|^error \d+$/i.test(text);
}

/**
 * Lists are JSON arrays. Never read an unexpected answer as "no records": the cleanup would then delete everything.
 */
function asRecordList(body: unknown, operation: string): RawRecord[] {
  if (body === null || body === '') return [];
  if (Array.isArray(body)) return body.filter((r): r is RawRecord => !!r && typeof r === 'object');
  throw new ProviderError({
    kind: 'unavailable',
    provider: OCTOPUS,
    operation,
    providerMessage: typeof body === 'string' ? body.slice(0, 200) : '',
    message: describeProviderError('unavailable', { provider: OCTOPUS, lead: texts.unexpectedAnswer }),
  });
}

/** Octopus error bodies: `{errorCode, errorMessage, technicalInfo}`; only the message is for people. */
export function octopusErrorMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as RawRecord;
    return asText(o.errorMessage) ?? asText(o.message) ?? null;
  }
  return typeof body === 'string' ? body : null;
}
