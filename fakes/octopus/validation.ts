/**
 * What the fake Octopus refuses in `POST /dossiers/{id}/invoices`, one rule per check (docs/providers/octopus.md
 * §3.6, §10): unknown fields at the top and on a line, every required field, the period of the document date, the
 * expiry date, a sales journal that is open, the relation, the products and VAT codes, the journal's custom fields, and
 * a document number that is already used in that book year and journal (§9 U2: unknown in reality; refused here).
 */

/**
 * Octopus's error codes are negative integers (S9, S12, S15). Only -79 ("Empty access token") is seen in a live
 * client; the others are this fake's own numbers.
 */
export const OCTOPUS_ERRORS = {
  emptyAccessToken: -79,
  invalidToken: -80,
  invalidParameters: -1,
  notFound: -2,
  invalidData: -3,
  forbidden: -4,
  limitReached: -5,
  alreadyExists: -6,
  internal: -99,
} as const;

export function octopusError(errorCode: number, errorMessage: string, technicalInfo: string | null = null) {
  return { errorCode, errorMessage, technicalInfo };
}

/** The parts of a dossier the checks read (the fake's FakeDossier has them). */
export interface DossierForCreate {
  bookyears: { bookyearKey: { id: number }; bookyearDescription: string; startDate: string; endDate: string; closed: boolean; periods: { bookyearPeriod: number; startDate: string; endDate: string }[] }[];
  journals: { bookyearKey: { id: number }; journalKey: string; closed: boolean; lastBookedDocumentNr: number; customFieldList: { id: number }[] }[];
  relations: { relationIdentificationServiceData: { relationKey: { id: number } }; client: boolean }[];
  products: { externProductNr: string }[];
  vatCodes: { code: string }[];
  invoices: { bookyearKey: { id: number }; journalKey: string; documentSequenceNr: number }[];
}

interface Refusal {
  status: number;
  body: ReturnType<typeof octopusError>;
}

/** The fields of `InvoiceServiceData` (§3.6); anything else is refused with its name (it catches typos such as `salesPrice`). */
const INVOICE_FIELDS = new Set([
  'bookyearKey', 'journalKey', 'documentSequenceNr', 'bookyearPeriodeNr', 'documentDate', 'expiryDate', 'currencyCode', 'exchangeRate',
  'relationIdentificationServiceData', 'comment', 'reference', 'orderReference', 'financialDiscount', 'customFieldValueList', 'invoiceLines',
]);
const LINE_FIELDS = new Set([
  'description', 'count', 'unitPrice', 'vatCodeKey', 'externProductNr', 'unit', 'discountPercentage', 'bookingAccountNr', 'costCentreKey',
  'customFieldValueList', 'intrastatServiceData',
]);

const invalid = (what: string): Refusal => ({ status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, `Invalid or missing parameters passed: ${what}`) });
const invalidData = (what: string, technicalInfo: string | null = null): Refusal => ({ status: 500, body: octopusError(OCTOPUS_ERRORS.invalidData, what, technicalInfo) });
const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const day = (s: string) => s.slice(0, 10);

