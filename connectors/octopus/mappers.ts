import { octopusTexts } from '../../lib/messages.js';
import { asBool, asDecimalString, asNumber, asText } from '../values.js';
import type { DocumentDraft, DocumentLine, DocumentPlan, ExternalArticle, ExternalArticleGroup, ExternalCustomer } from '../types.js';
import type { OctopusBookyear, OctopusInvoice, OctopusProduct, OctopusProductGroup, OctopusRelation } from './schemas.js';

/**
 * Octopus records → Simon's vocabulary, and a work order's draft → the `POST invoices` body
 * (docs/providers/octopus.md §3.3–§3.6). Pure functions: no calls, no clock.
 */

/** A line, comment and payment reference longer than this are cut (§9 U11: no documented maximum). */
export const MAX_COMMENT = 1000;
export const MAX_REFERENCE = 50;
/** The Belgian standard rate's code (S15 books with `21`): for a text line on an invoice without product lines (§9 U9). */
export const STANDARD_VAT_CODE = '21';
/** Days to pay when the relation has no payment term of its own. */
export const DEFAULT_PAYMENT_DAYS = 30;

// ---- relations, products, groups ----

/** `stringServiceData` in Dutch, else French (then English, German); a plain string as it is. */
export function descriptionOf(value: unknown): string {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return asText(o.description_NL) ?? asText(o.description_FR) ?? asText(o.description_EN) ?? asText(o.description_DE) ?? '';
  }
  return asText(value) ?? '';
}

export function relationIdOf(r: OctopusRelation): string {
  return String(r.relationIdentificationServiceData.relationKey.id);
}

export function mapRelation(r: OctopusRelation): ExternalCustomer {
  const id = relationIdOf(r);
  const street = asText(r.streetAndNr);
  const postalCode = asText(r.postalCode);
  const city = asText(r.city);
  const firstName = asText(r.firstName);
  return {
    externalId: id,
    number: id || null,
    // A private person has a first name; a company only a name.
    name: [firstName, asText(r.name)].filter(Boolean).join(' ') || `Relatie ${id}`,
    address: [street, postalCode, city].some((v) => v !== null) ? { street, postalCode, city, country: asText(r.country) } : null,
    email: asText(r.email),
    phone: asText(r.telephone) ?? asText(r.mobile),
    // A relation that is only a supplier is no customer for Simon.
    active: asBool(r.active, true) && asBool(r.client, true),
    workAddresses: [],
  };
}

/**
 * The id of an entry of `relations/modified`'s `deleted` list. Its shape is not documented (§3.3): a relation, its
 * identification, a key or a bare id are all read; anything else is null (the caller treats that as an unexpected answer).
 */
export function deletedRelationId(entry: unknown): string | null {
  if (typeof entry === 'number' || typeof entry === 'string') return asText(entry);
  if (!entry || typeof entry !== 'object') return null;
  const o = entry as Record<string, unknown>;
  const ident = (o.relationIdentificationServiceData ?? o) as Record<string, unknown>;
  const relationKey = ident.relationKey as Record<string, unknown> | undefined;
  return asText(relationKey?.id) ?? asText(o.id);
}

/** A relation Octopus deleted: inactive in Simon (the cleanup removes it, or deactivates it while a work order uses it). */
export function deletedRelation(id: string, known: ExternalCustomer | null): ExternalCustomer {
  return known
    ? { ...known, active: false }
    : { externalId: id, number: id, name: `Relatie ${id}`, address: null, email: null, phone: null, active: false, workAddresses: [] };
}

export function mapProduct(p: OctopusProduct): ExternalArticle {
  const code = asText(p.externProductNr) ?? '';
  const group = p.productGroup ?? p.productGroupKey ?? null;
  return {
    externalId: String(p.productKey.id),
    code,
    description: descriptionOf(p.description) || code,
    salesPrice: asDecimalString(p.priceVatExclusive),
    unit: asText(p.unit),
    groupExternalId: group ? String(group.id) : null,
    // Products have no `active` field (§3.4): one removed in Octopus is gone from the listing.
    active: true,
  };
}

/** What an invoice line needs of its product: the sales price excl. VAT and the VAT code. */
export interface ProductTerms {
  price: number | null;
  vatCode: string | null;
}

export function productTerms(p: OctopusProduct): ProductTerms {
  return { price: asNumber(p.priceVatExclusive), vatCode: asText(p.vatCode) };
}

