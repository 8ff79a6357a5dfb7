/**
 * The records that cross between the accounting packages and Simon, in Simon's vocabulary: what a connector
 * returns from a listing and what the document rules (lib/document.ts) build for a connector to create.
 * Pure types, so every layer can name them (ARCHITECTURE.md, "Layers").
 */

export interface ExternalAddress {
  name?: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  country?: string | null;
}

export interface ExternalArticleGroup {
  externalId: string;
  code: string;
  description: string;
  active: boolean;
}

export interface ExternalArticle {
  externalId: string;
  code: string;
  description: string;
  /** Decimal string, excl. VAT; null when the provider has none. */
  salesPrice: string | null;
  unit: string | null;
  groupExternalId: string | null;
  active: boolean;
}

export interface ExternalWorkAddress {
  origin: 'customer-address' | 'invoice-address' | 'delivery-address';
  address: ExternalAddress;
}

export interface ExternalCustomer {
  externalId: string;
  number: string | null;
  name: string;
  address: ExternalAddress | null;
  email: string | null;
  phone: string | null;
  active: boolean;
  /** Addresses that become work addresses (imuis, visma-net); empty for the others. */
  workAddresses: ExternalWorkAddress[];
}

export interface ExternalQuoteLine {
  articleExternalId: string | null;
  /** The product code the provider gives on the line, when it gives one (matched against Simon's article codes). */
  articleCode?: string | null;
  description: string;
  quantity: number;
  unitPrice: string | null;
}

export type DocumentType = 'salesOrder' | 'invoice';

export interface ExternalQuote {
  /** A quote, or an order that already is a document (Visma.net `SO`): such a work order is not sent back as one. */
  kind?: 'quote' | 'salesOrder';
  externalId: string;
  /** The quote number the user sees (e.g. FactuurSturen's `quotenr`); the work order number is made from it. */
  number?: string | null;
  name: string;
  reference: string | null;
  memo: string | null;
  customerExternalId: string | null;
  customerReference?: string | null;
  /**
   * Where the work is to be done, when the package gives an address on the quote/order itself (Visma.net: the order's
   * shipping address); absent or null otherwise. It becomes the work order's work address (docs/quotes.md).
   */
  workAddress?: ExternalAddress | null;
  lines: ExternalQuoteLine[];
}

export type DocumentLine =
  | { kind: 'text'; description: string }
  | {
      kind: 'article';
      role: 'work-time' | 'travel-time' | 'material' | 'default';
      articleExternalId: string;
      articleCode: string;
      description: string;
      quantity: number;
      /** Decimal string excl. VAT; null = the provider's own price for the article. */
      unitPrice: string | null;
    };

/** A document to create in the provider, built from a work order by the pure rules of docs/document.md */
export interface DocumentDraft {
  /** Our unique reference on the document, used to find it again (exactly once). */
  reference: string;
  workOrderId: string;
  workOrderNumber: string;
  date: string;
  customer: { externalId: string; name: string };
  lines: DocumentLine[];
  /** Payment reference / betalingskenmerk (octopus, factuursturen). */
  paymentReference: string | null;
  /** Document description / invoice name lines (factuursturen). */
  descriptionLines: string[];
  /** Memo / remarks (octopus, imuis, visma-net). */
  memo: string | null;
  /** Customer reference (visma-net). */
  customerReference: string | null;
  /** Warehouse per line (visma-net sales orders). */
  warehouse: string | null;
  /** The kind of document (lib/document.ts `documentTypeFor`): Visma.net's setting, a sales order in iMuis, else an invoice. */
  documentType: DocumentType;
}

export interface CreatedDocument {
  documentId: string;
  documentNumber: string | null;
}

export interface AttachmentFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}