/** Why Octopus would refuse this create, or null when it takes it. */
export function octopusCreateRefusal(d: DossierForCreate, input: unknown): Refusal | null {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return invalid('no invoice data');
  const inv = input as Record<string, unknown>;
  const unknown = Object.keys(inv).find((k) => !INVOICE_FIELDS.has(k));
  if (unknown) return invalid(`unknown field '${unknown}'`);

  const bookyearId = (inv.bookyearKey as { id?: unknown } | undefined)?.id;
  if (!isNumber(bookyearId)) return invalid('bookyearKey.id');
  if (typeof inv.journalKey !== 'string' || !inv.journalKey) return invalid('journalKey');
  // The client chooses the number: Octopus does not number invoices through the API (S12, S13, S14).
  if (!Number.isInteger(inv.documentSequenceNr) || (inv.documentSequenceNr as number) <= 0) return invalid('documentSequenceNr');
  if (!Number.isInteger(inv.bookyearPeriodeNr)) return invalid('bookyearPeriodeNr');
  if (!isDate(inv.documentDate)) return invalid('documentDate (YYYY-MM-DD)');
  if (!isDate(inv.expiryDate)) return invalid('expiryDate (YYYY-MM-DD)');
  const relationId = (inv.relationIdentificationServiceData as { relationKey?: { id?: unknown } } | undefined)?.relationKey?.id;
  if (!isNumber(relationId)) return invalid('relationIdentificationServiceData.relationKey.id');
  if (!Array.isArray(inv.invoiceLines) || inv.invoiceLines.length === 0) return invalid('invoiceLines');

  const bookyear = d.bookyears.find((b) => b.bookyearKey.id === bookyearId);
  if (!bookyear) return invalid(`bookyear ${bookyearId} unknown`);
  if (bookyear.closed) return { status: 403, body: octopusError(OCTOPUS_ERRORS.forbidden, `Bookyear ${bookyear.bookyearDescription} is closed`) };
  const journal = d.journals.find((j) => j.bookyearKey.id === bookyearId && j.journalKey === inv.journalKey);
  if (!journal) return invalid(`journal ${inv.journalKey} unknown`);
  // Invoices go in a sales journal set up as "factuurdagboek" (S5, S8); the fake knows sales journals by their V.
  if (!/^V/.test(journal.journalKey)) return { status: 403, body: octopusError(OCTOPUS_ERRORS.forbidden, `Journal ${journal.journalKey} is not an invoice journal`) };
  if (journal.closed) return { status: 403, body: octopusError(OCTOPUS_ERRORS.forbidden, `Journal ${journal.journalKey} is closed or in use`) };

  const documentDate = inv.documentDate;
  if (documentDate < day(bookyear.startDate) || documentDate > day(bookyear.endDate)) {
    return invalidData(`Document date '${documentDate}' is not in bookyear ${bookyear.bookyearDescription}`, 'DateOutOfRangeException');
  }
  const period = bookyear.periods.find((p) => day(p.startDate) <= documentDate && documentDate <= day(p.endDate));
  if (!period || period.bookyearPeriod !== inv.bookyearPeriodeNr) return invalid(`bookyearPeriodeNr ${String(inv.bookyearPeriodeNr)} is not the period of ${documentDate}`);
  if (inv.expiryDate < documentDate) return invalid(`expiryDate ${inv.expiryDate} before documentDate ${documentDate}`);

  // UNCONFIRMED: no source shows the text of Octopus refusing a relation that is no customer; the fake refuses it like an unknown one.
  const relation = d.relations.find((r) => r.relationIdentificationServiceData.relationKey.id === relationId);
  if (!relation || !relation.client) return { status: 400, body: octopusError(OCTOPUS_ERRORS.invalidParameters, `Relation ${relationId} is not a known client`) };

  for (const [i, raw] of (inv.invoiceLines as unknown[]).entries()) {
    const n = i + 1;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return invalid(`invoiceLines[${n}]`);
    const line = raw as Record<string, unknown>;
    const extra = Object.keys(line).find((k) => !LINE_FIELDS.has(k));
    if (extra) return invalid(`unknown field '${extra}' on line ${n}`);
    if (typeof line.description !== 'string') return invalid(`description on line ${n}`);
    // Octopus fills in nothing from the product (S11, S13): count, price and VAT code come from the client.
    if (!isNumber(line.count)) return invalid(`count on line ${n}`);
    if (!isNumber(line.unitPrice)) return invalid(`unitPrice on line ${n}`);
    if (typeof line.vatCodeKey !== 'string' || !line.vatCodeKey) return invalid(`vatCodeKey on line ${n}`);
    const code = typeof line.externProductNr === 'string' ? line.externProductNr.trim() : '';
    if (code && !d.products.some((p) => p.externProductNr === code)) return invalidData(`Line ${n}: product '${code}' does not exist`, 'UnknownProductException');
    if (!d.vatCodes.some((v) => v.code === line.vatCodeKey)) return invalidData(`Line ${n}: VAT code '${line.vatCodeKey}' does not exist`, 'UnknownVatCodeException');
  }

  if (inv.customFieldValueList !== undefined) {
    if (!Array.isArray(inv.customFieldValueList)) return invalid('customFieldValueList');
    for (const v of inv.customFieldValueList as { customFieldKey?: { id?: unknown } }[]) {
      const id = v?.customFieldKey?.id;
      if (!journal.customFieldList.some((f) => f.id === id)) return invalid(`custom field ${String(id)} is not a field of journal ${journal.journalKey}`);
    }
  }

  const nr = inv.documentSequenceNr as number;
  if (nr <= journal.lastBookedDocumentNr || d.invoices.some((x) => x.bookyearKey.id === bookyearId && x.journalKey === journal.journalKey && x.documentSequenceNr === nr)) {
    return { status: 400, body: octopusError(OCTOPUS_ERRORS.alreadyExists, `Document ${nr} already exists in journal ${journal.journalKey} of bookyear ${bookyear.bookyearDescription}`) };
  }
  return null;
}
