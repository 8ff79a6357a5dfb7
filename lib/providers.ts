/** Imported by workflow code too: keep this module free of I/O and heavy dependencies (no zod). */
export const providerIds = ['octopus', 'factuursturen', 'imuis', 'rompslomp', 'visma-net'] as const;
export type ProviderId = (typeof providerIds)[number];

/** Entities the integration imports, in dependency order (groups before articles, customers before addresses). */
export const entities = ['article_groups', 'articles', 'customers'] as const;
export type Entity = (typeof entities)[number];

/** What "sync now" offers the admin (docs/sync.md): Klanten = customers + addresses, Artikelen = articles + groups. */
export const syncScopes = ['articles', 'customers'] as const;
export type SyncScope = (typeof syncScopes)[number];
export const scopeEntities: Record<SyncScope, Entity[]> = {
  articles: ['article_groups', 'articles'],
  customers: ['customers'],
};

export type Cadence = 'five-minutes' | 'daily';

/**
 * What an integration offers, one flag per feature (docs/providers/README.md shows the same table in words). The API
 * lists these under `GET /v1/providers`; the worker decides with them which schedules a tenant gets and which
 * connector needs the settings in force to make a call. Every key is named here, so a new one is added to all five
 * packages at once.
 */
export interface Capabilities {
  /** Customers are imported from the package (docs/sync.md). */
  importCustomers: boolean;
  /** Articles are imported from the package (docs/sync.md). */
  importArticles: boolean;
  /** Article groups are imported (Rompslomp has none: its listing is empty, docs/providers/rompslomp.md). */
  importArticleGroups: boolean;
  /** "Nu synchroniseren" is offered (docs/sync.md). */
  syncNow: boolean;
  /** The daily cleanup of records the package no longer has (docs/sync.md, "Cleanup"). */
  cleanup: boolean;
  /** Work time becomes a line of the chosen work-time article (docs/document.md). */
  workTimeArticle: boolean;
  /** Travel time becomes a line of the chosen travel-time article (docs/document.md). */
  travelTimeArticle: boolean;
  /** The work order's used articles become lines (docs/document.md). */
  usedArticles: boolean;
  /** A default article stands in for a line without a bookable article (docs/document.md). */
  defaultArticle: boolean;
  /** A work description holding the exclusion word is not sent (docs/export.md). */
  excludeFilterWord: boolean;
  /** The terms of use must be accepted before activation (docs/terms.md). */
  termsOfUse: boolean;
  /** The weekly reconciliation (docs/reconciliation.md): the connector lists its documents by date (`listDocuments`). */
  reconcile: boolean;
  /** The settings choose an administration (Octopus dossier, Rompslomp or Visma.net company), which every call needs. */
  chooseAdministration: boolean;
  /** A customer's own address becomes a work address in Simon (iMuis, Visma.net: docs/quotes.md). */
  customerAddressAsWorkAddress: boolean;
  /** A customer's invoice and delivery addresses become work addresses too (Visma.net). */
  invoiceDeliveryAddresses: boolean;
  /** Quotes or orders of the package become work orders (docs/quotes.md). */
  quotes: boolean;
  /** The settings' article-group filter limits the listings (iMuis: docs/sync.md), so the connector needs the settings. */
  articleGroupFilter: boolean;
  /** The work description may be the document's first line (settings `descriptionAsFirstLine`, docs/document.md). */
  descriptionAsFirstLine: boolean;
  /** The settings choose the journal the document is booked in (Octopus). */
  journal: boolean;
  /** The document carries a payment reference (settings `paymentReference`). */
  paymentReference: boolean;
  /** The document carries a memo (settings `memo`). */
  memo: boolean;
  /** The document's description field takes the memo (FactuurSturen's invoice description). */
  documentDescription: boolean;
  /** The document carries a customer reference (settings `customerReference`, Visma.net). */
  customerReference: boolean;
  /** The work order's PDFs are attached to the document (docs/export.md). */
  attachPdfs: boolean;
  /** The settings choose a warehouse for the lines, per engineer or a default (Visma.net sales orders). */
  warehouse: boolean;
}

export interface ProviderInfo {
  id: ProviderId;
  /** The product's full name (the provider card). */
  name: string;
  /** The name as the manuals write it in the integration log ("iMuis", "Visma.net"). */
  logName: string;
  document: string;
  cadence: Cadence;
  connectWith: 'username+apiKey' | 'username+password' | 'environmentCode' | 'oauth2';
  capabilities: Capabilities;
  /** Whether the connector is implemented in this build. */
  available: boolean;
}

/** What every package offers; each entry below says the rest. */
const base = {
  importCustomers: true,
  importArticles: true,
  importArticleGroups: true,
  syncNow: true,
  cleanup: true,
  workTimeArticle: true,
  travelTimeArticle: true,
  usedArticles: true,
  defaultArticle: true,
  excludeFilterWord: true,
  termsOfUse: true,
  articleGroupFilter: false,
} satisfies Partial<Capabilities>;

