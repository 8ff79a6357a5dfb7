import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { checkErrors, octopusTexts as texts } from '../../lib/messages.js';
import { formatOctopusTimestamp } from '../../lib/octopus-time.js';
import type { FieldCheck, Settings, SettingsOf } from '../../lib/settings.js';
import type { HttpRequest } from '../http.js';
import {
  checkArticleSettings, hasStatus, MAX_OPTIONS, matchesTerm, parseRecord, recordList, termsCheck, unexpectedAnswer,
} from '../kit.js';
import type { Connector, ConnectorContext, ExternalArticle, ExternalArticleGroup, ExternalCustomer, OptionItem } from '../types.js';
import { asBool, asText, compareIds } from '../values.js';
import { readCredentials } from '../credentials.js';
import { sharedCaches, type OctopusCaches } from './caches.js';
import { OCTOPUS, octopusFailure } from './errors.js';
import { octopusSession } from './session.js';
import { invoiceOperations, MODIFIED_OVERLAP_MS } from './invoices.js';
import { listingPages } from './listings.js';
import { deletedRelation, deletedRelationId, documentIdOf, isSalesJournal, mapProduct, mapProductGroup, mapRelation, openBookyear, productTerms, readPlan, relationIdOf, type ProductTerms } from './mappers.js';
import { bookyearSchema, dossierSchema, journalSchema, productGroupSchema, productSchema, relationSchema, type OctopusBookyear, type OctopusJournal, type OctopusRelation } from './schemas.js';

/**
 * Octopus REST API (docs/providers/octopus.md): the session and dossier tokens in session.ts, errors in errors.ts.
 * Lists are plain arrays without paging: one download per listing, served in slices (listings.ts) and shared through
 * the worker's caches (caches.ts), because Octopus allows some listings only twice a day (§4). Relations have change
 * tracking (`relations/modified`, with deletions); products and groups are listed in full. Sales invoices with their
 * planned key: invoices.ts.
 */

export { OCTOPUS, octopusErrorMessage } from './errors.js';
export { DEFAULT_PAGE_SIZE } from './listings.js';
export { TOKEN_LIFETIME_MS } from './session.js';
export { MODIFIED_OVERLAP_MS } from './invoices.js';
/** How long a download is shared when the configuration does not say (OCTOPUS_LISTING_REUSE). */
export const DEFAULT_LISTING_REUSE_MS = 10 * 60_000;

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
  const credentials = readCredentials('octopus', ctx.credentials, () => octopusFailure('auth', texts.missingCredentials));
  const softwareHouseUuid = ctx.config?.softwareHouseUuid ?? '';
  const reuseMs = ctx.config?.listingReuseMs !== undefined ? Number(ctx.config.listingReuseMs) : DEFAULT_LISTING_REUSE_MS;
  const caches = opts.caches ?? sharedCaches;
  const now = caches.now;
  const settings: OctopusSettings | null = ctx.settings?.provider === 'octopus' ? ctx.settings : null;
  // The password only as a hash, so no key holds a secret.
  const { username = '', password = '' } = credentials.value ?? {};
  const scope = ['octopus', ctx.baseUrl, softwareHouseUuid, username, createHash('sha256').update(password).digest('hex')].join('|');
  const { http, cookieHeader, withSession, inDossier } = octopusSession({ ctx, caches, scope, credentials, softwareHouseUuid });

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

  const { downloaded, page } = listingPages(caches, reuseMs);

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
      return { label: credentials.get().username };
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
    previewDocument: (draft) => invoices.preview(draft),
    findDocument: (lookup) => invoices.find(lookup),
    // docs/providers/octopus.md §8: matched on the planned key; a copy by its fingerprint (lib/reconcile.ts).
    listDocuments: (since) => invoices.listRecent(since),
    plannedDocument: (plan) => {
      const p = readPlan(plan);
      return p ? { documentId: documentIdOf(p), customerExternalId: p.relationId } : null;
    },
  };
}

