import { z } from 'zod';

/**
 * The Visma.net answers the connector reads, parsed at the edge (docs/providers/visma-net.md §3). Each schema names
 * the documented fields of its DTO (unused ones as `unknown`), so `parseRecord` reports only fields the
 * documentation does not know. Values are read loosely (ids as number or text, nulls anywhere): the mappers turn
 * them into Simon's vocabulary.
 */

const text = z.string().nullish();
const id = z.union([z.string(), z.number()]).nullish();
const num = z.union([z.number(), z.string()]).nullish();
const bool = z.union([z.boolean(), z.string()]).nullish();
const any = z.unknown().optional();

export const addressSchema = z.object({
  addressId: id, addressLine1: text, addressLine2: text, addressLine3: text, postalCode: text, city: text,
  country: z.object({ id: text, name: text }).nullish(), county: any,
}).nullish();

export const contactSchema = z.object({
  contactId: id, name: text, attention: text, email: text, web: text, phone1: text, phone2: text, fax: text,
}).nullish();

const metadata = z.object({ totalCount: num, maxPageSize: num }).nullish();

// ---- ERP API ----

export const customerSchema = z.object({
  internalId: id, number: id, name: text, status: text,
  mainAddress: addressSchema, mainContact: contactSchema, invoiceAddress: addressSchema, invoiceContact: contactSchema,
  deliveryAddress: addressSchema, deliveryContact: contactSchema,
  lastModifiedDateTime: text, createdDateTime: text, timeStamp: any, metadata,
  location: any, attributes: any, customerClass: any, vatZone: any, corporateId: any, vatRegistrationId: any, creditTerms: any, currencyId: any,
  creditLimit: any, creditDaysPastDue: any, overrideWithClassValues: any, parentRecord: any, priceClass: any, defaultPaymentMethod: any,
  invoiceToDefaultLocation: any, glnNumber: any, directDebitLines: any, accountReference: any, note: any, eInvoiceContract: any, salesPerson: any,
  excludeDebtCollection: any, acceptAutoInvoices: any, paymentMethods: any, accountInformation: any, restrictVisibilityTo: any, sendDunningLettersViaEmail: any,
  printDunningLetters: any, printInvoices: any, sendInvoicesByEmail: any, printStatements: any, sendStatementsByEmail: any, printMultiCurrencyStatements: any,
  statementType: any, deliveryMethod: any, errorInfo: any,
});

export const inventorySchema = z.object({
  inventoryId: id, inventoryNumber: id, type: text, status: text, description: text,
  itemClass: z.object({ id: text, description: text, type: text, attributes: any }).nullish(),
  postingClass: any, defaultPrice: num, baseUnit: text, salesUnit: text, purchaseUnit: text, stockItem: bool, kitItem: bool,
  lastModifiedDateTime: text, timestamp: any, timeStamp: any, metadata,
  body: any, vatCode: any, priceClass: any, defaultWarehouse: any, defaultIssueFrom: any, defaultReceiptTo: any, defaultCost: any, currentCost: any,
  salesCategories: any, crossReferences: any, attachments: any, attributes: any, warehouseDetails: any, supplierDetails: any, accountInformation: any,
  inventoryUnits: any, note: any, packaging: any, intrastat: any, recommendedPrice: any, errorInfo: any, alternateIDs: any, extraInfo: any,
});

export const itemClassSchema = z.object({ id: text, description: text, type: text, attributes: any, metadata, stockItem: any, errorInfo: any });

export const warehouseSchema = z.object({
  warehouseID: id, description: text, active: bool, branch: any, address: any, contact: any, locations: any, timestamp: any, timeStamp: any, metadata,
  lastModifiedDateTime: any, replenishmentClass: any, lockSitePICountEntry: any, receiptLocation: any, shipLocation: any, dropShipLocation: any,
  useItemDefaultLocationForPicking: any, overrideInventoryAccountSubaccount: any, errorInfo: any,
});

export const salesOrderTypeSchema = z.object({
  orderType: text, active: bool, description: text, behavior: text, defaultOperation: any, customerDocumentType: any, metadata,
  lastModifiedDateTime: any, automation: any, templateId: any, errorInfo: any,
});

export const organizationSchema = z.object({
  organizationCd: text, name: text, organizationType: any, fileTaxByBranches: any, baseCurrency: any, mainAddress: any, mainContact: any,
  deliveryAddress: any, deliveryContact: any, corporateId: any, vatRegistrationId: any, defaultCountry: any, industryCode: any, currency: any,
  vatZone: any, lastModifiedDateTime: any, ledger: any, bankSettings: any, branches: any, timeStamp: any,
});

const attachmentsSchema = z.array(z.object({ name: text, id: id, revision: num })).nullish();

