import type { DocumentAdminOp } from '../kit.js';
import { amsterdamDate, type FakeImuisOrder, type FakeImuisState } from './state.js';

/**
 * What a firm does to sales orders in iMuis itself (`POST /__documents`, fakes/kit.ts), for the reconciliation tests
 * (docs/reconciliation.md). Our reference is the order's KENM (the connector's references fit its 25 characters as
 * they are: docs/providers/imuis.md §6). The order number (ORDKOP.NR) is the order's key, so `renumber` is refused
 * (409); `duplicate` copies the order under the next number, KENM and all (iMuis does not keep KENM unique, §6).
 */
export function adminDocuments(state: FakeImuisState, op: DocumentAdminOp): { status: number; body: unknown } {
  const kenm = op.reference.trim();
  const ours = state.orders.filter((o) => o.KENM.trim() === kenm);
  switch (op.op) {
    case 'delete':
      state.orders = state.orders.filter((o) => o.KENM.trim() !== kenm);
      return { status: 200, body: { deleted: ours.map((o) => String(o.NR)) } };
    case 'duplicate': {
      if (!ours[0]) return { status: 404, body: { error: `no order with KENM ${kenm}` } };
      const copy: FakeImuisOrder = { ...structuredClone(ours[0]), NR: state.nextOrderNr++, mutated: amsterdamDate() };
      state.orders.push(copy);
      return { status: 201, body: { id: String(copy.NR) } };
    }
    case 'renumber':
      return { status: 409, body: { error: 'the order number is the key of an iMuis sales order and cannot be changed' } };
    case 'create': {
      const debtor = state.debtors.find((d) => String(d.NR) === op.customerExternalId.trim());
      if (!debtor) return { status: 404, body: { error: `no debtor ${op.customerExternalId}` } };
      const [y, m, d] = (op.date ?? amsterdamDate()).split('-');
      const order: FakeImuisOrder = { NR: state.nextOrderNr++, DEB: debtor.NR, DAT: `${d}/${m}/${y}`, KENM: kenm, OPM: 'Handmatig aangemaakt', GEBRORDBEV: '', lines: [], mutated: amsterdamDate() };
      state.orders.push(order);
      return { status: 201, body: { id: String(order.NR) } };
    }
  }
}
