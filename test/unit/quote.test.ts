import { describe, expect, it } from 'vitest';
import type { ExternalQuote } from '../../connectors/types.js';
import { mapQuote } from '../../connectors/factuursturen/connector.js';
import {
  customerReferenceOf,
  leadingCode,
  planQuoteLines,
  quoteMatchesFilter,
  quoteOptionsFromSettings,
  quoteToWorkOrder,
  workDescriptionOf,
  workOrderNumberOf,
  type ArticleLookup,
  type KnownArticle,
  type QuoteImportOptions,
} from '../../lib/quote.js';
import { settingsSchema } from '../../lib/settings.js';

const quote = (over: Partial<ExternalQuote> = {}): ExternalQuote => ({
  externalId: '17',
  number: '2024-0017',
  name: 'WB Onderhoud cv-ketel',
  reference: 'Fam. de Vries\nDunantstraat 140',
  memo: 'Sleutel bij de buren',
  customerExternalId: '1001',
  lines: [
    { articleExternalId: null, description: 'Ketel reinigen en afstellen', quantity: 1, unitPrice: '95' },
    { articleExternalId: null, description: '1010 Koperen bocht 15 mm', quantity: 3, unitPrice: '12.5' },
    { articleExternalId: null, description: 'Filter', articleCode: '1011', quantity: 1.5, unitPrice: '4' },
  ],
  ...over,
});

const article = (id: string, code: string): KnownArticle => ({ id, code });
const lookup = (list: { externalId: string; article: KnownArticle }[] = []): ArticleLookup => ({
  byExternalId: new Map(list.map((a) => [a.externalId, a.article])),
  byCode: new Map(list.map((a) => [a.article.code, a.article])),
});
const known = lookup([
  { externalId: '11', article: article('a-1010', '1010') },
  { externalId: '12', article: article('a-1011', '1011') },
]);

const options = (over: Partial<QuoteImportOptions> = {}): QuoteImportOptions => ({
  includeFilterWord: 'WB',
  includeLines: true,
  workDescriptionFrom: 'quoteName',
  customerReferenceFrom: 'none',
  ...over,
});

describe('include filter', () => {
  it('matches the word anywhere in the name or reference, in any case', () => {
    expect(quoteMatchesFilter(quote({ name: 'Onderhoud wb ketel' }), 'WB')).toBe(true);
    expect(quoteMatchesFilter(quote({ name: 'Onderhoud', reference: 'Werk: WB-12' }), 'wb')).toBe(true);
    expect(quoteMatchesFilter(quote({ name: 'Onderhoud', reference: null }), 'WB')).toBe(false);
  });

  it('takes every quote when the word is empty or blank', () => {
    expect(quoteMatchesFilter(quote({ name: 'Wat dan ook', reference: null }), '')).toBe(true);
    expect(quoteMatchesFilter(quote({ name: '', reference: null }), '   ')).toBe(true);
  });
});

describe('workDescriptionFrom', () => {
  const q = quote();
  it('quoteName → the quote name', () => expect(workDescriptionOf(q, 'quoteName')).toBe('WB Onderhoud cv-ketel'));
  it('quoteReference → the reference lines', () => expect(workDescriptionOf(q, 'quoteReference')).toBe('Fam. de Vries\nDunantstraat 140'));
  it('allQuoteLines → every line text, one per line', () =>
    expect(workDescriptionOf(q, 'allQuoteLines')).toBe('Ketel reinigen en afstellen\n1010 Koperen bocht 15 mm\nFilter'));
  it('firstQuoteLine → the first line with text', () => {
    expect(workDescriptionOf(q, 'firstQuoteLine')).toBe('Ketel reinigen en afstellen');
    const blankFirst = quote({ lines: [{ articleExternalId: null, description: '  ', quantity: 0, unitPrice: null }, ...q.lines] });
    expect(workDescriptionOf(blankFirst, 'firstQuoteLine')).toBe('Ketel reinigen en afstellen');
  });
  it('memo → the memo', () => expect(workDescriptionOf(q, 'memo')).toBe('Sleutel bij de buren'));
  it('firstQuoteLineAndMemo (iMuis) → first line, memo below', () =>
    expect(workDescriptionOf(q, 'firstQuoteLineAndMemo')).toBe('Ketel reinigen en afstellen\nSleutel bij de buren'));
  it('an empty source gives an empty description, not another field', () => {
    expect(workDescriptionOf(quote({ memo: null }), 'memo')).toBe('');
    expect(workDescriptionOf(quote({ lines: [] }), 'firstQuoteLine')).toBe('');
  });
  it('is cut to what the archive snapshot accepts', () => {
    expect(workDescriptionOf(quote({ memo: 'x'.repeat(20_000) }), 'memo')).toHaveLength(10_000);
  });
});

