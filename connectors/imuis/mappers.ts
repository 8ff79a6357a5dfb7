import { createHash } from 'node:crypto';
import { cutToLimit, roundQuantity } from '../../lib/document.js';
import type { DocumentDraft, ExternalArticle, ExternalArticleGroup, ExternalCustomer, ExternalQuote } from '../types.js';
import { asBool, asDecimalString, asNumber, asText } from '../values.js';
import { orderDate, readDate } from './protocol.js';
import type { ArticleGroupRow, ArticleRow, DebtorRow, QuoteLineRow, QuoteRow } from './schemas.js';
import { toXml } from './xml.js';
import { imuisWireTexts } from '../../lib/messages.js';

/** iMuis records → Simon's vocabulary, and a draft → the VERKOOPORDER payload (docs/providers/imuis.md §3). */

/** KENM holds 25 (S11); our references stay within 20 (lib/references.ts), a longer one becomes a short hash. */
export const KENM_LENGTH = 20;
/** ORDRG.OMSCHR is CHAR 40 (S11). */
export const MAX_LINE_DESCRIPTION = 40;
/** ORDKOP.OPM holds 250 characters (S11). */
export const MAX_MEMO = 250;

const blocked = (flag: string | undefined) => asBool(flag, false);

/** A debtor is inactive when blocked (BLOK) or blocked for sales orders from a day that has come (BLOKVRKVA). */
export function mapDebtor(r: DebtorRow, today: string): ExternalCustomer {
  const nr = r.NR;
  const name = asText(r.NAAM) ?? asText(r.ZKSL) ?? `Debiteur ${nr}`;
  const street = asText(r.ADRES);
  const postalCode = asText(r.POSTCD);
  const city = asText(r.PLAATS);
  const country = asText(r.LAND);
  const address = [street, postalCode, city].some((v) => v !== null) ? { street, postalCode, city, country } : null;
  const salesBlockedFrom = readDate(r.BLOKVRKVA);
  return {
    externalId: nr,
    number: nr,
    name,
    address,
    email: asText(r.EMAIL),
    phone: asText(r.TEL),
    active: !blocked(r.BLOK) && !(salesBlockedFrom !== null && salesBlockedFrom <= today),
    // Manual §3.3: the debtor's address is the customer address and also its first work address.
    workAddresses: address ? [{ origin: 'customer-address', address: { name, ...address } }] : [],
  };
}

/**
 * VERKPR is the price excl. VAT for `EENHPRS` units (docs U13): a price per 10 or per 100 is no unit price, so it is
 * left out rather than imported wrong.
 */
export function articlePrice(r: Pick<ArticleRow, 'VERKPR' | 'EENHPRS'>): string | null {
  const per = asNumber(r.EENHPRS);
  if (per !== null && per !== 0 && per !== 1) return null;
  return asDecimalString(r.VERKPR);
}

/** Blocked (BLOK) or blocked for sales (BLOKVRK) articles are inactive. */
export const articleBlocked = (r: Pick<ArticleRow, 'BLOK' | 'BLOKVRK'>): boolean => blocked(r.BLOK) || blocked(r.BLOKVRK);

export function mapArticle(r: ArticleRow, inFilter: boolean): ExternalArticle {
  return {
    externalId: r.NR,
    code: r.NR,
    description: asText(r.OMSCHR) ?? '',
    salesPrice: articlePrice(r),
    unit: asText(r.EENHVERK),
    groupExternalId: asText(r.ARTGRP),
    active: !articleBlocked(r) && inFilter,
  };
}

export const groupBlocked = (r: Pick<ArticleGroupRow, 'BLOK'>): boolean => blocked(r.BLOK);

export function mapArticleGroup(r: ArticleGroupRow, inFilter: boolean): ExternalArticleGroup {
  return { externalId: r.NR, code: r.NR, description: asText(r.OMSCHR) ?? '', active: !groupBlocked(r) && inFilter };
}

/**
 * UNCONFIRMED read path (docs §7): a quote with all its lines, in line order. Without an OFFKOP.OMSCHR the first
 * line's description is the quote's description (the manual's "omschrijving van de offerte" may well be that).
 */
export function mapQuote(head: QuoteRow, lines: QuoteLineRow[]): ExternalQuote {
  const ordered = [...lines].sort((a, b) => (asNumber(a.RG) ?? 0) - (asNumber(b.RG) ?? 0));
  const firstLine = ordered.map((l) => asText(l.OMSCHR)).find((t) => t !== null) ?? null;
  return {
    externalId: head.NR,
    number: head.NR,
    name: asText(head.OMSCHR) ?? firstLine ?? '',
    // Manual §5.8.1: the include word is looked for in the quote's description only.
    reference: null,
    memo: asText(head.OPM),
    customerExternalId: asText(head.DEB),
    lines: ordered.map((l) => {
      const art = asText(l.ART);
      return { articleExternalId: art, articleCode: art, description: l.OMSCHR ?? '', quantity: asNumber(l.AANT) ?? 0, unitPrice: asDecimalString(l.PRS) };
    }),
  };
}

// ---------------------------------------------------------------- the sales order

/**
 * Our reference as KENM (docs §6): it is printed on the invoice and payments are matched on it, so it is the readable
 * `WB <work order number>` lib/references.ts makes; a longer one becomes a stable short hash, so a KENM cut off by
 * iMuis can never make the look-up miss.
 */
export function orderKenmerk(reference: string): string {
  const r = reference.trim();
  if (r.length <= KENM_LENGTH && !/[\t\r\n]/.test(r)) return r;
  return `S-${createHash('sha256').update(r).digest('hex').slice(0, KENM_LENGTH - 2)}`;
}

/** A quantity with a dot and at most 4 decimals (ORDRG.AANT is decimal(14,4)), no exponent. */
export function quantityText(quantity: number): string {
  return roundQuantity(quantity, 4).toFixed(4).replace(/\.?0+$/, '');
}

/** A price with a dot and at most 2 decimals (docs U10), rounded half away from zero. */
export function priceText(price: string): string {
  const n = Number(price);
  if (!Number.isFinite(n)) throw new Error(imuisWireTexts.notAPrice(price));
  return roundQuantity(n, 2).toFixed(2);
}

/**
 * The VERKOOPORDER payload (docs §3.7): ORDKOP with DEB, DAT (d/m/Y), KENM and the remarks in OPM; one ORDRG per
 * article line with ART, AANT, OMSCHR and PRS when Simon has an agreed price (without it iMuis applies its own).
 * No GEBRORDBEV: it concerns order confirmations, not whether the order stays open (it does until invoiced).
 */
export function salesOrderXml(draft: DocumentDraft): string {
  const articleLines = draft.lines.filter((l) => l.kind === 'article');
  // iMuis order lines need an article (docs U14); a text line goes to the remarks instead.
  const textLines = draft.lines.filter((l) => l.kind === 'text').map((l) => l.description);
  const remarks = [draft.memo ?? '', ...textLines].filter((t) => t.trim() !== '').join('\n');
  return toXml({
    NewDataSet: {
      ORDKOP: {
        DEB: draft.customer.externalId,
        DAT: orderDate(draft.date),
        KENM: orderKenmerk(draft.reference),
        OPM: remarks ? cutToLimit(remarks, MAX_MEMO) : undefined,
      },
      ORDRG: articleLines.map((line) => ({
        ART: line.articleExternalId,
        AANT: quantityText(line.quantity),
        OMSCHR: cutToLimit(line.description, MAX_LINE_DESCRIPTION),
        PRS: line.unitPrice !== null ? priceText(line.unitPrice) : undefined,
      })),
    },
  });
}
