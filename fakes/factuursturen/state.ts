import type { BaseFaults, CommitTimeout } from '../kit.js';

/**
 * What the fake FactuurSturen holds, in the real API's field names (docs/providers/factuursturen.md §3, §6). Numbers
 * are kept as numbers here; the server sends them as strings, as the real service does.
 */

export interface FakeFsAccount {
  username: string;
  apiKey: string;
}

export interface FakeFsClient {
  clientnr: number;
  contact: string;
  /** `""` for a private person. */
  company: string;
  address: string;
  zipcode: string;
  city: string;
  /** An id of `GET countrylist` (146 = Nederland). */
  country: number;
  phone: string;
  mobile: string;
  email: string;
  active: boolean;
  timestamp: string;
}

/** Exactly the six fields of the real product (§3.3). */
export interface FakeFsProduct {
  id: number;
  code: string;
  name: string;
  /** Excl. VAT. */
  price: number;
  /** VAT percentage. */
  taxes: number;
  priceintax: number;
}

/** A bookkeeping category of documents, with its ledger account (§3.4). */
export interface FakeFsCategory {
  id: number;
  name: string;
  ledger: number;
}

export interface FakeFsCountry {
  id: number;
  name: string;
}

/** An invoice or quotation line; a text line has only `description` (D2). */
export interface FakeFsLine {
  description: string;
  amount?: number;
  price?: number;
  amount_desc?: string;
  tax_rate?: number;
  discount_pct?: number;
}

export interface FakeFsReference {
  line1?: string;
  line2?: string;
  line3?: string;
}

/** A saved (concept) invoice: its save name is `name` (string(20), unique per account). */
export interface FakeFsSavedInvoice {
  id: number;
  name: string;
  clientnr: number;
  reference: FakeFsReference;
  lines: FakeFsLine[];
  profile: number;
  category: number | null;
  discounttype: string;
  discount: number;
  paymentcondition: string;
  paymentperiod: number;
  invoicenote: string;
  alreadypaid: number;
  alreadypaidmethod: string;
  datesaved: string;
}

/** A sent invoice (`action: send`): it has a number and no `name`. */
export interface FakeFsSentInvoice {
  id: number;
  invoicenr: string;
  clientnr: number;
  reference: FakeFsReference;
  lines: FakeFsLine[];
  profile: number;
  sendmethod: string;
  invoicenote: string;
  sent: string;
}

/** A quotation (§6): its name is `savename`, its public number `quotationreference`; lines carry no product. */
export interface FakeFsQuotation {
  id: number;
  savename: string;
  quotationreference: string;
  clientnr: number;
  reference: FakeFsReference;
  notes: string;
  lines: FakeFsLine[];
  date: string;
  approved: boolean;
  customstatus: string;
  profile: number;
  quotationperiod: number;
}

export interface FakeFactuurSturenState {
  accounts: FakeFsAccount[];
  clients: FakeFsClient[];
  products: FakeFsProduct[];
  categories: FakeFsCategory[];
  countries: FakeFsCountry[];
  profiles: { id: number; name: string }[];
  /** VAT percentages a line may carry. */
  taxes: number[];
  savedInvoices: FakeFsSavedInvoice[];
  /** The request body of every create the fake carried out, as received (the document preview's tests compare it). */
  receivedCreates?: unknown[];
  sentInvoices: FakeFsSentInvoice[];
  quotations: FakeFsQuotation[];
  nextInvoiceId: number;
  /** Every request that reached the API paths (control paths not included). */
  requestCount: number;
  /** Per "METHOD path", e.g. `requests['POST invoices']`, `requests['GET clients']`. */
  requests: Record<string, number>;
  /** The last answers (newest last, at most 500): what was asked (`query` without `?`), with which status, when. */
  answers: { method: string; path: string; query: string; status: number; at: number }[];
  /** Calls allowed per account per window. */
  rateLimitPerHour: number;
  /** The window of the call limit: an hour, shorter in tests. */
  rateWindowMs: number;
  rateWindows: Record<string, { start: number; used: number }>;
  /** How many records a listing without `count` answers with (the real default is unconfirmed, U7). */
  defaultListSize: number;
  /** false: listings ignore `count` (a page of `defaultListSize` from `start`), as a server without `count=-1` would. */
  honoursCount: boolean;
  /** Serve numbers and booleans as strings, as the real API does (fs_api gem). */
  stringly: boolean;
}

export interface FakeFsFault {
  status: number;
  /** Substring of the path after /api/v1/ (e.g. "invoices" also matches "invoices_saved"); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  body?: string;
  /** The `x-ratelimit-remaining` this answer carries (the hourly limit: status 403 with 0). */
  rateLimitRemaining?: number;
}

/**
 * `timeoutAfterCommit`: perform and store the write, then answer 504, `count` times. `emptyCreateBody`: a save is
 * answered 201 with an empty body (U2). `duplicateSaveIgnored`: a save under an existing name is answered 201 and
 * changes nothing, instead of the default 400 (U1).
 */
export type FakeFactuurSturenFaults = BaseFaults<FakeFsFault, CommitTimeout> & {
  emptyCreateBody: boolean;
  duplicateSaveIgnored: boolean;
};

export const DEFAULT_FS_ACCOUNT: FakeFsAccount = { username: 'demo', apiKey: 'fs-demo-api-key' };
export const DEFAULT_RATE_LIMIT_PER_HOUR = 100_000;
export const HOUR_MS = 3_600_000;
/** A stand-in for the unknown default page size of a listing without `count`. */
export const DEFAULT_LIST_SIZE = 100;
/** Ids as in the live recordings (C8): 146 = Nederland, 226 = Verenigde Staten. */
export const NEDERLAND = 146;

export function createFakeFactuurSturenState(accounts: FakeFsAccount[] = [DEFAULT_FS_ACCOUNT]): FakeFactuurSturenState {
  return {
    accounts: [...accounts],
    clients: [],
    products: [],
    categories: [],
    countries: [{ id: NEDERLAND, name: 'Nederland' }, { id: 226, name: 'Verenigde Staten' }],
    profiles: [{ id: 1, name: 'Standaard' }],
    taxes: [21, 9, 0],
    savedInvoices: [],
    sentInvoices: [],
    quotations: [],
    nextInvoiceId: 1,
    requestCount: 0,
    requests: {},
    answers: [],
    rateLimitPerHour: DEFAULT_RATE_LIMIT_PER_HOUR,
    rateWindowMs: HOUR_MS,
    rateWindows: {},
    defaultListSize: DEFAULT_LIST_SIZE,
    honoursCount: true,
    stringly: true,
  };
}
