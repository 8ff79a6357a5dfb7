import type { ExternalQuote, ExternalQuoteLine } from './records.js';
import { includesFilterWord } from './document.js';
import type { Settings } from './settings.js';

/**
 * Pure rules of the quote import (docs/quotes.md, docs/settings.md): which quotes qualify, and what the Simon work order
 * made from one looks like. Written once for every provider; each provider's settings are first reduced to
 * `QuoteImportOptions`. No I/O here: the activity looks up customers and articles and writes the result.
 */

export type WorkDescriptionSource = 'quoteName' | 'quoteReference' | 'allQuoteLines' | 'firstQuoteLine' | 'memo' | 'firstQuoteLineAndMemo';
/** `quoteCustomerReference`: the provider's own customer reference on the quote/order (Visma.net `customerRefNo`, §14.18). */
export type CustomerReferenceSource = 'quoteName' | 'quoteReference' | 'both' | 'none' | 'quoteCustomerReference';

export interface QuoteImportOptions {
  includeFilterWord: string;
  includeLines: boolean;
  workDescriptionFrom: WorkDescriptionSource;
  customerReferenceFrom: CustomerReferenceSource;
}

/** Limits of the archive snapshot (lib/work-order.ts), so a work order made here can be archived unchanged. */
export const MAX_DESCRIPTION = 10_000;
export const MAX_CUSTOMER_REFERENCE = 255;
export const MAX_NUMBER = 50;

/** The quote options in the settings, or null when this provider/tenant does not import quotes. */
export function quoteOptionsFromSettings(settings: Settings): QuoteImportOptions | null {
  switch (settings.provider) {
    case 'factuursturen':
      if (!settings.quotes.enabled) return null;
      return {
        includeFilterWord: settings.quotes.includeFilterWord,
        includeLines: settings.quotes.includeLines,
        workDescriptionFrom: settings.quotes.workDescriptionFrom,
        customerReferenceFrom: settings.quotes.customerReferenceFrom,
      };
    case 'imuis':
      if (!settings.quotes.enabled) return null;
      return {
        includeFilterWord: settings.quotes.includeFilterWord,
        includeLines: settings.quotes.includeLines,
        workDescriptionFrom: settings.quotes.workDescriptionFrom,
        customerReferenceFrom: 'none',
      };
    case 'visma-net':
      if (settings.orders.import === 'none') return null;
      // §14.13 / §14.18: the order's description is the work description, its customerRefNo the customer reference.
      return {
        includeFilterWord: settings.orders.includeFilterWord,
        includeLines: settings.orders.includeLines,
        workDescriptionFrom: 'quoteName',
        customerReferenceFrom: 'quoteCustomerReference',
      };
    case 'octopus':
    case 'rompslomp':
      return null;
  }
}

const clean = (s: string | null | undefined): string => (s ?? '').trim();
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
const cut = (s: string, max: number): string => (s.length > max ? s.slice(0, max).trimEnd() : s);

/**
 * Include filter (manual §5.2.1: "ergens in de offerte omschrijving"): the quote's name or its reference
 * (the invoice-style "omschrijving" lines) contains the word, case-insensitively; an empty word takes all.
 */
export function quoteMatchesFilter(quote: Pick<ExternalQuote, 'name' | 'reference'>, word: string): boolean {
  return includesFilterWord(quote.name, word) || includesFilterWord(quote.reference, word);
}

function lineTexts(quote: Pick<ExternalQuote, 'lines'>): string[] {
  return quote.lines.map((l) => clean(l.description)).filter(Boolean);
}

/** The work description (werkomschrijving) per `workDescriptionFrom`; empty when the chosen field is empty. */
export function workDescriptionOf(quote: ExternalQuote, from: WorkDescriptionSource): string {
  const first = lineTexts(quote)[0] ?? '';
  let text: string;
  switch (from) {
    case 'quoteName':
      text = clean(quote.name);
      break;
    case 'quoteReference':
      text = clean(quote.reference);
      break;
    case 'allQuoteLines':
      text = lineTexts(quote).join('\n');
      break;
    case 'firstQuoteLine':
      text = first;
      break;
    case 'memo':
      text = clean(quote.memo);
      break;
    case 'firstQuoteLineAndMemo':
      text = [first, clean(quote.memo)].filter(Boolean).join('\n');
      break;
  }
  return cut(text, MAX_DESCRIPTION);
}

/** The customer reference (klantreferentie) per `customerReferenceFrom`; one line, "both" joined with " / " (§14.19). */
export function customerReferenceOf(quote: ExternalQuote, from: CustomerReferenceSource): string | null {
  const name = oneLine(clean(quote.name));
  const reference = oneLine(clean(quote.reference));
  let text: string;
  switch (from) {
    case 'quoteName':
      text = name;
      break;
    case 'quoteReference':
      text = reference;
      break;
    case 'both':
      text = [name, reference].filter(Boolean).join(' / ');
      break;
    case 'quoteCustomerReference':
      text = oneLine(clean(quote.customerReference));
      break;
    case 'none':
      return null;
  }
  return text ? cut(text, MAX_CUSTOMER_REFERENCE) : null;
}

