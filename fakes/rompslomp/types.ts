import type { BaseFaults, CommitTimeout, FakeAnswer } from '../kit.js';

/** The fake Rompslomp's records and state (docs/providers/rompslomp.md §3; the shapes of the swagger). */

export const ROMPSLOMP_SCOPES = [
  'public', 'manage:companies', 'manage:contacts', 'manage:sales_invoices', 'manage:payments', 'manage:products', 'read:accounts',
  'manage:journal_entries', 'read:me', 'manage:hours', 'manage:rides', 'manage:expenses', 'manage:quotations',
] as const;

export interface FakeRsApp {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; null accepts any (a test app). */
  redirectUris: string[] | null;
}

export interface FakeRsCompany {
  id: number;
  name: string;
  owner_name: string;
  address: string;
  zipcode: string;
  city: string;
  country_code: string;
  kvk_number: string | null;
  email: string | null;
  website: string | null;
  type: 'eenmanszaak' | 'vof' | 'bv' | 'vereniging' | 'stichting' | 'other';
  vat_liable: boolean;
  vat_number: string | null;
  access_control: { api_accessible: boolean; allowed_scopes: string[] };
}

export interface FakeRsContact {
  id: number;
  is_individual: boolean;
  is_supplier: boolean;
  company_name: string | null;
  contact_person_name: string | null;
  contact_person_email_address: string | null;
  address: string | null;
  zipcode: string | null;
  city: string | null;
  country_code: string | null;
  kvk_number: string | null;
  phone: string | null;
  vat_number: string | null;
  contact_number: string;
}

export interface FakeRsProduct {
  id: number;
  has_stock: boolean;
  number_sold: number;
  invoice_line: {
    description: string;
    extended_description: string | null;
    /** Excl. VAT, decimal string. */
    price_per_unit: string;
    vat_type_id: number;
    /** Not unique: Rompslomp does not say it is (docs/providers/rompslomp.md, U15). */
    product_code: string;
  };
}

export interface FakeRsInvoiceLine {
  id: number;
  description: string;
  extended_description: string | null;
  /** As sent: the fake stores decimal strings unchanged. */
  price_per_unit: string;
  quantity: string;
  vat_type_id: number;
  vat_rate: string;
  product_id: number | null;
  account_id: number | null;
  /** quantity × price, exact, rounded to cents. */
  price_without_vat: string;
  vat_amount: string;
  price_with_vat: string;
}

export interface FakeRsSalesInvoice {
  id: number;
  date: string;
  due_date: string;
  description: string | null;
  status: 'concept' | 'published';
  contact_id: number;
  invoice_number: string | null;
  published_at: string | null;
  api_reference: string | null;
  payment_reference: string | null;
  payment_method: string;
  vat_number: string | null;
  currency: 'eur';
  price_without_vat: string;
  vat_amount: string;
  price_with_vat: string;
  invoice_lines: FakeRsInvoiceLine[];
}

export interface FakeRsVatType {
  id: number;
  name: 'vat_high' | 'vat_low' | 'vat_low_new' | 'vat_reverse_charged' | 'vat_none' | 'vat_zero' | 'vat_custom';
  friendly_name: string;
  value: string;
}

export interface FakeRsCompanyData {
  contacts: FakeRsContact[];
  products: FakeRsProduct[];
  salesInvoices: FakeRsSalesInvoice[];
  /** The request body of every create the fake carried out, as received (the document preview's tests compare it). */
  receivedCreates?: unknown[];
}

/** One authorisation: the code exchange starts it, every refresh continues it (the rate limit counts per authorisation). */
export interface CodeGrant { clientId: string; redirectUri: string; scope: string; expiresAt: number; used: boolean }
export interface AccessToken { clientId: string; scope: string; expiresAt: number; revoked: boolean; refreshToken: string; grant: string }
export interface RefreshToken { clientId: string; scope: string; revoked: boolean; grant: string }

/** A request the API part of the fake received, for tests that count calls in time (the 429 hold). */
export interface LoggedRequest {
  at: number;
  method: string;
  /** After /api/v1/, ids as `:id`. */
  path: string;
  /** The authorisation of the bearer token, null when the token was unknown. */
  grant: string | null;
  status: number;
}

export interface FakeRompslompState {
  apps: FakeRsApp[];
  companies: FakeRsCompany[];
  /** Contacts, products and invoices per company id. */
  data: Record<number, FakeRsCompanyData>;
  vatTypes: FakeRsVatType[];
  codes: Map<string, CodeGrant>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  /** Seconds an access token lives (Rompslomp: 7200). */
  accessTokenLifetimeSeconds: number;
  /** What the fake's user answers on the consent screen. */
  authorizeDecision: 'approve' | 'deny';
  nextId: number;
  /** Every request to /api/v1 (token and control paths not included). */
  requestCount: number;
  /** Per "METHOD path" with ids as `:id`, e.g. `requests['POST companies/:id/sales_invoices']`. */
  requests: Record<string, number>;
  /** The last requests to /api/v1, in order of arrival. */
  requestLog: LoggedRequest[];
  /** Calls to `POST /oauth/token` per grant type, and authorize redirects. */
  oauthRequests: { authorize: number; authorization_code: number; refresh_token: number };
  /** API calls allowed per authorisation per window (429 `client.rate_limit` beyond, with Retry-After to the window's end). */
  rateLimitPerWindow: number;
  rateWindowMs: number;
  rateWindows: Map<string, { start: number; used: number }>;
  /** Send X-Total/X-Page/X-Per-Page (documented). Off only to test a client that must do without: not realistic. */
  pagingHeaders: boolean;
  /**
   * Whether list and show answers carry `api_reference` when it is set (inferred from the swagger's examples: the
   * create answer does, the list and show examples leave it out, so it may be shown only when set, or never).
   */
  apiReferenceIn: { list: boolean; show: boolean };
}

export interface FakeRsFault {
  status: number;
  /** Substring of the path after /api/v1/ (e.g. "sales_invoices"); absent = any. */
  path?: string;
  method?: string;
  retryAfterSeconds?: number;
  /** Rompslomp error type for the body; defaults per status. */
  type?: string;
  message?: string;
}

export interface FakeRompslompFaults extends BaseFaults<FakeRsFault, CommitTimeout> {
  /** After this many more API requests every access token issued so far expires (a token lapsing mid-run). */
  expireAccessTokensAfter: number | null;
}

/** What a route answers. */
export type RsAnswer = FakeAnswer;

export function apiError(type: string, message: string) {
  return { error: { type, message } };
}

export const notFoundEndpoint = (): RsAnswer => ({ status: 404, body: apiError('client.not_found.endpoint', 'Endpoint bestaat niet') });
export const invalidParameter = (message: string): RsAnswer => ({ status: 422, body: apiError('client.parameters.invalid_parameter_value', message) });
export const validationError = (message: string): RsAnswer => ({ status: 422, body: apiError('client.parameters.validation', message) });
