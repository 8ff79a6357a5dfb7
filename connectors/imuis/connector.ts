import type { z } from 'zod';
import { credentialLabel } from '../../lib/credentials.js';
import { checkErrors, connectorTexts, imuisTexts as texts } from '../../lib/messages.js';
import type { FieldCheck, Settings } from '../../lib/settings.js';
import { MAX_OPTIONS, checkArticleSettings, filledArticleFields, matchesTerm, parseRecord, unexpectedAnswer } from '../kit.js';
import type { Connector, ConnectorContext, ListRequest, OptionItem, Page } from '../types.js';
import { readCredentials } from '../credentials.js';
import { asText } from '../values.js';
import { articleBlocked, articlePrice, groupBlocked, mapArticle, mapArticleGroup, mapDebtor } from './mappers.js';
import {
  amsterdamDate, containsPattern, fingerprint, highWaterMark, isObject, pageIsShort, parseCursor, selectionXml, sinceDate,
  unsafeCondition, type Condition, type Position, type Selection,
} from './protocol.js';
import { createOrders } from './orders.js';
import { createQuoteReader, type KeysetSpec } from './quotes.js';
import { articleGroupSchema, articleSchema, debtorSchema, fieldsOf, metadataSchema, type ArticleGroupRow, type ArticleRow } from './schemas.js';
import { IMUIS, createImuisTransport, imuisFailure } from './transport.js';
import type { XmlValue } from './xml.js';

export { API_PATH, IDLE_RELOGIN_MS, IMUIS } from './transport.js';

/**
 * iMuis Online "cloudswitch" (docs/providers/imuis.md): the form-POST transport and its sessions are in
 * transport.ts, the wire rules in protocol.ts, the records in schemas.ts and mappers.ts, the quotes in quotes.ts, the
 * sales orders in orders.ts.
 *
 * - Listings are ordered by NR and paged by key (`NR > last`, one row more than served tells the last page); every
 *   page is checked against the RECORDCOUNT iMuis announces, so a short page is an error, never the end, and a
 *   cleanup never sees a cut listing as complete. Change tracking is the `MUTDATE_VA` filter (a day).
 * - The article-group filter of the settings is matched on group names, exactly: groups outside it and their
 *   articles are listed inactive, and the mark carries the filter, so a changed filter lists everything once.
 * - A work order becomes one open sales order (`CREATEVERKOOPORDER`), found again by its KENM and debtor (orders.ts).
 */

export const DEFAULT_PAGE_SIZE = 500;
/** Change tracking is by day: a worker clock ahead of iMuis's must not skip changes made just before midnight. */
const CLOCK_MARGIN_MS = 60 * 60_000;

export interface ImuisConnectorOptions {
  /** The integrator's partner key (configuration, not a tenant secret). */
  partnerKey: string;
  pageSize?: number;
  /** The settings' article-group filter: group names, exact and case-sensitive; empty = all. */
  articleGroupFilter?: readonly string[];
  /** For tests: the clock that dates a listing and measures idle sessions. */
  now?: () => Date;
}

export interface ImuisConnector extends Connector {
  readonly provider: 'imuis';
}

/** Every selection carries a WHERE (docs U5): these select everything. */
const ALL_NUMBERS: Condition = { field: 'NR', op: '>=', value: '0' };
const ALL_CODES: Condition = { field: 'NR', op: 'LIKE', value: '%' };

