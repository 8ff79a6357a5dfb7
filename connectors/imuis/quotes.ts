import type { z } from 'zod';
import { ProviderError } from '../../lib/errors.js';
import { imuisTexts as texts } from '../../lib/messages.js';
import { unexpectedAnswer } from '../kit.js';
import type { ExternalQuote, ListRequest, Page } from '../types.js';
import { mapQuote } from './mappers.js';
import { namesField, type Condition, type Selection } from './protocol.js';
import { fieldsOf, metadataSchema, quoteLineSchema, quoteSchema, type QuoteLineRow, type QuoteRow } from './schemas.js';
import { IMUIS, imuisFailure } from './transport.js';
import type { XmlValue } from './xml.js';

/**
 * Quotes (OFFKOP/OFFRG), whose reading is UNCONFIRMED (docs/providers/imuis.md §7), so it fails safe:
 * - every connector probes both tables first; when iMuis refuses them (or answers without METADATA), the run ends
 *   with one clear error and imports nothing. An optional header field it refuses (OMSCHR, OPM, DAT) is left out,
 *   and the first line's description stands in for the quote's.
 * - a quote comes with all its lines or not at all: the lines of every quote on a page are read (and counted
 *   against RECORDCOUNT) before the page is handed over, so a failure hands over none of them.
 */

export const QUOTE_PAGE_SIZE = 25;
const LINE_PAGE_SIZE = 500;
/** Line reads per page run a few at a time: a page must finish well within the activity's heartbeat timeout. */
const CONCURRENCY = 5;
const OPTIONAL_HEAD = ['OMSCHR', 'OPM', 'DAT'];
const LINE_FIELDS = fieldsOf(quoteLineSchema);
const ALL: Condition = { field: 'NR', op: '>=', value: '0' };

export type SelectFn = <S extends z.ZodObject>(sel: Selection, schema: S) => Promise<{ rows: z.infer<S>[]; recordCount: number }>;

export interface KeysetSpec<S extends z.ZodObject, T> {
  table: string;
  schema: S;
  fields?: string[];
  all: Condition;
  tag: string | null;
  size?: number;
  map: (rows: z.infer<S>[]) => Promise<T[]> | T[];
}

export interface QuoteDeps {
  select: SelectFn;
  selectRaw: (sel: Selection) => Promise<XmlValue>;
  container: (root: XmlValue) => Record<string, XmlValue> | null;
  keysetPage: <S extends z.ZodObject, T>(spec: KeysetSpec<S, T>, req: ListRequest) => Promise<Page<T>>;
}

const OPERATION = 'ACTIE=GETSTAMTABELRECORDS (OFFKOP)';

/** The run's one error (non-retryable, so it is logged once and nothing is imported). */
function unreadable(providerMessage: string | null): ProviderError {
  return imuisFailure('validation', OPERATION, { providerMessage: texts.quotesUnreadable(providerMessage) });
}

export function createQuoteReader(deps: QuoteDeps) {
  /** null when the table answered like a table; otherwise what iMuis said ('' for an answer of another shape). */
  async function refusal(table: string, fields: string[], schema: z.ZodObject, key: string): Promise<string | null> {
    let root: XmlValue;
    try {
      root = await deps.selectRaw({ table, fields, where: [{ field: key, op: '>=', value: '0' }], orderBy: key, pageSize: 1 });
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'validation') return err.providerMessage;
      throw err;
    }
    const answer = deps.container(root);
    if (!answer || !metadataSchema.safeParse(answer.METADATA).success) return '';
    const rows = answer.DATA === undefined ? [] : Array.isArray(answer.DATA) ? answer.DATA : [answer.DATA];
    return rows.every((r) => schema.safeParse(r).success) ? null : '';
  }

  /** The header fields iMuis accepts; throws the run's error when the quote tables cannot be read. */
  async function probe(): Promise<string[]> {
    let head = fieldsOf(quoteSchema);
    for (;;) {
      const said = await refusal('OFFKOP', head, quoteSchema, 'NR');
      if (said === null) break;
      const dropped = OPTIONAL_HEAD.find((f) => head.includes(f) && namesField(said, f));
      if (!dropped) throw unreadable(said);
      head = head.filter((f) => f !== dropped);
    }
    const said = await refusal('OFFRG', LINE_FIELDS, quoteLineSchema, 'OFFNR');
    if (said !== null) throw unreadable(said);
    return head;
  }

  /** Every line of one quote, or a failure. */
  async function linesOf(nr: string): Promise<QuoteLineRow[]> {
    const lines: QuoteLineRow[] = [];
    for (let page = 1; ; page++) {
      const { rows, recordCount } = await deps.select(
        { table: 'OFFRG', fields: LINE_FIELDS, where: [{ field: 'OFFNR', op: '=', value: nr }], orderBy: 'RG', pageSize: LINE_PAGE_SIZE, page },
        quoteLineSchema,
      );
      if (rows.some((r) => Number(r.OFFNR) !== Number(nr))) throw unexpectedAnswer(IMUIS, 'ACTIE=GETSTAMTABELRECORDS (OFFRG)', '');
      lines.push(...rows);
      if (lines.length >= recordCount || rows.length < LINE_PAGE_SIZE) return lines;
    }
  }

  async function withLines(heads: QuoteRow[]): Promise<ExternalQuote[]> {
    const lines: QuoteLineRow[][] = [];
    for (let i = 0; i < heads.length; i += CONCURRENCY) {
      lines.push(...(await Promise.all(heads.slice(i, i + CONCURRENCY).map((h) => linesOf(h.NR)))));
    }
    return heads.map((h, i) => mapQuote(h, lines[i]));
  }

  let headFields: Promise<string[]> | null = null;

  return {
    async list(req: ListRequest): Promise<Page<ExternalQuote>> {
      headFields ??= probe();
      headFields.catch(() => {
        headFields = null;
      });
      const fields = await headFields;
      try {
        // Quotes are imported once each, so every run lists them all (since is ignored).
        return await deps.keysetPage(
          { table: 'OFFKOP', schema: quoteSchema, fields, all: ALL, tag: null, size: QUOTE_PAGE_SIZE, map: withLines },
          { ...req, since: null },
        );
      } catch (err) {
        if (err instanceof ProviderError && err.kind === 'validation') throw unreadable(err.providerMessage);
        throw err;
      }
    },
  };
}