export const invoiceSchema = z.object({
  referenceNumber: id, documentType: text, status: text, hold: bool, externalReference: text, customerRefNumber: text,
  customer: z.object({ number: id, name: text }).nullish(), attachments: attachmentsSchema, lastModifiedDateTime: text, createdDateTime: text,
  invoiceText: any, note: any, documentDate: any, amount: any, balance: any, invoiceLines: any, timeStamp: any, metadata, sendToAutoInvoice: any,
  documentDueDate: any, postPeriod: any, financialPeriod: any, currencyId: any, creditTerms: any, paymentMethod: any, paymentReference: any,
  location: any, contact: any, project: any, salesPerson: any, branchNumber: any, cashAccount: any, vatTotal: any, vatTotalInCurrency: any,
  amountInCurrency: any, balanceInCurrency: any, exchangeRate: any, dontPrint: any, dontEmail: any, accountingCostRef: any, originatorDocRef: any,
  contractDocRef: any, taxDetails: any, invoiceAddress: any, invoiceContact: any, errorInfo: any, released: any, cashDiscountDate: any,
  detailTotal: any, detailTotalInCurrency: any, roundingDiff: any, customerVatZone: any, applications: any, dunningLevel: any,
  dunningLetterDate: any, closedFinancialPeriod: any, closedDate: any, startDate: any, endDate: any,
});

// ---- SalesOrders V3 ----

/** `status` is a string in a list and `{description, cancelled, hold}` in a single order (C1). */
export const v3StatusSchema = z.union([z.string(), z.object({ description: text, cancelled: bool, hold: bool })]).nullish();

const customFieldsSchema = z.object({
  customStr1: text, customStr2: text, customStr3: text, customStr4: text, customStr5: text,
  customDec1: any, customDec2: any, customInt1: any, customInt2: any, customDateTimeUtc1: any,
}).nullish();

/** `SalesOrderShippingDto` (C1): the order's delivery address and contact, with `expand=Shipping`. */
const shippingSchema = z.object({
  address: z.object({ id: any, overridesDefault: any, line1: text, line2: text, line3: text, postalCode: text, city: text, country: z.object({ id: text, name: text }).nullish(), county: any }).nullish(),
  contact: z.object({ id: any, overridesDefault: any, name: text, attention: text, email: text, phone1: text, phone2: text, fax: text }).nullish(),
  scheduledDate: any, shipSeparately: any, rule: any, preferredWarehouse: any, shipVia: any, fobPoint: any, terms: any, zone: any,
  residentialDelivery: any, saturdayDelivery: any, insurance: any, intrastatTransactionType: any, priority: any,
}).nullish();

/** The parts an `expand` adds to an order (absent or null otherwise). */
const v3Expansions = {
  note: text,
  customFields: customFieldsSchema,
  attachments: attachmentsSchema,
  customer: z.object({ internalId: any, id: id, name: text, order: text, refNo: text, contactId: any, taxZone: any, location: any }).nullish(),
  shipping: shippingSchema,
  billing: any, payment: any, financialInformation: any, owner: any, origin: any, freight: any,
};

export const v3ListItemSchema = z.object({
  type: text, orderId: id, status: v3StatusSchema, date: text, customerId: id, customerName: text, customerOrder: text, customerRefNo: text,
  description: text, lastModified: text,
  shippingScheduledDate: any, orderQty: any, orderTotal: any, taxTotal: any, currency: any, location: any, requestOn: any, _links: any,
  ...v3Expansions,
});

export const v3OrderSchema = z.object({
  type: text, orderId: id, status: v3StatusSchema, description: text, date: text, lastModified: text,
  requestOn: any, cancelBy: any, orderQty: any, currencyId: any, createdBy: any, branch: any, originalOrderType: any, originalOrderId: any,
  version: any, emailed: any,
  ...v3Expansions,
});

export const v3LineSchema = z.object({
  lineId: any, sortOrder: any, lineType: any, operation: any, inventory: z.object({ id: id, description: text, baseUnit: text }).nullish(),
  unitOfMeasure: text, quantity: num, unitPrice: num, description: text, warehouseId: text, note: text,
  openQuantity: any, billedQuantity: any, completed: any, extendedPrice: any, discountAmount: any, discountPercent: any, attachments: any,
  customFields: any, unitCost: any, shipDate: any, requestDate: any, salesAccountId: any, taxCategoryId: any, hasManualPrice: any,
  hasManualDiscount: any, warehouse: any, location: any, lotSerialNumber: any,
});

/** `…PagedResult`: one page of a V3 listing. */
export const v3PageSchema = z.object({ value: z.array(z.record(z.string(), z.unknown())), nextPage: z.string().nullish(), totalCount: z.number().nullish() });

export type VismaCustomer = z.infer<typeof customerSchema>;
export type VismaInventory = z.infer<typeof inventorySchema>;
export type VismaItemClass = z.infer<typeof itemClassSchema>;
export type VismaWarehouse = z.infer<typeof warehouseSchema>;
export type VismaListOrder = z.infer<typeof v3ListItemSchema>;
export type VismaOrder = z.infer<typeof v3OrderSchema>;
export type VismaLine = z.infer<typeof v3LineSchema>;
export type VismaInvoice = z.infer<typeof invoiceSchema>;