export function createImuisConnector(ctx: ConnectorContext, opts: ImuisConnectorOptions): ImuisConnector {
  const credentials = readCredentials('imuis', ctx.credentials, () => imuisFailure('auth', 'ACTIE=LOGIN', { lead: texts.missingEnvironmentCode }));
  const pageSize = Math.max(1, opts.pageSize ?? DEFAULT_PAGE_SIZE);
  const filter = [...new Set(opts.articleGroupFilter ?? [])];
  const filterTag = filter.length > 0 ? fingerprint(filter) : null;
  const inFilter = (name: string | null | undefined) => filter.length === 0 || (typeof name === 'string' && filter.includes(name));
  const clock = opts.now ?? (() => new Date());
  const transport = createImuisTransport(ctx, { partnerKey: opts.partnerKey.trim(), credentials, clock });

  /** The answer of a selection as it came: the container holding METADATA and DATA (any root name), or null. */
  function container(root: XmlValue): Record<string, XmlValue> | null {
    if (isObject(root) && root.METADATA !== undefined) return root;
    const inner = isObject(root) ? root.NewDataSet : undefined;
    return isObject(inner) && inner.METADATA !== undefined ? inner : null;
  }

  /** GETSTAMTABELRECORDS: the raw answer (the quote probe reads it itself). */
  async function selectRaw(sel: Selection): Promise<XmlValue> {
    const operation = `ACTIE=GETSTAMTABELRECORDS (${sel.table})`;
    const bad = unsafeCondition(sel.where);
    if (bad) throw imuisFailure('validation', operation, { lead: texts.badValue(bad.field) });
    return transport.call('GETSTAMTABELRECORDS', { field: 'SELECTIE', xml: selectionXml(sel) }, operation);
  }

  /** GETSTAMTABELRECORDS: the rows of one page, parsed at the edge, and what iMuis announced. */
  async function select<S extends z.ZodObject>(sel: Selection, schema: S): Promise<{ rows: z.infer<S>[]; recordCount: number }> {
    const operation = `ACTIE=GETSTAMTABELRECORDS (${sel.table})`;
    const answer = container(await selectRaw(sel));
    // Never read an unexpected answer as "no records": the cleanup would then remove everything.
    if (!answer) throw unexpectedAnswer(IMUIS, operation, '');
    const meta = parseRecord(ctx, IMUIS, operation, metadataSchema, answer.METADATA);
    const data = answer.DATA ?? [];
    const rows = (Array.isArray(data) ? data : [data]).map((r) => parseRecord(ctx, IMUIS, operation, schema, r));
    const recordCount = Number(meta.RECORDCOUNT);
    if (pageIsShort(rows.length, { recordCount, pageSize: sel.pageSize, page: sel.page ?? 1, maxResult: sel.maxResult ?? 0 })) {
      throw imuisFailure('unavailable', operation, { lead: texts.shortPage(sel.table, rows.length, recordCount) });
    }
    return { rows, recordCount };
  }

  /** One page of a listing ordered and paged by NR (see the module comment). */
  async function keysetPage<S extends z.ZodObject, T>(spec: KeysetSpec<S, T>, req: ListRequest): Promise<Page<T>> {
    const size = Math.max(1, req.pageSize ?? spec.size ?? pageSize);
    const pos: Position = req.cursor === null
      ? { s: amsterdamDate(new Date(clock().getTime() - CLOCK_MARGIN_MS)), a: null, g: spec.tag }
      : parseCursor(req.cursor, connectorTexts.badCursor);
    const { rows: fetched } = await select(
      {
        table: spec.table,
        fields: spec.fields ?? fieldsOf(spec.schema),
        where: [pos.a !== null ? { field: 'NR', op: '>', value: pos.a } : spec.all],
        mutatedFrom: sinceDate(req.since, spec.tag),
        orderBy: 'NR',
        pageSize: size + 1,
      },
      spec.schema,
    );
    const last = fetched.length <= size;
    const rows = last ? fetched : fetched.slice(0, size);
    return {
      records: await spec.map(rows),
      nextCursor: last ? null : JSON.stringify({ s: pos.s, a: (rows.at(-1) as { NR: string }).NR, g: pos.g } satisfies Position),
      ...(last ? { highWaterMark: highWaterMark(pos.s, pos.g) } : {}),
    };
  }

  /** Every article group (a small table), for the filter and the pick-list; once per connector instance. */
  let groupsPending: Promise<ArticleGroupRow[]> | null = null;
  function allGroups(): Promise<ArticleGroupRow[]> {
    groupsPending ??= (async () => {
      const out: ArticleGroupRow[] = [];
      for (let after: string | null = null; ;) {
        const where: Condition = after === null ? ALL_NUMBERS : { field: 'NR', op: '>', value: after };
        const { rows } = await select({ table: 'ARTGRP', fields: fieldsOf(articleGroupSchema), where: [where], orderBy: 'NR', pageSize }, articleGroupSchema);
        out.push(...rows);
        // A page is never short (select checks it against RECORDCOUNT), so fewer rows than asked is the end.
        if (rows.length < pageSize) return out;
        after = rows[rows.length - 1].NR;
      }
    })();
    groupsPending.catch(() => {
      groupsPending = null;
    });
    return groupsPending;
  }

  async function groupNames(): Promise<Map<string, string>> {
    return new Map((await allGroups()).map((g) => [g.NR, g.OMSCHR ?? '']));
  }

  async function findArticle(code: string): Promise<ArticleRow | undefined> {
    const { rows } = await select({ table: 'ART', fields: fieldsOf(articleSchema), where: [{ field: 'NR', op: '=', value: code }], orderBy: 'NR', pageSize: 10 }, articleSchema);
    // The server may compare case-insensitively; the code in the settings must match exactly.
    return rows.find((r) => r.NR === code);
  }

  const quotes = createQuoteReader({ select, selectRaw, container, keysetPage });
  const orders = createOrders({ transport, select, findArticle, pageSize });

  return {
    provider: 'imuis',
    changeTracking: 'modified-since',

    async verifyConnection() {
      await transport.verify();
      return { label: credentialLabel(credentials.get()) };
    },

    listArticleGroups(req) {
      return keysetPage({ table: 'ARTGRP', schema: articleGroupSchema, all: ALL_NUMBERS, tag: filterTag, map: (rows) => rows.map((r) => mapArticleGroup(r, inFilter(r.OMSCHR))) }, req);
    },

    listArticles(req) {
      return keysetPage(
        {
          table: 'ART', schema: articleSchema, all: ALL_CODES, tag: filterTag,
          map: async (rows) => {
            if (filter.length === 0) return rows.map((r) => mapArticle(r, true));
            const groups = await groupNames();
            return rows.map((r) => mapArticle(r, inFilter(groups.get(r.ARTGRP ?? ''))));
          },
        },
        req,
      );
    },

    listCustomers(req) {
      const today = amsterdamDate(clock());
      return keysetPage({ table: 'DEB', schema: debtorSchema, all: ALL_NUMBERS, tag: null, map: (rows) => rows.map((r) => mapDebtor(r, today)) }, req);
    },

    listQuotes: (req) => quotes.list(req),

    async checkSettings(settings: Settings): Promise<FieldCheck[]> {
      const groupFilter = settings.provider === 'imuis' ? [...new Set(settings.articleGroupFilter)] : [];
      const groups = filledArticleFields(settings).length > 0 || groupFilter.length > 0 ? await allGroups() : [];
      const groupName = new Map(groups.map((g) => [g.NR, g.OMSCHR ?? '']));
      const checks = await checkArticleSettings(IMUIS, settings, async (codes) => {
        const found = new Map<string, Record<string, unknown> | { error: string }>();
        for (const code of codes) {
          const article = await findArticle(code);
          if (!article) continue;
          const group = groupName.get(article.ARTGRP ?? '') ?? null;
          if (articleBlocked(article)) found.set(code, { error: checkErrors.articleBlocked('imuis') });
          else if (groupFilter.length > 0 && (group === null || !groupFilter.includes(group))) found.set(code, { error: checkErrors.articleOutsideGroupFilter(group) });
          else found.set(code, { code: article.NR, name: asText(article.OMSCHR), searchKey: asText(article.ZKSL), group, price: articlePrice(article) });
        }
        return found;
      });
      if (groupFilter.length > 0) {
        const names = new Set(groups.map((g) => g.OMSCHR ?? ''));
        const unknown = groupFilter.filter((name) => !names.has(name));
        checks.push(
          unknown.length === 0
            ? { field: 'articleGroupFilter', ok: true, found: { groups: groupFilter }, message: checkErrors.articleGroupFilterChecked() }
            : { field: 'articleGroupFilter', ok: false, error: unknown.map((g) => checkErrors.articleGroupUnknown('imuis', g)).join('; ') },
        );
      }
      return checks;
    },

    async options(list: string, q: string | null): Promise<OptionItem[]> {
      const term = (q ?? '').trim();
      if (list === 'articleGroups') {
        return (await allGroups())
          .filter((g) => !groupBlocked(g) && matchesTerm(term, g.NR, g.OMSCHR, g.ZKSL))
          .slice(0, MAX_OPTIONS)
          // The filter holds group names (manual §5.4), so the name is the id.
          .map((g) => ({ id: g.OMSCHR ?? '', name: g.OMSCHR ?? '', code: g.NR, searchKey: asText(g.ZKSL) }));
      }
      if (list === 'articles') {
        const notBlocked: Condition = { field: 'BLOK', op: '=', value: 'N' };
        const search = (where: Selection['where']) =>
          select({ table: 'ART', fields: fieldsOf(articleSchema), where, orderBy: 'NR', pageSize: MAX_OPTIONS, maxResult: MAX_OPTIONS }, articleSchema).then((r) => r.rows);
        // OR across fields is one WHEREFIELD entry with an unconfirmed separator (docs U11): three calls instead.
        const searches = term ? ['NR', 'ZKSL', 'OMSCHR'].map((field) => search([{ field, op: 'LIKE', value: containsPattern(term) }, notBlocked])) : [search([notBlocked])];
        const [found, groups] = await Promise.all([Promise.all(searches), groupNames()]);
        const byCode = new Map<string, ArticleRow>();
        for (const r of found.flat()) if (!byCode.has(r.NR) && !articleBlocked(r) && matchesTerm(term, r.NR, r.ZKSL, r.OMSCHR)) byCode.set(r.NR, r);
        return [...byCode.values()]
          .sort((a, b) => (a.NR < b.NR ? -1 : a.NR > b.NR ? 1 : 0))
          .slice(0, MAX_OPTIONS)
          .map((r) => ({ id: r.NR, name: asText(r.OMSCHR) ?? '', code: r.NR, searchKey: asText(r.ZKSL), group: groups.get(r.ARTGRP ?? '') ?? null, price: articlePrice(r) }));
      }
      throw new Error(texts.unknownList(list));
    },

    createDocument: (draft) => orders.create(draft),
    previewDocument: (draft) => orders.preview(draft),

    // docs/exactly-once.md: iMuis does not refuse a second order with our KENM.
    documentIdentity: { uniqueReference: false },
    findDocument: (lookup) => orders.find(lookup),
    listDocuments: (since, known) => orders.list(since, known ?? { documentNumbers: [], references: [] }),
  };
}

