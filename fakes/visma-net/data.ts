import { seededRandom, SMALL_TOWNS } from '../kit.js';

/**
 * The data one Visma.net company holds in the fake, shared by the ERP API half (fakes/visma-net/erp.ts) and the
 * SalesOrders V3 half (fakes/visma-net/salesorders.ts): both services write the same ERP orders, so an order created
 * through V3 takes attachments through the ERP API. Field names follow docs/providers/visma-net.md §3.
 */

export type FakeInventoryType =
  | 'NonStockItem' | 'LaborItem' | 'ServiceItem' | 'ChargeItem' | 'ExpenseItem' | 'FinishedGoodItem' | 'ComponentPartItem' | 'SubassemblyItem';
export const INVENTORY_TYPES: readonly FakeInventoryType[] = [
  'NonStockItem', 'LaborItem', 'ServiceItem', 'ChargeItem', 'ExpenseItem', 'FinishedGoodItem', 'ComponentPartItem', 'SubassemblyItem',
];

export interface FakeVismaAddress {
  addressId?: number;
  addressLine1: string | null;
  addressLine2?: string | null;
  addressLine3?: string | null;
  postalCode: string | null;
  city: string | null;
  country?: { id: string; name: string } | null;
}

export interface FakeVismaContact {
  name?: string | null;
  email?: string | null;
  phone1?: string | null;
}

export interface FakeVismaCustomer {
  internalId: number;
  number: string;
  name: string;
  status: 'Active' | 'OnHold' | 'CreditHold' | 'Inactive' | 'OneTime';
  mainAddress: FakeVismaAddress | null;
  mainContact: FakeVismaContact | null;
  invoiceAddress: FakeVismaAddress | null;
  invoiceContact?: FakeVismaContact | null;
  deliveryAddress: FakeVismaAddress | null;
  deliveryContact?: FakeVismaContact | null;
  lastModifiedDateTime: string;
  createdDateTime: string;
}

export interface FakeVismaItemClass {
  id: string;
  description: string;
  type: FakeInventoryType;
}

export interface FakeVismaInventory {
  inventoryId: number;
  inventoryNumber: string;
  status: 'Active' | 'NoSales' | 'NoPurchases' | 'NoRequest' | 'Inactive' | 'MarkedForDeletion';
  type: FakeInventoryType;
  description: string;
  itemClass: { id: string; description: string } | null;
  defaultPrice: number;
  baseUnit: string;
  salesUnit: string;
  lastModifiedDateTime: string;
}

export interface FakeVismaWarehouse {
  warehouseID: string;
  description: string;
  active: boolean;
}

export interface FakeVismaSalesOrderType {
  orderType: string;
  description: string;
  active: boolean;
  behavior: string;
}

export interface FakeVismaAttachment {
  id: string;
  name: string;
  revision: number;
  contentType: string;
  content: Buffer;
}

/** V3 `customFields` (the free fields of generic inquiries, not on the order form). */
export interface FakeVismaCustomFields {
  customStr1: string | null;
  customStr2: string | null;
  customStr3: string | null;
  customStr4: string | null;
  customStr5: string | null;
  customDec1: number | null;
  customDec2: number | null;
  customInt1: number | null;
  customInt2: number | null;
  customDateTimeUtc1: string | null;
}

export const CUSTOM_STRING_FIELDS = ['customStr1', 'customStr2', 'customStr3', 'customStr4', 'customStr5'] as const;

export function emptyCustomFields(): FakeVismaCustomFields {
  return { customStr1: null, customStr2: null, customStr3: null, customStr4: null, customStr5: null, customDec1: null, customDec2: null, customInt1: null, customInt2: null, customDateTimeUtc1: null };
}

export interface FakeVismaSalesOrderLine {
  lineId: number;
  inventory: { id: string; description: string; baseUnit: string };
  warehouseId: string | null;
  unitOfMeasure: string;
  quantity: number;
  unitPrice: number;
  hasManualPrice: boolean;
  description: string;
  operation: 'Issue' | 'Receipt';
  note: string | null;
}

