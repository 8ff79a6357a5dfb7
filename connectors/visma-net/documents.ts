import type { CreatedDocument, DocumentDraft, DocumentLine } from '../types.js';
import type { ReferenceField } from './mappers.js';
import { connectorWords } from '../../lib/messages.js';

/**
 * The documents an archived work order becomes (docs/providers/visma-net.md §3.6, §3.8, §5): a sales order through
 * SalesOrders V3 (plain JSON, on hold, our reference in a custom field that is not printed) or a customer invoice
 * through `POST /v2/customerinvoice` (every field wrapped as `{ value }`, on hold, our reference in
 * `externalReference`), and the ids we give them.
 */

/** V3's documented maximum lengths (C1); longer texts are cut rather than refused. */
export const V3_LIMITS = { refNo: 40, description: 255, lineDescription: 256, note: 2048 } as const;

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

function articleLines(draft: DocumentDraft): Extract<DocumentLine, { kind: 'article' }>[] {
  // Visma.net lines need an item; Visma.net settings never ask for a text line (no descriptionAsFirstLine).
  return draft.lines.filter((l): l is Extract<DocumentLine, { kind: 'article' }> => l.kind === 'article');
}

/**
 * `POST SalesOrders` (NewSalesOrderCommand): type SO, on hold, the warehouse on every line, a price only with
 * `hasManualPrice` (else the ERP recalculates it), and noon UTC as the date so no time zone moves the day (U16).
 */
export function salesOrderBody(draft: DocumentDraft, referenceField: ReferenceField): Record<string, unknown> {
  return {
    type: 'SO',
    customer: { id: draft.customer.externalId, ...(draft.customerReference ? { refNo: cut(draft.customerReference, V3_LIMITS.refNo) } : {}) },
    date: `${draft.date}T12:00:00Z`,
    description: cut(connectorWords.workOrder(draft.workOrderNumber), V3_LIMITS.description),
    status: 'Hold',
    ...(draft.memo ? { note: cut(draft.memo, V3_LIMITS.note) } : {}),
    customFields: { [referenceField]: draft.reference },
    orderLines: articleLines(draft).map((line) => ({
      inventoryId: line.articleCode,
      quantity: line.quantity,
      description: cut(line.description, V3_LIMITS.lineDescription),
      ...(line.unitPrice !== null ? { unitPrice: Number(line.unitPrice), hasManualPrice: true } : {}),
      ...(draft.warehouse ? { warehouseId: draft.warehouse } : {}),
    })),
  };
}

const v = (value: unknown) => ({ value });

/** `POST v2/customerinvoice`: on hold, our reference in `externalReference`, never sent on through AutoInvoice (U6). */
export function customerInvoiceBody(draft: DocumentDraft): Record<string, unknown> {
  return {
    customerNumber: v(draft.customer.externalId),
    documentDate: v(draft.date),
    hold: v(true),
    invoiceText: v(connectorWords.workOrder(draft.workOrderNumber)),
    externalReference: v(draft.reference),
    ...(draft.customerReference ? { customerRefNumber: v(draft.customerReference) } : {}),
    ...(draft.memo ? { note: v(draft.memo) } : {}),
    invoiceLines: articleLines(draft).map((line) => ({
      operation: 'Insert',
      inventoryNumber: v(line.articleCode),
      quantity: v(line.quantity),
      description: v(line.description),
      ...(line.unitPrice !== null ? { unitPriceInCurrency: v(Number(line.unitPrice)) } : {}),
    })),
  };
}

// ---- document ids ----

/** Our document ids are the ERP resource paths: `salesorder/SO/000123` or `customerinvoice/000456` (as stored since v1). */
export type DocumentKey = { kind: 'salesOrder'; type: string; orderId: string } | { kind: 'invoice'; number: string };

export const salesOrderDocument = (type: string, orderId: string): CreatedDocument => ({ documentId: `salesorder/${type}/${orderId}`, documentNumber: orderId });
export const invoiceDocument = (number: string): CreatedDocument => ({ documentId: `customerinvoice/${number}`, documentNumber: number });

export function parseDocumentId(documentId: string): DocumentKey | null {
  const order = /^salesorder\/([^/]+)\/([^/]+)$/.exec(documentId);
  if (order) return { kind: 'salesOrder', type: order[1], orderId: order[2] };
  const invoice = /^customerinvoice\/([^/]+)$/.exec(documentId);
  return invoice ? { kind: 'invoice', number: invoice[1] } : null;
}

/**
 * The document a create's `Location` names: `…/api/v3/SalesOrders/{type}/{orderId}` (V3), `…/v1/customerinvoice/{nbr}`,
 * or the v1 form `…/salesorder/{type}/{nbr}`, on whichever host (D3: Location may name the new host).
 */
export function documentFromLocation(location: string | null): CreatedDocument | null {
  if (!location) return null;
  let path: string;
  try {
    path = new URL(location, 'https://api.finance.visma.net/').pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
  const segment = (s: string) => decodeURIComponent(s);
  const v3 = /\/api\/v3\/salesorders\/([^/]+)\/([^/]+)$/i.exec(path);
  if (v3) return salesOrderDocument(segment(v3[1]), segment(v3[2]));
  const v1 = /\/salesorder\/([^/]+)\/([^/]+)$/i.exec(path);
  if (v1) return salesOrderDocument(segment(v1[1]), segment(v1[2]));
  const invoice = /\/customerinvoice\/([^/]+)$/i.exec(path);
  return invoice ? invoiceDocument(segment(invoice[1])) : null;
}

/** Where a document's attachments go (ERP API): the order-type endpoint for sales orders (the plain one is deprecated). */
export function attachmentPath(key: DocumentKey): string {
  if (key.kind === 'salesOrder') return `salesorder/orderType/${encodeURIComponent(key.type)}/${encodeURIComponent(key.orderId)}/attachment`;
  return `customerinvoice/${encodeURIComponent(key.number)}/attachment`;
}
