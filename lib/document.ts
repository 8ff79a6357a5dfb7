import type { DocumentDraft, DocumentLine, DocumentType } from './records.js';
import * as messages from './messages.js';
import type { ProviderId } from './providers.js';
import type { Settings } from './settings.js';
import type { ResolvedArticle, ResolvedWorkAddress, WorkOrderForDocument } from './work-order.js';

/**
 * The pure rules that turn an archived work order into a document draft (docs/document.md), shared by
 * all connectors. No I/O and no Node built-ins, so workflows may import this module too.
 */

export type DocumentProblemCode = 'no-customer' | 'customer-not-synced' | 'work-address-other-customer' | 'article-not-synced';

export interface DocumentProblem {
  code: DocumentProblemCode;
  /** Dutch "Bericht" for the integration log. */
  message: string;
  /** Dutch "Te nemen actie". */
  action: string;
  /** What exactly is wrong (customer name, address, article code), for the export record. */
  detail?: string;
}

export type BuildDocumentResult = { ok: true; draft: DocumentDraft } | { ok: false; problem: DocumentProblem };

/** The articles the settings name (work time, travel time, default), looked up in Simon; null = not found. */
export interface SettingArticles {
  workTimeArticle: ResolvedArticle | null;
  travelTimeArticle: ResolvedArticle | null;
  defaultArticle: ResolvedArticle | null;
}

export interface BuildDocumentOptions {
  /** Our unique reference on the provider's document (lib/references.ts). */
  reference: string;
  /** Document date, `YYYY-MM-DD`. */
  date: string;
  /** Maximum length of a line description at the provider; defaults to `DEFAULT_DESCRIPTION_LINE_LIMIT`. */
  descriptionLineLimit?: number;
}

/** Rompslomp's documented `invoice_lines[].description` limit; a safe default for the others. */
export const DEFAULT_DESCRIPTION_LINE_LIMIT = 255;

export type ReferenceOption = 'workOrderNumber' | 'customerReference' | 'both' | 'none';
export type MemoOption = 'workAddress' | 'workAddressAndDescription' | 'description' | 'none';
export type InvoiceDescriptionOption = 'workAddress' | 'workOrderNumberAndDescription' | 'description' | 'none';

export interface AddressParts {
  name?: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
}

// ------------------------------------------------------------------ small pure helpers

/**
 * How many decimals of a quantity each package keeps (docs/providers/<provider>.md): as many as it accepts, so the
 * amount stays right (20 minutes is 0.333333 hours in Rompslomp, which takes arbitrary-precision decimals, 0.3333
 * where four are kept); FactuurSturen's is unconfirmed, so two, as it shows them.
 */
export const quantityDecimals: Record<ProviderId, number> = { rompslomp: 6, octopus: 4, imuis: 4, 'visma-net': 4, factuursturen: 2 };

