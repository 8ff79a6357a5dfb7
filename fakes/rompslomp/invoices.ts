import { DECIMAL_TEXT, add, formatDecimal, isNegative, multiply, parseDecimal, round, sum } from './decimal.js';
import {
  apiError, validationError,
  type FakeRompslompState, type FakeRsCompanyData, type FakeRsContact, type FakeRsInvoiceLine, type FakeRsSalesInvoice, type RsAnswer,
} from './types.js';

/**
 * The fake's sales invoices (docs/providers/rompslomp.md §3.4–3.5): `POST …/sales_invoices` with everything the real
 * service is documented to refuse refused, and the listing with its `selection` values and `search[…]` filters.
 */

/** The writable fields of `sales_invoice` (swagger); anything else, read-only fields included, is unpermitted. */
const INVOICE_FIELDS = new Set([
  'date', 'due_date', 'contact_id', 'contact', 'description', 'api_reference', 'payment_reference', 'payment_method', 'currency',
  'currency_exchange_rate', 'template_id', 'vat_number', 'validates_vat_number', 'sale_type', 'distance_sale', 'creates_pay_url_on_publish',
  'sends_copy_by_email_on_publish', 'custom_payment_instructions', '_publish', 'payments', 'invoice_lines',
]);
const LINE_FIELDS = new Set(['description', 'extended_description', 'price_per_unit', 'quantity', 'vat_type_id', 'vat_rate', 'product_id', 'account_id', 'account_path']);
const PAYMENT_METHODS = ['pay_transfer', 'paid_cash', 'paid_pin', 'paid_already', 'pay_ideal', 'paid_sepa', 'pay_custom'];
/** "no more than 255 characters": Ruby counts characters (code points), not UTF-16 units. */
const LINE_DESCRIPTION_LIMIT = 255;
/** Not documented; a Rails string column takes 255. */
const API_REFERENCE_LIMIT = 255;
const EU_COUNTRIES = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

export const SALES_INVOICE_SELECTIONS = [
  'all', 'published', 'concept', 'unpaid', 'questionable_or_unpayable', 'expired', 'overpaid', 'imported', 'credit_invoices', 'debt_collector',
] as const;

