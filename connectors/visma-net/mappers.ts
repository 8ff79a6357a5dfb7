import type { ExternalAddress, ExternalArticle, ExternalArticleGroup, ExternalCustomer, ExternalQuote, ExternalWorkAddress } from '../types.js';
import { hasAddress, sameAddress } from '../../lib/address.js';
import { asDecimalString, asNumber, asText } from '../values.js';
import type { VismaCustomer, VismaInventory, VismaItemClass, VismaLine, VismaListOrder, VismaOrder } from './schemas.js';
import { connectorWords } from '../../lib/messages.js';

/** Visma.net records → Simon's vocabulary (docs/providers/visma-net.md §3, §6). */

/** The prefix of our references (lib/references.ts): orders carrying it are ours, never imported. */
export const OWN_REFERENCE_PREFIX = 'simon-';
/** Orders in these states are done with; the order import skips them (U10: quote states beyond these are unknown). */
export const CLOSED_ORDER_STATES = new Set(['Completed', 'Cancelled', 'Closed', 'Invoiced', 'Expired']);
/** Item states in which an item can still be sold. */
export const SELLABLE_ITEM_STATES = new Set(['Active', 'NoPurchases', 'NoRequest']);

export type ReferenceField = 'customStr1' | 'customStr2' | 'customStr3' | 'customStr4' | 'customStr5';

type Address = NonNullable<VismaCustomer['mainAddress']>;

export function mapAddress(a: Address | null | undefined): ExternalAddress | null {
  if (!a) return null;
  const lines = [asText(a.addressLine1), asText(a.addressLine2), asText(a.addressLine3)].filter((l): l is string => l !== null);
  const country = a.country ? asText(a.country.name) ?? asText(a.country.id) : null;
  const address: ExternalAddress = { street: lines.length > 0 ? lines.join(', ') : null, postalCode: asText(a.postalCode), city: asText(a.city), country };
  return address.street || address.postalCode || address.city ? address : null;
}

/** Two addresses are the same place (lib/address.ts): street, postal code and city match, normalised. */
export { sameAddress };

type OrderAddress = NonNullable<NonNullable<VismaListOrder['shipping']>['address']>;

/**
 * The V3 order's shipping address (`shipping.address`, `AddressDto` with `line1..3`; docs/providers/visma-net.md §6),
 * named after the shipping contact when it has one; null when it names no place.
 */
export function mapOrderAddress(shipping: VismaListOrder['shipping']): ExternalAddress | null {
  const a: OrderAddress | null | undefined = shipping?.address;
  if (!a) return null;
  const lines = [asText(a.line1), asText(a.line2), asText(a.line3)].filter((l): l is string => l !== null);
  const country = a.country ? asText(a.country.name) ?? asText(a.country.id) : null;
  const name = shipping?.contact ? asText(shipping.contact.name) : null;
  const address: ExternalAddress = { ...(name ? { name } : {}), street: lines.length > 0 ? lines.join(', ') : null, postalCode: asText(a.postalCode), city: asText(a.city), country };
  return hasAddress(address) ? address : null;
}

/**
 * The main address is the customer address and the first work address; a filled invoice address and delivery
 * address each become a work address too (manual §3.3), unless the customer already has that address (§14.16).
 */
export function mapCustomer(c: VismaCustomer): ExternalCustomer {
  const number = asText(c.number) ?? asText(c.internalId) ?? '';
  const contact = c.mainContact ?? {};
  const main = mapAddress(c.mainAddress);
  const workAddresses: ExternalWorkAddress[] = [];
  const candidates: [ExternalWorkAddress['origin'], Address | null | undefined, VismaCustomer['mainContact']][] = [
    ['customer-address', c.mainAddress, null],
    ['invoice-address', c.invoiceAddress, c.invoiceContact],
    ['delivery-address', c.deliveryAddress, c.deliveryContact],
  ];
  for (const [origin, raw, rawContact] of candidates) {
    const address = mapAddress(raw);
    if (!address || workAddresses.some((w) => sameAddress(w.address, address))) continue;
    const name = rawContact ? asText(rawContact.name) : null;
    workAddresses.push({ origin, address: name ? { ...address, name } : address });
  }
  return {
    externalId: number,
    number: number || null,
    name: asText(c.name) ?? connectorWords.unnamedCustomer(number),
    address: main,
    email: asText(contact.email),
    phone: asText(contact.phone1) ?? asText(contact.phone2),
    active: asText(c.status) !== 'Inactive',
    workAddresses,
  };
}

