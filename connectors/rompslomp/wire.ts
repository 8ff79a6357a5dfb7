import * as messages from '../../lib/messages.js';
import { unexpectedAnswer } from '../kit.js';
import { ROMPSLOMP } from './mappers.js';

/** Rompslomp's wire details: cursors and paging headers, wrapped records, error bodies and calendar dates. */

/** `per_page` "in range of 0 to 100" (swagger), 1 to 100 (developer pages): never outside 1–100. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PAGE_SIZE = 100;
const texts = messages.rompslompTexts;

export function parseCursor(cursor: string | null, pageSize: number | undefined): { pageNo: number; perPage: number } {
  if (cursor === null) return { pageNo: 1, perPage: Math.min(MAX_PER_PAGE, Math.max(1, pageSize ?? DEFAULT_PAGE_SIZE)) };
  const m = /^(\d+)@(\d+)$/.exec(cursor);
  if (!m || Number(m[1]) < 1) throw new Error(texts.badCursor(cursor));
  return { pageNo: Number(m[1]), perPage: Math.min(MAX_PER_PAGE, Math.max(1, Number(m[2]))) };
}

export function headerInt(raw: string | null): number | null {
  return raw !== null && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

/** `{ product: {…} }`, `{ sales_invoice: {…} }`: the record inside, or an unexpected answer. */
export function wrapped(body: unknown, key: string, operation: string): unknown {
  const inner = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner;
  throw unexpectedAnswer(ROMPSLOMP, operation, body);
}

/**
 * The earliest and the latest calendar date of an instant (UTC and Europe/Amsterdam): invoice dates are calendar days
 * and our exports date them by UTC, so a window in either reckoning is covered.
 */
export function calendarDates(at: Date): [string, string] {
  const utc = at.toISOString().slice(0, 10);
  const amsterdam = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return utc <= amsterdam ? [utc, amsterdam] : [amsterdam, utc];
}

/** `{ error: { type, message } }`: the message, with a Dutch lead for the types a person must act on (switch on type, not message). */
export function rompslompErrorMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? body : null;
  const error = (body as Record<string, unknown>).error;
  if (!error || typeof error !== 'object') return typeof (body as Record<string, unknown>).message === 'string' ? ((body as Record<string, unknown>).message as string) : null;
  const { type, message } = error as Record<string, unknown>;
  const said = typeof message === 'string' ? message.trim() : '';
  const lead = typeof type === 'string' ? texts.errorLeads[type] : undefined;
  if (lead) return said ? `${lead} (${said})` : lead;
  return said || (typeof type === 'string' ? type : null);
}
