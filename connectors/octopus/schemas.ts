import { z } from 'zod';

/**
 * The Octopus records the connector reads, parsed at the edge (connectors/kit.ts `parseRecord`). Field names and
 * types follow docs/providers/octopus.md §2–§3 (the REST JSON of the SOAP `…ServiceData` types); fields the schemas do
 * not name are reported as unexpected, never kept. Everything Simon can live without is optional, so a record that
 * lacks a field is still read (§9 U5: never drop a product because one field is missing).
 */

/** Octopus keys are integers (`{id: 12}`); a numeric string is read too. */
const id = z.union([z.number(), z.string()]);
const key = z.object({ id });
const text = z.string().nullish();
const num = z.number().nullish();
/** REST sends booleans; the SOAP types declare some flags as integers (§3.3). */
const flag = z.union([z.boolean(), z.number()]).nullish();
/** `stringServiceData`: one text per language, or (older answers) a plain string. */
const multilingual = z
  .union([z.string(), z.object({ description_NL: text, description_FR: text, description_EN: text, description_DE: text })])
  .nullish();

export const dossierSchema = z.object({
  dossierKey: key,
  dossierDescription: text,
  vatNr: text,
  streetAndNr: text,
  postalCode: text,
  city: text,
  country: text,
  url: text,
  email: text,
  corporationTypeKey: key.nullish(),
  languageCode: text,
});
export type OctopusDossier = z.infer<typeof dossierSchema>;

export const bookyearSchema = z.object({
  bookyearKey: key,
  bookyearDescription: text,
  /** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (§3.1): compare the first 10 characters only. */
  startDate: z.string(),
  endDate: z.string(),
  closed: flag,
  /** `bookyearPeriod` numbers like 202611, never 1..12: copied, never computed (§3.1). */
  periods: z.array(z.object({ bookyearPeriod: z.number(), startDate: z.string(), endDate: z.string() })).nullish(),
});
export type OctopusBookyear = z.infer<typeof bookyearSchema>;

export const journalSchema = z.object({
  bookyearKey: key.nullish(),
  journalKey: z.string(),
  name: text,
  closed: flag,
  closedPeriod: num,
  protectedPeriod: num,
  /** Moves only when invoices are booked (§3.2). */
  lastBookedDocumentNr: num,
  insertionType: num,
  currencyCode: text,
  customFieldList: z.array(z.unknown()).nullish(),
  customFieldLineList: z.array(z.unknown()).nullish(),
});
export type OctopusJournal = z.infer<typeof journalSchema>;

export const relationSchema = z.object({
  relationIdentificationServiceData: z.object({ relationKey: key, externalRelationId: z.union([z.number(), z.string()]).nullish() }),
  name: text,
  firstName: text,
  contactPerson: text,
  streetAndNr: text,
  postalCode: text,
  city: text,
  country: text,
  deliveryStreetAndNr: text,
  deliveryPostalCode: text,
  deliveryCity: text,
  deliveryCountry: text,
  email: text,
  telephone: text,
  mobile: text,
  fax: text,
  url: text,
  vatNr: text,
  vatType: num,
  client: flag,
  supplier: flag,
  active: flag,
  expirationDays: num,
  expirationType: num,
  currencyCode: text,
  ibanAccountNr: text,
  bicCode: text,
  bankAccountNr: text,
  remarks: text,
  searchField1: text,
  searchField2: text,
  corporationType: z.unknown().optional(),
  factLanguage: text,
  defaultBookingAccountClient: z.unknown().optional(),
  defaultBookingAccountSupplier: z.unknown().optional(),
});
export type OctopusRelation = z.infer<typeof relationSchema>;

export const productSchema = z.object({
  productKey: key,
  externProductNr: text,
  description: multilingual,
  code: multilingual,
  priceVatExclusive: num,
  priceVatInclusive: num,
  /** The group is `productGroup`; `productGroupKey` is read as a fallback only (§9 U5). */
  productGroup: key.nullish(),
  productGroupKey: key.nullish(),
  unit: text,
  vatCode: z.union([z.string(), z.number()]).nullish(),
  currencyCode: text,
  defaultBookingAccountNr: z.unknown().optional(),
  defaultCostCentre: z.unknown().optional(),
  supplierInfo: z.unknown().optional(),
});
export type OctopusProduct = z.infer<typeof productSchema>;

export const productGroupSchema = z.object({
  productGroupKey: key,
  description: multilingual,
  /** The 2018 wrapper lists an `id` next to the key (S10). */
  id: id.nullish(),
});
export type OctopusProductGroup = z.infer<typeof productGroupSchema>;

const invoiceLineSchema = z.object({
  description: text,
  count: num,
  unitPrice: num,
  vatCodeKey: z.union([z.string(), z.number()]).nullish(),
  externProductNr: text,
  unit: text,
  discountPercentage: num,
  bookingAccountNr: z.unknown().optional(),
  costCentreKey: z.unknown().optional(),
  customFieldValueList: z.unknown().optional(),
  intrastatServiceData: z.unknown().optional(),
});

/** An invoice read back (`GET invoices`, `invoices/modified`): the `InvoiceServiceData` the create sends (§3.6, §3.7). */
export const invoiceSchema = z.object({
  bookyearKey: key,
  journalKey: z.string(),
  documentSequenceNr: z.number(),
  bookyearPeriodeNr: num,
  documentDate: z.string(),
  expiryDate: text,
  currencyCode: text,
  exchangeRate: num,
  relationIdentificationServiceData: z.object({ relationKey: key, externalRelationId: z.union([z.number(), z.string()]).nullish() }),
  comment: text,
  reference: text,
  orderReference: text,
  financialDiscount: num,
  customFieldValueList: z.unknown().optional(),
  invoiceLines: z.array(invoiceLineSchema).nullish(),
});
export type OctopusInvoice = z.infer<typeof invoiceSchema>;
