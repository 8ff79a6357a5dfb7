import type { FakeImuisState } from './state.js';
import { fieldsOf, parseRequestXml, recordsOf, type XmlOutObject } from './xml.js';

/**
 * GETSTAMTABELRECORDS as the docs and live clients show it (docs/providers/imuis.md §3.1, §4): the tables with their
 * real field names and types, WHERE lists TAB-separated and AND-ed with the operators `= > >= < <= LIKE` only, select
 * fields `;`- or TAB-separated (or `*`), MUTDATE_VA as `dd-mm-jjjj`, and an answer with METADATA (RECORDCOUNT,
 * TOTALPAGES) and one DATA per row. Text compares and sorts like SQL Server's default collation: case-insensitive,
 * trailing spaces ignored. What the connector must never rely on is refused: a selection without WHERE, a WHERE
 * mixing number and text fields (a server bug S13 reports), unknown tables, fields and tags.
 */

type Kind = 'int' | 'decimal' | 'money' | 'text' | 'bool' | 'date';
type Cell = string | number | null;
export type Row = Record<string, Cell>;

interface TableDef {
  columns: Record<string, Kind>;
  rows(state: FakeImuisState): { row: Row; mutated: string }[];
}

const isoToDmy = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}` : iso);
/** ORDKOP.DAT is sent as d/m/Y; answers carry dates as dd-mm-jjjj. */
const dmySlashToDash = (d: string) => d.replace(/^(\d{2})\/(\d{2})\/(\d{4})$/, '$1-$2-$3');

export const tables: Record<string, TableDef> = {
  DEB: {
    columns: {
      NR: 'int', ZKSL: 'text', NAAM: 'text', NAAM2: 'text', ADRES: 'text', STRAAT: 'text', HNR: 'int', HNRTV: 'text', POSTCD: 'text', PLAATS: 'text',
      LAND: 'text', EMAIL: 'text', TEL: 'text', MOBIEL: 'text', BLOK: 'bool', BLOKVRKVA: 'date', OPM: 'text', ORDSRT: 'text',
    },
    rows: (s) => s.debtors.map(({ mutated, ...d }) => ({ row: { ...d, NAAM2: '', STRAAT: '', HNR: null, HNRTV: '', MOBIEL: '', OPM: '', ORDSRT: '' }, mutated })),
  },
  ART: {
    columns: {
      NR: 'text', ZKSL: 'text', OMSCHR: 'text', VERKPR: 'money', VERKPRINCL: 'money', EENHVERK: 'text', EENHPRS: 'decimal', ARTGRP: 'int',
      BLOK: 'bool', BLOKVRK: 'bool', ISTEKSTRG: 'bool', VASTEPRS: 'bool',
    },
    rows: (s) => s.articles.map(({ mutated, ...a }) => ({ row: { ...a, ISTEKSTRG: 'N', VASTEPRS: 'N' }, mutated })),
  },
  ARTGRP: {
    columns: { NR: 'int', OMSCHR: 'text', ZKSL: 'text', BLOK: 'bool' },
    rows: (s) => s.articleGroups.map(({ mutated, ...g }) => ({ row: g, mutated })),
  },
  ORDKOP: {
    columns: { NR: 'int', DEB: 'int', DAT: 'date', KENM: 'text', OPM: 'text', EXTORDNR: 'int', GEBRORDBEV: 'bool', GEFACT: 'bool', BLOK: 'bool' },
    rows: (s) =>
      s.orders.map((o) => ({
        row: { NR: o.NR, DEB: o.DEB, DAT: dmySlashToDash(o.DAT), KENM: o.KENM, OPM: o.OPM, EXTORDNR: null, GEBRORDBEV: o.GEBRORDBEV || 'N', GEFACT: 'N', BLOK: 'N' },
        mutated: o.mutated,
      })),
  },
  ORDRG: {
    columns: { ORDNR: 'int', RG: 'int', ART: 'text', AANT: 'decimal', OMSCHR: 'text', PRS: 'money', EENH: 'text', STATUS: 'text' },
    rows: (s) => s.orders.flatMap((o) => o.lines.map((l) => ({ row: { ORDNR: o.NR, ...l }, mutated: o.mutated }))),
  },
  OFFKOP: {
    columns: { NR: 'int', DEB: 'int', DAT: 'date', OMSCHR: 'text', OPM: 'text', KENM: 'text' },
    rows: (s) => s.offers.map(({ lines: _lines, mutated, ...head }) => ({ row: head, mutated })),
  },
  OFFRG: {
    columns: { OFFNR: 'int', RG: 'int', ART: 'text', AANT: 'decimal', OMSCHR: 'text', PRS: 'money' },
    rows: (s) => s.offers.flatMap((o) => o.lines.map((l) => ({ row: { OFFNR: o.NR, ...l }, mutated: o.mutated }))),
  },
};

const OPERATORS = new Set(['=', '>', '>=', '<', '<=', 'LIKE']);
const SELECTION_TAGS = new Set(['TABLE', 'SELECTFIELDS', 'WHEREFIELDS', 'WHEREOPERATORS', 'WHEREVALUES', 'MUTDATE_VA', 'ORDERBY', 'MAXRESULT', 'PAGESIZE', 'SELECTPAGE', 'PDF_BESTAND']);
const numeric = (k: Kind) => k === 'int' || k === 'decimal' || k === 'money';

/** The table a selection names (for the request counters and fault matching), or null. */
export function tableOfSelection(raw: string | null): string | null {
  const sel = raw ? selectionOf(raw) : null;
  return sel && !('error' in sel) ? (sel.fields.TABLE ?? '').trim().toUpperCase() || null : null;
}

function selectionOf(raw: string): { fields: Record<string, string> } | { error: string } {
  const parsed = parseRequestXml(raw);
  if ('error' in parsed) return { error: `SELECTIE is geen geldige XML: ${parsed.error}` };
  // NewDataSet/Table1 as most clients send it, or the tags flat under the root (Opifer).
  const rows = recordsOf(parsed.content, 'Table1');
  if (rows.length > 1) return { error: 'SELECTIE bevat meer dan één selectie' };
  const { fields, error } = fieldsOf(rows[0] ?? parsed.content);
  return error ? { error } : { fields };
}

export interface SelectionResult {
  error?: string;
  recordCount: number;
  totalPages: number;
  rows: XmlOutObject[];
}

const refuse = (error: string): SelectionResult => ({ error, recordCount: 0, totalPages: 0, rows: [] });

export function selectRecords(raw: string | null, state: FakeImuisState): SelectionResult {
  if (!raw) return refuse('Geen SELECTIE opgegeven');
  const sel = selectionOf(raw);
  if ('error' in sel) return refuse(sel.error);
  const tag = Object.keys(sel.fields).find((t) => !SELECTION_TAGS.has(t));
  if (tag) return refuse(`Onbekend element '${tag}' in SELECTIE`);
  const f = sel.fields;
  const tableName = (f.TABLE ?? '').trim().toUpperCase();
  const def = tables[tableName];
  if (!def || state.unknownTables.includes(tableName)) return refuse(`Tabel '${tableName}' bestaat niet`);
  const hidden = state.unknownFields[tableName] ?? [];
  const kindOf = (field: string): Kind | undefined => (hidden.includes(field) ? undefined : def.columns[field]);
  const unknown = (field: string) => refuse(`Veld '${field}' bestaat niet in tabel ${tableName}`);

  // Select fields are separated by ';' or TAB; a ',' is part of a (then unknown) field name.
  const selectText = (f.SELECTFIELDS ?? '').trim();
  if (!selectText) return refuse('SELECTFIELDS is leeg');
  const selected = selectText === '*' ? Object.keys(def.columns).filter((c) => kindOf(c)) : splitList(selectText).map((s) => s.toUpperCase());
  const badField = selected.find((s) => !kindOf(s));
  if (badField) return unknown(badField);

  const whereFields = (f.WHEREFIELDS ?? '').split('\t').map((s) => s.trim().toUpperCase());
  if (whereFields.every((w) => w === '')) return refuse('Geen selectie (WHEREFIELDS) opgegeven');
  const ops = (f.WHEREOPERATORS ?? '').split('\t').map((s) => s.trim().toUpperCase());
  const values = (f.WHEREVALUES ?? '').split('\t');
  if (ops.length !== whereFields.length || values.length !== whereFields.length) {
    return refuse('WHEREFIELDS, WHEREOPERATORS en WHEREVALUES hebben niet hetzelfde aantal waarden');
  }
  const tests: ((row: Row) => boolean)[] = [];
  for (const [i, field] of whereFields.entries()) {
    const kind = kindOf(field);
    if (!kind) return unknown(field);
    if (!OPERATORS.has(ops[i])) return refuse(`Onbekende operator '${ops[i]}'`);
    const test = condition(field, kind, ops[i], values[i]);
    if (typeof test === 'string') return refuse(test);
    tests.push(test);
  }
  const kinds = whereFields.map((w) => numeric(kindOf(w)!));
  if (kinds.includes(true) && kinds.includes(false)) return refuse('Een selectie op zowel numerieke als tekstvelden wordt niet ondersteund');

  let from: string | null = null;
  const mut = (f.MUTDATE_VA ?? '').trim();
  if (mut) {
    const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(mut);
    if (!m || !isRealDate(Number(m[3]), Number(m[2]), Number(m[1]))) return refuse(`Ongeldige datum '${mut}' in MUTDATE_VA (verwacht dd-mm-jjjj)`);
    from = `${m[3]}-${m[2]}-${m[1]}`;
  }

  const orderBy = splitList(f.ORDERBY ?? '').map((s) => s.toUpperCase());
  const badOrder = orderBy.find((o) => !kindOf(o));
  if (badOrder) return unknown(badOrder);

  const int = (text: string | undefined, fallback: number) => (/^\d+$/.test((text ?? '').trim()) ? Number(text!.trim()) : fallback);
  const maxResult = int(f.MAXRESULT, 0);
  const pageSize = int(f.PAGESIZE, 10_000);
  const page = Math.max(1, int(f.SELECTPAGE, 1));
  if (pageSize < 1) return refuse('PAGESIZE moet groter dan 0 zijn');

  let rows = def.rows(state).filter((r) => (from === null || r.mutated >= from) && tests.every((t) => t(r.row))).map((r) => r.row);
  if (orderBy.length > 0) rows = [...rows].sort((a, b) => compareRows(a, b, orderBy));
  if (maxResult > 0) rows = rows.slice(0, maxResult);
  const recordCount = rows.length;
  const served = rows.slice((page - 1) * pageSize, page * pageSize);
  return {
    recordCount,
    totalPages: Math.ceil(recordCount / pageSize),
    rows: served.map((row) => Object.fromEntries(selected.map((s) => [s, wire(def.columns[s], row[s] ?? null)]))),
  };
}

const splitList = (text: string): string[] => text.split(/[\t;]/).map((s) => s.trim()).filter(Boolean);

/** SQL Server's default collation: case-insensitive, trailing spaces ignored. */
function compareText(a: string, b: string): number {
  const x = a.replace(/ +$/, '').toUpperCase();
  const y = b.replace(/ +$/, '').toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareText(String(a), String(b));
}

function compareRows(a: Row, b: Row, orderBy: string[]): number {
  for (const f of orderBy) {
    const c = compareCells(a[f] ?? null, b[f] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

/** A test for one condition, or the refusal. A number field needs a number (SQL's conversion error otherwise). */
function condition(field: string, kind: Kind, op: string, value: string): ((row: Row) => boolean) | string {
  if (op === 'LIKE') {
    const pattern = likePattern(value);
    return (row) => row[field] !== null && row[field] !== undefined && pattern.test(String(row[field]));
  }
  let target: Cell = value;
  if (numeric(kind)) {
    const n = Number(value.trim().replace(',', '.'));
    if (value.trim() === '' || !Number.isFinite(n)) return `Ongeldige waarde '${value}' voor numeriek veld ${field}`;
    target = n;
  }
  const cmp = (row: Row) => (row[field] === null || row[field] === undefined ? null : compareCells(row[field], target));
  const when = (ok: (c: number) => boolean) => (row: Row) => {
    const c = cmp(row);
    return c !== null && ok(c);
  };
  switch (op) {
    case '=':
      return when((c) => c === 0);
    case '>':
      return when((c) => c > 0);
    case '>=':
      return when((c) => c >= 0);
    case '<':
      return when((c) => c < 0);
    default:
      return when((c) => c <= 0);
  }
}

/** LIKE as SQL Server reads it: `%` any text, `_` one character, `[…]` one of a set (so `[%]` is a literal %). */
function likePattern(value: string): RegExp {
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else if (c === '[') {
      const end = value.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${value.slice(i + 1, end).replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re} *$`, 'is');
}

/** A cell as iMuis writes it: MONEY with a decimal comma ("12,34", go-imuis), dates as dd-mm-jjjj, J/N booleans. */
function wire(kind: Kind, value: Cell): string | null {
  // A null field is left out of the row, as a .NET DataSet writes it.
  if (value === null) return null;
  if (kind === 'money' && typeof value === 'number') return value.toFixed(2).replace('.', ',');
  if (kind === 'date') return isoToDmy(String(value));
  return String(value);
}

export function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
