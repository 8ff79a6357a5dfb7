import { connectorTexts, imuisTexts as texts } from '../../lib/messages.js';
import type { CreatedDocument, DocumentDraft, DocumentLookup, DocumentPreview, KnownDocuments, ListedDocument, UpstreamProblem } from '../types.js';
import { articleBlocked, orderKenmerk, salesOrderXml } from './mappers.js';
import { amsterdamDate, findOutsideRows, isObject, readDate, textOf, type Condition } from './protocol.js';
import type { SelectFn } from './quotes.js';
import { fieldsOf, orderHeadSchema, orderListSchema, type ArticleRow } from './schemas.js';
import { IMUIS, imuisFailure, type ImuisTransport } from './transport.js';
import type { XmlValue } from './xml.js';

/**
 * A work order becomes one open sales order (`CREATEVERKOOPORDER`, docs/providers/imuis.md §6), found again by its
 * KENM and debtor; the reconciliation lists ORDKOP (§9).
 */

export interface OrderDeps {
  transport: ImuisTransport;
  select: SelectFn;
  findArticle: (code: string) => Promise<ArticleRow | undefined>;
  pageSize: number;
}

export function createOrders({ transport, select, findArticle, pageSize }: OrderDeps) {
  /**
   * Our order (docs §6): KENM equal to our reference (trimmed, exactly) and the debtor the export is for, so a KENM a
   * user typed on another customer's order cannot pose as ours. Two of them mean a duplicate exists already: the
   * lowest number is the first, and ours. DEB is checked here, not in the WHERE: iMuis mishandles a WHERE that mixes
   * text and number fields (docs §3.1).
   */
  async function find(lookup: Pick<DocumentLookup, 'reference' | 'customerExternalId'>): Promise<CreatedDocument | null> {
    const kenm = orderKenmerk(lookup.reference);
    const { rows } = await select({ table: 'ORDKOP', fields: fieldsOf(orderHeadSchema), where: [{ field: 'KENM', op: '=', value: kenm }], orderBy: 'NR', pageSize: 50 }, orderHeadSchema);
    const debtor = lookup.customerExternalId.trim();
    const sameDebtor = (deb: string | undefined) => /^\d+$/.test(debtor) && /^\d+$/.test((deb ?? '').trim()) && Number(deb) === Number(debtor);
    const ours = rows.filter((r) => (r.KENM ?? '').trim() === kenm && sameDebtor(r.DEB)).map((r) => r.NR).sort((a, b) => Number(a) - Number(b));
    return ours.length > 0 ? { documentId: ours[0], documentNumber: ours[0] } : null;
  }

  /**
   * The sales orders of the reconciliation window (docs §9). Order numbers rise, so the sure sweep is every ORDKOP row
   * from the lowest order number Simon recorded in the window on (`NR >=`, then the `NR >` keyset, documented
   * operators only), kept when its date (`DAT`) is in the window or unreadable. Without a recorded number (only failed
   * or held exports) the window's references are looked up one by one (`KENM =`, §6). A `WHERE DAT >=` or
   * `MUTDATE_VA` on ORDKOP is not used: both are unconfirmed (§9). KENM is mapped back to the reference it stands for.
   */
  async function list(since: Date, known: KnownDocuments): Promise<ListedDocument[]> {
    const from = amsterdamDate(since);
    const referenceOf = new Map(known.references.map((r) => [orderKenmerk(r), r]));
    const numbers = known.documentNumbers.filter((n) => /^\d+$/.test(n)).map(Number);
    const fields = fieldsOf(orderListSchema);
    const rows: { NR: string; KENM?: string; DEB?: string; DAT?: string }[] = [];
    if (numbers.length > 0) {
      const size = pageSize;
      for (let where: Condition = { field: 'NR', op: '>=', value: String(Math.min(...numbers)) }; ;) {
        const page = (await select({ table: 'ORDKOP', fields, where: [where], orderBy: 'NR', pageSize: size }, orderListSchema)).rows;
        rows.push(...page);
        // A page is never short (select checks it against RECORDCOUNT), so fewer rows than asked is the end.
        if (page.length < size) break;
        where = { field: 'NR', op: '>', value: page[page.length - 1].NR };
      }
    } else {
      for (const kenm of referenceOf.keys()) {
        rows.push(...(await select({ table: 'ORDKOP', fields, where: [{ field: 'KENM', op: '=', value: kenm }], orderBy: 'NR', pageSize: 50 }, orderListSchema)).rows);
      }
    }
    const seen = new Set<string>();
    return rows.flatMap((r): ListedDocument[] => {
      const date = readDate(r.DAT);
      if (seen.has(r.NR) || (date !== null && date < from)) return [];
      seen.add(r.NR);
      const kenm = (r.KENM ?? '').trim();
      return [{ documentId: r.NR, documentNumber: r.NR, reference: kenm ? referenceOf.get(kenm) ?? kenm : null, customerExternalId: (r.DEB ?? '').trim() || null, date: date ?? '' }];
    });
  }

  async function create(draft: DocumentDraft): Promise<CreatedDocument> {
    const operation = 'ACTIE=CREATEVERKOOPORDER';
    const root = await transport.call('CREATEVERKOOPORDER', { field: 'VERKOOPORDER', xml: salesOrderXml(draft) }, operation, true);
    const nr = createdNumber(root);
    if (nr !== null) return { documentId: nr, documentNumber: nr };
    // Accepted without a number: look it up rather than guess; not found yet means the outcome is unknown.
    const saved = await find({ reference: draft.reference, customerExternalId: draft.customer.externalId });
    if (saved) return saved;
    throw imuisFailure('unavailable', operation, { lead: connectorTexts.unexpectedAnswer(IMUIS), outcomeUnknown: true });
  }

  /**
   * The sales order XML the create sends (the same `salesOrderXml`), and the articles iMuis would refuse in it: not
   * there (any more) or blocked (docs/preview.md). Reads only; the create leaves these checks to iMuis.
   */
  async function preview(draft: DocumentDraft): Promise<DocumentPreview> {
    const problems: UpstreamProblem[] = [];
    for (const code of new Set(draft.lines.flatMap((l) => (l.kind === 'article' ? [l.articleCode] : [])))) {
      const article = await findArticle(code);
      if (!article || articleBlocked(article)) problems.push({ code: 'article-not-found-upstream', reason: texts.articleGone(code), detail: code });
    }
    return { body: problems.length > 0 ? null : salesOrderXml(draft), problems };
  }

  return { find, list, create, preview };
}

/** The order number of a create answer: `ORDNR` (outside the rows), else the echoed `ORDKOP/NR` (docs U1). */
function createdNumber(root: XmlValue): string | null {
  const ordnr = textOf(findOutsideRows(root, 'ORDNR')).trim();
  if (/^\d+$/.test(ordnr) && Number(ordnr) > 0) return ordnr;
  const dataset = isObject(root) && root.ORDKOP !== undefined ? root : findOutsideRows(root, 'NewDataSet');
  const head = isObject(dataset) ? dataset.ORDKOP : undefined;
  const nr = textOf(Array.isArray(head) && isObject(head[0]) ? head[0].NR : undefined).trim();
  return /^\d+$/.test(nr) && Number(nr) > 0 ? nr : null;
}
