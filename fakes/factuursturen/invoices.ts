import { scalarText, type FakeAnswer } from '../kit.js';
import { round2 } from './seed.js';
import type {
  FakeFactuurSturenFaults, FakeFactuurSturenState, FakeFsLine, FakeFsReference, FakeFsSavedInvoice,
} from './state.js';

/**
 * `POST invoices` as the real API takes it (docs/providers/factuursturen.md §3.5), refusing what it refuses: fields
 * it does not document (among them `paymentreference`, our old guess), `invoicenr`, a save name over 20 characters,
 * a text line sent as amount 0 × price 0, `action: send` without `sendmethod`. Texts follow the API's plain-text tone.
 */

const TOP_LEVEL = new Set([
  'action', 'savename', 'overwrite_if_exist', 'clientnr', 'reference', 'lines', 'profile', 'category', 'discounttype',
  'discount', 'paymentcondition', 'paymentperiod', 'invoicenote', 'sendmethod', 'alreadypaid', 'alreadypaidmethod',
  'convert_prices_to_euro', 'initialdate', 'finalsenddate', 'frequency', 'repeattype',
]);
const LINE_FIELDS = new Set(['amount', 'amount_desc', 'description', 'tax_rate', 'price', 'discount_pct', 'tax_country']);
const REFERENCE_FIELDS = new Set(['line1', 'line2', 'line3']);
const SEND_METHODS = ['mail', 'email', 'printcenter'];
const DISCOUNT_TYPES = ['amount', 'percentage'];
/** `name` of a saved invoice is string(20) (D2). */
export const SAVE_NAME_MAX = 20;

const refuse = (body: string): FakeAnswer => ({ status: 400, body });
type Parsed<T> = { ok: true; value: T } | { ok: false; answer: FakeAnswer };

export function postInvoice(body: unknown, state: FakeFactuurSturenState, faults: FakeFactuurSturenFaults): FakeAnswer {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse('No invoice data received');
  const input = body as Record<string, unknown>;
  if ('invoicenr' in input) return refuse('Do not specify invoicenr when posting an invoice');
  const unknown = Object.keys(input).find((k) => !TOP_LEVEL.has(k));
  if (unknown) return refuse(`Unknown attribute '${unknown}'`);

  const action = scalarText(input.action);
  if (!['save', 'send', 'repeat'].includes(action)) return refuse("Invalid action: use 'send', 'save' or 'repeat'");
  const sendmethod = input.sendmethod === undefined ? null : scalarText(input.sendmethod);
  if (sendmethod !== null && (sendmethod.length > 11 || !SEND_METHODS.includes(sendmethod))) return refuse(`Invalid sendmethod '${sendmethod}'`);
  if (action === 'send' && sendmethod === null) return refuse("sendmethod is required when you use the action 'send'");
  if (action === 'repeat') return refuse("Action 'repeat' is not supported by this fake");
  const discounttype = input.discounttype === undefined ? '' : scalarText(input.discounttype);
  if (discounttype && (discounttype.length > 10 || !DISCOUNT_TYPES.includes(discounttype))) return refuse(`Invalid discounttype '${discounttype}'`);
  const paidMethod = input.alreadypaidmethod === undefined ? '' : scalarText(input.alreadypaidmethod);
  if (paidMethod.length > 32) return refuse('alreadypaidmethod may be at most 32 characters');

  const savename = typeof input.savename === 'string' ? input.savename : '';
  if (action === 'save') {
    if (!savename.trim()) return refuse("When the action is 'save' or 'repeat' you must supply a savename");
    if (Array.from(savename).length > SAVE_NAME_MAX) return refuse(`savename may be at most ${SAVE_NAME_MAX} characters`);
  }
  const clientnr = Number(scalarText(input.clientnr));
  if (!state.clients.some((c) => c.clientnr === clientnr)) return refuse(`Client ${scalarText(input.clientnr)} does not exist`);

  const reference = readReference(input.reference);
  if (!reference.ok) return reference.answer;
  const lines = readLines(input.lines, state.taxes);
  if (!lines.ok) return lines.answer;
  const overwrite = readFlag(input.overwrite_if_exist);
  if (overwrite === null) return refuse('overwrite_if_exist must be true or false');

  if (action === 'send') {
    const id = state.nextInvoiceId++;
    const invoicenr = `${new Date().getUTCFullYear()}-${String(state.sentInvoices.length + 1).padStart(4, '0')}`;
    state.sentInvoices.push({
      id, invoicenr, clientnr, reference: reference.value, lines: lines.value, profile: 1, sendmethod: sendmethod ?? '',
      invoicenote: scalarText(input.invoicenote), sent: new Date().toISOString().slice(0, 10),
    });
    return { status: 201, body: invoicenr, wrote: true };
  }

  const name = savename.trim();
  const existing = state.savedInvoices.find((inv) => inv.name === name);
  if (existing && !overwrite) {
    if (!faults.duplicateSaveIgnored) return refuse(`A saved invoice with savename '${name}' already exists`);
    return { status: 201, body: faults.emptyCreateBody ? '' : String(existing.id) };
  }
  const invoice: FakeFsSavedInvoice = {
    id: existing?.id ?? state.nextInvoiceId++,
    name,
    clientnr,
    reference: reference.value,
    lines: lines.value,
    profile: Number(scalarText(input.profile)) || 1,
    category: input.category === undefined ? null : Number(scalarText(input.category)),
    discounttype,
    discount: Number(scalarText(input.discount)) || 0,
    paymentcondition: scalarText(input.paymentcondition),
    paymentperiod: Number(scalarText(input.paymentperiod)) || 14,
    invoicenote: scalarText(input.invoicenote),
    alreadypaid: Number(scalarText(input.alreadypaid)) || 0,
    alreadypaidmethod: paidMethod,
    datesaved: new Date().toISOString().slice(0, 10),
  };
  if (existing) state.savedInvoices[state.savedInvoices.indexOf(existing)] = invoice;
  else state.savedInvoices.push(invoice);
  (state.receivedCreates ??= []).push(body);
  // The real API answers a create with the bare id as text.
  return { status: 201, body: faults.emptyCreateBody ? '' : String(invoice.id), wrote: true };
}