/** A V3 order's shipping address (`AddressDto`: `line1..3`, not the ERP's `addressLine1..3`). */
export interface FakeVismaOrderAddress {
  line1: string | null;
  line2?: string | null;
  line3?: string | null;
  postalCode: string | null;
  city: string | null;
  country?: { id: string; name: string } | null;
}

/** `SalesOrderShippingDto`, as far as the fake keeps it: where the order is delivered (the work address). */
export interface FakeVismaShipping {
  address: FakeVismaOrderAddress | null;
  contact: { name: string | null } | null;
}

/** The customer's delivery address (else its main address) as an order's shipping address, as the ERP defaults it. */
export function defaultShipping(customer: FakeVismaCustomer | undefined): FakeVismaShipping | null {
  const a = customer?.deliveryAddress ?? customer?.mainAddress;
  if (!a) return null;
  const contact = customer?.deliveryAddress ? customer.deliveryContact : customer?.mainContact;
  return {
    address: { line1: a.addressLine1, line2: a.addressLine2 ?? null, line3: a.addressLine3 ?? null, postalCode: a.postalCode, city: a.city, country: a.country ?? null },
    contact: contact?.name ? { name: contact.name } : null,
  };
}

/** A sales order (or quote) as SalesOrders V3 sees it. */
export interface FakeVismaSalesOrder {
  type: string;
  orderId: string;
  status: 'Open' | 'Hold' | 'BackOrder' | 'Cancelled' | 'Completed' | 'Closed' | 'Invoiced' | 'Expired';
  /** ISO date-time, UTC. */
  date: string;
  customer: { id: string; name: string; order: string | null; refNo: string | null };
  description: string | null;
  note: string | null;
  customFields: FakeVismaCustomFields;
  /** Served with `expand=Shipping`; null = the order names no address (test orders unless given one). */
  shipping: FakeVismaShipping | null;
  lines: FakeVismaSalesOrderLine[];
  /** ISO date-times, UTC. */
  created: string;
  lastModified: string;
  /** The concurrency version: the ETag, bumped on every change. */
  version: number;
  attachments: FakeVismaAttachment[];
}

export interface FakeVismaInvoiceLine {
  lineNumber: number;
  inventoryNumber: string;
  description: string | null;
  quantity: number;
  unitPriceInCurrency: number;
  amountInCurrency: number;
  uom: string | null;
}

export interface FakeVismaInvoice {
  referenceNumber: string;
  documentType: 'Invoice';
  status: 'Hold' | 'Balanced' | 'Open';
  hold: boolean;
  documentDate: string;
  customer: { number: string; name: string };
  externalReference: string | null;
  customerRefNumber: string | null;
  invoiceText: string | null;
  note: string | null;
  invoiceLines: FakeVismaInvoiceLine[];
  amount: number;
  sendToAutoInvoice: boolean;
  lastModifiedDateTime: string;
  createdDateTime: string;
  timeStamp: number;
  attachments: FakeVismaAttachment[];
}

/** The data of one company. */
export interface FakeVismaData {
  customers: FakeVismaCustomer[];
  itemClasses: FakeVismaItemClass[];
  inventory: FakeVismaInventory[];
  warehouses: FakeVismaWarehouse[];
  /** The request body of every create the fake carried out, as received (the document preview's tests compare it). */
  receivedCreates?: unknown[];
  salesOrderTypes: FakeVismaSalesOrderType[];
  salesOrders: FakeVismaSalesOrder[];
  invoices: FakeVismaInvoice[];
  nextOrderNo: Record<string, number>;
  nextInvoiceNo: number;
}

export function defaultSalesOrderTypes(): FakeVismaSalesOrderType[] {
  return [
    { orderType: 'SO', description: 'Sales order', active: true, behavior: 'SalesOrder' },
    { orderType: 'QT', description: 'Quote', active: true, behavior: 'Quote' },
    { orderType: 'IN', description: 'Invoice', active: true, behavior: 'Invoice' },
  ];
}