/** The work order number made from the quote number, e.g. `OF-2024-0007`. */
export function workOrderNumberOf(quote: Pick<ExternalQuote, 'externalId' | 'number'>): string {
  return cut(`OF-${clean(quote.number) || quote.externalId}`, MAX_NUMBER);
}

/**
 * The code a line's description starts with ("1010 Koperen bocht", "0001|Reistijd", "ABC-12: Pomp"): the
 * first token before whitespace, `|`, `:` or `;`. Our own invoices write lines this way (code first), and
 * FactuurSturen lines carry no product id, so this is how a quote line names its article.
 */
export function leadingCode(description: string): string | null {
  const m = /^\s*([^\s|:;]+)/.exec(description);
  return m ? m[1] : null;
}

/** What the line itself says about its article, strongest first: product id, product code, leading code. */
export function lineArticleKeys(line: ExternalQuoteLine): { externalId: string | null; codes: string[] } {
  const codes = [clean(line.articleCode), leadingCode(line.description) ?? ''].filter(Boolean);
  return { externalId: clean(line.articleExternalId) || null, codes: [...new Set(codes)] };
}

export interface KnownArticle {
  id: string;
  code: string;
}

export interface ArticleLookup {
  byExternalId: ReadonlyMap<string, KnownArticle>;
  byCode: ReadonlyMap<string, KnownArticle>;
}

export interface QuoteMaterial {
  articleId: string;
  /** The line text without the leading article code; null = Simon shows the article's own description. */
  description: string | null;
  /** Decimal string, > 0. */
  quantity: string;
  /** Decimal string excl. VAT from the quote line (the agreed price), or null. */
  price: string | null;
}

export interface QuoteLinesPlan {
  materials: QuoteMaterial[];
  /** Lines that became text notes on the work order, in quote order. */
  notes: string[];
  /** Lines without a known article (§14.15): each gets a warning entry naming it. */
  linesWithoutArticle: string[];
}

function decimal(n: number): string {
  // numeric(14,4) in the table; drop float noise such as 0.30000000000000004.
  return String(Math.round(n * 10_000) / 10_000);
}

function withoutLeadingCode(description: string, code: string): string | null {
  const text = clean(description);
  if (!text.startsWith(code)) return text || null;
  const rest = text.slice(code.length).replace(/^[\s|:;-]+/, '').trim();
  return rest || null;
}

/**
 * Quote lines → used articles (§5.4) and notes (§14.15). A line whose article is known in Simon (by product
 * id, product code or the code its description starts with) and that has a positive quantity becomes a
 * material; any other line with text becomes a note. A note from a line without a known article is also
 * reported, so the user can add the article; the plan never fails on a line. Blank lines are dropped.
 */
export function planQuoteLines(lines: readonly ExternalQuoteLine[], articles: ArticleLookup): QuoteLinesPlan {
  const plan: QuoteLinesPlan = { materials: [], notes: [], linesWithoutArticle: [] };
  for (const line of lines) {
    const text = clean(line.description);
    const keys = lineArticleKeys(line);
    let article: KnownArticle | undefined = keys.externalId ? articles.byExternalId.get(keys.externalId) : undefined;
    let matchedCode: string | null = null;
    for (const code of keys.codes) {
      if (article) break;
      article = articles.byCode.get(code);
      if (article) matchedCode = code;
    }
    const quantity = Number.isFinite(line.quantity) ? line.quantity : 0;
    if (article && quantity > 0) {
      const price = line.unitPrice === null || line.unitPrice === undefined || line.unitPrice === '' ? null : Number(line.unitPrice);
      plan.materials.push({
        articleId: article.id,
        description: withoutLeadingCode(text, matchedCode ?? article.code),
        quantity: decimal(quantity),
        price: price === null || !Number.isFinite(price) ? null : decimal(price),
      });
      continue;
    }
    if (!text) continue;
    plan.notes.push(text);
    // A known article with no quantity (a text-style line) is kept as a note; it is not a missing article.
    if (!article) plan.linesWithoutArticle.push(text);
  }
  return plan;
}

export interface QuoteWorkOrder {
  number: string;
  description: string;
  customerReference: string | null;
  materials: QuoteMaterial[];
  /** Text notes on the work order (one per line), or null. */
  notes: string | null;
  linesWithoutArticle: string[];
}

/** The new work order for a quote under the options (status `open`, source `quote` are set by the writer). */
export function quoteToWorkOrder(quote: ExternalQuote, options: QuoteImportOptions, articles: ArticleLookup): QuoteWorkOrder {
  const plan = options.includeLines ? planQuoteLines(quote.lines, articles) : { materials: [], notes: [], linesWithoutArticle: [] };
  return {
    number: workOrderNumberOf(quote),
    description: workDescriptionOf(quote, options.workDescriptionFrom),
    customerReference: customerReferenceOf(quote, options.customerReferenceFrom),
    materials: plan.materials,
    notes: plan.notes.length > 0 ? plan.notes.join('\n') : null,
    linesWithoutArticle: plan.linesWithoutArticle,
  };
}
