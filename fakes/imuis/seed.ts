import { seededRandom } from '../kit.js';
import { amsterdamDate, type FakeImuisArticle, type FakeImuisDebtor, type FakeImuisOffer, type FakeImuisState } from './state.js';

/** Deterministic Dutch demo data for the fake iMuis. */

export interface ImuisSeedOptions {
  /** Group names in order (numbers 1, 2, …); the first holds the three fixed articles unless `timeGroup` says otherwise. */
  groups?: string[];
  /** The group of REISTIJD, WERKTIJD and VOORRIJKOSTEN. */
  timeGroup?: string;
  articles?: number;
  debtors?: number;
  seed?: number;
}

export const DEFAULT_GROUPS = ['Tijden', 'Installatie', 'Materialen', 'Diensten'];

const firstNames = ['Jan', 'Piet', 'Kees', 'Henk', 'Johan', 'Willem', 'Sanne', 'Eva', 'Lotte', 'Anouk', 'Marieke', 'Fleur', 'Daan', 'Bram', 'Joost', 'Ruud'];
const lastNames = ['de Vries', 'Jansen', 'de Jong', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Dekker', 'den Butter'];
const trades = ['Bakkerij', 'Installatiebedrijf', 'Garage', 'Restaurant', 'Bouwbedrijf', 'Schildersbedrijf', 'Camping', 'Zorgcentrum', 'Hotel', 'Woningstichting'];
const streets = ['Dorpsstraat', 'Kerkstraat', 'Molenweg', 'Stationsweg', 'Hoofdstraat', 'Dunantstraat', 'Julianalaan', 'Industrieweg', 'Lindelaan', 'Marktplein'];
const cities: [string, string][] = [['Eindhoven', '56'], ['Amsterdam', '10'], ['Utrecht', '35'], ['Zwolle', '80'], ['Tilburg', '50'], ['Haarlem', '20'], ['Groningen', '97']];
const materials = ['Koperen bocht', 'Knelkoppeling', 'T-stuk', 'Kogelkraan', 'PVC-buis', 'Radiatorkraan', 'Thermostaatknop', 'Expansievat', 'Sifon', 'Mengkraan', 'Rookmelder', 'Wandcontactdoos', 'Installatiekabel', 'Pakking'];
const sizes = ['15 mm', '22 mm', '28 mm', '1/2"', '3/4"', 'set', 'wit', 'chroom'];

const round2 = (n: number) => Math.round(n * 100) / 100;
const withVat = (n: number) => round2(n * 1.21);

/**
 * Replaces groups, articles and debtors with realistic Dutch data, all changed on 2024-01-01 (so a change made later,
 * with `mutate`, is what an incremental sync sees). REISTIJD, WERKTIJD and VOORRIJKOSTEN exist as in the manual's
 * screenshots; the other articles spread over the other groups in turn. Every 30th debtor is blocked and every 40th
 * blocked for sales orders (since 2024); every 25th material is blocked for sales (BLOKVRK).
 */
export function seedImuis(state: FakeImuisState, opts: ImuisSeedOptions = {}): { groups: number; articles: number; debtors: number } {
  const groupNames = opts.groups ?? DEFAULT_GROUPS;
  const articleCount = opts.articles ?? 40;
  const debtorCount = opts.debtors ?? 120;
  const { rnd, pick, digits } = seededRandom(opts.seed ?? 1);
  const old = '2024-01-01';

  state.articleGroups = groupNames.map((name, i) => ({ NR: i + 1, OMSCHR: name, ZKSL: name.toUpperCase().slice(0, 20), BLOK: 'N', mutated: old }));
  const timeGroup = state.articleGroups.find((g) => g.OMSCHR === (opts.timeGroup ?? groupNames[0]))?.NR ?? 1;
  const others = state.articleGroups.map((g) => g.NR).filter((nr) => nr !== timeGroup);
  const article = (a: Omit<FakeImuisArticle, 'VERKPRINCL' | 'EENHPRS' | 'BLOK' | 'BLOKVRK' | 'mutated'>, blockedForSales = false): FakeImuisArticle => ({
    ...a, VERKPRINCL: withVat(a.VERKPR), EENHPRS: 1, BLOK: 'N', BLOKVRK: blockedForSales ? 'J' : 'N', mutated: old,
  });

  const fixed = [
    article({ NR: 'REISTIJD', ZKSL: '55', OMSCHR: 'Reistijd', VERKPR: 45, EENHVERK: 'uur', ARTGRP: timeGroup }),
    article({ NR: 'WERKTIJD', ZKSL: 'werktijd vanuit simo', OMSCHR: 'werktijd vanuit Simon', VERKPR: 62.5, EENHVERK: 'uur', ARTGRP: timeGroup }),
    article({ NR: 'VOORRIJKOSTEN', ZKSL: 'vr', OMSCHR: 'Voorrijkosten', VERKPR: 35, EENHVERK: 'st', ARTGRP: timeGroup }),
  ];
  state.articles = [
    ...fixed.slice(0, Math.min(articleCount, 3)),
    ...Array.from({ length: Math.max(0, articleCount - 3) }, (_, i) => {
      const name = `${pick(materials)} ${pick(sizes)}`;
      return article(
        { NR: String(1000 + i), ZKSL: name.toLowerCase().slice(0, 20), OMSCHR: name, VERKPR: round2(0.95 + rnd() * 120), EENHVERK: 'st', ARTGRP: others.length > 0 ? others[i % others.length] : timeGroup },
        i % 25 === 24,
      );
    }),
  ];

  state.debtors = Array.from({ length: debtorCount }, (_, i): FakeImuisDebtor => {
    const [city, zip] = pick(cities);
    const person = i % 6 === 5;
    const contact = `${pick(firstNames)} ${pick(lastNames)}`;
    const name = person ? contact : `${pick(trades)} ${pick(lastNames).split(' ').pop()!.replace(/^./, (c) => c.toUpperCase())}`;
    return {
      NR: 10001 + i,
      ZKSL: name.toUpperCase().replace(/[^A-Z0-9]+/g, '').slice(0, 20),
      NAAM: name,
      ADRES: `${pick(streets)} ${1 + Math.floor(rnd() * 180)}`,
      POSTCD: `${zip}${digits(2)} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}${String.fromCharCode(65 + Math.floor(rnd() * 26))}`,
      PLAATS: city,
      LAND: 'NL',
      EMAIL: `info@${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.nl`,
      TEL: `0${digits(9)}`,
      BLOK: i % 30 === 29 ? 'J' : 'N',
      BLOKVRKVA: i % 40 === 39 ? '01-06-2024' : '',
      mutated: old,
    };
  });
  return { groups: state.articleGroups.length, articles: state.articles.length, debtors: state.debtors.length };
}

/** Builds an offer as iMuis would hold it (tests add these to `state.offers`). */
export function fakeOffer(nr: number, deb: number, omschr: string, over: Partial<Omit<FakeImuisOffer, 'NR' | 'DEB' | 'OMSCHR'>> = {}): FakeImuisOffer {
  return { NR: nr, DEB: deb, DAT: '01-05-2024', OMSCHR: omschr, OPM: '', KENM: '', lines: [], mutated: amsterdamDate(), ...over };
}