export function emptyData(): FakeVismaData {
  return { customers: [], itemClasses: [], inventory: [], warehouses: [], salesOrderTypes: defaultSalesOrderTypes(), salesOrders: [], invoices: [], nextOrderNo: {}, nextInvoiceNo: 1 };
}

/** `LocalDateTime` as the ERP API prints it; the fake keeps UTC. */
export function vismaTimestamp(at: Date = new Date()): string {
  return at.toISOString().slice(0, 23);
}

/** Marks an ERP record as changed now, as an edit in Visma.net does (the incremental sync then lists it). */
export function touch<T extends { lastModifiedDateTime: string }>(record: T): T {
  record.lastModifiedDateTime = vismaTimestamp();
  return record;
}

/** Marks a sales order as changed now (V3 `lastModified`, and a new version). */
export function touchOrder(order: FakeVismaSalesOrder): FakeVismaSalesOrder {
  order.lastModified = new Date().toISOString();
  order.version++;
  return order;
}

/** A sales order for tests and the demo, with V3 defaults for what is not given. */
export function fakeSalesOrder(over: Partial<FakeVismaSalesOrder> & Pick<FakeVismaSalesOrder, 'orderId'>): FakeVismaSalesOrder {
  const now = new Date().toISOString();
  return {
    type: 'SO', status: 'Open', date: now, customer: { id: '10001', name: 'Klant', order: null, refNo: null }, description: null, note: null,
    customFields: emptyCustomFields(), shipping: null, lines: [], created: now, lastModified: now, version: 1, attachments: [], ...over,
  };
}

// ---- deterministic Dutch demo data ----

export interface VismaSeedOptions {
  /** Non-Stock items besides the three of the manual (SIMONWERK, SIMONREIS, SIMONVOORR). */
  nonStockItems?: number;
  /** Labour, service and stock items, which Simon does not import. */
  otherItems?: number;
  customers?: number;
  seed?: number;
}

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Sanne', 'Eva', 'Lotte', 'Daan', 'Bram', 'Femke', 'Thijs', 'Noor'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Installatiebedrijf', 'Bakkerij', 'Garage', 'Restaurant', 'Zorgcentrum', 'Hotel', 'Woningstichting', 'Sportschool'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Dunantstraat', 'Julianalaan', 'Industrieweg', 'Marktplein'];
const materials = ['Koperen bocht', 'Knelkoppeling', 'Kogelkraan', 'Radiatorkraan', 'Expansievat', 'Sifon', 'Rookmelder', 'Luchtfilter', 'Pakking'];

/**
 * Fills one company with realistic data: item classes (two Non-Stock classes, a labour and a stock class), the
 * manual's Non-Stock items SIMONWERK (Werktijd), SIMONREIS (Reistijd) and SIMONVOORR (Voorrijkosten), more
 * Non-Stock items, labour/stock items Simon must skip, warehouses HOOFD, BUS1, BUS2 and the inactive OUD, and
 * customers: every 3rd has a different invoice address, every 4th a delivery address, every 5th an invoice
 * address equal to its main address, every 20th is Inactive. Timestamps lie in the past, oldest first.
 */