export function mapProductGroup(g: OctopusProductGroup): ExternalArticleGroup {
  const id = String(g.productGroupKey.id);
  // No code of their own and no `active` (§3.5): the key is the code.
  return { externalId: id, code: id, description: descriptionOf(g.description) || `Groep ${id}`, active: true };
}

// ---- book years ----

const day = (value: string | null | undefined) => (value ?? '').slice(0, 10);

/** The open book year that contains `date` (YYYY-MM-DD); dates may carry a time (§3.1), so only the day counts. */
export function openBookyear(years: OctopusBookyear[], date: string): OctopusBookyear | null {
  return years.find((b) => !asBool(b.closed, false) && day(b.startDate) !== '' && day(b.startDate) <= date && date <= day(b.endDate)) ?? null;
}

/** The book year's own period number for `date` (e.g. 202611), copied from its periods, never computed (§3.1). */
export function periodOf(year: OctopusBookyear, date: string): number | null {
  return year.periods?.find((p) => day(p.startDate) <= date && date <= day(p.endDate))?.bookyearPeriod ?? null;
}

/** `YYYY-MM-DD` plus whole days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A sales journal: its key starts with V (§3.2, §9 U4). */
export function isSalesJournal(journalKey: string): boolean {
  return /^v/i.test(journalKey.trim());
}

// ---- the planned invoice ----

/**
 * What the export stores before the first create (docs/providers/octopus.md §6): the key we chose, and what the
 * invoice at that key must look like to be ours (relation, date, lines, amount), plus the prices and VAT codes taken
 * from the products, so every attempt sends the same invoice.
 */
export interface InvoicePlan {
  bookyearId: string;
  bookyear: string;
  journalKey: string;
  documentSequenceNr: number;
  bookyearPeriodeNr: number;
  documentDate: string;
  expiryDate: string;
  relationId: string;
  /** Per draft line: the unit price and VAT code sent. */
  lines: { unitPrice: number; vatCodeKey: string }[];
  /** Σ count × unitPrice, excl. VAT. */
  amount: number;
}

export function planRecord(p: InvoicePlan): DocumentPlan {
  return {
    bookyearId: p.bookyearId,
    bookyear: p.bookyear,
    journalKey: p.journalKey,
    documentSequenceNr: String(p.documentSequenceNr),
    bookyearPeriodeNr: String(p.bookyearPeriodeNr),
    documentDate: p.documentDate,
    expiryDate: p.expiryDate,
    relationId: p.relationId,
    lines: JSON.stringify(p.lines.map((l) => [l.unitPrice, l.vatCodeKey])),
    amount: p.amount.toFixed(2),
  };
}

/** A stored plan back; null when it is not one of ours (then nothing is created or looked up by it). */
export function readPlan(plan: DocumentPlan | null | undefined): InvoicePlan | null {
  if (!plan) return null;
  const nr = Number(plan.documentSequenceNr);
  const period = Number(plan.bookyearPeriodeNr);
  let lines: unknown;
  try {
    lines = JSON.parse(plan.lines ?? '');
  } catch {
    return null;
  }
  if (!Number.isInteger(nr) || nr <= 0 || !Number.isInteger(period) || !plan.bookyearId || !plan.journalKey || !plan.documentDate || !Array.isArray(lines)) return null;
  const parsed = lines.map((l) => (Array.isArray(l) && typeof l[0] === 'number' && typeof l[1] === 'string' ? { unitPrice: l[0], vatCodeKey: l[1] } : null));
  if (parsed.some((l) => l === null)) return null;
  return {
    bookyearId: plan.bookyearId,
    bookyear: plan.bookyear ?? plan.bookyearId,
    journalKey: plan.journalKey,
    documentSequenceNr: nr,
    bookyearPeriodeNr: period,
    documentDate: plan.documentDate,
    expiryDate: plan.expiryDate ?? plan.documentDate,
    relationId: plan.relationId ?? '',
    lines: parsed as InvoicePlan['lines'],
    amount: Number(plan.amount ?? '0'),
  };
}

/** Unit price and VAT code per draft line: the work order's price, else the product's (Octopus fills in none: §3.6). */
export function priceLines(draft: DocumentDraft, products: Map<string, ProductTerms>): { unitPrice: number; vatCodeKey: string }[] {
  const firstVat = draft.lines.map((l) => (l.kind === 'article' ? products.get(l.articleCode)?.vatCode : null)).find(Boolean) ?? STANDARD_VAT_CODE;
  return draft.lines.map((line) => {
    // A text line keeps out of the total; it takes the VAT code of the first product line (§9 U9).
    if (line.kind === 'text') return { unitPrice: 0, vatCodeKey: firstVat };
    const product = products.get(line.articleCode);
    const unitPrice = line.unitPrice !== null ? Number(line.unitPrice) : product?.price ?? 0;
    return { unitPrice, vatCodeKey: product?.vatCode ?? firstVat };
  });
}

