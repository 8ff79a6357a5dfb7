import { createHash } from 'node:crypto';
import { toXml, type XmlObject, type XmlValue } from './xml.js';
import { imuisWireTexts } from '../../lib/messages.js';

/**
 * The cloudswitch's wire rules, pure (docs/providers/imuis.md §3–§5): selections, WHERE conditions, dates, error
 * answers, and the cursor and high-water mark of a listing.
 */

// ---------------------------------------------------------------- selections (GETSTAMTABELRECORDS)

/** The only WHERE operators iMuis has (docs §4): there is no `<>`, `!=`, `NOT LIKE` or `IN`. */
export type Operator = '=' | '>' | '>=' | '<' | '<=' | 'LIKE';

export interface Condition {
  field: string;
  op: Operator;
  value: string;
}

export interface Selection {
  table: string;
  fields: readonly string[];
  /** Every selection carries a WHERE: every live client sends one, an empty one is unconfirmed (docs U5). */
  where: readonly [Condition, ...Condition[]];
  /** `YYYY-MM-DD`: only records changed on or after this day (MUTDATE_VA). */
  mutatedFrom?: string | null;
  orderBy: string;
  pageSize: number;
  page?: number;
  /** Overall cap on the rows (0 = none). */
  maxResult?: number;
}

/** A value the TAB-separated WHERE lists cannot carry (it would shift the lists); null when all are fine. */
export function unsafeCondition(where: readonly Condition[]): Condition | null {
  return where.find((c) => /[\t\r\n]/.test(c.value)) ?? null;
}

/** The SELECTIE payload: select fields `;`-separated, the three WHERE lists TAB-separated and AND-ed (docs §3.1). */
export function selectionXml(sel: Selection): string {
  return toXml({
    NewDataSet: {
      Table1: {
        TABLE: sel.table,
        SELECTFIELDS: sel.fields.join(';'),
        WHEREFIELDS: sel.where.map((w) => w.field).join('\t'),
        WHEREOPERATORS: sel.where.map((w) => w.op).join('\t'),
        WHEREVALUES: sel.where.map((w) => w.value).join('\t'),
        MUTDATE_VA: sel.mutatedFrom ? mutDate(sel.mutatedFrom) : undefined,
        ORDERBY: sel.orderBy,
        MAXRESULT: sel.maxResult ?? 0,
        PAGESIZE: sel.pageSize,
        SELECTPAGE: sel.page ?? 1,
      },
    },
  });
}

/**
 * "Contains" as a LIKE pattern. `%`, `_` and `[` in the term are escaped the SQL Server way (`[%]`, `[_]`, `[[]`),
 * so they match themselves; TAB and line breaks become spaces (docs §4).
 */
