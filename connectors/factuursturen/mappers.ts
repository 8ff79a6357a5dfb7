import { cutToLimit } from '../../lib/document.js';
import type {
  DocumentDraft, DocumentLine, ExternalArticle, ExternalArticleGroup, ExternalCustomer, ExternalQuote, ExternalQuoteLine,
} from '../types.js';
import { asBool, asDecimalString, asNumber, asText } from '../values.js';
import type { FsCategory, FsClient, FsLine, FsProduct, FsQuotation } from './schemas.js';
import { connectorWords } from '../../lib/messages.js';

/**
 * FactuurSturen records → Simon's vocabulary, and a draft → the `POST invoices` body
 * (docs/providers/factuursturen.md §3, §5, §6).
 */

/** Unconfirmed maximum of a printed reference line (U8): 50, the length of the other documented text fields. */
export const REFERENCE_LINE_LIMIT = 50;
/** Unconfirmed maximum of a line description (U8): the shared default. */
export const LINE_DESCRIPTION_LIMIT = 255;

/** Country ids (`"146"`) to names from `GET countrylist`; an id the list does not hold stays as it is. */
export type CountryNames = ReadonlyMap<string, string>;

export function mapClient(c: FsClient, countries: CountryNames): ExternalCustomer {
  const clientnr = asText(c.clientnr) ?? '';
  const street = asText(c.address);
  const postalCode = asText(c.zipcode);
  const city = asText(c.city);
  const countryId = asText(c.country);
  const country = countryId === null ? null : countries.get(countryId) ?? countryId;
  const hasAddress = [street, postalCode, city].some((v) => v !== null);
  return {
    externalId: clientnr,
    number: clientnr || null,
    // A private person has `company: ""`.
    name: asText(c.company) ?? asText(c.contact) ?? connectorWords.unnamedCustomer(clientnr),
    address: hasAddress ? { street, postalCode, city, country } : null,
    email: asText(c.email),
    phone: asText(c.phone) ?? asText(c.mobile),
    active: asBool(c.active, true),
    workAddresses: [],
  };
}

/** A product has no group, unit or active flag in FactuurSturen (§3.3). */
export function mapProduct(p: FsProduct): ExternalArticle {
  const id = asText(p.id) ?? '';
  return {
    externalId: id,
    code: asText(p.code) ?? id,
    description: asText(p.name) ?? '',
    salesPrice: asDecimalString(p.price),
    unit: null,
    groupExternalId: null,
    active: true,
  };
}

/** Categories are Simon's article groups by decision (U6), though no product points at one. */
export function mapCategory(c: FsCategory): ExternalArticleGroup {
  const id = asText(c.id) ?? '';
  return { externalId: id, code: id, description: asText(c.name) ?? '', active: true };
}

/**
 * A quotation (§6): name = `savename` (or `name`), number = the public `quotationreference`, else the id; memo =
 * `notes`. The id is numeric and is the `externalId`, so an import can start after the highest id it has seen.
 */
export function mapQuote(q: FsQuotation): ExternalQuote {
  const id = asText(q.id) ?? '';
  return {
    externalId: id,
    number: asText(q.quotationreference) ?? id,
    name: asText(q.savename) ?? asText(q.name) ?? '',
    reference: referenceText(q.reference),
    memo: asText(q.notes),
    customerExternalId: asText(q.clientnr),
    lines: lineList(q.lines).map(mapQuoteLine),
  };
}

/** Lines carry no product id or code; lib/quote.ts matches a leading article code in the description. */
function mapQuoteLine(l: FsLine): ExternalQuoteLine {
  return {
    articleExternalId: null,
    articleCode: null,
    description: typeof l.description === 'string' ? l.description : asText(l.description) ?? '',
    quantity: asNumber(l.amount) ?? 0,
    unitPrice: asDecimalString(l.price),
  };
}

export function lineList(lines: Record<string, FsLine> | FsLine[] | null | undefined): FsLine[] {
  if (!lines) return [];
  return Array.isArray(lines) ? lines : Object.values(lines);
}

function referenceText(ref: FsQuotation['reference']): string | null {
  if (!ref || typeof ref !== 'object' || Array.isArray(ref)) return typeof ref === 'string' ? asText(ref) : null;
  return [ref.line1, ref.line2, ref.line3].map(asText).filter((l): l is string => l !== null).join('\n') || null;
}

// ---- the concept invoice ----

/** What an article line needs from the product it names (its price when the work order has none, and its VAT). */
export interface ProductFacts {
  price: string | null;
  taxRate: number | null;
  name: string | null;
}

/**
 * The `POST invoices` body of a concept (§3.5): `action: save` under our save name, never overwriting a concept of
 * that name. Only documented fields: the payment reference has no field of its own (U3), so it takes the third
 * reference line when the invoice description leaves it free, and is left out otherwise.
 */
export function invoiceBody(draft: DocumentDraft, product: (line: Extract<DocumentLine, { kind: 'article' }>) => ProductFacts | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    action: 'save',
    savename: draft.reference,
    overwrite_if_exist: false,
    clientnr: asNumber(draft.customer.externalId) ?? draft.customer.externalId,
    lines: draft.lines.map((line) => invoiceLine(line, line.kind === 'article' ? product(line) : null)),
  };
  const reference = referenceLines(draft.descriptionLines, draft.paymentReference);
  if (reference) body.reference = reference;
  return body;
}

/** Lines 1–2 are the invoice description ("omschrijving"), line 3 the payment reference when it is free. */
export function referenceLines(descriptionLines: string[], paymentReference: string | null): Record<string, string> | null {
  const filled = descriptionLines.map((l) => l.trim()).filter(Boolean);
  const out: Record<string, string> = {};
  if (filled[0]) out.line1 = filled[0];
  if (filled[1]) out.line2 = filled[1];
  if (filled.length > 2) out.line3 = filled.slice(2).join(' ');
  const payment = paymentReference?.trim();
  if (payment && out.line3 === undefined) out.line3 = payment;
  for (const key of Object.keys(out)) out[key] = cutToLimit(out[key], REFERENCE_LINE_LIMIT);
  return Object.keys(out).length > 0 ? out : null;
}

/** A text line supplies only `description` (D2); an article line leads with its code, as lines carry no product. */
function invoiceLine(line: DocumentLine, product: ProductFacts | null): Record<string, unknown> {
  if (line.kind === 'text') return { description: cutToLimit(line.description, LINE_DESCRIPTION_LIMIT) };
  const price = line.unitPrice ?? product?.price ?? null;
  const text = line.description.trim() || product?.name || '';
  const description = text.startsWith(line.articleCode) ? text : `${line.articleCode} ${text}`.trim();
  const out: Record<string, unknown> = {
    amount: line.quantity,
    description: cutToLimit(description, LINE_DESCRIPTION_LIMIT),
    price: Number(price),
  };
  if (product?.taxRate !== null && product?.taxRate !== undefined) out.tax_rate = product.taxRate;
  return out;
}
