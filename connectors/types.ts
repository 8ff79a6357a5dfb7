import type { Entity, ProviderId } from '../lib/providers.js';
import type { OutgoingRequest } from './http.js';
import type { FieldCheck, Settings } from '../lib/settings.js';
import type { OAuthTokens, StoredCredentials } from '../lib/credentials.js';
import type { ExternalArticleGroup, ExternalArticle, ExternalCustomer, ExternalQuote, DocumentDraft, CreatedDocument, AttachmentFile } from '../lib/records.js';

export type { ExternalAddress, ExternalArticleGroup, ExternalArticle, ExternalWorkAddress, ExternalCustomer, ExternalQuoteLine, ExternalQuote, DocumentLine, DocumentDraft, CreatedDocument, AttachmentFile } from '../lib/records.js';

/**
 * The one interface every accounting package implements (ARCHITECTURE.md "Connectors"). Connectors speak the provider's real
 * HTTP API; everything provider-specific (auth, paging, field names, error bodies) stays behind it.
 * Records are returned in Simon's vocabulary so the sync and export code is written once.
 */

export interface ListRequest {
  /** Opaque position inside one listing (null = first page). */
  cursor: string | null;
  /** High-water mark of the last complete listing, for providers with change tracking (null = everything). */
  since: string | null;
  pageSize?: number;
}

export interface Page<T> {
  records: T[];
  /** null when this was the last page of the listing. */
  nextCursor: string | null;
  /** Total records of the listing when the provider tells (progress in the status API). */
  total?: number;
  /** The value to pass as `since` next time, once the whole listing is done. */
  highWaterMark?: string | null;
}

/**
 * The decrypted credentials a connector is given (they only exist inside activities): the sealed JSON as opened, which
 * each connector reads as its package's own type (lib/credentials.ts `CredentialsOf`) through connectors/credentials.ts.
 */
export type { StoredCredentials, OAuthTokens, CredentialsOf } from '../lib/credentials.js';

export interface OptionItem {
  id: string;
  name: string;
  [k: string]: unknown;
}

export interface Connector {
  readonly provider: ProviderId;
  /** `modified-since`: `since` narrows the listing; `full-listing`: every sync lists everything and compares content. */
  readonly changeTracking: 'modified-since' | 'full-listing';

  /**
   * Verifies the credentials against the provider; throws ProviderError(kind 'auth') with the provider's message.
   * `administrationIds`: where the credentials reach exactly one administration (a Visma.net token is bound to the
   * company chosen at sign-on), the ids that name it, so a new connection can be refused when it reaches another one
   * than the settings in force (docs/administration-change.md). Absent where one connection reaches several.
   */
  verifyConnection(): Promise<{ label: string | null; administrationIds?: string[] }>;

  listArticleGroups(req: ListRequest): Promise<Page<ExternalArticleGroup>>;
  listArticles(req: ListRequest): Promise<Page<ExternalArticle>>;
  listCustomers(req: ListRequest): Promise<Page<ExternalCustomer>>;
  listQuotes?(req: ListRequest): Promise<Page<ExternalQuote>>;
  /**
   * Full-listing packages: a fingerprint of the entity's whole listing as the package gives it now (a hash of the
   * answer, never held whole), so an idle sync can tell "nothing changed" without a row reaching Postgres
   * (docs/idle-sync.md). Equal fingerprints mean equal listings; a different one says nothing more.
   */
  listingFingerprint?(entity: Entity): Promise<string>;

  /** "Controleer": every field checked against the provider, each with its own result. */
  checkSettings(settings: Settings): Promise<FieldCheck[]>;
  /**
   * Pick-lists for the settings screen (docs/settings.md), e.g. `articles?q=`. `scope.administration` names the
   * dossier/company the list belongs to while it is being chosen (before any settings are saved).
   */
  options?(list: string, q: string | null, scope?: { administration?: string | null }): Promise<OptionItem[]>;

