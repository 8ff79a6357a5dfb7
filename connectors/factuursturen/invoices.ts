import { ProviderError } from '../../lib/errors.js';
import { factuurSturenTexts as texts } from '../../lib/messages.js';
import { parseRecord, providerFailure } from '../kit.js';
import type { ConnectorContext, CreatedDocument, DocumentDraft, DocumentLine, DocumentPreview, ListedDocument, UpstreamProblem } from '../types.js';
import { asDecimalString, asNumber, asText } from '../values.js';
import type { Listings } from './listings.js';
import { invoiceBody, type ProductFacts } from './mappers.js';
import { savedInvoiceSchema } from './schemas.js';
import { FACTUURSTUREN, type Transport } from './transport.js';

/**
 * A work order becomes a saved (concept) invoice (docs/providers/factuursturen.md §5): `POST invoices` with
 * `action: save` under our save name (lib/references.ts, 20 characters), which the saved invoice returns as `name`
 * and which FactuurSturen keeps unique; that name is how an export finds it again (docs/exactly-once.md).
 */

/** The longest save name FactuurSturen takes (`name` is string(20)); a longer one is refused before any call. */
export const SAVE_NAME_MAX = 20;
type ArticleLine = Extract<DocumentLine, { kind: 'article' }>;

export function createInvoices(ctx: ConnectorContext, transport: Transport, listings: Listings) {
  const parseSaved = (operation: string, raw: unknown) => parseRecord(ctx, FACTUURSTUREN, operation, savedInvoiceSchema, raw);
  const savedInvoices = async () => (await listings.completeList('invoices_saved')).map((r) => parseSaved('GET invoices_saved', r));

  /** Our concept by its save name, in the complete saved-invoice listing; the lowest id if the name came twice. */
  async function findSaved(name: string): Promise<CreatedDocument | null> {
    const ours = (await savedInvoices()).find((inv) => asText(inv.name) === name);
    return ours ? { documentId: asText(ours.id) ?? '', documentNumber: null } : null;
  }

  /** `GET invoices_saved/{id}` carries our name: the save is verified. Anything else sends us to the listing. */
  async function savedUnder(id: string, name: string): Promise<boolean> {
    try {
      const body = await transport.get(`invoices_saved/${id}`);
      // One record in a wrapper (`{"invoice": {…}}`); an array answer means "no such id" (as clients/{id} does).
      const record: unknown = body && typeof body === 'object' && !Array.isArray(body) ? Object.values(body)[0] : null;
      if (!record || typeof record !== 'object' || Array.isArray(record)) return false;
      return asText(parseSaved('GET invoices_saved/{id}', record).name) === name;
    } catch {
      return false;
    }
  }

  /** After a refused or unanswered save: the concept may exist all the same (an earlier attempt, a late commit). */
  async function afterFailedSave(err: unknown, name: string): Promise<CreatedDocument> {
    // Nothing was done on a limit or a refused key, and a look-up would be refused alike.
    if (!(err instanceof ProviderError) || err.kind === 'rate-limited' || err.kind === 'auth') throw err;
    let found: CreatedDocument | null;
    try {
      found = await findSaved(name);
    } catch (lookupError) {
      throw err.outcomeUnknown ? err : lookupError;
    }
    if (found) return found;
    throw err;
  }

  /**
   * The `POST invoices` body of a draft and what stops it (the preview's and the create's one way, docs/preview.md):
   * lines carry no product id, so the price (when the work order has none) and the VAT come from the product listing.
   */
  async function prepare(draft: DocumentDraft): Promise<DocumentPreview> {
    const name = draft.reference;
    if (!name || name.length > SAVE_NAME_MAX || name.trim() !== name) {
      return { body: null, problems: [{ code: 'refused', reason: texts.saveNameInvalid(name), detail: null }] };
    }
    const articleLines = draft.lines.filter((l): l is ArticleLine => l.kind === 'article');
    const all = articleLines.length > 0 ? await listings.products() : [];
    const facts = (line: ArticleLine): ProductFacts | null => {
      const p = all.find((x) => asText(x.id) === line.articleExternalId) ?? all.find((x) => asText(x.code) === line.articleCode);
      return p ? { price: asDecimalString(p.price), taxRate: asNumber(p.taxes), name: asText(p.name) } : null;
    };
    const problems: UpstreamProblem[] = articleLines
      .filter((line) => line.unitPrice === null && !facts(line)?.price)
      .map((line) => ({ code: 'article-not-found-upstream', reason: texts.articleGone(line.articleCode), detail: line.articleCode }));
    return { body: problems.length > 0 ? null : invoiceBody(draft, facts), problems };
  }

  /** The save, proven by the concept under our name (the 201 body should be its id, U2), or found in the listing. */
  async function create(draft: DocumentDraft): Promise<CreatedDocument> {
    const name = draft.reference;
    const { body, problems } = await prepare(draft);
    if (problems[0]) throw providerFailure(FACTUURSTUREN, 'validation', problems[0].reason);

    let answer: Awaited<ReturnType<Transport['post']>>;
    try {
      answer = await transport.post('invoices', body);
    } catch (err) {
      return afterFailedSave(err, name);
    }
    const id = asText(answer.body);
    if (id !== null && /^\d+$/.test(id) && (await savedUnder(id, name))) return { documentId: id, documentNumber: null };
    let found: CreatedDocument | null;
    try {
      found = await findSaved(name);
    } catch (err) {
      throw err instanceof ProviderError ? inDoubt(err) : err;
    }
    if (found) return found;
    throw providerFailure(FACTUURSTUREN, 'unavailable', texts.savedButNotFound, {
      operation: 'POST invoices', status: answer.status, providerMessage: typeof answer.body === 'string' ? answer.body.slice(0, 200) : '', outcomeUnknown: true,
    });
  }

  /**
   * The concepts saved from `since`'s date on (docs/providers/factuursturen.md §8): `invoices_saved` has no date
   * filter, so the complete listing is read once and filtered on `datesaved` here. A concept has no number; a sent
   * invoice carries no save name, so it cannot be told apart from a deleted concept.
   */
  async function savedSince(since: Date): Promise<ListedDocument[]> {
    const from = since.toISOString().slice(0, 10);
    return (await savedInvoices())
      .map((inv): ListedDocument => ({
        documentId: asText(inv.id) ?? '',
        documentNumber: null,
        reference: asText(inv.name),
        customerExternalId: asText(inv.clientnr),
        date: (asText(inv.datesaved) ?? '').slice(0, 10),
      }))
      // A date it cannot read keeps the concept in: the reconciliation would rather compare one too many.
      .filter((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d.date) || d.date >= from);
  }

  return { prepare, create, findSaved, savedSince };
}

/** FactuurSturen said the save happened, but we could not see it: the export looks again before any new save. */
function inDoubt(err: ProviderError): ProviderError {
  return new ProviderError({
    kind: err.kind,
    message: err.message,
    providerMessage: err.providerMessage,
    retryable: true,
    provider: FACTUURSTUREN,
    outcomeUnknown: true,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.operation !== undefined ? { operation: err.operation } : {}),
  });
}