function readReference(raw: unknown): Parsed<FakeFsReference> {
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, answer: refuse('reference must hold line1, line2 and line3') };
  const out: FakeFsReference = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!REFERENCE_FIELDS.has(key)) return { ok: false, answer: refuse(`Unknown attribute 'reference.${key}'`) };
    if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, answer: refuse(`reference.${key} must be text`) };
    const text = String(value);
    if (text) out[key as keyof FakeFsReference] = text;
  }
  return { ok: true, value: out };
}

function readLines(raw: unknown, taxes: number[]): Parsed<FakeFsLine[]> {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  if (list.length === 0) return { ok: false, answer: refuse('An invoice needs at least one line') };
  const lines: FakeFsLine[] = [];
  for (const [i, item] of list.entries()) {
    const no = i + 1;
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { ok: false, answer: refuse(`Line ${no} is not a line`) };
    const line = item as Record<string, unknown>;
    const unknown = Object.keys(line).find((k) => !LINE_FIELDS.has(k));
    if (unknown) return { ok: false, answer: refuse(`Line ${no}: unknown attribute '${unknown}'`) };
    const description = scalarText(line.description);
    const fields = Object.keys(line).filter((k) => line[k] !== undefined);
    // "To use text lines on an invoice, only supply 'description' and do not use the other fields."
    if (fields.length === 1 && fields[0] === 'description') {
      lines.push({ description });
      continue;
    }
    if (line.amount === undefined || line.price === undefined) return { ok: false, answer: refuse(`Line ${no}: supply both amount and price, or only a description for a text line`) };
    const amount = toNumber(line.amount);
    const price = toNumber(line.price);
    if (amount === null) return { ok: false, answer: refuse(`Line ${no}: amount is not a number`) };
    if (price === null) return { ok: false, answer: refuse(`Line ${no}: price is not a number`) };
    if (amount === 0 && price === 0) return { ok: false, answer: refuse(`Line ${no}: amount 0 and price 0; for a text line only supply 'description'`) };
    const out: FakeFsLine = { description, amount, price };
    if (line.tax_rate !== undefined) {
      const rate = toNumber(line.tax_rate);
      if (rate === null || !taxes.includes(rate)) return { ok: false, answer: refuse(`Line ${no}: tax_rate ${scalarText(line.tax_rate)} is not allowed`) };
      out.tax_rate = rate;
    }
    if (line.discount_pct !== undefined) {
      const pct = toNumber(line.discount_pct);
      if (pct === null) return { ok: false, answer: refuse(`Line ${no}: discount_pct is not a number`) };
      out.discount_pct = pct;
    }
    if (line.amount_desc !== undefined) out.amount_desc = scalarText(line.amount_desc);
    lines.push(out);
  }
  return { ok: true, value: lines };
}