  /**
   * How this package lets a create happen exactly once (docs/exactly-once.md). `uniqueReference`: the package itself
   * refuses a second document with our reference (Rompslomp `api_reference`, FactuurSturen's save name), so a create
   * whose outcome is unknown may be sent again once the look-up comes back empty. Otherwise the export waits out the
   * in-doubt window before it looks again and creates.
   */
  readonly documentIdentity: { uniqueReference: boolean };
  /**
   * Packages that make the caller choose the document's key (Octopus: the document number in the journal) plan it
   * here, before the create; the plan is stored on the export, so every retry creates and looks up the same key.
   */
  planDocument?(draft: DocumentDraft): Promise<DocumentPlan>;
  createDocument(draft: DocumentDraft, plan: DocumentPlan | null): Promise<CreatedDocument>;
  /**
   * The request `createDocument` would send now, built by the same function, and what the package would refuse
   * (docs/preview.md). Only reads, never a write: no document, no reserved number (Octopus shows the number it would
   * plan next). The body never holds credentials (they travel in headers). A draft whose customer `externalId` is ''
   * stands in for a work order without a customer the package knows: only its articles and warehouse are asked about.
   */
  previewDocument(draft: DocumentDraft): Promise<DocumentPreview>;
  /** The document an earlier attempt created, or null when the package has none (never a guess). */
  findDocument(lookup: DocumentLookup): Promise<CreatedDocument | null>;
  /** Names of the files already attached (a second post of a name makes a new revision: Visma.net). */
  listAttachments?(document: CreatedDocument): Promise<string[]>;
  attachFile?(document: CreatedDocument, file: AttachmentFile): Promise<void>;
  /**
   * The documents dated from `since` until today, whoever made them (our reference where the package shows it), for
   * the weekly reconciliation of exports against what the package holds. Packages that cannot list by date omit it.
   * `known`: the numbers and references of the window's exports, for packages whose listing is safest from a number
   * on (iMuis: `ORDKOP` by `NR`, docs/providers/imuis.md §9).
   */
  listDocuments?(since: Date, known?: KnownDocuments): Promise<ListedDocument[]>;
  /**
   * Packages that plan a document's key (`planDocument`): the document id a stored plan stands for and its relation,
   * so the reconciliation recognises the document of an export that failed after planning (docs/reconciliation.md).
   */
  plannedDocument?(plan: DocumentPlan): { documentId: string; customerExternalId: string } | null;
}

/** What Simon knows of the documents a reconciliation window should hold. */
export interface KnownDocuments {
  documentNumbers: string[];
  references: string[];
}

/** What a package would do with a draft: the request body of the create, or why it would refuse it. */
export interface DocumentPreview {
  /** The create's request body as it goes on the wire (JSON; the XML text for iMuis); null when a problem stops it. */
  body: unknown;
  problems: UpstreamProblem[];
}

/**
 * Why the package would refuse the draft: an article it does not know (any more), a warehouse it does not have, or
 * another refusal the connector itself raises before sending (`refused`).
 */
export interface UpstreamProblem {
  code: 'article-not-found-upstream' | 'warehouse-missing' | 'refused';
  /** The connector's Dutch reason, as the export records it when the create fails on it. */
  reason: string;
  /** The article code or warehouse concerned. */
  detail: string | null;
}

/** One document of a `listDocuments` answer. */
export interface ListedDocument {
  documentId: string;
  documentNumber: string | null;
  /** Our reference when the document carries one the listing shows (null: none, or the listing does not show it). */
  reference: string | null;
  customerExternalId: string | null;
  /** The document date, `YYYY-MM-DD`. */
  date: string;
  /** What the document is, where it carries no reference of ours (Octopus: relation, date, lines, amount). */
  fingerprint?: string | null;
}

/** A document key the caller chose before creating it (Octopus: book year, journal, document number). */
export type DocumentPlan = Record<string, string>;

/** What an export knows to find its document again. */
export interface DocumentLookup {
  reference: string;
  customerExternalId: string;
  /** The start of the first create attempt (minus a margin): the document cannot be older. */
  createdAfter: Date | null;
  plan: DocumentPlan | null;
}

/** OAuth2 providers (rompslomp, visma-net) add the code flow (lib/oauth.ts implements it once). */
export interface OAuthConnectorFactory {
  /** Whether the provider takes a PKCE challenge (S256); the API then stores the verifier with the state. */
  readonly pkce?: boolean;
  authorizeUrl(state: string, redirectUri: string, codeChallenge?: string): string;
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<OAuthTokens>;
  /** New tokens for the refresh token held (the scope and a refresh token that does not rotate are kept). */
  refresh(tokens: Partial<OAuthTokens>): Promise<OAuthTokens>;
}

export interface ConnectorContext {
  baseUrl: string;
  credentials: StoredCredentials;
  /**
   * OAuth providers: fresh tokens for the stale ones the connector holds. The caller refreshes once per tenant
   * at a time (another run may have refreshed already: rotating refresh tokens) and stores the result sealed.
   */
  refreshCredentials?: (stale: OAuthTokens) => Promise<OAuthTokens>;
  /** The tenant's settings in force (the company or dossier the connector works in); null before the first save. */
  settings?: Settings | null;
  /**
   * Called before every outgoing call (per-tenant quota guard, lib/quota.ts); awaited, and when it throws (a
   * ProviderError 'rate-limited') the call is not made.
   */
  onRequest?: (request: OutgoingRequest) => unknown;
  /** The provider said to wait (429 and Retry-After): the caller holds back every call of the tenant until then. */
  onRateLimited?: (retryAfterMs: number) => unknown;
  /**
   * Fields in a provider answer that the connector does not know (`npm run provider:check` prints them; a real
   * account may hold more than the public documentation shows). `operation` is e.g. "GET clients".
   */
  onUnexpectedFields?: (operation: string, fields: string[]) => void;
  /** Provider configuration from the environment (e.g. Octopus's `softwareHouseUuid`), see providerConfig(). */
  config?: Record<string, string>;
  timeoutMs?: number;
}