export function seedVismaNet(data: FakeVismaData, opts: VismaSeedOptions = {}): { nonStockItems: number; customers: number } {
  const { rnd, pick } = seededRandom(opts.seed ?? 7);
  const base = Date.UTC(2025, 0, 1);
  const stamp = (i: number) => vismaTimestamp(new Date(base + i * 60_000));

  data.itemClasses = [
    { id: 'TIJD', description: 'Tijden', type: 'NonStockItem' },
    { id: 'MAT', description: 'Materialen', type: 'NonStockItem' },
    { id: 'ARBEID', description: 'Arbeid', type: 'LaborItem' },
    { id: 'VOORRAAD', description: 'Voorraadartikelen', type: 'FinishedGoodItem' },
  ];
  const cls = (id: string) => {
    const c = data.itemClasses.find((x) => x.id === id)!;
    return { id: c.id, description: c.description };
  };
  let inventoryId = 100;
  const item = (inventoryNumber: string, description: string, type: FakeInventoryType, itemClass: string | null, price: number): FakeVismaInventory => ({
    inventoryId: inventoryId++, inventoryNumber, status: 'Active', type, description, itemClass: itemClass ? cls(itemClass) : null, defaultPrice: price,
    baseUnit: type === 'NonStockItem' && itemClass === 'TIJD' ? 'UUR' : 'STK', salesUnit: type === 'NonStockItem' && itemClass === 'TIJD' ? 'UUR' : 'STK',
    lastModifiedDateTime: stamp(inventoryId),
  });
  data.inventory = [
    item('SIMONWERK', 'Werktijd', 'NonStockItem', 'TIJD', 62.5),
    item('SIMONREIS', 'Reistijd', 'NonStockItem', 'TIJD', 45),
    item('SIMONVOORR', 'Voorrijkosten', 'NonStockItem', null, 35),
  ];
  const nonStock = opts.nonStockItems ?? 20;
  for (let i = 0; i < nonStock; i++) {
    data.inventory.push(item(`M${String(1001 + i)}`, `${pick(materials)} ${15 + (i % 4) * 7} mm`, 'NonStockItem', 'MAT', Math.round((1 + rnd() * 90) * 100) / 100));
  }
  const others = opts.otherItems ?? 4;
  const otherTypes: [FakeInventoryType, string | null, string][] = [['LaborItem', 'ARBEID', 'Arbeid monteur'], ['FinishedGoodItem', 'VOORRAAD', 'CV-ketel'], ['ServiceItem', null, 'Onderhoudscontract'], ['ChargeItem', null, 'Administratiekosten']];
  for (let i = 0; i < others; i++) {
    const [type, klass, name] = otherTypes[i % otherTypes.length];
    data.inventory.push(item(`X${String(501 + i)}`, name, type, klass, 50 + i));
  }
  data.warehouses = [
    { warehouseID: 'HOOFD', description: 'Hoofdmagazijn', active: true },
    { warehouseID: 'BUS1', description: 'Bus Jan', active: true },
    { warehouseID: 'BUS2', description: 'Bus Piet', active: true },
    { warehouseID: 'OUD', description: 'Oud magazijn', active: false },
  ];

  const address = (): FakeVismaAddress => {
    const [city, zip] = pick(SMALL_TOWNS);
    return {
      addressLine1: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`, addressLine2: null, addressLine3: null,
      postalCode: `${zip}${10 + Math.floor(rnd() * 89)} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}${String.fromCharCode(65 + Math.floor(rnd() * 26))}`,
      city, country: { id: 'NL', name: 'Nederland' },
    };
  };
  const count = opts.customers ?? 30;
  data.customers = Array.from({ length: count }, (_, i): FakeVismaCustomer => {
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const name = `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}`;
    const main = address();
    const n = i + 1;
    return {
      internalId: 5000 + n,
      number: String(10000 + n),
      name,
      status: n % 20 === 0 ? 'Inactive' : 'Active',
      mainAddress: main,
      mainContact: { name: contact, email: `info@${name.toLowerCase().replace(/[^a-z]+/g, '')}.nl`, phone1: `0${30 + (n % 60)}-${String(1_000_000 + n * 7919).slice(0, 7)}` },
      invoiceAddress: n % 3 === 0 ? address() : n % 5 === 0 ? { ...main } : null,
      deliveryAddress: n % 4 === 0 ? address() : null,
      lastModifiedDateTime: stamp(1000 + n),
      createdDateTime: stamp(1000 + n),
    };
  });
  return { nonStockItems: nonStock + 3, customers: count };
}