export function containsPattern(term: string): string {
  const escaped = term.replace(/[\t\r\n]+/g, ' ').trim().replace(/[[%_]/g, (c) => `[${c}]`);
  return `%${escaped}%`;
}

/**
 * Whether a page is cut off. `RECORDCOUNT` counts what the WHERE matched (docs U15): a page with fewer rows than
 * announced for it (and than asked) is cut off (S10 saw empty pages mid-listing), never the end of the listing.
 */
export function pageIsShort(rows: number, p: { recordCount: number; pageSize: number; page: number; maxResult: number }): boolean {
  const total = p.maxResult > 0 ? Math.min(p.recordCount, p.maxResult) : p.recordCount;
  const expected = Math.max(0, Math.min(p.pageSize, total - (p.page - 1) * p.pageSize));
  return rows < expected;
}

// ---------------------------------------------------------------- answers

/** Row elements: a field in a row is never read as an error or a number of the answer. */
const ROW_KEYS = new Set(['DATA', 'ORDKOP', 'ORDRG', 'OFFKOP', 'OFFRG']);

export function isObject(v: XmlValue | undefined): v is XmlObject {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** The text of an element: its own text, the first of a repeated one, or '' for one with children. */
export function textOf(v: XmlValue | undefined): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return textOf(v[0]);
  const t = v?.['#text'];
  return typeof t === 'string' ? t : '';
}

/** Every element outside the rows, depth first, with its name. */
function* elements(v: XmlValue): Generator<[string, XmlValue]> {
  if (typeof v === 'string') return;
  if (Array.isArray(v)) {
    for (const x of v) yield* elements(x);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (ROW_KEYS.has(k)) continue;
    yield [k, x];
    yield* elements(x);
  }
}

/** The first element outside the rows named `name` (case-insensitive). */
export function findOutsideRows(root: XmlValue, name: string): XmlValue | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of elements(root)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * The provider's error text in an answer, or null: `ERROR/MESSAGE` (form transport), or a `…Result` of false with
 * its `Foutmelding` (SOAP); any non-empty Foutmelding counts, as go-imuis reads it (docs §5).
 */
export function imuisError(root: XmlValue): string | null {
  const error = findOutsideRows(root, 'ERROR');
  if (error !== undefined) {
    const message = isObject(error) ? textOf(findOutsideRows(error, 'MESSAGE')) || textOf(error) : textOf(error);
    return message.trim() || imuisWireTexts.unknownError;
  }
  const foutmelding = textOf(findOutsideRows(root, 'Foutmelding')).trim();
  for (const [k, v] of elements(root)) {
    if (/result$/i.test(k) && textOf(v).trim().toLowerCase() === 'false') return foutmelding || imuisWireTexts.unknownError;
  }
  return foutmelding || null;
}

/** UNCONFIRMED wording (docs U3): iMuis's text for an ended session is not in any source. */
export const isSessionError = (message: string): boolean => /sessie|session/i.test(message);

/** Texts that a later attempt may fix; everything else is a rejection that needs a person. */
export const isTransientError = (message: string): boolean =>
  /time-?out|tijdelijk|niet beschikbaar|bezet|overbelast|probeer (het )?later|deadlock|onderhoud/i.test(message);

/** Whether a refusal names this field (as a word), e.g. "Veld 'OMSCHR' bestaat niet in tabel OFFKOP". */
export const namesField = (message: string, field: string): boolean => new RegExp(`(^|[^A-Z0-9_])${field}([^A-Z0-9_]|$)`, 'i').test(message);

// ---------------------------------------------------------------- dates

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` in the Netherlands: iMuis dates are local dates. */
export function amsterdamDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `2026-11-23` → `23-11-2026` (MUTDATE_VA, the docs' example `01-01-2016`). */
export function mutDate(iso: string): string {
  const m = isoDate.exec(iso);
  if (!m) throw new Error(imuisWireTexts.notADate(iso));
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/** `2026-11-23` → `23/11/2026`: ORDKOP.DAT as d/m/Y on the form transport (docs §3.7, U4). */
export function orderDate(iso: string): string {
  const m = isoDate.exec(iso.slice(0, 10));
  if (!m) throw new Error(imuisWireTexts.notADate(iso));
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/** A date as iMuis answers it (`08-10-2024`, also `8/10/2024` or ISO) as `YYYY-MM-DD`; null when it is none. */
export function readDate(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  if (iso) return realDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/.exec(t);
  return dmy ? realDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1])) : null;
}

function realDate(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- listing positions

/** A short stable fingerprint of the article-group filter, carried in the mark. */
export function fingerprint(values: readonly string[]): string {
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

export interface Position {
  /** The listing's start date (`YYYY-MM-DD`). */
  s: string;
  /** The last key served. */
  a: string | null;
  /** The filter the listing started under. */
  g: string | null;
}

/** A listing cursor; anything else is a programming error. */
export function parseCursor(cursor: string, badCursor: (c: string) => string): Position {
  try {
    const p = JSON.parse(cursor) as Position;
    if (typeof p.s === 'string' && isoDate.test(p.s) && (p.a === null || typeof p.a === 'string') && (p.g === null || typeof p.g === 'string')) return p;
  } catch {
    /* falls through */
  }
  throw new Error(badCursor(cursor));
}
