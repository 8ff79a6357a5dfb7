import { z } from 'zod';

/**
 * The records of the Rompslomp API v1 as the swagger describes them (docs/providers/rompslomp.md §3), parsed at the
 * edge through `parseRecord`. Every property there is `x-nullable`, so nearly everything may be null or absent; the
 * fields the connector relies on (ids) are required. Decimals are "arbitrary-precision floating point numbers
 * represented as a string"; a number is accepted too (a live client sends numbers), and read as a decimal string.
 */

const text = z.string().nullish();
const flag = z.boolean().nullish();
const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]);
const optionalId = id.nullish();
const decimal = z.union([z.string(), z.number()]).nullish();
/** Fields the connector does not read: known (so not reported as unexpected), of any shape. */
const unused = z.unknown().optional();

export const companySchema = z.object({
  id,
  name: text,
  owner_name: text,
  address: text,
  zipcode: text,
  city: text,
  country_code: text,
  kvk_number: text,
  email: text,
  website: text,
  type: text,
  vat_liable: flag,
  vat_number: text,
  access_control: z.object({ api_accessible: flag, allowed_scopes: z.array(z.string()).nullish() }).nullish(),
});

export const contactSchema = z.object({
  id,
  is_individual: flag,
  is_supplier: flag,
  name: text,
  company_name: text,
  contact_person_name: text,
  contact_person_email_address: text,
  address: text,
  zipcode: text,
  city: text,
  government_identification_number: text,
  country_code: text,
  kvk_number: text,
  phone: text,
  vat_number: text,
  contact_number: text,
  free_1: text,
  free_2: text,
  free_3: text,
});

export const productSchema = z.object({
  id,
  number_sold: unused,
  has_stock: unused,
  invoice_line: z.object({
    id: unused,
    description: text,
    extended_description: text,
    price_per_unit: decimal,
    price_with_vat: unused,
    price_without_vat: unused,
    vat_amount: unused,
    vat_rate: unused,
    vat_type_id: optionalId,
    quantity: unused,
    product_id: unused,
    account_id: unused,
    account_path: unused,
    product_code: text,
  }).nullish(),
});

export const salesInvoiceSchema = z.object({
  id,
  date: text,
  due_date: unused,
  payment_method: unused,
  custom_payment_instructions: unused,
  pay_url: unused,
  creates_pay_url_on_publish: unused,
  description: text,
  status: text,
  price_without_vat: unused,
  price_with_vat: unused,
  vat_amount: unused,
  contact_id: optionalId,
  invoice_number: text,
  published_at: unused,
  payment_status: unused,
  open_amount: unused,
  currency: unused,
  currency_exchange_rate: unused,
  sends_copy_by_email_on_publish: unused,
  template_id: unused,
  vat_number: unused,
  validates_vat_number: unused,
  /** Unique per company and shown only through the API; left out of list and show answers when not set (inferred). */
  api_reference: text,
  payment_reference: unused,
  sale_type: unused,
  distance_sale: unused,
  cached_contact: unused,
  attachment_objects: unused,
  invoice_lines: unused,
  payments: unused,
});

export type RompslompCompanyRecord = z.infer<typeof companySchema>;
export type RompslompContactRecord = z.infer<typeof contactSchema>;
export type RompslompProductRecord = z.infer<typeof productSchema>;
export type RompslompSalesInvoiceRecord = z.infer<typeof salesInvoiceSchema>;