export function mapInventory(i: VismaInventory): ExternalArticle {
  const code = asText(i.inventoryNumber) ?? '';
  return {
    // The internal id survives a renumbering of the item; the number is what documents and quotes use.
    externalId: asText(i.inventoryId) ?? code,
    code,
    description: asText(i.description) ?? '',
    salesPrice: asDecimalString(i.defaultPrice),
    unit: asText(i.salesUnit) ?? asText(i.baseUnit),
    groupExternalId: i.itemClass ? asText(i.itemClass.id) : null,
    active: SELLABLE_ITEM_STATES.has(asText(i.status) ?? 'Active'),
  };
}

export function mapItemClass(c: VismaItemClass): ExternalArticleGroup {
  const id = asText(c.id) ?? '';
  return { externalId: id, code: id, description: asText(c.description) ?? id, active: true };
}

/** What a settings check echoes of an item. */
export function articleFound(i: VismaInventory): Record<string, unknown> {
  return {
    code: asText(i.inventoryNumber), name: asText(i.description),
    group: i.itemClass ? asText(i.itemClass.description) ?? asText(i.itemClass.id) : null, type: asText(i.type),
  };
}

/** A V3 status: a string in a list, `{description, cancelled, hold}` in a single order. */
export function orderStatus(o: Pick<VismaListOrder, 'status'>): string | null {
  const s = o.status;
  if (s === null || s === undefined) return null;
  if (typeof s === 'string') return asText(s);
  if (s.cancelled === true) return 'Cancelled';
  return asText(s.description) ?? (s.hold === true ? 'Hold' : null);
}

/** Our reference on an order: the custom field, or `customerOrder` on orders made by the code before V3. */
export function orderCarries(o: VismaListOrder | VismaOrder, field: ReferenceField, reference: string): boolean {
  const legacy = ('customerOrder' in o ? asText(o.customerOrder) : null) ?? asText(o.customer?.order);
  return asText(o.customFields?.[field]) === reference || legacy === reference;
}

/** An order Simon made (our reference prefix in the custom field or the legacy `customerOrder`): never imported. */
export function isOwnOrder(o: VismaListOrder, field: ReferenceField): boolean {
  const values = [asText(o.customFields?.[field]), asText(o.customerOrder)];
  return values.some((v) => (v ?? '').startsWith(OWN_REFERENCE_PREFIX));
}

/**
 * A sales order or quote as a quote to import (docs/quotes.md, docs/export.md, docs/sync.md): the order's description is the work
 * description and the filter's text, `customerRefNo` the customer reference, `note` the memo, the shipping address
 * (`expand=Shipping`) the work address. The external id
 * carries the order type (`SO/000123`); an `SO` keeps `kind: 'salesOrder'`, so the export does not send it back.
 */
export function mapOrder(o: VismaListOrder, lines: VismaLine[]): ExternalQuote {
  const orderType = asText(o.type) ?? 'SO';
  const orderId = asText(o.orderId) ?? '';
  return {
    kind: orderType === 'SO' ? 'salesOrder' : 'quote',
    externalId: `${orderType}/${orderId}`,
    number: orderId,
    name: asText(o.description) ?? '',
    reference: null,
    memo: asText(o.note),
    customerExternalId: asText(o.customerId) ?? (o.customer ? asText(o.customer.id) : null),
    customerReference: asText(o.customerRefNo),
    workAddress: mapOrderAddress(o.shipping),
    lines: lines.map((l) => ({
      articleExternalId: null,
      articleCode: l.inventory ? asText(l.inventory.id) : null,
      description: asText(l.description) ?? (l.inventory ? asText(l.inventory.description) : null) ?? '',
      quantity: asNumber(l.quantity) ?? 0,
      unitPrice: asDecimalString(l.unitPrice),
    })),
  };
}

/** `SO/000123` (the external id of an imported sales order) → `000123`; null for quotes and other sources. */
export function originalSalesOrderNumber(sourceQuoteId: string | null | undefined): string | null {
  const m = /^SO\/(.+)$/.exec(sourceQuoteId ?? '');
  return m ? m[1] : null;
}