/** `overwrite_if_exist`: booleans, "true"/"false" and 1/0 as the form-encoding clients send; null when unreadable. */
function readFlag(raw: unknown): boolean | null {
  if (raw === undefined || raw === null || raw === '') return false;
  const text = scalarText(raw).toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return null;
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = scalarText(value).trim();
  if (!/^-?\d+([.,]\d+)?$/.test(text)) return null;
  return Number(text.replace(',', '.'));
}

// ---- read shapes ----

/** Lines on read: keyed `line1`, `line2`, … with `linetotal`; a text line is its description only; `[]` when none. */
export function linesOnRead(lines: FakeFsLine[]): Record<string, unknown> | unknown[] {
  if (lines.length === 0) return [];
  return Object.fromEntries(lines.map((l, i) => [
    `line${i + 1}`,
    l.amount === undefined ? { description: l.description } : { ...l, linetotal: lineTotal(l) },
  ]));
}

function lineTotal(l: FakeFsLine): number {
  return round2((l.amount ?? 0) * (l.price ?? 0) * (1 - (l.discount_pct ?? 0) / 100));
}

function totalInTax(lines: FakeFsLine[]): number {
  return round2(lines.reduce((sum, l) => sum + lineTotal(l) * (1 + (l.tax_rate ?? 21) / 100), 0));
}

/** A saved invoice as `GET invoices_saved` shows it: `name`, never `savename`; the client's address fields copied in. */
export function savedInvoiceOnRead(inv: FakeFsSavedInvoice, state: FakeFactuurSturenState): Record<string, unknown> {
  const client = state.clients.find((c) => c.clientnr === inv.clientnr);
  return {
    id: inv.id,
    name: inv.name,
    reference: inv.reference,
    lines: linesOnRead(inv.lines),
    profile: inv.profile,
    profile_name: state.profiles.find((p) => p.id === inv.profile)?.name ?? '',
    category: inv.category ?? '',
    discounttype: inv.discounttype,
    discount: inv.discount,
    paymentcondition: inv.paymentcondition,
    paymentperiod: inv.paymentperiod,
    datesaved: inv.datesaved,
    totaldiscount: 0,
    totalintax: totalInTax(inv.lines),
    alreadypaid: inv.alreadypaid,
    alreadypaidmethod: inv.alreadypaidmethod,
    clientnr: inv.clientnr,
    company: client?.company ?? '',
    contact: client?.contact ?? '',
    address: client?.address ?? '',
    zipcode: client?.zipcode ?? '',
    city: client?.city ?? '',
    country: client?.country ?? '',
    phone: client?.phone ?? '',
    email: client?.email ?? '',
  };
}

export function sentInvoiceOnRead(inv: FakeFactuurSturenState['sentInvoices'][number]): Record<string, unknown> {
  return { ...inv, lines: linesOnRead(inv.lines), totalintax: totalInTax(inv.lines) };
}

export function quotationOnRead(q: FakeFactuurSturenState['quotations'][number], state: FakeFactuurSturenState): Record<string, unknown> {
  return {
    ...q,
    lines: linesOnRead(q.lines),
    profile_name: state.profiles.find((p) => p.id === q.profile)?.name ?? '',
    totalintax: totalInTax(q.lines),
  };
}