const unpermitted = (keys: string[]): RsAnswer => ({ status: 422, body: apiError('client.parameters.unpermitted_parameters', `Niet toegestane parameters: ${keys.join(', ')}`) });
const invalid = (message: string): RsAnswer => validationError(`Factuur is invalid: ${message}`);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isInteger = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** `POST …/sales_invoices`: a concept unless `_publish`; `api_reference` unique per company, concept or published. */
export function createSalesInvoice(body: unknown, data: FakeRsCompanyData, state: FakeRompslompState): RsAnswer {
  if (typeof body === 'string') return { status: 400, body: apiError('client.parameters.malformed_json', 'De JSON in het verzoek is ongeldig') };
  if (!isObject(body) || !isObject(body.sales_invoice)) return { status: 422, body: apiError('client.parameters.missing_parameter', 'Parameter sales_invoice ontbreekt') };
  const extraRoot = Object.keys(body).filter((k) => k !== 'sales_invoice');
  if (extraRoot.length > 0) return unpermitted(extraRoot);
  const si = body.sales_invoice;
  const extra = Object.keys(si).filter((k) => !INVOICE_FIELDS.has(k));
  if (extra.length > 0) return unpermitted(extra);
  const rawLines = si.invoice_lines ?? [];
  if (!Array.isArray(rawLines) || !rawLines.every(isObject)) return { status: 422, body: apiError('client.parameters.invalid_parameter_value', 'invoice_lines moet een lijst van regels zijn') };
  const extraLine = [...new Set(rawLines.flatMap((l) => Object.keys(l).filter((k) => !LINE_FIELDS.has(k))))];
  if (extraLine.length > 0) return unpermitted(extraLine.map((k) => `invoice_lines[].${k}`));

  if (!isInteger(si.contact_id)) return invalid('Contact moet bestaan');
  const contact = data.contacts.find((c) => c.id === Number(si.contact_id));
  if (!contact) return invalid('Contact moet bestaan');
  if (si.api_reference !== undefined && si.api_reference !== null && typeof si.api_reference !== 'string') return invalid('Api reference is ongeldig');
  const reference = typeof si.api_reference === 'string' && si.api_reference.trim() ? si.api_reference : null;
  if (reference !== null && Array.from(reference).length > API_REFERENCE_LIMIT) return invalid(`Api reference is te lang (maximaal ${API_REFERENCE_LIMIT} tekens)`);
  if (reference !== null && data.salesInvoices.some((i) => i.api_reference === reference)) return invalid('Api reference is al in gebruik');
  const date = si.date ?? new Date().toISOString().slice(0, 10);
  if (!isCalendarDate(date)) return invalid('Factuurdatum is geen geldige datum');
  if (date < '1990-01-01') return invalid('Factuurdatum moet na 01/01/1990 liggen.');
  if (si.due_date !== undefined && si.due_date !== null && !isCalendarDate(si.due_date)) return invalid('Vervaldatum is geen geldige datum');
  if (si.payment_method !== undefined && si.payment_method !== null && !(typeof si.payment_method === 'string' && PAYMENT_METHODS.includes(si.payment_method))) {
    return invalid('Betaalmethode is ongeldig');
  }
  for (const key of ['description', 'payment_reference', 'vat_number'] as const) {
    if (si[key] !== undefined && si[key] !== null && typeof si[key] !== 'string') return invalid(`${key} moet tekst zijn`);
  }
  const vatNumber = (typeof si.vat_number === 'string' && si.vat_number.trim()) || contact.vat_number || null;

  const lines: FakeRsInvoiceLine[] = [];
  for (const [i, line] of rawLines.entries()) {
    const made = invoiceLine(line, i + 1, { data, state, contact, vatNumber });
    if ('status' in made) return made;
    lines.push(made);
  }

  const published = si._publish === true;
  const net = sum(lines.map((l) => parseDecimal(l.price_without_vat)));
  const vat = sum(lines.map((l) => parseDecimal(l.vat_amount)));
  const invoice: FakeRsSalesInvoice = {
    id: state.nextId++,
    date,
    due_date: typeof si.due_date === 'string' ? si.due_date : new Date(Date.parse(date) + 30 * 86_400_000).toISOString().slice(0, 10),
    description: typeof si.description === 'string' ? si.description : null,
    status: published ? 'published' : 'concept',
    contact_id: contact.id,
    invoice_number: published ? `${date.slice(0, 4)}-${String(data.salesInvoices.filter((x) => x.invoice_number).length + 1).padStart(4, '0')}` : null,
    published_at: published ? new Date().toISOString().slice(0, 10) : null,
    api_reference: reference,
    payment_reference: typeof si.payment_reference === 'string' ? si.payment_reference : null,
    payment_method: typeof si.payment_method === 'string' ? si.payment_method : 'pay_transfer',
    vat_number: vatNumber,
    currency: 'eur',
    price_without_vat: formatDecimal(net),
    vat_amount: formatDecimal(vat),
    price_with_vat: formatDecimal(add(net, vat)),
    invoice_lines: lines,
  };
  data.salesInvoices.push(invoice);
  (data.receivedCreates ??= []).push(body);
  return { status: 201, body: { sales_invoice: invoiceOut(invoice, data, true) }, wrote: true };
}

function invoiceLine(
  line: Record<string, unknown>,
  n: number,
  ctx: { data: FakeRsCompanyData; state: FakeRompslompState; contact: FakeRsContact; vatNumber: string | null },
): FakeRsInvoiceLine | RsAnswer {
  const description = line.description ?? '';
  if (typeof description !== 'string') return invalid(`Regel ${n}: omschrijving moet tekst zijn`);
  if (Array.from(description).length > LINE_DESCRIPTION_LIMIT) return invalid(`Regel ${n}: omschrijving is te lang (maximaal ${LINE_DESCRIPTION_LIMIT} tekens)`);
  const texts: Record<string, string> = {};
  for (const [key, fallback, label] of [['quantity', '1.0', 'aantal'], ['price_per_unit', '0.0', 'prijs per stuk']] as const) {
    const value = line[key] ?? fallback;
    // Decimals are strings in fixed-point notation: a JSON number or exponent notation is the client's mistake.
    if (typeof value !== 'string' || !DECIMAL_TEXT.test(value)) return invalid(`Regel ${n}: ${label} moet een decimaal getal als tekst zijn (zoals "0.25")`);
    texts[key] = value;
  }
  let productId: number | null = null;
  if (line.product_id !== undefined && line.product_id !== null) {
    productId = Number(line.product_id);
    if (!isInteger(line.product_id) || !ctx.data.products.some((p) => p.id === productId)) return invalid(`Regel ${n}: product bestaat niet`);
  }
  // The company's default VAT type (the fake's first) when none is given.
  const vatTypeId = line.vat_type_id !== undefined && line.vat_type_id !== null ? Number(line.vat_type_id) : ctx.state.vatTypes[0].id;
  const vatType = ctx.state.vatTypes.find((v) => v.id === vatTypeId);
  if (!vatType || !isInteger(line.vat_type_id ?? vatTypeId)) return invalid(`Regel ${n}: btw-soort bestaat niet`);
  let rate = vatType.value;
  if (vatType.name === 'vat_custom') {
    if (typeof line.vat_rate !== 'string' || !DECIMAL_TEXT.test(line.vat_rate)) return invalid(`Regel ${n}: btw-percentage is verplicht bij een eigen btw-soort`);
    rate = line.vat_rate;
  }
  const foreignEu = !!ctx.contact.country_code && ctx.contact.country_code !== 'NL' && EU_COUNTRIES.has(ctx.contact.country_code);
  if (!ctx.vatNumber && (vatType.name === 'vat_reverse_charged' || (vatType.name === 'vat_zero' && foreignEu))) {
    return invalid(`Regel ${n}: btw-nummer is verplicht bij deze btw-soort`);
  }
  const net = round(multiply(parseDecimal(texts.quantity), parseDecimal(texts.price_per_unit)), 2);
  const vat = round(multiply(net, parseDecimal(rate)), 2);
  return {
    id: ctx.state.nextId++,
    description,
    extended_description: typeof line.extended_description === 'string' ? line.extended_description : null,
    // Stored and answered as sent.
    price_per_unit: texts.price_per_unit,
    quantity: texts.quantity,
    vat_type_id: vatTypeId,
    vat_rate: rate,
    product_id: productId,
    account_id: isInteger(line.account_id) ? Number(line.account_id) : null,
    price_without_vat: formatDecimal(net),
    vat_amount: formatDecimal(vat),
    price_with_vat: formatDecimal(add(net, vat)),
  };
}