/** Rounds to `decimals` (2 by default), half away from zero (0.125 → 0.13), without binary artefacts (1.005 → 1.01). */
export function roundQuantity(value: number, decimals = 2): number {
  return roundTo(value, decimals);
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  // toPrecision(15) removes the binary noise of the multiplication (1.005 * 100 = 100.49999999999999).
  const rounded = (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Minutes as hours for a time line: 120 → 2, 15 → 0.25, 20 → 0.33 (two decimals) or 0.3333 (four). */
export function minutesToQuantity(minutes: number, decimals = 2): number {
  return roundQuantity(minutes / 60, decimals);
}

/** A price as the decimal string the connectors send: at least 2, at most 4 decimals (12.5 → "12.50"). */
export function formatPrice(value: number): string {
  // Up to 4 decimals as the Simon price column holds, trailing zeros dropped down to 2.
  return roundTo(value, 4).toFixed(4).replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1');
}

/** Line endings normalised and outer whitespace removed. */
function normalizeText(text: string | null | undefined): string {
  return (text ?? '').replace(/\r\n?/g, '\n').trim();
}

/** The first non-empty line of a (multi-line) text, trimmed; '' when there is none. */
export function firstLine(text: string | null | undefined): string {
  return (
    normalizeText(text)
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ''
  );
}

/** Cuts a text to `limit` characters (code points, so no half emoji), without trailing whitespace. */
export function cutToLimit(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length <= limit ? text : chars.slice(0, Math.max(0, limit)).join('').trimEnd();
}

/** "Naam, Straat Huisnummer, Postcode Plaats" (docs/document.md); empty parts are left out. */
export function formatAddress(address: AddressParts): string {
  const place = [address.postalCode, address.city].map((p) => p?.trim() ?? '').filter(Boolean).join(' ');
  return [address.name?.trim() ?? '', address.street?.trim() ?? '', place].filter(Boolean).join(', ');
}

/**
 * Exclusion filter (docs/export.md): true when the work description contains the word, case-insensitively.
 * An empty (or blank) word never matches, so every work order is sent.
 */
export function matchesExcludeFilter(description: string | null | undefined, word: string | null | undefined): boolean {
  const needle = (word ?? '').trim().toLocaleLowerCase('nl');
  if (!needle) return false;
  return (description ?? '').toLocaleLowerCase('nl').includes(needle);
}

/** Include filter for quotes (docs/quotes.md): case-insensitive substring; an empty word includes everything. */
export function includesFilterWord(text: string | null | undefined, word: string | null | undefined): boolean {
  const needle = (word ?? '').trim().toLocaleLowerCase('nl');
  if (!needle) return true;
  return (text ?? '').toLocaleLowerCase('nl').includes(needle);
}

/** Payment reference (Octopus, FactuurSturen) and customer reference (Visma.net); "both" joined with " / ". */
export function composeReference(option: ReferenceOption, workOrderNumber: string, customerReference: string | null): string | null {
  const number = workOrderNumber.trim();
  const customer = customerReference?.trim() ?? '';
  const parts =
    option === 'workOrderNumber' ? [number] : option === 'customerReference' ? [customer] : option === 'both' ? [number, customer] : [];
  const joined = parts.filter(Boolean).join(' / ');
  return joined || null;
}

/** Memo / remarks (Octopus, iMuis, Visma.net): address on the first line, description below. */
export function composeMemo(option: MemoOption, workAddress: AddressParts | null, description: string): string | null {
  const address = workAddress ? formatAddress(workAddress) : '';
  const text = normalizeText(description);
  const parts = option === 'workAddress' ? [address] : option === 'workAddressAndDescription' ? [address, text] : option === 'description' ? [text] : [];
  const memo = parts.filter(Boolean).join('\n');
  return memo || null;
}

/** FactuurSturen invoice description lines (its "reference" lines). */
export function composeDescriptionLines(
  option: InvoiceDescriptionOption,
  workOrder: { number: string; description: string; workAddress: AddressParts | null },
): string[] {
  switch (option) {
    case 'workAddress': {
      const address = workOrder.workAddress ? formatAddress(workOrder.workAddress) : '';
      return address ? [address] : [];
    }
    case 'workOrderNumberAndDescription':
      return [`Werkbon ${workOrder.number}`, firstLine(workOrder.description)].filter(Boolean);
    case 'description':
      return [firstLine(workOrder.description)].filter(Boolean);
    case 'none':
      return [];
  }
}

/**
 * Visma.net warehouse (docs/export.md): sales orders only; the assigned engineer's warehouse, else the default.
 */
export function warehouseFor(settings: Settings, assignedUserId: string | null): string | null {
  if (settings.provider !== 'visma-net' || settings.documentType !== 'salesOrder' || !settings.warehouse) return null;
  const warehouse = settings.warehouse;
  if (!warehouse.perUser) return warehouse.default;
  return (assignedUserId ? warehouse.byUser[assignedUserId] : undefined) ?? warehouse.default ?? null;
}

/**
 * The kind of document an archived work order becomes (docs/providers/README.md): a sales order in iMuis, a sales order or an
 * invoice in Visma.net by its setting, an invoice (concept or unbooked) everywhere else.
 */
export function documentTypeFor(settings: Settings): DocumentType {
  if (settings.provider === 'imuis') return 'salesOrder';
  if (settings.provider === 'visma-net') return settings.documentType;
  return 'invoice';
}

/**
 * A work order made from an order that already is a document of the kind it would be sent as (a Visma.net sales
 * order, archived with `documentType: salesOrder`) is not sent again (docs/export.md); returns that order's number.
 */
export function alreadyADocument(origin: { kind: 'quote' | 'salesOrder'; number: string | null } | null, documentType: DocumentType): string | null {
  return origin && origin.kind === 'salesOrder' && documentType === 'salesOrder' ? origin.number ?? '' : null;
}

// ------------------------------------------------------------------ buildDocument

type ArticleRole = Exclude<DocumentLine, { kind: 'text' }>['role'];

/**
 * Builds the document draft (docs/document.md). Lines: (1) work description as text when `descriptionAsFirstLine`
 * (FactuurSturen: first line only; Octopus/Rompslomp: whole description, cut to the line limit), (2) work time,
 * (3) travel time, (4) materials, (5) default article. Returns a problem (Dutch message and action) instead of
 * a draft when the work order cannot be booked: the first of `collectDocument`'s problems, so the export and the
 * preview (docs/preview.md) judge a work order alike.
 */
export function buildDocument(
  workOrder: WorkOrderForDocument,
  settings: Settings,
  resolved: SettingArticles,
  opts: BuildDocumentOptions,
): BuildDocumentResult {
  const collected = collectDocument(workOrder, settings, resolved, opts);
  const first = collected.problems[0];
  if (first) return { ok: false, problem: first };
  return { ok: true, draft: collected.draft! };
}

/**
 * What `buildDocument` decides, with every problem instead of the first (the document preview shows them all), in
 * the order the export meets them. `lines` holds every line that can be booked; `draft` is there only when nothing
 * stops the document.
 */
export interface CollectedDocument {
  draft: DocumentDraft | null;
  /** The document as far as it can be built: `customer` null when the work order has none known to the package. */
  document: Omit<DocumentDraft, 'customer'> & { customer: { externalId: string | null; name: string } | null };
  problems: DocumentProblem[];
}

export function collectDocument(
  workOrder: WorkOrderForDocument,
  settings: Settings,
  resolved: SettingArticles,
  opts: BuildDocumentOptions,
): CollectedDocument {
  const limit = opts.descriptionLineLimit ?? DEFAULT_DESCRIPTION_LINE_LIMIT;
  const documentType = documentTypeFor(settings);
  const decimals = quantityDecimals[settings.provider];
  const subject: messages.ExportSubject = { provider: settings.provider, workOrderNumber: workOrder.number, documentType };
  const problems: DocumentProblem[] = [];
  const fail = (code: DocumentProblemCode, text: messages.LogText, detail?: string) => {
    problems.push({ code, ...text, ...(detail !== undefined ? { detail } : {}) });
  };

  const customer = workOrder.customer;
  if (!customer) fail('no-customer', messages.exportNoCustomer(subject));
  else if (!customer.externalId) fail('customer-not-synced', messages.exportCustomerNotSynced({ ...subject, customerName: customer.name }), customer.name);
  if (workOrder.workAddress && !workOrder.workAddress.customerMatches) {
    const address = formatAddress(workOrder.workAddress);
    fail('work-address-other-customer', messages.exportWorkAddressOtherCustomer({ ...subject, address }), address);
  }

  const lines: DocumentLine[] = [];

  if ('descriptionAsFirstLine' in settings && settings.descriptionAsFirstLine) {
    const description = settings.provider === 'factuursturen' ? firstLine(workOrder.description) : normalizeText(workOrder.description);
    if (description) lines.push({ kind: 'text', description: cutToLimit(description, limit) });
  }

  const articleLine = (role: ArticleRole, article: ResolvedArticle & { externalId: string }, quantity: number, unitPrice: string | null, description?: string | null): DocumentLine => ({
    kind: 'article',
    role,
    articleExternalId: article.externalId,
    articleCode: article.code,
    description: cutToLimit(normalizeText(description) || normalizeText(article.description) || article.code, limit),
    quantity,
    unitPrice,
  });

  const settingLine = (role: 'work-time' | 'travel-time' | 'default', code: string | null, article: ResolvedArticle | null, quantity: number) => {
    if (code === null || quantity === 0) return;
    if (!article || !article.externalId) {
      fail('article-not-synced', messages.exportArticleNotSynced({ ...subject, role, article: { code, description: article?.description ?? '' } }), code);
      return;
    }
    lines.push(articleLine(role, { ...article, externalId: article.externalId }, quantity, null));
  };

  settingLine('work-time', settings.workTimeArticle, resolved.workTimeArticle, minutesToQuantity(workOrder.workMinutes, decimals));
  settingLine('travel-time', settings.travelTimeArticle, resolved.travelTimeArticle, minutesToQuantity(workOrder.travelMinutes, decimals));

  for (const material of workOrder.materials) {
    const article = material.article;
    if (!article || !article.externalId) {
      const text = messages.exportArticleNotSynced({
        ...subject,
        role: 'material',
        article: article ? { code: article.code, description: article.description } : null,
        lineDescription: material.description ?? null,
      });
      fail('article-not-synced', text, article?.code ?? normalizeText(material.description));
      continue;
    }
    lines.push(
      articleLine(
        'material',
        { ...article, externalId: article.externalId },
        roundQuantity(material.quantity, decimals),
        material.price === null ? null : formatPrice(material.price),
        material.description,
      ),
    );
  }

  settingLine('default', settings.defaultArticle, resolved.defaultArticle, 1);

  const document: CollectedDocument['document'] = {
    documentType,
    reference: opts.reference,
    workOrderId: workOrder.id,
    workOrderNumber: workOrder.number,
    date: opts.date,
    customer: customer ? { externalId: customer.externalId, name: customer.name } : null,
    lines,
    paymentReference:
      settings.provider === 'octopus' || settings.provider === 'factuursturen'
        ? composeReference(settings.paymentReference, workOrder.number, workOrder.customerReference)
        : null,
    descriptionLines:
      settings.provider === 'factuursturen'
        ? composeDescriptionLines(settings.invoiceDescription, workOrder).map((line) => cutToLimit(line, limit))
        : [],
    memo:
      settings.provider === 'octopus' || settings.provider === 'imuis' || settings.provider === 'visma-net'
        ? composeMemo(settings.memo, workOrder.workAddress, workOrder.description)
        : null,
    customerReference:
      settings.provider === 'visma-net' ? composeReference(settings.customerReference, workOrder.number, workOrder.customerReference) : null,
    warehouse: warehouseFor(settings, workOrder.assignedUserId),
  };
  const externalId = customer?.externalId;
  const draft = problems.length === 0 && customer && externalId ? { ...document, customer: { externalId, name: customer.name } } : null;
  return { draft, document, problems };
}

export type { ResolvedArticle, ResolvedWorkAddress, WorkOrderForDocument };
