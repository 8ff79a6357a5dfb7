import type { DocumentAdminOp } from '../kit.js';
import { CUSTOM_STRING_FIELDS, defaultShipping, emptyCustomFields, vismaTimestamp, type FakeVismaData, type FakeVismaInvoice, type FakeVismaSalesOrder } from './data.js';

/**
 * What a firm does to sales orders and customer invoices in Visma.net's own screens (`POST /__documents`,
 * fakes/kit.ts), for the reconciliation tests (docs/reconciliation.md). A document carries our reference in a custom
 * field or the legacy `customerOrder` (orders) or `externalReference` (invoices). The order and invoice numbers are
 * the documents' keys and Visma.net does not let them be changed, so `renumber` is refused (409). `create` makes a
 * sales order on hold with the reference in `customStr5` (the connector's default slot).
 */
export function adminDocuments(companies: FakeVismaData[], op: DocumentAdminOp): { status: number; body: unknown } {
  const carries = (o: FakeVismaSalesOrder) => CUSTOM_STRING_FIELDS.some((f) => o.customFields[f] === op.reference) || o.customer.order === op.reference;
  const orders = companies.flatMap((data) => data.salesOrders.filter(carries).map((order) => ({ data, order })));
  const invoices = companies.flatMap((data) => data.invoices.filter((i) => i.externalReference === op.reference).map((invoice) => ({ data, invoice })));
  const ids = [...orders.map((o) => `salesorder/${o.order.type}/${o.order.orderId}`), ...invoices.map((i) => `customerinvoice/${i.invoice.referenceNumber}`)];
  const now = new Date().toISOString();
  switch (op.op) {
    case 'delete':
      for (const data of companies) {
        data.salesOrders = data.salesOrders.filter((o) => !carries(o));
        data.invoices = data.invoices.filter((i) => i.externalReference !== op.reference);
      }
      return { status: 200, body: { deleted: ids } };
    case 'duplicate': {
      const first = orders[0];
      if (first) {
        const next = (first.data.nextOrderNo[first.order.type] ??= 1);
        first.data.nextOrderNo[first.order.type] = next + 1;
        const copy: FakeVismaSalesOrder = { ...structuredClone(first.order), orderId: String(next).padStart(6, '0'), created: now, lastModified: now, version: 1, attachments: [] };
        first.data.salesOrders.push(copy);
        return { status: 201, body: { id: `salesorder/${copy.type}/${copy.orderId}` } };
      }
      const inv = invoices[0];
      if (!inv) return { status: 404, body: { error: `no document carries ${op.reference}` } };
      const stamp = vismaTimestamp();
      const copy: FakeVismaInvoice = { ...structuredClone(inv.invoice), referenceNumber: String(inv.data.nextInvoiceNo++).padStart(6, '0'), createdDateTime: stamp, lastModifiedDateTime: stamp, timeStamp: 1, attachments: [] };
      inv.data.invoices.push(copy);
      return { status: 201, body: { id: `customerinvoice/${copy.referenceNumber}` } };
    }
    case 'renumber':
      return { status: 409, body: { error: 'the order and invoice numbers are the keys of Visma.net documents and cannot be changed' } };
    case 'create': {
      const data = companies.find((d) => d.customers.some((c) => c.number === op.customerExternalId));
      const customer = data?.customers.find((c) => c.number === op.customerExternalId);
      if (!data || !customer) return { status: 404, body: { error: `no customer ${op.customerExternalId}` } };
      const next = (data.nextOrderNo.SO ??= 1);
      data.nextOrderNo.SO = next + 1;
      const order: FakeVismaSalesOrder = {
        type: 'SO', orderId: String(next).padStart(6, '0'), status: 'Hold', date: `${op.date ?? now.slice(0, 10)}T00:00:00Z`,
        customer: { id: customer.number, name: customer.name, order: null, refNo: null }, description: 'Handmatig aangemaakt', note: null,
        customFields: { ...emptyCustomFields(), customStr5: op.reference }, shipping: defaultShipping(customer), lines: [], created: now, lastModified: now, version: 1, attachments: [],
      };
      data.salesOrders.push(order);
      return { status: 201, body: { id: `salesorder/SO/${order.orderId}` } };
    }
  }
}