/** The filters of `GET …/sales_invoices` (already validated): `selection`, and `search[…]` inclusive on the invoice date. */
export function listSalesInvoices(data: FakeRsCompanyData, query: URLSearchParams, today = new Date().toISOString().slice(0, 10)): FakeRsSalesInvoice[] {
  const selection = query.get('selection') ?? 'all';
  const from = query.get('search[from]');
  const till = query.get('search[till]');
  const contactId = query.get('search[contact_id]');
  // Exact or partial is not documented: the fake matches loosely (contains, any case), so only an exact comparison by the client is safe.
  const reference = query.get('search[api_reference]')?.toLowerCase() ?? null;
  const unpaid = (i: FakeRsSalesInvoice) => i.status === 'published' && parseDecimal(i.price_with_vat).units !== 0n;
  const selected: Record<string, (i: FakeRsSalesInvoice) => boolean> = {
    all: () => true,
    concept: (i) => i.status === 'concept',
    published: (i) => i.status === 'published',
    unpaid,
    expired: (i) => unpaid(i) && i.due_date < today,
    credit_invoices: (i) => isNegative(parseDecimal(i.price_with_vat)),
    // The fake keeps no payments, imports or collection states: these selections are empty.
    overpaid: () => false,
    imported: () => false,
    questionable_or_unpayable: () => false,
    debt_collector: () => false,
  };
  return data.salesInvoices
    .filter(selected[selection])
    .filter((i) => from === null || i.date >= from)
    .filter((i) => till === null || i.date <= till)
    .filter((i) => contactId === null || String(i.contact_id) === contactId)
    .filter((i) => reference === null || (i.api_reference ?? '').toLowerCase().includes(reference));
}

/**
 * An invoice as the API shows it. `api_reference` is in the create answer (swagger example); in list and show answers
 * only when it is set and `apiReferenceIn` says so (their examples leave it out: docs/providers/rompslomp.md, U2).
 */
export function invoiceOut(i: FakeRsSalesInvoice, data: FakeRsCompanyData, withReference: boolean) {
  const contact = data.contacts.find((c) => c.id === i.contact_id);
  return {
    id: i.id,
    date: i.date,
    due_date: i.due_date,
    payment_method: i.payment_method,
    description: i.description,
    status: i.status,
    price_without_vat: i.price_without_vat,
    price_with_vat: i.price_with_vat,
    vat_amount: i.vat_amount,
    contact_id: i.contact_id,
    invoice_number: i.invoice_number,
    published_at: i.published_at,
    // The fake keeps no payments: everything is open.
    payment_status: 'unpaid',
    open_amount: i.price_with_vat,
    currency: i.currency,
    currency_exchange_rate: '1.0',
    template_id: null,
    vat_number: i.vat_number,
    ...(withReference && i.api_reference !== null ? { api_reference: i.api_reference } : {}),
    payment_reference: i.payment_reference,
    sale_type: null,
    distance_sale: false,
    cached_contact: contact
      ? {
          name: contact.is_individual ? contact.contact_person_name : contact.company_name, contact_person_name: contact.contact_person_name,
          address: contact.address, zipcode: contact.zipcode, city: contact.city, country_code: contact.country_code,
          contact_person_email_address: contact.contact_person_email_address, contact_number: contact.contact_number,
        }
      : null,
    attachment_objects: [],
    invoice_lines: i.invoice_lines.map((l) => ({ ...l, account_path: null })),
  };
}