describe('customerReferenceFrom', () => {
  const q = quote();
  it('quoteName → the name', () => expect(customerReferenceOf(q, 'quoteName')).toBe('WB Onderhoud cv-ketel'));
  it('quoteReference → the reference on one line', () => expect(customerReferenceOf(q, 'quoteReference')).toBe('Fam. de Vries Dunantstraat 140'));
  it('both → name / reference', () => expect(customerReferenceOf(q, 'both')).toBe('WB Onderhoud cv-ketel / Fam. de Vries Dunantstraat 140'));
  it('none → null', () => expect(customerReferenceOf(q, 'none')).toBeNull());
  it('both without a reference → just the name; nothing at all → null', () => {
    expect(customerReferenceOf(quote({ reference: null }), 'both')).toBe('WB Onderhoud cv-ketel');
    expect(customerReferenceOf(quote({ reference: '  ' }), 'quoteReference')).toBeNull();
  });
  it("quoteCustomerReference (Visma.net) → the order's own customer reference", () =>
    expect(customerReferenceOf(quote({ customerReference: 'PO-4411' }), 'quoteCustomerReference')).toBe('PO-4411'));
  it('is cut to 255 characters', () => expect(customerReferenceOf(quote({ name: 'n'.repeat(300) }), 'quoteName')).toHaveLength(255));
});

describe('quote lines', () => {
  it('reads the leading article code of a line', () => {
    expect(leadingCode('1010 Koperen bocht')).toBe('1010');
    expect(leadingCode('0001|Reistijd')).toBe('0001');
    expect(leadingCode('ABC-12: Pomp')).toBe('ABC-12');
    expect(leadingCode('   ')).toBeNull();
  });

  it('turns lines with a known article into used articles and the rest into notes with a warning each', () => {
    const plan = planQuoteLines(quote().lines, known);
    expect(plan.materials).toEqual([
      { articleId: 'a-1010', description: 'Koperen bocht 15 mm', quantity: '3', price: '12.5' },
      { articleId: 'a-1011', description: 'Filter', quantity: '1.5', price: '4' },
    ]);
    expect(plan.notes).toEqual(['Ketel reinigen en afstellen']);
    expect(plan.linesWithoutArticle).toEqual(['Ketel reinigen en afstellen']);
  });

  it('matches by product id first, and treats an unknown code as a line without article', () => {
    const plan = planQuoteLines(
      [
        { articleExternalId: '12', description: '1010 Eigenlijk filter', quantity: 2, unitPrice: null },
        { articleExternalId: null, description: 'XX99 Verwijderd artikel', quantity: 1, unitPrice: '10' },
      ],
      known,
    );
    expect(plan.materials).toEqual([{ articleId: 'a-1011', description: '1010 Eigenlijk filter', quantity: '2', price: null }]);
    expect(plan.linesWithoutArticle).toEqual(['XX99 Verwijderd artikel']);
  });

  it('keeps a known article without quantity as a note without a warning, drops blank lines, never throws', () => {
    const plan = planQuoteLines(
      [
        { articleExternalId: null, description: '1010 Optioneel', quantity: 0, unitPrice: '12.5' },
        { articleExternalId: null, description: '', quantity: 0, unitPrice: null },
        { articleExternalId: null, description: '1010', quantity: Number.NaN, unitPrice: 'abc' },
      ],
      known,
    );
    expect(plan.materials).toEqual([]);
    expect(plan.notes).toEqual(['1010 Optioneel', '1010']);
    expect(plan.linesWithoutArticle).toEqual([]);
  });

  it('uses the article description when the line is only the code, and rounds to 4 decimals', () => {
    const plan = planQuoteLines([{ articleExternalId: null, description: '1010', quantity: 0.1 + 0.2, unitPrice: '1.23456' }], known);
    expect(plan.materials).toEqual([{ articleId: 'a-1010', description: null, quantity: '0.3', price: '1.2346' }]);
  });
});

