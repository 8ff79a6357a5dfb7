import { z } from 'zod';

/**
 * FactuurSturen API v1 records as they arrive (docs/providers/factuursturen.md §3): scalars mostly as strings
 * ("42", "62.50", "true", "0"), sometimes as JSON numbers (nested line values), `""` for "nothing". The schemas
 * check the structure and name every documented field, so `parseRecord` reports anything else a real account
 * sends; the mappers read the values with the defensive readers of connectors/values.ts.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]).nullable().optional();
const id = z.union([z.string().min(1), z.number()]);

/** `reference` is three printed lines; an unset one may come as `[]` or `""` (the API's way of saying "none"). */
const referenceLines = z
  .union([z.object({ line1: scalar, line2: scalar, line3: scalar }), z.array(z.unknown()), z.string()])
  .nullable()
  .optional();

export const lineSchema = z.object({
  amount: scalar,
  amount_desc: scalar,
  description: scalar,
  tax_rate: scalar,
  price: scalar,
  discount_pct: scalar,
  linetotal: scalar,
});
export type FsLine = z.infer<typeof lineSchema>;

/** Read side of `lines`: an object keyed `line1`, `line2`, … (an array in some answers, `[]` when empty). */
const lines = z.union([z.record(z.string(), lineSchema), z.array(lineSchema)]).nullable().optional();

export const clientSchema = z.object({
  clientnr: id,
  contact: scalar, showcontact: scalar, company: scalar, address: scalar, address_addon: scalar, zipcode: scalar,
  city: scalar, country: scalar, phone: scalar, mobile: scalar, email: scalar, addon: scalar, bankcode: scalar,
  biccode: scalar, taxnumber: scalar, tax_shifted: scalar, lastinvoice: scalar, sendmethod: scalar,
  paymentmethod: scalar, top: scalar, stddiscount: scalar, mailintro: scalar, reference: referenceLines,
  notes: scalar, notes_on_invoice: scalar, active: scalar, default_doclang: scalar, default_email: scalar,
  currency: scalar, mandate_id: scalar, mandate_date: scalar, collecttype: scalar, tax_type: scalar,
  default_category: scalar, email_reminder: scalar, timestamp: scalar,
});
export type FsClient = z.infer<typeof clientSchema>;

/** Exactly these six fields (§3.3): no category, unit or active flag. */
export const productSchema = z.object({ id, code: scalar, name: scalar, price: scalar, taxes: scalar, priceintax: scalar });
export type FsProduct = z.infer<typeof productSchema>;

/** Bookkeeping categories of documents (§3.4); `ledger` is a number, or false when unset. */
export const categorySchema = z.object({ id, name: scalar, ledger: scalar });
export type FsCategory = z.infer<typeof categorySchema>;

/** `GET countrylist`: the ids client `country` holds (146 = Nederland). The name field is unconfirmed (U15). */
export const countrySchema = z.object({ id, name: scalar });

export const profileSchema = z.object({ id, name: scalar });

/** A saved (concept) invoice (§3.6): our save name comes back as `name`, never as `savename`. */
export const savedInvoiceSchema = z.object({
  id,
  name: scalar,
  reference: referenceLines,
  lines,
  profile: scalar, profile_name: scalar, category: scalar, discounttype: scalar, discount: scalar,
  paymentcondition: scalar, paymentperiod: scalar, datesaved: scalar, totaldiscount: scalar, totalintax: scalar,
  alreadypaid: scalar, alreadypaidmethod: scalar, clientnr: scalar, company: scalar, contact: scalar,
  address: scalar, zipcode: scalar, city: scalar, country: scalar, phone: scalar, email: scalar, tax_type: scalar,
  tax_shifted: scalar, sendmethod: scalar, invoicenote: scalar, language: scalar,
});
export type FsSavedInvoice = z.infer<typeof savedInvoiceSchema>;

/** A quotation (§6). The read key of its name (`savename` or `name`) is unconfirmed (U11), so both are named. */
export const quotationSchema = z.object({
  id,
  savename: scalar,
  name: scalar,
  quotationreference: scalar,
  reference: referenceLines,
  lines,
  notes: scalar, date: scalar, clientnr: scalar, approved: scalar, customstatus: scalar, action: scalar,
  sendmethod: scalar, profile: scalar, profile_name: scalar, category: scalar, category_name: scalar,
  discounttype: scalar, discount: scalar, paymentcondition: scalar, quotationperiod: scalar, showtotals: scalar,
});
export type FsQuotation = z.infer<typeof quotationSchema>;
