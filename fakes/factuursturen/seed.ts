import { MATERIAL_SIZES, seededRandom } from '../kit.js';
import { HOUR_MS, NEDERLAND, type FakeFactuurSturenState, type FakeFsProduct } from './state.js';

/** Deterministic Dutch demo data for the fake. */

export interface SeedOptions {
  groups?: number;
  products?: number;
  clients?: number;
  /** Same seed, same data. */
  seed?: number;
}

const groupNames = ['Tijden', 'Materialen', 'Diensten', 'Sanitair', 'Verwarming', 'Elektra', 'Dakwerk', 'Tuin'];
const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Johan', 'Willem', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Marieke', 'Fleur', 'Daan', 'Bram', 'Joost', 'Ruud', 'Ingrid', 'Femke', 'Thijs', 'Noor', 'Lieke', 'Gerard', 'Ton', 'Ria'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra', 'de Graaf', 'van der Meer', 'van Dijk', 'Kok', 'den Butter'];
const trades = ['Bakkerij', 'Installatiebedrijf', 'Loodgietersbedrijf', 'Garage', 'Restaurant', 'Kapsalon', 'Bouwbedrijf', 'Schildersbedrijf', 'Camping', 'Zorgcentrum', 'Hotel', 'Tandartspraktijk', 'Slagerij', 'Fietsenwinkel', 'Woningstichting', 'Sportschool'];
const legalForms = ['', ' B.V.', ' V.O.F.', ''];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Schoolstraat', 'Molenweg', 'Stationsweg', 'Hoofdstraat', 'Dunantstraat', 'Julianalaan', 'Beatrixstraat', 'Wilhelminaplein', 'Parallelweg', 'Industrieweg', 'Nieuwstraat', 'Lindelaan', 'Eikenlaan', 'Marktplein'];
const cities: [string, string, string][] = [
  ['Eindhoven', '56', '040'], ['Amsterdam', '10', '020'], ['Rotterdam', '30', '010'], ['Utrecht', '35', '030'],
  ['Den Haag', '25', '070'], ['Groningen', '97', '050'], ['Zwolle', '80', '038'], ['Tilburg', '50', '013'],
  ['Breda', '48', '076'], ['Nijmegen', '65', '024'], ['Arnhem', '68', '026'], ['Haarlem', '20', '023'],
  ['Hoofddorp', '21', '023'], ['Leeuwarden', '89', '058'], ['Maastricht', '62', '043'], ['Apeldoorn', '73', '055'],
];
const materials = ['Koperen bocht', 'Knelkoppeling', 'T-stuk', 'Kogelkraan', 'PVC-buis', 'Radiatorkraan', 'Thermostaatknop', 'Expansievat', 'Vlotter', 'Sifon', 'Mengkraan', 'Afvoerbuis', 'Rookmelder', 'Wandcontactdoos', 'Schakelaar', 'Installatiekabel', 'LED-lamp', 'Aardlekschakelaar', 'Luchtfilter', 'Pakking'];
const services = ['Onderhoud CV-ketel', 'Inspectie dakgoot', 'Legionellacontrole', 'Storingsdienst', 'Keuring installatie', 'Ontstoppen riool'];

/**
 * Replaces the fake's categories, products and clients with realistic Dutch data. Products 0001 Reistijd,
 * 0002 Werktijd and 0003 Voorrijkosten exist as in the manual's examples. Every 30th client is inactive,
 * every 6th is a private person (contact, no company). Categories are document categories with a ledger; no
 * product points at one, as in the real API.
 */
export function seedFactuurSturen(state: FakeFactuurSturenState, opts: SeedOptions = {}): { groups: number; products: number; clients: number } {
  const groupCount = opts.groups ?? 3;
  const productCount = opts.products ?? 250;
  const clientCount = opts.clients ?? 1200;
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 1);
  const letters = () => {
    let pair: string;
    do pair = String.fromCharCode(65 + Math.floor(rnd() * 26), 65 + Math.floor(rnd() * 26));
    while (['SA', 'SD', 'SS'].includes(pair));
    return pair;
  };
  const slug = (s: string) => s.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '');

  state.categories = Array.from({ length: groupCount }, (_, i) => ({
    id: i + 1,
    name: groupNames[i] ?? `Groep ${i + 1}`,
    ledger: 8000 + i * 10,
  }));

  const fixed: [string, string, number][] = [['0001', 'Reistijd', 45], ['0002', 'Werktijd', 62.5], ['0003', 'Voorrijkosten', 35]];
  state.products = Array.from({ length: productCount }, (_, i): FakeFsProduct => {
    let code: string, name: string, price: number;
    if (i < fixed.length) {
      [code, name, price] = fixed[i]!;
    } else {
      code = String(1000 + i);
      const service = rnd() < 0.1;
      name = service ? pick(services) : `${pick(materials)} ${pick(MATERIAL_SIZES)}`;
      price = service ? round2(40 + rnd() * 160) : round2(0.95 + rnd() * 120);
    }
    // Labour and call-out are always 21 %; some materials are 9 %.
    const taxes = i >= fixed.length && rnd() < 0.1 ? 9 : 21;
    return { id: i + 1, code, name, price, taxes, priceintax: round2(price * (1 + taxes / 100)) };
  });

  const base = Date.UTC(2024, 0, 1);
  state.clients = Array.from({ length: clientCount }, (_, i) => {
    const clientnr = 1001 + i;
    const [city, zipPrefix, areaCode] = pick(cities);
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const person = i % 6 === 5;
    const company = person ? '' : `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}${pick(legalForms)}`;
    return {
      clientnr,
      contact,
      company,
      address: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      zipcode: `${zipPrefix}${digits(2)} ${letters()}`,
      city,
      country: NEDERLAND,
      phone: `${areaCode}-${digits(10 - areaCode.length)}`,
      mobile: `06-${digits(8)}`,
      email: person ? `${slug(contact)}@voorbeeld.nl` : `info@${slug(company)}.nl`,
      active: i % 30 !== 29,
      timestamp: new Date(base + i * HOUR_MS).toISOString().slice(0, 10),
    };
  });
  return { groups: groupCount, products: productCount, clients: clientCount };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
