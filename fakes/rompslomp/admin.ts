import type { DocumentAdminOp } from '../kit.js';
import type { FakeRompslompState, FakeRsSalesInvoice } from './types.js';

/**
 * What a firm does to sales invoices in Rompslomp's own screens (`POST /__documents`, fakes/kit.ts), for the
 * reconciliation tests (docs/reconciliation.md): delete, give a number (publishing a concept gives it one; a later
 * change stands for a correction by hand), or create one carrying a reference. `duplicate` copies an invoice with
 * its `api_reference`: Rompslomp documents the reference as unique per company (docs/providers/rompslomp.md §5), so
 * this models the breach the reconciliation is the safety net for, not something its API allows.
 */
export function adminDocuments(state: FakeRompslompState, op: DocumentAdminOp): { status: number; body: unknown } {
  const all = Object.values(state.data);
  const ours = all.flatMap((data) => data.salesInvoices.filter((i) => i.api_reference === op.reference).map((invoice) => ({ data, invoice })));
  switch (op.op) {
    case 'delete':
      for (const data of all) data.salesInvoices = data.salesInvoices.filter((i) => i.api_reference !== op.reference);
      return { status: 200, body: { deleted: ours.map((o) => o.invoice.id) } };
    case 'duplicate': {
      const first = ours[0];
      if (!first) return { status: 404, body: { error: `no invoice with api_reference ${op.reference}` } };
      const copy: FakeRsSalesInvoice = { ...structuredClone(first.invoice), id: state.nextId++, status: 'concept', invoice_number: null, published_at: null };
      first.data.salesInvoices.push(copy);
      return { status: 201, body: { id: copy.id } };
    }
    case 'renumber': {
      if (!ours[0]) return { status: 404, body: { error: `no invoice with api_reference ${op.reference}` } };
      for (const { invoice } of ours) {
        invoice.status = 'published';
        invoice.invoice_number = op.number;
        invoice.published_at ??= new Date().toISOString();
      }
      return { status: 200, body: { renumbered: ours.map((o) => o.invoice.id) } };
    }
    case 'create': {
      const data = all.find((d) => d.contacts.some((c) => String(c.id) === op.customerExternalId));
      if (!data) return { status: 404, body: { error: `no contact ${op.customerExternalId}` } };
      const date = op.date ?? new Date().toISOString().slice(0, 10);
      const invoice: FakeRsSalesInvoice = {
        id: state.nextId++, date, due_date: date, description: 'Handmatig aangemaakt', status: 'concept', contact_id: Number(op.customerExternalId),
        invoice_number: null, published_at: null, api_reference: op.reference, payment_reference: null, payment_method: 'pay_transfer',
        vat_number: null, currency: 'eur', price_without_vat: '0.0', vat_amount: '0.0', price_with_vat: '0.0', invoice_lines: [],
      };
      data.salesInvoices.push(invoice);
      return { status: 201, body: { id: invoice.id } };
    }
  }
}