describe('quoteToWorkOrder', () => {
  it('builds number, description, reference, materials and notes from the options', () => {
    const wo = quoteToWorkOrder(quote(), options({ workDescriptionFrom: 'allQuoteLines', customerReferenceFrom: 'both' }), known);
    expect(wo).toEqual({
      number: 'OF-2024-0017',
      description: 'Ketel reinigen en afstellen\n1010 Koperen bocht 15 mm\nFilter',
      customerReference: 'WB Onderhoud cv-ketel / Fam. de Vries Dunantstraat 140',
      materials: [
        { articleId: 'a-1010', description: 'Koperen bocht 15 mm', quantity: '3', price: '12.5' },
        { articleId: 'a-1011', description: 'Filter', quantity: '1.5', price: '4' },
      ],
      notes: 'Ketel reinigen en afstellen',
      linesWithoutArticle: ['Ketel reinigen en afstellen'],
    });
  });

  it('ignores the lines entirely when includeLines is off', () => {
    const wo = quoteToWorkOrder(quote(), options({ includeLines: false }), known);
    expect(wo.materials).toEqual([]);
    expect(wo.notes).toBeNull();
    expect(wo.linesWithoutArticle).toEqual([]);
  });

  it('numbers the work order after the quote number, or its id when there is none', () => {
    expect(workOrderNumberOf({ externalId: '17', number: '2024-0017' })).toBe('OF-2024-0017');
    expect(workOrderNumberOf({ externalId: '17', number: null })).toBe('OF-17');
  });
});

describe('options from the settings', () => {
  const common = { termsAccepted: true, workTimeArticle: null, travelTimeArticle: null, defaultArticle: null };
  it('FactuurSturen: null when off, the five options when on', () => {
    expect(quoteOptionsFromSettings(settingsSchema.parse({ provider: 'factuursturen', ...common }))).toBeNull();
    const on = settingsSchema.parse({
      provider: 'factuursturen', ...common,
      quotes: { enabled: true, includeFilterWord: 'WB', includeLines: true, workDescriptionFrom: 'memo', customerReferenceFrom: 'both' },
    });
    expect(quoteOptionsFromSettings(on)).toEqual({ includeFilterWord: 'WB', includeLines: true, workDescriptionFrom: 'memo', customerReferenceFrom: 'both' });
  });
  it('iMuis has no customer reference option; Visma.net takes the order description and customerRefNo', () => {
    const imuis = settingsSchema.parse({ provider: 'imuis', ...common, quotes: { enabled: true, workDescriptionFrom: 'firstQuoteLineAndMemo' } });
    expect(quoteOptionsFromSettings(imuis)).toMatchObject({ workDescriptionFrom: 'firstQuoteLineAndMemo', customerReferenceFrom: 'none' });
    const visma = settingsSchema.parse({ provider: 'visma-net', ...common, companyId: '1', orders: { import: 'quote', includeFilterWord: 'x' } });
    expect(quoteOptionsFromSettings(visma)).toMatchObject({ workDescriptionFrom: 'quoteName', customerReferenceFrom: 'quoteCustomerReference', includeFilterWord: 'x' });
    expect(quoteOptionsFromSettings(settingsSchema.parse({ provider: 'octopus', ...common, dossierId: '1', journal: 'V' }))).toBeNull();
  });
});

describe('FactuurSturen quotation mapping (docs/providers/factuursturen.md §6)', () => {
  it('reads the stringly quotation the API serves: name from savename, number from quotationreference, memo from notes', () => {
    const q = mapQuote({
      id: '5', quotationreference: '2024-0005', clientnr: '1003', savename: 'WB Lekkage',
      reference: { line1: 'Badkamer', line2: '', line3: 'Achterom' }, notes: 'Bellen vooraf',
      lines: { line1: { amount: '2', description: '1010 Bocht', price: '12.50', linetotal: '25.00' }, line2: { description: 'Tekstregel' } },
    });
    expect(q).toEqual({
      externalId: '5', number: '2024-0005', name: 'WB Lekkage', reference: 'Badkamer\nAchterom', memo: 'Bellen vooraf', customerExternalId: '1003',
      lines: [
        { articleExternalId: null, articleCode: null, description: '1010 Bocht', quantity: 2, unitPrice: '12.50' },
        { articleExternalId: null, articleCode: null, description: 'Tekstregel', quantity: 0, unitPrice: null },
      ],
    });
  });

  it('falls back to name for the name and to the id for the number, and reads an empty line list', () => {
    const q = mapQuote({ id: 6, name: 'Oude naam', lines: [], reference: [] });
    expect(q).toMatchObject({ externalId: '6', number: '6', name: 'Oude naam', reference: null, lines: [] });
  });
});