export function amountOf(draft: DocumentDraft, lines: { unitPrice: number }[]): number {
  return draft.lines.reduce((sum, line, i) => sum + (line.kind === 'article' ? line.quantity * (lines[i]?.unitPrice ?? 0) : 0), 0);
}

/** Cuts to `limit` characters, without a trailing space. */
function cut(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length <= limit ? text : chars.slice(0, limit).join('').trimEnd();
}

/**
 * "Opmerkingen": only the memo the settings ask for (our reference is never printed); with memo "Niets" the work
 * order number, because an invoice without a comment gets no e-invoice XML (§6, S6).
 */
export function commentOf(draft: DocumentDraft): string {
  return cut(draft.memo?.trim() || octopusTexts.commentWorkOrder(draft.workOrderNumber), MAX_COMMENT);
}

/**
 * The `POST dossiers/{id}/invoices` body (`InvoiceServiceData`, unwrapped): the planned key and period, the dates,
 * the relation, the comment, the payment reference the admin chose, and every line with its price and VAT code.
 * `orderReference` stays out: it can reach the customer through Peppol (§6, §9 U12).
 */
export function invoiceBody(draft: DocumentDraft, plan: InvoicePlan, lines: { unitPrice: number; vatCodeKey: string }[]): Record<string, unknown> {
  const reference = draft.paymentReference?.trim();
  return {
    bookyearKey: { id: asNumber(plan.bookyearId) ?? plan.bookyearId },
    journalKey: plan.journalKey,
    documentSequenceNr: plan.documentSequenceNr,
    bookyearPeriodeNr: plan.bookyearPeriodeNr,
    documentDate: plan.documentDate,
    expiryDate: plan.expiryDate,
    currencyCode: 'EUR',
    exchangeRate: 1,
    relationIdentificationServiceData: { relationKey: { id: asNumber(draft.customer.externalId) ?? draft.customer.externalId } },
    comment: commentOf(draft),
    ...(reference ? { reference: cut(reference, MAX_REFERENCE) } : {}),
    invoiceLines: draft.lines.map((line, i) => invoiceLine(line, lines[i] ?? { unitPrice: 0, vatCodeKey: STANDARD_VAT_CODE })),
  };
}

function invoiceLine(line: DocumentLine, priced: { unitPrice: number; vatCodeKey: string }): Record<string, unknown> {
  if (line.kind === 'text') return { description: line.description, count: 0, unitPrice: 0, vatCodeKey: priced.vatCodeKey, discountPercentage: 0 };
  return {
    externProductNr: line.articleCode,
    description: line.description,
    count: line.quantity,
    unitPrice: priced.unitPrice,
    vatCodeKey: priced.vatCodeKey,
    discountPercentage: 0,
  };
}

/**
 * Whether the invoice at our planned key is the one we made: same relation, document date, number of lines and
 * amount. The amount may differ by what Octopus's rounding of the counts can cause (§9 U10: half a cent per unit).
 */
export function isOurInvoice(invoice: OctopusInvoice, plan: InvoicePlan, customerExternalId: string): boolean {
  const relation = String(invoice.relationIdentificationServiceData.relationKey.id);
  if (relation !== plan.relationId || (customerExternalId && relation !== customerExternalId)) return false;
  if (day(invoice.documentDate) !== plan.documentDate) return false;
  const lines = invoice.invoiceLines ?? [];
  if (lines.length !== plan.lines.length) return false;
  const amount = lines.reduce((sum, l) => sum + (l.count ?? 0) * (l.unitPrice ?? 0), 0);
  const tolerance = 0.01 + plan.lines.reduce((sum, l) => sum + Math.abs(l.unitPrice), 0) * 0.005;
  return Math.abs(amount - plan.amount) <= tolerance;
}

export function documentIdOf(plan: Pick<InvoicePlan, 'bookyearId' | 'journalKey' | 'documentSequenceNr'>): string {
  return `${plan.bookyearId}/${plan.journalKey}/${plan.documentSequenceNr}`;
}
