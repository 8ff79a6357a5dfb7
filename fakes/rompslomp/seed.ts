import { SMALL_TOWNS, seededRandom } from '../kit.js';
import { ROMPSLOMP_SCOPES, type FakeRompslompState, type FakeRsCompany, type FakeRsCompanyData, type FakeRsContact, type FakeRsProduct, type FakeRsVatType } from './types.js';

/** The fake Rompslomp's deterministic Dutch demo data. */

/** The VAT types of a Dutch company as the swagger's example names them (9 % is `vat_low_new`). */
export function dutchVatTypes(): FakeRsVatType[] {
  return [
    { id: 708176756, name: 'vat_high', friendly_name: 'hoog', value: '0.21' },
    { id: 708176757, name: 'vat_low_new', friendly_name: 'laag', value: '0.09' },
    { id: 708176758, name: 'vat_zero', friendly_name: '0%', value: '0.0' },
    { id: 708176759, name: 'vat_reverse_charged', friendly_name: 'verlegd', value: '0.0' },
    { id: 708176760, name: 'vat_none', friendly_name: 'geen', value: '0.0' },
  ];
}

export function companyData(state: FakeRompslompState, id: number): FakeRsCompanyData {
  return (state.data[id] ??= { contacts: [], products: [], salesInvoices: [] });
}

export interface RompslompSeedOptions {
  /** Customers (is_supplier false) of the main company. */
  customers?: number;
  /** Suppliers, which the integration must not import. */
  suppliers?: number;
  products?: number;
  seed?: number;
}

/** The company the seed fills; a second paid one and a "Gratis" one exist next to it. */
export const SEED_COMPANY_ID = 708_100_001;
export const SEED_SECOND_COMPANY_ID = 708_100_002;
export const SEED_GRATIS_COMPANY_ID = 708_100_003;

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Daan', 'Bram', 'Joost', 'Femke', 'Thijs', 'Noor', 'Gerard', 'Ria'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Bakkerij', 'Garage', 'Restaurant', 'Kapsalon', 'Bouwbedrijf', 'Camping', 'Hotel', 'Slagerij', 'Woningstichting', 'Sportschool'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Dunantstraat', 'Julianalaan', 'Parallelweg', 'Lindelaan'];
const materials = ['Koperen bocht 15 mm', 'Knelkoppeling 22 mm', 'Kogelkraan 1/2"', 'Radiatorkraan', 'Expansievat', 'Sifon chroom', 'Rookmelder', 'LED-lamp', 'Luchtfilter', 'Pakking set'];

const allScopes = [...ROMPSLOMP_SCOPES];

/**
 * Three companies (two paid, one "Gratis" without API access) and, for the first, contacts and products. The
 * products P00006 standaard, P00007 Reistijd and P00008 Werktijd carry the ids of the manual's screenshots.
 */
export function seedRompslomp(state: FakeRompslompState, opts: RompslompSeedOptions = {}): { customers: number; suppliers: number; products: number } {
  const customers = opts.customers ?? 120;
  const suppliers = opts.suppliers ?? 5;
  const productCount = Math.max(3, opts.products ?? 30);
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 7);

  const company = (id: number, name: string, accessible: boolean, type: FakeRsCompany['type']): FakeRsCompany => ({
    id, name, owner_name: 'Jan Jansen', address: 'Dunantstraat 140', zipcode: '2131 RT', city: 'Hoofddorp', country_code: 'NL',
    kvk_number: digits(8), email: 'info@voorbeeld.nl', website: null, type, vat_liable: true, vat_number: `NL${digits(9)}B01`,
    access_control: { api_accessible: accessible, allowed_scopes: accessible ? allScopes : [] },
  });
  state.companies = [
    company(SEED_COMPANY_ID, 'Installatiebedrijf Jansen B.V.', true, 'bv'),
    company(SEED_SECOND_COMPANY_ID, 'Jansen Onderhoud V.O.F.', true, 'vof'),
    company(SEED_GRATIS_COMPANY_ID, 'Klusbedrijf Jansen (Gratis)', false, 'eenmanszaak'),
  ];
  for (const c of state.companies) companyData(state, c.id);
  const data = companyData(state, SEED_COMPANY_ID);

  const fixed: [number, string, string, string][] = [
    [1468038998, 'P00006', 'standaard', '35.0'],
    [795957253, 'P00007', 'Reistijd', '45.0'],
    [749588242, 'P00008', 'Werktijd', '62.5'],
  ];
  data.products = Array.from({ length: productCount }, (_, i): FakeRsProduct => {
    const [id, code, description, price] = fixed[i] ?? [573_800_000 + i, `P${String(100 + i).padStart(5, '0')}`, pick(materials), (1 + rnd() * 120).toFixed(2)];
    return {
      id, has_stock: i >= fixed.length, number_sold: 0,
      invoice_line: { description, extended_description: null, price_per_unit: price, vat_type_id: i >= fixed.length && rnd() < 0.1 ? state.vatTypes[1].id : state.vatTypes[0].id, product_code: code },
    };
  });

  data.contacts = Array.from({ length: customers + suppliers }, (_, i): FakeRsContact => {
    const [city, zip] = pick(SMALL_TOWNS);
    const person = `${pick(firstNames)} ${pick(lastNames)}`;
    const individual = i % 7 === 6;
    const supplier = i >= customers;
    return {
      id: 573_784_000 + i,
      is_individual: individual,
      is_supplier: supplier,
      company_name: individual ? null : `${supplier ? 'Groothandel' : pick(trades)} ${pick(lastNames).split(' ').pop()}`,
      contact_person_name: person,
      contact_person_email_address: `${person.toLowerCase().replace(/[^a-z]+/g, '.')}@voorbeeld.nl`,
      address: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      zipcode: `${zip}${digits(2)} AB`,
      city,
      country_code: 'NL',
      kvk_number: individual ? null : digits(8),
      phone: `06-${digits(8)}`,
      vat_number: null,
      contact_number: `K${String(i + 1).padStart(5, '0')}`,
    };
  });
  return { customers, suppliers, products: productCount };
}