export const providers: Record<ProviderId, ProviderInfo> = {
  octopus: {
    id: 'octopus', name: 'Octopus', logName: 'Octopus', document: 'verkoopfactuur', cadence: 'daily', connectWith: 'username+password', available: true,
    capabilities: { ...base, chooseAdministration: true, customerAddressAsWorkAddress: false, invoiceDeliveryAddresses: false, quotes: false,
      descriptionAsFirstLine: true, journal: true, paymentReference: true, memo: true, documentDescription: false, customerReference: false,
      attachPdfs: false, warehouse: false, reconcile: true },
  },
  factuursturen: {
    id: 'factuursturen', name: 'FactuurSturen', logName: 'FactuurSturen', document: 'conceptfactuur', cadence: 'five-minutes', connectWith: 'username+apiKey', available: true,
    capabilities: { ...base, chooseAdministration: false, customerAddressAsWorkAddress: false, invoiceDeliveryAddresses: false, quotes: true,
      descriptionAsFirstLine: true, journal: false, paymentReference: true, memo: false, documentDescription: true, customerReference: false,
      attachPdfs: false, warehouse: false, reconcile: true },
  },
  imuis: {
    id: 'imuis', name: 'iMuis Online', logName: 'iMuis', document: 'verkooporder', cadence: 'five-minutes', connectWith: 'environmentCode', available: true,
    capabilities: { ...base, chooseAdministration: false, customerAddressAsWorkAddress: true, invoiceDeliveryAddresses: false, quotes: true,
      articleGroupFilter: true, descriptionAsFirstLine: false, journal: false, paymentReference: false, memo: true, documentDescription: false,
      customerReference: false, attachPdfs: false, warehouse: false, reconcile: true },
  },
  rompslomp: {
    id: 'rompslomp', name: 'Rompslomp', logName: 'Rompslomp', document: 'conceptfactuur', cadence: 'daily', connectWith: 'oauth2', available: true,
    capabilities: { ...base, chooseAdministration: true, customerAddressAsWorkAddress: false, invoiceDeliveryAddresses: false, quotes: false,
      descriptionAsFirstLine: true, journal: false, paymentReference: false, memo: false, documentDescription: false, customerReference: false,
      attachPdfs: false, warehouse: false, reconcile: true },
  },
  'visma-net': {
    id: 'visma-net', name: 'Visma.net ERP', logName: 'Visma.net', document: 'verkooporder of factuur', cadence: 'five-minutes', connectWith: 'oauth2', available: true,
    capabilities: { ...base, chooseAdministration: true, customerAddressAsWorkAddress: true, invoiceDeliveryAddresses: true, quotes: true,
      descriptionAsFirstLine: false, journal: false, paymentReference: false, memo: true, documentDescription: false, customerReference: true,
      attachPdfs: true, warehouse: true, reconcile: true },
  },
};

export const termsText =
  'Ik ga akkoord met de voorwaarden om deze integratie te gebruiken. Klanten, artikelen en artikelgroepen worden beheerd in het boekhoudpakket; ' +
  'gegevens die in Simon zijn toegevoegd worden niet teruggeschreven en worden bij het opschonen verwijderd.';

/** The version of the terms above; `TERMS_VERSION` (lib/env.ts) overrides it when the text changes (docs/terms.md). */
export const TERMS_VERSION_DEFAULT = '2025-1';

/** The manuals' link under the terms checkbox. */
export const termsLinkText = 'Bekijk hier de voorwaarden tot gebruik van deze integratie (PDF)';

export interface ProviderCard {
  /** "Integratie: Octopus" */
  title: string;
  /** The "Werking:" steps, numbered in the card. */
  steps: string[];
  /** The link text under the steps. */
  detailsLinkText: string;
}

/** The activation card of each package, in the manuals' words (the Visma.net manual shows none: same pattern). */
export const providerCards: Record<ProviderId, ProviderCard> = {
  octopus: {
    title: 'Integratie: Octopus',
    steps: ['Artikelen en Klanten gaan van Octopus naar Simon', 'Een gearchiveerde werkbon in Simon wordt een verkoop factuur in Octopus'],
    detailsLinkText: 'Bekijk in dit document de integratie in detail: Integratie Octopus met Simple-Simon beschrijving (PDF)',
  },
  factuursturen: {
    title: 'Integratie: FactuurSturen.NL',
    steps: [
      'Producten en Klanten gaan van FactuurSturen naar Simon',
      'Een Offerte in FactuurSturen wordt desgewenst een Werkbon in Simple-Simon',
      'Een gearchiveerde werkbon in Simon wordt een Concept Factuur in FactuurSturen',
    ],
    detailsLinkText: 'Bekijk in dit document de integratie in detail: Integratie FactuurSturen met Simple-Simon beschrijving (PDF)',
  },
  imuis: {
    title: 'Integratie: iMuis',
    steps: ['Artikelen en Klanten gaan van iMuis naar Simon', 'Een gearchiveerde werkbon in Simon wordt een verkooporder in iMuis'],
    detailsLinkText: 'Bekijk in dit document de integratie in detail: Integratie iMuis met Simple-Simon beschrijving (PDF)',
  },
  rompslomp: {
    title: 'Integratie: Rompslomp',
    steps: ['Artikelen en Klanten worden van Rompslomp naar Simon gesynchroniseerd.', 'Een gearchiveerde werkbon in Simon wordt een Concept factuur in Rompslomp'],
    detailsLinkText: 'In dit document zijn meer details over deze integratie te vinden: Integratie Rompslomp met Simple-Simon-Beschrijving (PDF)',
  },
  'visma-net': {
    title: 'Integratie: Visma.net',
    steps: [
      'Artikelen en Klanten gaan van Visma.net naar Simon',
      'Een open verkooporder in Visma.net wordt desgewenst een Werkbon in Simple-Simon',
      'Een gearchiveerde werkbon in Simon wordt een verkooporder of factuur in Visma.net',
    ],
    detailsLinkText: 'Bekijk in dit document de integratie in detail: Integratie Visma.net met Simple-Simon beschrijving (PDF)',
  },
};
