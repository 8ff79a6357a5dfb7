import type { DocumentAdminOp } from '../kit.js';
import type { FakeFactuurSturenState, FakeFsSavedInvoice } from './state.js';

/**
 * What a firm does to concepts in FactuurSturen's own screens (`POST /__documents`, fakes/kit.ts), for the
 * reconciliation tests (docs/reconciliation.md). A concept has no number, so `renumber` is refused; `duplicate`
 * stands for the unconfirmed case that FactuurSturen keeps a second concept under one save name
 * (docs/providers/factuursturen.md U1).
 */
export function adminDocuments(state: FakeFactuurSturenState, op: DocumentAdminOp): { status: number; body: unknown } {
  const ours = state.savedInvoices.filter((inv) => inv.name === op.reference);
  switch (op.op) {
    case 'delete':
      state.savedInvoices = state.savedInvoices.filter((inv) => inv.name !== op.reference);
      return { status: 200, body: { deleted: ours.map((inv) => inv.id) } };
    case 'duplicate': {
      if (!ours[0]) return { status: 404, body: { error: `no concept named ${op.reference}` } };
      const copy: FakeFsSavedInvoice = { ...structuredClone(ours[0]), id: state.nextInvoiceId++ };
      state.savedInvoices.push(copy);
      return { status: 201, body: { id: copy.id } };
    }
    case 'renumber':
      return { status: 409, body: { error: 'a concept has no number in FactuurSturen' } };
    case 'create': {
      const invoice: FakeFsSavedInvoice = {
        id: state.nextInvoiceId++, name: op.reference, clientnr: Number(op.customerExternalId), reference: {},
        lines: [{ amount: 1, description: 'Handmatig aangemaakt', price: 10, tax_rate: 21 }],
        profile: 1, category: null, discounttype: 'amount', discount: 0, paymentcondition: '', paymentperiod: 14, invoicenote: '',
        alreadypaid: 0, alreadypaidmethod: '', datesaved: op.date ?? new Date().toISOString().slice(0, 10),
      };
      state.savedInvoices.push(invoice);
      return { status: 201, body: { id: invoice.id } };
    }
  }
}
