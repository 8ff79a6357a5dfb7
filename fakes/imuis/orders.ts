import { amsterdamDate, type FakeImuisOrder, type FakeImuisOrderLine, type FakeImuisState } from './state.js';
import { isRealDate } from './tables.js';
import { fieldsOf, parseRequestXml, recordsOf, type XmlOutObject } from './xml.js';

/**
 * CREATEVERKOOPORDER (docs/providers/imuis.md §3.7): `<NewDataSet>` with one ORDKOP and one or more ORDRG. Only the
 * fields the docs and live clients name are known; anything else (PRIJS, ORD, MUTDAT, …) is refused as iMuis refuses
 * an unknown column, so a value sent under a wrong name is caught instead of silently dropped. Lengths are S11's
 * column sizes, numbers are written with a dot (AANT up to 4 decimals, PRS up to 2), DAT is d/m/Y on this transport.
 */

const HEAD_FIELDS = new Set([
  'DEB', 'BETALER', 'DAT', 'ORDSRT', 'DATLEVUITERSTAUTO', 'NEGAANT', 'BTWPL', 'KENM', 'OPM', 'EXTORDNR', 'MAG', 'RIT', 'NRRIT', 'GEBRORDBEV',
  'VERZNAAM', 'VERZNAAM2', 'VERZADRES', 'VERZSTRAAT', 'VERZHNR', 'VERZHNRTV', 'VERZPOSTCD', 'VERZPLAATS', 'VERZLAND', 'VERZTEL', 'VERZEMAIL', 'VERZDEB',
]);
const LINE_FIELDS = new Set(['RG', 'ART', 'AANT', 'OMSCHR', 'PRS', 'PRSINCL', 'OPMEXT', 'OPMINT', 'DAT', 'DATLEV', 'PERCKORT', 'MAG', 'BLOK']);

export const KENM_MAX_LENGTH = 25;
export const OPM_MAX_LENGTH = 250;
export const OMSCHR_MAX_LENGTH = 40;

export interface OrderResult {
  error?: string;
  order?: FakeImuisOrder;
}

const refuse = (error: string): OrderResult => ({ error });
const chars = (s: string) => Array.from(s).length;

/** `dd-mm-jjjj` as `YYYY-MM-DD`, or null. */
function dmyToIso(d: string): string | null {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(d);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
}

