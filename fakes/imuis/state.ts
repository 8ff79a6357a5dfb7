import type { BaseFaults } from '../kit.js';

/**
 * What the fake iMuis holds (docs/providers/imuis.md §3): the tables the connector reads and writes, with iMuis's
 * own field names. `mutated` is the fake's own bookkeeping for MUTDATE_VA: no iMuis table exposes a mutation date.
 */

export type JN = 'J' | 'N';

export interface FakeImuisDebtor {
  NR: number;
  ZKSL: string;
  NAAM: string;
  ADRES: string;
  POSTCD: string;
  PLAATS: string;
  LAND: string;
  EMAIL: string;
  TEL: string;
  BLOK: JN;
  /** "Blokkeren voor verkooporders vanaf", `dd-mm-jjjj`, or '' (not blocked). */
  BLOKVRKVA: string;
  /** Last change, `YYYY-MM-DD` (what MUTDATE_VA filters on). */
  mutated: string;
}

export interface FakeImuisArticle {
  NR: string;
  ZKSL: string;
  OMSCHR: string;
  /** Sales price excl. VAT. */
  VERKPR: number;
  VERKPRINCL: number;
  /** Sales unit. */
  EENHVERK: string;
  /** The price is per this many units. */
  EENHPRS: number;
  /** ARTGRP.NR. */
  ARTGRP: number;
  BLOK: JN;
  /** Blocked for sales. */
  BLOKVRK: JN;
  mutated: string;
}

export interface FakeImuisArticleGroup {
  NR: number;
  OMSCHR: string;
  ZKSL: string;
  BLOK: JN;
  mutated: string;
}

export interface FakeImuisOrderLine {
  RG: number;
  ART: string;
  AANT: number;
  OMSCHR: string;
  /** As sent; null = iMuis's own price. */
  PRS: number | null;
  EENH: string;
  STATUS: 'O';
}

export interface FakeImuisOrder {
  NR: number;
  DEB: number;
  /** As sent: d/m/Y. */
  DAT: string;
  KENM: string;
  OPM: string;
  /** What was sent, '' when nothing (the connector sends none: it concerns order confirmations). */
  GEBRORDBEV: string;
  lines: FakeImuisOrderLine[];
  mutated: string;
}

export interface FakeImuisOfferLine {
  RG: number;
  /** Article code; empty on a plain text line. */
  ART: string;
  AANT: number;
  OMSCHR: string;
  PRS: number | null;
}

/** UNCONFIRMED shape (docs §7): OFFKOP by analogy with ORDKOP, OFFRG linked by OFFNR. */
export interface FakeImuisOffer {
  NR: number;
  DEB: number;
  /** `dd-mm-jjjj`. */
  DAT: string;
  OMSCHR: string;
  OPM: string;
  KENM: string;
  lines: FakeImuisOfferLine[];
  mutated: string;
}

export interface FakeImuisSession {
  partnerKey: string;
  environmentCode: string;
  /** Epoch ms of the last call the session made (iMuis ends a session after a time without calls). */
  lastUsed: number;
}

/** How CREATEVERKOOPORDER answers (docs U1): `ORDNR`, the echoed dataset without ORDNR, or nothing at all. */
export type CreateAnswer = 'ordnr' | 'echo' | 'empty';

export interface FakeImuisState {
  partnerKeys: string[];
  environmentCodes: string[];
  debtors: FakeImuisDebtor[];
  articles: FakeImuisArticle[];
  articleGroups: FakeImuisArticleGroup[];
  orders: FakeImuisOrder[];
  /** The VERKOOPORDER XML of every create the fake carried out, as received (the document preview's tests compare it). */
  receivedCreates?: string[];
  offers: FakeImuisOffer[];
  nextOrderNr: number;
  sessions: Map<string, FakeImuisSession>;
  /** A session ends after this long without a call (iMuis: 30 minutes, shorter when the accountant says so). */
  sessionIdleMs: number;
  logins: number;
  /** Calls refused because the session had ended or was unknown. */
  sessionRefusals: number;
  /** Tables this administration does not know (e.g. the quote tables, whose reading is unconfirmed). */
  unknownTables: string[];
  /** Fields a table does not have here, per table (e.g. `{ OFFKOP: ['OMSCHR'] }`). */
  unknownFields: Record<string, string[]>;
  createAnswer: CreateAnswer;
  /** Every request to the API path (control paths not included). */
  requestCount: number;
  /** Per ACTIE, and per `GETSTAMTABELRECORDS <TABLE>`. */
  requests: Record<string, number>;
}

export interface FakeImuisFault {
  /** The ACTIE it answers (e.g. `CREATEVERKOOPORDER`); absent = any but LOGIN. */
  action?: string;
  /** GETSTAMTABELRECORDS only: the table (e.g. `DEB`). */
  table?: string;
  /** Answer with this HTTP status instead of the API. */
  status?: number;
  retryAfterSeconds?: number;
  /** Answer HTTP 200 with `<ERROR><MESSAGE>…`. */
  errorMessage?: string;
  /** Answer HTTP 200 with `<RESULT>false</RESULT><FOUTMELDING>…` (the SOAP operations' Result/Foutmelding pair). */
  foutmelding?: string;
  /** Answer HTTP 200 with this body as it is (an answer of a shape nobody documented). */
  answerXml?: string;
  /** GETSTAMTABELRECORDS: the right METADATA but no DATA rows (the empty mid-listing page S10 retries). */
  emptyPage?: boolean;
}

/** Faults match on ACTIE: `path` of `timeoutAfterCommit` and `commitLate` is the ACTIE (e.g. `CREATEVERKOOPORDER`). */
export type FakeImuisFaults = BaseFaults<FakeImuisFault>;

/** Same value as lib/env.ts's development default of IMUIS_PARTNER_KEY. */
export const DEFAULT_IMUIS_PARTNER_KEY = 'simon-dev-partner-key';
export const DEFAULT_ENVIRONMENT_CODE = 'DEMO-7Q4K-2M9X';
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

export function createFakeImuisState(opts: { partnerKeys?: string[]; environmentCodes?: string[] } = {}): FakeImuisState {
  return {
    partnerKeys: [...(opts.partnerKeys ?? [DEFAULT_IMUIS_PARTNER_KEY])],
    environmentCodes: [...(opts.environmentCodes ?? [DEFAULT_ENVIRONMENT_CODE])],
    debtors: [],
    articles: [],
    articleGroups: [],
    orders: [],
    offers: [],
    nextOrderNr: 202600001,
    sessions: new Map(),
    sessionIdleMs: DEFAULT_SESSION_IDLE_MS,
    logins: 0,
    sessionRefusals: 0,
    unknownTables: [],
    unknownFields: {},
    createAnswer: 'ordnr',
    requestCount: 0,
    requests: {},
  };
}

/** Today in the Netherlands, `YYYY-MM-DD`: iMuis dates are local dates. */
export function amsterdamDate(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Applies a change the way iMuis does: the record's mutation date becomes today. */
export function mutate<T extends { mutated: string }>(record: T, patch: Partial<T> = {}): T {
  Object.assign(record, patch);
  record.mutated = amsterdamDate();
  return record;
}
