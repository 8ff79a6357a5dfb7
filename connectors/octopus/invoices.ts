import { octopusTexts as texts } from '../../lib/messages.js';
import { ProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { formatOctopusTimestamp, parseOctopusTimestamp } from '../../lib/octopus-time.js';
import type { SettingsOf } from '../../lib/settings.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import { hasStatus, parseRecord, recordList, unexpectedAnswer } from '../kit.js';
import type { ConnectorContext, CreatedDocument, DocumentDraft, DocumentLookup, DocumentPlan, DocumentPreview, ListedDocument } from '../types.js';
import { asBool } from '../values.js';
import type { Numbering, OctopusCaches } from './caches.js';
import { OCTOPUS, type ErrorContext } from './errors.js';
import {
  addDays, amountOf, DEFAULT_PAYMENT_DAYS, documentIdOf, invoiceBody, isOurInvoice, isSalesJournal, openBookyear, periodOf, planRecord, priceLines, readPlan,
  relationIdOf, type InvoicePlan, type ProductTerms,
} from './mappers.js';
import { invoiceSchema, relationSchema, type OctopusBookyear, type OctopusInvoice, type OctopusJournal } from './schemas.js';

/**
 * Sales invoices exactly once (docs/providers/octopus.md §6, docs/exactly-once.md). Octopus numbers nothing itself
 * and has no field for our reference that stays off the printed invoice, so the invoice is found again by the key we
 * choose. `plan` picks it before the first create: the book year of the document date, the chosen sales journal, and
 * `documentSequenceNr` = max(last booked number, highest number of the journal's invoices, numbers this process
 * planned) + 1, checked free at Octopus; the export stores the plan, so every attempt creates and looks up that key.
 * `find` returns the invoice at the key only when relation, date, lines and amount are the planned ones. A key that
 * holds someone else's invoice fails the create with a Dutch explanation: Simon never silently takes another number.
 */

type OctopusSettings = SettingsOf<'octopus'>;
type Raw = Record<string, unknown>;

/** `invoices/modified` at most every half hour per journal (48 a day, §4); in between, plans go on from what is known. */
const NUMBERING_REFRESH_MS = 30 * 60_000;
/** Numbers tried after the highest known one before the journal is read again. */
const MAX_PROBES = 20;
/** A key found free this recently needs no second look before the create. */
const KEY_STATE_MS = 60_000;
/** Exports take prices and VAT codes from a products download up to this old (the nightly sync refreshes it)… */
const PRODUCT_TERMS_MAX_AGE_MS = 24 * 60 * 60_000;
/** …and look in a download at most this old when a product is missing from it. */
const FRESH_PRODUCTS_MS = 10 * 60_000;
/** `…/modified` is asked from this much earlier: clock skew, and a server reading the wall-clock stamp as UTC (§9 U8). */
export const MODIFIED_OVERLAP_MS = 3 * 60 * 60_000;

export interface InvoiceDeps {
  ctx: ConnectorContext;
  settings: OctopusSettings | null;
  scope: string;
  caches: OctopusCaches;
  fail: (kind: ProviderErrorKind, lead: string, extra?: { operation?: string; retryable?: boolean }) => ProviderError;
  inDossier: <T = unknown>(dossierId: string, req: HttpRequest, context?: ErrorContext) => Promise<HttpResponse<T>>;
  bookyears(dossierId: string): Promise<OctopusBookyear[]>;
  journals(dossierId: string, bookyearId: string): Promise<OctopusJournal[]>;
  /** Prices and VAT codes by product code, from a products download at most `maxAgeMs` old. */
  productTerms(dossierId: string, maxAgeMs: number): Promise<Map<string, ProductTerms>>;
}

export function invoiceOperations(d: InvoiceDeps) {
  const now = d.caches.now;
  const operation = 'POST invoices';

  function dossier(): string {
    if (!d.settings) throw d.fail('validation', texts.noDocumentSettings);
    return d.settings.dossierId.trim();
  }
  function journalKey(): string {
    const key = dossier() && d.settings!.journal.trim();
    if (!isSalesJournal(key)) throw d.fail('validation', texts.notASalesJournal(key), { operation });
    return key;
  }
  const numberingKey = (dossierId: string, bookyearId: string, journal: string) => `${d.scope}|${dossierId}|${bookyearId}|${journal}`;
  const keyOf = (dossierId: string, p: Pick<InvoicePlan, 'bookyearId' | 'journalKey' | 'documentSequenceNr'>) =>
    `${numberingKey(dossierId, p.bookyearId, p.journalKey)}|${p.documentSequenceNr}`;
  const created = (p: InvoicePlan): CreatedDocument => ({ documentId: documentIdOf(p), documentNumber: String(p.documentSequenceNr) });
  const taken = (p: InvoicePlan) =>
    d.fail('conflict', texts.numberTaken({ number: String(p.documentSequenceNr), journal: p.journalKey, bookyear: p.bookyear }), { operation, retryable: false });
  const parseInvoices = (op: string, list: unknown) => recordList(OCTOPUS, op, list).map((r) => parseRecord(d.ctx, OCTOPUS, op, invoiceSchema, r));

  /**
   * The journal's invoices changed since `since` (asked from the overlap earlier, §9 U8), booked or not; 404 = none;
   * an array or `{modified: […]}` (§3.7, §9 U7).
   */
  async function modifiedInvoices(dossierId: string, bookyearId: string, journal: string, since: Date): Promise<OctopusInvoice[]> {
    const op = 'GET invoices/modified';
    let body: unknown;
    try {
      body = (await d.inDossier(dossierId, { path: `dossiers/${dossierId}/invoices/modified`, query: { bookyearId, journalKey: journal, modifiedTimeStamp: formatOctopusTimestamp(new Date(since.getTime() - MODIFIED_OVERLAP_MS)) } })).body;
    } catch (err) {
      if (hasStatus(err, 404)) return [];
      throw err;
    }
    const list = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as Raw).modified : undefined;
    if (!Array.isArray(list)) throw unexpectedAnswer(OCTOPUS, op, body);
    return parseInvoices(op, list);
  }

  /** The invoice at a key, or null (404 or an empty answer). */
  async function invoiceAt(dossierId: string, p: Pick<InvoicePlan, 'bookyearId' | 'journalKey' | 'documentSequenceNr'>, fallbackSince: Date): Promise<OctopusInvoice | null> {
    const op = 'GET invoices';
    try {
      const { body } = await d.inDossier(dossierId, {
        path: `dossiers/${dossierId}/invoices`,
        query: { bookyearId: p.bookyearId, journalKey: p.journalKey, documentSeqNr: p.documentSequenceNr },
      });
      return parseInvoices(op, body).find((i) => i.documentSequenceNr === p.documentSequenceNr && i.journalKey === p.journalKey) ?? null;
    } catch (err) {
      if (hasStatus(err, 404)) return null;
      // §9 U6: the parameter names are not confirmed. A refusal of the look-up falls back to the modified listing.
      if (hasStatus(err, 400) && (err as ProviderError).kind === 'validation') {
        return (await modifiedInvoices(dossierId, p.bookyearId, p.journalKey, fallbackSince)).find((i) => i.documentSequenceNr === p.documentSequenceNr) ?? null;
      }
      throw err;
    }
  }

  /** Reads the journal's highest number again when it is older than the refresh interval; concurrent plans share one read. */
  async function refresh(n: Numbering, dossierId: string, year: OctopusBookyear, journal: string): Promise<void> {
    if (now() - n.checkedAt < NUMBERING_REFRESH_MS) return;
    if (!n.refreshing) {
      const startedAt = now();
      // The first read covers the whole book year: an unbooked invoice can be old.
      const since = n.checkedAt > 0 ? new Date(n.checkedAt) : parseOctopusTimestamp(`${year.startDate.slice(0, 10)} 00:00:00.000`) ?? new Date(0);
      n.refreshing = modifiedInvoices(dossierId, String(year.bookyearKey.id), journal, since)
        .then((list) => {
          for (const i of list) n.highest = Math.max(n.highest, i.documentSequenceNr);
          n.checkedAt = startedAt;
        })
        .finally(() => {
          n.refreshing = null;
        });
    }
    await n.refreshing;
  }

  /** The next number nobody has: taken from the shared state without an await in between, then checked at Octopus. */
  async function freeNumber(n: Numbering, dossierId: string, key: Omit<InvoicePlan, 'documentSequenceNr'>, lastBooked: number): Promise<number> {
    for (let i = 0; i < MAX_PROBES; i++) {
      const candidate = Math.max(lastBooked, n.highest, n.maxPlanned) + 1;
      n.maxPlanned = candidate;
      const there = await invoiceAt(dossierId, { ...key, documentSequenceNr: candidate }, new Date(now() - NUMBERING_REFRESH_MS));
      if (!there) {
        d.caches.noteKey(keyOf(dossierId, { ...key, documentSequenceNr: candidate }), 'free');
        return candidate;
      }
      n.highest = Math.max(n.highest, candidate);
    }
    n.checkedAt = 0;
    throw d.fail('unavailable', texts.noFreeNumber(key.journalKey), { operation });
  }

  /** A relation's payment term: from a listing this process made, else looked up by id (a search, §4). */
  function paymentDays(dossierId: string, relationId: string): Promise<number | null> {
    return d.caches.paymentDays(`${d.scope}|${dossierId}|${relationId}`, async () => {
      const op = 'GET relations';
      try {
        const { body } = await d.inDossier(dossierId, { path: `dossiers/${dossierId}/relations`, query: { relationId } });
        const relation = recordList(OCTOPUS, op, body).map((r) => parseRecord(d.ctx, OCTOPUS, op, relationSchema, r)).find((r) => relationIdOf(r) === relationId);
        if (!relation || !asBool(relation.client, true)) throw d.fail('validation', texts.relationUnknown, { operation });
        return relation.expirationDays ?? null;
      } catch (err) {
        if (hasStatus(err, 404)) throw d.fail('validation', texts.relationUnknown, { operation });
        throw err;
      }
    });
  }

  /** Prices and VAT codes of the draft's products, and the codes Octopus does not have (looked for in a fresh download). */
  async function productTermsOf(dossierId: string, draft: DocumentDraft): Promise<{ terms: Map<string, ProductTerms>; missing: string[] }> {
    const codes = draft.lines.flatMap((l) => (l.kind === 'article' ? [l.articleCode] : []));
    if (codes.length === 0) return { terms: new Map(), missing: [] };
    let terms = await d.productTerms(dossierId, PRODUCT_TERMS_MAX_AGE_MS);
    if (codes.some((c) => !terms.has(c))) terms = await d.productTerms(dossierId, FRESH_PRODUCTS_MS);
    return { terms, missing: [...new Set(codes.filter((c) => !terms.has(c)))] };
  }

  async function pricedLines(dossierId: string, draft: DocumentDraft) {
    const { terms, missing } = await productTermsOf(dossierId, draft);
    if (missing[0] !== undefined) throw d.fail('validation', texts.productUnknown(missing[0]), { operation });
    return priceLines(draft, terms);
  }

  /**
   * The key, dates and prices of a draft's invoice. `reserve: false` (the preview, docs/preview.md) shows the number
   * the next plan would take without taking it and without asking Octopus whether it is free.
   */
  async function plan(draft: DocumentDraft, opts: { reserve: boolean } = { reserve: true }): Promise<DocumentPlan> {
    const dossierId = dossier();
    const journal = journalKey();
    const year = openBookyear(await d.bookyears(dossierId), draft.date);
    if (!year) throw d.fail('validation', texts.noOpenBookyear(draft.date), { operation });
    const period = periodOf(year, draft.date);
    if (period === null) throw d.fail('validation', texts.noPeriod(draft.date), { operation });
    const bookyearId = String(year.bookyearKey.id);
    const j = (await d.journals(dossierId, bookyearId)).find((x) => x.journalKey === journal);
    if (!j) throw d.fail('validation', texts.journalUnknown(journal), { operation });
    if (asBool(j.closed, false)) throw d.fail('conflict', texts.journalClosed(journal), { operation, retryable: false });
    const lines = await pricedLines(dossierId, draft);
    const days = await paymentDays(dossierId, draft.customer.externalId);
    const key = {
      bookyearId, bookyear: year.bookyearDescription ?? bookyearId, journalKey: journal, bookyearPeriodeNr: period,
      documentDate: draft.date, expiryDate: addDays(draft.date, days !== null && days > 0 ? days : DEFAULT_PAYMENT_DAYS),
      relationId: draft.customer.externalId, lines, amount: Math.round(amountOf(draft, lines) * 100) / 100,
    };
    const n = d.caches.numberingOf(numberingKey(dossierId, bookyearId, journal));
    await refresh(n, dossierId, year, journal);
    const lastBooked = j.lastBookedDocumentNr ?? 0;
    const documentSequenceNr = opts.reserve ? await freeNumber(n, dossierId, key, lastBooked) : Math.max(lastBooked, n.highest, n.maxPlanned) + 1;
    return planRecord({ ...key, documentSequenceNr });
  }

  return {
    plan,

    /** The invoice the next export would post (same plan, same body), or why Octopus would refuse it; no write. */
    async preview(draft: DocumentDraft): Promise<DocumentPreview> {
      const { missing } = await productTermsOf(dossier(), draft);
      if (missing.length > 0) {
        return { body: null, problems: missing.map((code) => ({ code: 'article-not-found-upstream', reason: texts.productUnknown(code), detail: code })) };
      }
      // No customer yet (connectors/types.ts): the articles were all there is to ask; a plan needs the relation.
      if (!draft.customer.externalId) return { body: null, problems: [] };
      try {
        const p = readPlan(await plan(draft, { reserve: false }))!;
        return { body: invoiceBody(draft, p, p.lines), problems: [] };
      } catch (err) {
        if (!(err instanceof ProviderError) || err.retryable) throw err;
        return { body: null, problems: [{ code: 'refused', reason: err.providerMessage || err.message, detail: null }] };
      }
    },

    /** Posts the planned invoice; a key someone else's invoice holds is never posted over (§9 U2). */
    async create(draft: DocumentDraft, stored: DocumentPlan | null): Promise<CreatedDocument> {
      const dossierId = dossier();
      journalKey();
      const p = readPlan(stored ?? (await plan(draft)));
      if (!p) throw new Error('Octopus: the stored plan of this export is not an Octopus plan');
      const key = keyOf(dossierId, p);
      const known = d.caches.keyState(key, KEY_STATE_MS);
      if (known === 'taken') throw taken(p);
      if (known !== 'free') {
        const there = await invoiceAt(dossierId, p, new Date(now() - NUMBERING_REFRESH_MS));
        if (there && isOurInvoice(there, p, draft.customer.externalId)) return created(p);
        if (there) {
          d.caches.noteKey(key, 'taken');
          throw taken(p);
        }
      }
      // The plan's prices and VAT codes, so every attempt sends the same invoice (a draft that changed is priced again).
      const lines = draft.lines.length === p.lines.length ? p.lines : await pricedLines(dossierId, draft);
      d.caches.forgetKey(key);
      const context: ErrorContext = { journal: p.journalKey, plan: { number: String(p.documentSequenceNr), bookyear: p.bookyear } };
      // Any 2xx means the invoice is at the planned key; the answer has no body to read (§3.6).
      await d.inDossier(dossierId, { method: 'POST', path: `dossiers/${dossierId}/invoices`, body: invoiceBody(draft, p, lines) }, context);
      const n = d.caches.numberingOf(numberingKey(dossierId, p.bookyearId, p.journalKey));
      n.highest = Math.max(n.highest, p.documentSequenceNr);
      return created(p);
    },

    /**
     * The journal's invoices of the last days, for the weekly reconciliation (docs/providers/octopus.md §8): one
     * `invoices/modified` over every book year (`bookyearId=-1`) since the window's start. An invoice carries no
     * reference of ours, so each is named by its key and described by a fingerprint (relation, date, number of lines,
     * amount) that tells a copy of one of ours.
     */
    async listRecent(since: Date): Promise<ListedDocument[]> {
      const dossierId = dossier();
      const journal = journalKey();
      return (await modifiedInvoices(dossierId, '-1', journal, since)).map((i) => {
        const relation = String(i.relationIdentificationServiceData.relationKey.id);
        const date = String(i.documentDate ?? '').slice(0, 10);
        const lines = i.invoiceLines ?? [];
        const amount = lines.reduce((sum, l) => sum + (l.count ?? 0) * (l.unitPrice ?? 0), 0);
        return {
          documentId: documentIdOf({ bookyearId: String(i.bookyearKey.id), journalKey: i.journalKey, documentSequenceNr: i.documentSequenceNr }),
          documentNumber: String(i.documentSequenceNr), reference: null, customerExternalId: relation, date,
          fingerprint: `${relation}|${date}|${lines.length}|${amount.toFixed(2)}`,
        };
      });
    },

    /** The invoice at the planned key when it is ours; null when the key is free or holds someone else's invoice. */
    async find(lookup: DocumentLookup): Promise<CreatedDocument | null> {
      const p = readPlan(lookup.plan);
      // Without a plan nothing was created: the export plans before its first create.
      if (!p) return null;
      const dossierId = dossier();
      const since = lookup.createdAfter ?? new Date(Date.parse(`${addDays(p.documentDate, -1)}T00:00:00Z`));
      const there = await invoiceAt(dossierId, p, since);
      const key = keyOf(dossierId, p);
      if (there && isOurInvoice(there, p, lookup.customerExternalId)) return created(p);
      d.caches.noteKey(key, there ? 'taken' : 'free');
      return null;
    },
  };
}