export function createOrder(raw: string | null, state: FakeImuisState): OrderResult {
  if (!raw) return refuse('Geen VERKOOPORDER opgegeven');
  const parsed = parseRequestXml(raw);
  if ('error' in parsed) return refuse(`VERKOOPORDER is geen geldige XML: ${parsed.error}`);
  const tablesSent = Object.keys(parsed.content).filter((t) => t !== 'ORDKOP' && t !== 'ORDRG');
  if (tablesSent.length > 0) return refuse(`Onbekende tabel '${tablesSent[0]}' in de verkooporder`);
  const heads = recordsOf(parsed.content, 'ORDKOP');
  if (heads.length !== 1) return refuse(heads.length === 0 ? 'ORDKOP ontbreekt in de verkooporder' : 'Een verkooporder heeft precies één ORDKOP');
  const { fields: head, error: headError } = fieldsOf(heads[0]);
  if (headError) return refuse(`ORDKOP: ${headError}`);
  const unknownHead = Object.keys(head).find((f) => !HEAD_FIELDS.has(f));
  if (unknownHead) return refuse(`Veld '${unknownHead}' bestaat niet in tabel ORDKOP`);

  const deb = (head.DEB ?? '').trim();
  if (!deb) return refuse('Debiteur (DEB) is verplicht');
  const debtor = /^\d+$/.test(deb) ? state.debtors.find((d) => d.NR === Number(deb)) : undefined;
  if (!debtor) return refuse(`Debiteur ${deb} bestaat niet`);
  if (debtor.BLOK === 'J') return refuse(`Debiteur ${debtor.NR} is geblokkeerd`);
  const salesBlocked = dmyToIso(debtor.BLOKVRKVA);
  if (salesBlocked !== null && salesBlocked <= amsterdamDate()) return refuse(`Debiteur ${debtor.NR} is geblokkeerd voor verkooporders vanaf ${debtor.BLOKVRKVA}`);

  const dat = (head.DAT ?? '').trim();
  const dm = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(dat);
  // tombaars/imuis_api had to send d/m/Y "contrary to the docs" on this transport.
  if (dat && (!dm || !isRealDate(Number(dm[3]), Number(dm[2]), Number(dm[1])))) return refuse(`Ongeldige datum '${dat}' in ORDKOP.DAT`);
  const kenm = head.KENM ?? '';
  if (/[\t\r\n]/.test(kenm)) return refuse('Kenmerk (KENM) mag geen tab of regeleinde bevatten');
  if (chars(kenm) > KENM_MAX_LENGTH) return refuse(`Kenmerk (KENM) is te lang: maximaal ${KENM_MAX_LENGTH} tekens`);
  const opm = head.OPM ?? '';
  if (chars(opm) > OPM_MAX_LENGTH) return refuse(`Opmerking (OPM) is te lang: maximaal ${OPM_MAX_LENGTH} tekens`);
  const gebr = (head.GEBRORDBEV ?? '').trim().toUpperCase();
  if (gebr && gebr !== 'J' && gebr !== 'N') return refuse(`Ongeldige waarde '${gebr}' voor GEBRORDBEV (J of N)`);
  if (head.EXTORDNR !== undefined && !/^\d+$/.test(head.EXTORDNR.trim())) return refuse(`Ongeldige waarde '${head.EXTORDNR}' voor EXTORDNR`);

  const lineRecords = recordsOf(parsed.content, 'ORDRG');
  if (lineRecords.length === 0) return refuse('Een verkooporder moet minstens één orderregel (ORDRG) hebben');
  const lines: FakeImuisOrderLine[] = [];
  for (const [i, record] of lineRecords.entries()) {
    const n = i + 1;
    const { fields: line, error } = fieldsOf(record);
    if (error) return refuse(`Regel ${n}: ${error}`);
    const unknownLine = Object.keys(line).find((f) => !LINE_FIELDS.has(f));
    if (unknownLine) return refuse(`Veld '${unknownLine}' bestaat niet in tabel ORDRG`);
    const code = (line.ART ?? '').trim();
    if (!code) return refuse(`Regel ${n}: artikel (ART) is verplicht`);
    const article = state.articles.find((a) => a.NR === code);
    if (!article) return refuse(`Regel ${n}: artikel '${code}' bestaat niet`);
    if (article.BLOK === 'J') return refuse(`Regel ${n}: artikel '${code}' is geblokkeerd`);
    if (article.BLOKVRK === 'J') return refuse(`Regel ${n}: artikel '${code}' is geblokkeerd voor verkoop`);
    const aant = (line.AANT ?? '').trim();
    if (!aant) return refuse(`Regel ${n}: aantal (AANT) is verplicht`);
    if (!/^-?\d+(\.\d{1,4})?$/.test(aant)) return refuse(`Regel ${n}: ongeldig aantal '${aant}' (een punt als decimaalteken, hoogstens 4 decimalen)`);
    const prs = (line.PRS ?? '').trim();
    if (prs && !/^-?\d+(\.\d{1,2})?$/.test(prs)) return refuse(`Regel ${n}: ongeldige prijs '${prs}' (een punt als decimaalteken, hoogstens 2 decimalen)`);
    const omschr = line.OMSCHR ?? article.OMSCHR;
    if (chars(omschr) > OMSCHR_MAX_LENGTH) return refuse(`Regel ${n}: omschrijving (OMSCHR) is te lang: maximaal ${OMSCHR_MAX_LENGTH} tekens`);
    lines.push({ RG: n, ART: code, AANT: Number(aant), OMSCHR: omschr, PRS: prs ? Number(prs) : null, EENH: article.EENHVERK, STATUS: 'O' });
  }

  const order: FakeImuisOrder = {
    NR: state.nextOrderNr++,
    DEB: debtor.NR,
    DAT: dat || todayDmy(),
    KENM: kenm,
    OPM: opm,
    GEBRORDBEV: gebr,
    lines,
    mutated: amsterdamDate(),
  };
  state.orders.push(order);
  (state.receivedCreates ??= []).push(raw);
  return { order };
}

function todayDmy(): string {
  const [y, m, d] = amsterdamDate().split('-');
  return `${d}/${m}/${y}`;
}

/** The answer for a stored order, in the shape `state.createAnswer` asks (docs U1). */
export function createdAnswer(order: FakeImuisOrder, state: FakeImuisState): XmlOutObject {
  if (state.createAnswer === 'empty') return { DATASET: { RESULT: 'true' } };
  if (state.createAnswer === 'echo') {
    return {
      NewDataSet: {
        ORDKOP: { NR: order.NR, DEB: order.DEB, KENM: order.KENM, OPM: order.OPM },
        ORDRG: order.lines.map((l) => ({ ORDNR: order.NR, RG: l.RG, ART: l.ART, AANT: l.AANT, STATUS: l.STATUS, EENH: l.EENH })),
      },
    };
  }
  return { DATASET: { ORDNR: order.NR } };
}
