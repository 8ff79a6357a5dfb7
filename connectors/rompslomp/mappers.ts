import { cutToLimit, quantityDecimals } from '../../lib/document.js';
import { rompslompTexts } from '../../lib/messages.js';
import { providerFailure } from '../kit.js';
import type { CreatedDocument, DocumentDraft, DocumentLine, ExternalArticle, ExternalCustomer, ListedDocument } from '../types.js';
import type { RompslompCompanyRecord, RompslompContactRecord, RompslompProductRecord, RompslompSalesInvoiceRecord } from './schemas.js';
import { connectorWords } from '../../lib/messages.js';

/** Rompslomp records → Simon's vocabulary, and a document draft → the `POST …/sales_invoices` body (docs/providers/rompslomp.md §3). */

export const ROMPSLOMP = 'Rompslomp';
/** `invoice_lines[].description`: "no more than 255 characters" (characters, so code points: never half an emoji). */
export const LINE_DESCRIPTION_LIMIT = 255;

export interface RompslompCompany {
  id: string;
  name: string;
  apiAccessible: boolean;
  allowedScopes: string[] | null;
  ownerName: string | null;
}

const trimmed = (v: string | null | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const idText = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

export function mapCompany(c: RompslompCompanyRecord): RompslompCompany {
  const id = String(c.id);
  return {
    id,
    name: trimmed(c.name) ?? `Bedrijf ${id}`,
    // `x-nullable`: unknown counts as accessible; the API itself refuses if it is not.
    apiAccessible: c.access_control?.api_accessible ?? true,
    allowedScopes: c.access_control?.allowed_scopes ?? null,
    ownerName: trimmed(c.owner_name),
  };
}

export function mapContact(c: RompslompContactRecord): ExternalCustomer {
  const id = String(c.id);
  const street = trimmed(c.address);
  const postalCode = trimmed(c.zipcode);
  const city = trimmed(c.city);
  const person = trimmed(c.contact_person_name);
  const company = trimmed(c.company_name);
  // `name` is Rompslomp's own choice of company or person name; the fallbacks only for a record without it.
  const name = trimmed(c.name) ?? (c.is_individual ? person ?? company : company ?? person) ?? connectorWords.unnamedCustomer(trimmed(c.contact_number) ?? id);
  return {
    externalId: id,
    number: trimmed(c.contact_number),
    name,
    address: street !== null || postalCode !== null || city !== null ? { street, postalCode, city, country: trimmed(c.country_code) } : null,
    email: trimmed(c.contact_person_email_address),
    phone: trimmed(c.phone),
    // Rompslomp has no active flag on contacts: a contact removed there disappears from the listing.
    active: true,
    workAddresses: [],
  };
}

export function mapProduct(p: RompslompProductRecord): ExternalArticle {
  const id = String(p.id);
  const line = p.invoice_line;
  return {
    externalId: id,
    code: trimmed(line?.product_code) ?? id,
    description: trimmed(line?.description) ?? '',
    salesPrice: decimalText(line?.price_per_unit),
    unit: null,
    groupExternalId: null,
    active: true,
  };
}

/** A concept has no invoice number until it is published in Rompslomp. */
export function documentOf(invoice: RompslompSalesInvoiceRecord): CreatedDocument {
  return { documentId: String(invoice.id), documentNumber: trimmed(invoice.invoice_number) };
}

export function listedDocumentOf(invoice: RompslompSalesInvoiceRecord): ListedDocument {
  return {
    ...documentOf(invoice),
    reference: trimmed(invoice.api_reference),
    customerExternalId: idText(invoice.contact_id),
    date: trimmed(invoice.date) ?? '',
  };
}

// ---- the concept sales invoice ----

/** The `POST …/sales_invoices` body of a draft; `products` by product id (exported for tests and for reading). */
export function salesInvoiceBody(draft: DocumentDraft, products: Map<string, RompslompProductRecord>): { sales_invoice: Record<string, unknown> } {
  return {
    sales_invoice: {
      contact_id: Number(draft.customer.externalId),
      date: draft.date,
      // What the user sees: our reference itself (`api_reference`) is shown nowhere but the API.
      description: connectorWords.workOrder(draft.workOrderNumber),
      api_reference: draft.reference,
      invoice_lines: draft.lines.map((line) => invoiceLine(line, products)),
    },
  };
}

/** The article codes of lines Rompslomp cannot book: the product is gone, or neither line nor product has a price. */
export function unbookableLines(draft: DocumentDraft, products: Map<string, RompslompProductRecord>): string[] {
  return draft.lines.flatMap((line) => {
    if (line.kind === 'text') return [];
    const product = products.get(line.articleExternalId);
    return !product || (line.unitPrice ?? decimalText(product.invoice_line?.price_per_unit)) === null ? [line.articleCode] : [];
  });
}

function invoiceLine(line: DocumentLine, products: Map<string, RompslompProductRecord>): Record<string, unknown> {
  // A text line: quantity 1 at price 0 (the API has no line type); "1.0" as the API writes its default.
  if (line.kind === 'text') return { description: cutToLimit(line.description, LINE_DESCRIPTION_LIMIT), quantity: '1.0', price_per_unit: '0.0' };
  const product = products.get(line.articleExternalId);
  const productLine = product?.invoice_line;
  const price = line.unitPrice ?? decimalText(productLine?.price_per_unit);
  if (!product || price === null) throw providerFailure(ROMPSLOMP, 'validation', rompslompTexts.articleGone(line.articleCode));
  const out: Record<string, unknown> = {
    description: cutToLimit(line.description.trim() || trimmed(productLine?.description) || line.articleCode, LINE_DESCRIPTION_LIMIT),
    quantity: formatQuantity(line.quantity),
    price_per_unit: price,
    product_id: Number(product.id),
  };
  // The VAT type is not taken from `product_id` (nothing says so): without it Rompslomp books the company's default.
  if (productLine?.vat_type_id !== null && productLine?.vat_type_id !== undefined) out.vat_type_id = Number(productLine.vat_type_id);
  return out;
}

// ---- decimals ----

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A quantity as the fixed-point decimal string Rompslomp takes: the decimals lib/document.ts keeps for Rompslomp (6,
 * so 20 minutes is "0.333333"), trailing zeros dropped down to one ("2.0"), never exponent notation or binary noise.
 */
export function formatQuantity(value: number, decimals = quantityDecimals.rompslomp): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15) throw new RangeError(`Quantity out of range: ${value}`);
  const text = value.toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.0');
  return text === '-0.0' ? '0.0' : text;
}

/** A decimal from the API (a string, or a number from a lenient server) as a fixed-point string; null when it is none. */
export function decimalText(value: string | number | null | undefined): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? formatQuantity(value, 10) : null;
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return DECIMAL.test(t) ? t : null;
}
