import { describe, expect, it } from 'vitest';
import {
  buildDocument,
  collectDocument,
  composeDescriptionLines,
  composeMemo,
  composeReference,
  cutToLimit,
  firstLine,
  formatAddress,
  formatPrice,
  includesFilterWord,
  matchesExcludeFilter,
  minutesToQuantity,
  quantityDecimals,
  roundQuantity,
  warehouseFor,
  type SettingArticles,
} from '../../lib/document.js';
import { settingsSchema, type Settings, type SettingsOf } from '../../lib/settings.js';
import type { WorkOrderForDocument } from '../../lib/work-order.js';

const common = { termsAccepted: true, workTimeArticle: 'UUR', travelTimeArticle: 'REIS', defaultArticle: 'VOORRIJ', excludeFilterWord: '' };

const octopus = (over: Partial<SettingsOf<'octopus'>> = {}) =>
  settingsSchema.parse({ provider: 'octopus', ...common, dossierId: '1', journal: 'V1', ...over }) as SettingsOf<'octopus'>;
const factuursturen = (over: Partial<SettingsOf<'factuursturen'>> = {}) =>
  settingsSchema.parse({ provider: 'factuursturen', ...common, ...over }) as SettingsOf<'factuursturen'>;
const rompslomp = (over: Partial<SettingsOf<'rompslomp'>> = {}) =>
  settingsSchema.parse({ provider: 'rompslomp', ...common, companyId: '7', ...over }) as SettingsOf<'rompslomp'>;
const imuis = (over: Partial<SettingsOf<'imuis'>> = {}) => settingsSchema.parse({ provider: 'imuis', ...common, ...over }) as SettingsOf<'imuis'>;
const vismaNet = (over: Partial<SettingsOf<'visma-net'>> = {}) =>
  settingsSchema.parse({ provider: 'visma-net', ...common, companyId: '1', ...over }) as SettingsOf<'visma-net'>;

const resolved: SettingArticles = {
  workTimeArticle: { externalId: 'ext-uur', code: 'UUR', description: 'Arbeid' },
  travelTimeArticle: { externalId: 'ext-reis', code: 'REIS', description: 'Reistijd' },
  defaultArticle: { externalId: 'ext-voorrij', code: 'VOORRIJ', description: 'Voorrijkosten' },
};

const opts = { reference: 'simon-wo-1', date: '2024-05-01' };

function workOrder(over: Partial<WorkOrderForDocument> = {}): WorkOrderForDocument {
  return {
    id: 'wo-1',
    number: '1043',
    status: 'completed',
    customerId: '11111111-1111-4111-8111-111111111111',
    workAddressId: '22222222-2222-4222-8222-222222222222',
    description: 'Lekkage verholpen\nKraan in keuken vervangen',
    customerReference: 'PO-77',
    assignedUserId: 'user-1',
    workMinutes: 120,
    travelMinutes: 15,
    materials: [
      { articleId: '33333333-3333-4333-8333-333333333333', quantity: 2, price: 12.5, article: { externalId: 'ext-kraan', code: 'KR01', description: 'Keukenkraan' } },
      { articleId: '44444444-4444-4444-8444-444444444444', description: 'Afdichtring 15mm', quantity: 3.333, price: null, article: { externalId: 'ext-ring', code: 'AR15', description: 'Afdichtring' } },
    ],
    customer: { externalId: 'ext-cust', name: 'Jan den Butter' },
    workAddress: { name: 'Jan den Butter', street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven', customerMatches: true },
    ...over,
  };
}

function draftOf(wo: WorkOrderForDocument, settings: Settings, articles: SettingArticles = resolved, o: Partial<typeof opts & { descriptionLineLimit: number }> = {}) {
  const result = buildDocument(wo, settings, articles, { ...opts, ...o });
  if (!result.ok) throw new Error(`expected a draft, got ${result.problem.code}: ${result.problem.message}`);
  return result.draft;
}

function problemOf(wo: WorkOrderForDocument, settings: Settings, articles: SettingArticles = resolved) {
  const result = buildDocument(wo, settings, articles, opts);
  if (result.ok) throw new Error('expected a problem, got a draft');
  return result.problem;
}

describe('buildDocument: the docs/document.md example', () => {
  it('builds description, work, travel, materials and default lines in order', () => {
    const draft = draftOf(workOrder(), octopus({ descriptionAsFirstLine: true }));
    expect(draft.lines).toEqual([
      { kind: 'text', description: 'Lekkage verholpen\nKraan in keuken vervangen' },
      { kind: 'article', role: 'work-time', articleExternalId: 'ext-uur', articleCode: 'UUR', description: 'Arbeid', quantity: 2, unitPrice: null },
      { kind: 'article', role: 'travel-time', articleExternalId: 'ext-reis', articleCode: 'REIS', description: 'Reistijd', quantity: 0.25, unitPrice: null },
      { kind: 'article', role: 'material', articleExternalId: 'ext-kraan', articleCode: 'KR01', description: 'Keukenkraan', quantity: 2, unitPrice: '12.50' },
      { kind: 'article', role: 'material', articleExternalId: 'ext-ring', articleCode: 'AR15', description: 'Afdichtring 15mm', quantity: 3.333, unitPrice: null },
      { kind: 'article', role: 'default', articleExternalId: 'ext-voorrij', articleCode: 'VOORRIJ', description: 'Voorrijkosten', quantity: 1, unitPrice: null },
    ]);
    expect(draft).toMatchObject({
      reference: 'simon-wo-1',
      workOrderId: 'wo-1',
      workOrderNumber: '1043',
      date: '2024-05-01',
      customer: { externalId: 'ext-cust', name: 'Jan den Butter' },
      paymentReference: null,
      descriptionLines: [],
      memo: null,
      customerReference: null,
      warehouse: null,
    });
  });

  it('leaves the description line out when descriptionAsFirstLine is off', () => {
    const draft = draftOf(workOrder(), octopus({ descriptionAsFirstLine: false }));
    expect(draft.lines[0]).toMatchObject({ kind: 'article', role: 'work-time' });
    expect(draft.lines).toHaveLength(5);
  });
});

describe('buildDocument: description as first line (docs/document.md)', () => {
  it('FactuurSturen sends only the first line', () => {
    const draft = draftOf(workOrder({ description: '\n  Lekkage verholpen  \r\nKraan vervangen' }), factuursturen({ descriptionAsFirstLine: true }));
    expect(draft.lines[0]).toEqual({ kind: 'text', description: 'Lekkage verholpen' });
  });

  it('Octopus and Rompslomp send the whole description as one line, cut to the limit', () => {
    const long = `Regel een\r\n${'x'.repeat(300)}`;
    for (const settings of [octopus({ descriptionAsFirstLine: true }), rompslomp({ descriptionAsFirstLine: true })]) {
      const draft = draftOf(workOrder({ description: long }), settings);
      const line = draft.lines[0];
      expect(line.kind).toBe('text');
      expect(line.description.startsWith('Regel een\nxxx')).toBe(true);
      expect(line.description).toHaveLength(255);
      expect(draft.lines.filter((l) => l.kind === 'text')).toHaveLength(1);
    }
    const short = draftOf(workOrder({ description: 'Eerste\nTweede' }), rompslomp({ descriptionAsFirstLine: true }), resolved, { descriptionLineLimit: 10 });
    expect(short.lines[0]).toEqual({ kind: 'text', description: 'Eerste\nTwe' });
  });

  it('an empty description adds no text line', () => {
    const draft = draftOf(workOrder({ description: '  \n ' }), factuursturen({ descriptionAsFirstLine: true }));
    expect(draft.lines.every((l) => l.kind === 'article')).toBe(true);
  });
});

describe('buildDocument: time lines and rounding', () => {
  it('keeps as many decimals of a quantity as the package keeps (four in iMuis, six in Rompslomp, two in FactuurSturen)', () => {
    expect(minutesToQuantity(120)).toBe(2);
    expect(minutesToQuantity(15)).toBe(0.25);
    expect(minutesToQuantity(20)).toBe(0.33);
    expect(minutesToQuantity(40)).toBe(0.67);
    expect(minutesToQuantity(1)).toBe(0.02);
    expect(roundQuantity(1.005)).toBe(1.01);
    expect(roundQuantity(0.125)).toBe(0.13);
    expect(roundQuantity(2)).toBe(2);
    const draft = draftOf(workOrder({ workMinutes: 20, travelMinutes: 50 }), imuis());
    expect(draft.lines.map((l) => (l.kind === 'article' ? [l.role, l.quantity] : null))).toEqual([
      ['work-time', 0.3333],
      ['travel-time', 0.8333],
      ['material', 2],
      ['material', 3.333],
      ['default', 1],
    ]);
    expect(minutesToQuantity(20, 4)).toBe(0.3333);
    expect(minutesToQuantity(20, 6)).toBe(0.333333);
    expect(quantityDecimals).toMatchObject({ rompslomp: 6, imuis: 4, factuursturen: 2 });
  });

  it('omits work and travel lines when the minutes are 0', () => {
    const draft = draftOf(workOrder({ workMinutes: 0, travelMinutes: 0 }), imuis());
    expect(draft.lines.map((l) => (l.kind === 'article' ? l.role : l.kind))).toEqual(['material', 'material', 'default']);
  });

  it('omits lines whose setting is null, even when articles were resolved', () => {
    const draft = draftOf(workOrder(), imuis({ workTimeArticle: null, travelTimeArticle: null, defaultArticle: null }));
    expect(draft.lines.map((l) => (l.kind === 'article' ? l.role : l.kind))).toEqual(['material', 'material']);
  });

  it('formats prices as decimal strings', () => {
    expect(formatPrice(12.5)).toBe('12.50');
    expect(formatPrice(3)).toBe('3.00');
    expect(formatPrice(1.2345)).toBe('1.2345');
    expect(formatPrice(1.234)).toBe('1.234');
    expect(formatPrice(0.1 + 0.2)).toBe('0.30');
    expect(formatPrice(-4.5)).toBe('-4.50');
    expect(formatPrice(-0.00001)).toBe('0.00');
  });

  it('uses the article description when a material has no own description', () => {
    const draft = draftOf(workOrder(), imuis());
    expect(draft.lines.find((l) => l.kind === 'article' && l.articleCode === 'KR01')?.description).toBe('Keukenkraan');
  });
});

describe('buildDocument: payment reference (Octopus, FactuurSturen)', () => {
  it.each([
    ['workOrderNumber', '1043'],
    ['customerReference', 'PO-77'],
    ['both', '1043 / PO-77'],
    ['none', null],
  ] as const)('%s → %s', (option, expected) => {
    expect(draftOf(workOrder(), octopus({ paymentReference: option })).paymentReference).toBe(expected);
    expect(draftOf(workOrder(), factuursturen({ paymentReference: option })).paymentReference).toBe(expected);
  });

  it('both without a customer reference is just the number; customer reference without one is null', () => {
    expect(draftOf(workOrder({ customerReference: null }), octopus({ paymentReference: 'both' })).paymentReference).toBe('1043');
    expect(draftOf(workOrder({ customerReference: '  ' }), octopus({ paymentReference: 'customerReference' })).paymentReference).toBeNull();
  });

  it('is not filled for providers without the setting', () => {
    expect(draftOf(workOrder(), rompslomp()).paymentReference).toBeNull();
    expect(draftOf(workOrder(), imuis()).paymentReference).toBeNull();
    expect(draftOf(workOrder(), vismaNet()).paymentReference).toBeNull();
  });
});

describe('buildDocument: FactuurSturen invoice description', () => {
  it.each([
    ['workAddress', ['Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven']],
    ['workOrderNumberAndDescription', ['Werkbon 1043', 'Lekkage verholpen']],
    ['description', ['Lekkage verholpen']],
    ['none', []],
  ] as const)('%s → %j', (option, expected) => {
    expect(draftOf(workOrder(), factuursturen({ invoiceDescription: option })).descriptionLines).toEqual(expected);
  });

  it('leaves out what is missing', () => {
    expect(composeDescriptionLines('workAddress', { number: '1', description: '', workAddress: null })).toEqual([]);
    expect(composeDescriptionLines('workOrderNumberAndDescription', { number: '1', description: '', workAddress: null })).toEqual(['Werkbon 1']);
    expect(composeDescriptionLines('description', { number: '1', description: '\n', workAddress: null })).toEqual([]);
  });

  it('is empty for the other providers', () => {
    expect(draftOf(workOrder(), octopus()).descriptionLines).toEqual([]);
  });
});

describe('buildDocument: memo (Octopus, iMuis, Visma.net)', () => {
  const address = 'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven';
  it.each([
    ['workAddress', address],
    ['workAddressAndDescription', `${address}\nLekkage verholpen\nKraan in keuken vervangen`],
    ['description', 'Lekkage verholpen\nKraan in keuken vervangen'],
    ['none', null],
  ] as const)('%s', (option, expected) => {
    expect(draftOf(workOrder(), octopus({ memo: option })).memo).toBe(expected);
    expect(draftOf(workOrder(), imuis({ memo: option })).memo).toBe(expected);
    expect(draftOf(workOrder(), vismaNet({ memo: option })).memo).toBe(expected);
  });

  it('without a work address', () => {
    expect(composeMemo('workAddress', null, 'Iets')).toBeNull();
    expect(composeMemo('workAddressAndDescription', null, 'Iets')).toBe('Iets');
    expect(composeMemo('description', null, '   ')).toBeNull();
  });

  it('is not filled for FactuurSturen and Rompslomp', () => {
    expect(draftOf(workOrder(), factuursturen()).memo).toBeNull();
    expect(draftOf(workOrder(), rompslomp()).memo).toBeNull();
  });
});

describe('buildDocument: Visma.net customer reference and warehouse', () => {
  it.each([
    ['workOrderNumber', '1043'],
    ['customerReference', 'PO-77'],
    ['both', '1043 / PO-77'],
    ['none', null],
  ] as const)('customer reference %s', (option, expected) => {
    expect(draftOf(workOrder(), vismaNet({ customerReference: option })).customerReference).toBe(expected);
  });

  it('picks the assigned user warehouse, else the default; none for invoices', () => {
    const perUser = { perUser: true as const, byUser: { 'user-1': 'MAG1' }, default: 'HOOFD' };
    expect(draftOf(workOrder(), vismaNet({ warehouse: perUser })).warehouse).toBe('MAG1');
    expect(draftOf(workOrder({ assignedUserId: 'user-2' }), vismaNet({ warehouse: perUser })).warehouse).toBe('HOOFD');
    expect(draftOf(workOrder({ assignedUserId: null }), vismaNet({ warehouse: perUser })).warehouse).toBe('HOOFD');
    expect(draftOf(workOrder(), vismaNet({ warehouse: { perUser: false, default: 'HOOFD' } })).warehouse).toBe('HOOFD');
    expect(draftOf(workOrder(), vismaNet({ documentType: 'invoice', warehouse: perUser })).warehouse).toBeNull();
    expect(warehouseFor(vismaNet({ warehouse: { perUser: true, byUser: {}, default: null } }), 'x')).toBeNull();
    expect(warehouseFor(octopus(), 'user-1')).toBeNull();
  });
});

describe('buildDocument: problems', () => {
  it('no-customer', () => {
    const problem = problemOf(workOrder({ customer: null, customerId: null }), octopus());
    expect(problem.code).toBe('no-customer');
    expect(problem.message).toContain('1043');
    expect(problem.message).toContain('verkoopfactuur');
    expect(problem.action).toBe("Koppel een klant uit Octopus aan de werkbon en kies 'Opnieuw versturen'");
  });

  it('customer-not-synced', () => {
    const problem = problemOf(workOrder({ customer: { externalId: null, name: 'Lokale Klant' } }), factuursturen());
    expect(problem).toMatchObject({ code: 'customer-not-synced', detail: 'Lokale Klant' });
    expect(problem.message).toContain('FactuurSturen');
    expect(problem.action).toContain("'Opnieuw versturen'");
  });

  it('work-address-other-customer', () => {
    const wo = workOrder({ workAddress: { name: null, street: 'Elders 1', postalCode: '1000 AA', city: 'Amsterdam', customerMatches: false } });
    const problem = problemOf(wo, imuis());
    expect(problem).toMatchObject({ code: 'work-address-other-customer', detail: 'Elders 1, 1000 AA Amsterdam' });
    expect(problem.action).toContain("'Opnieuw versturen'");
  });

  it('article-not-synced for a material added in Simon', () => {
    const wo = workOrder();
    wo.materials[1] = { ...wo.materials[1], article: { externalId: null, code: 'LOKAAL', description: 'Lokaal artikel' } };
    const problem = problemOf(wo, vismaNet());
    expect(problem).toMatchObject({ code: 'article-not-synced', detail: 'LOKAAL' });
    expect(problem.message).toContain("'LOKAAL'");
    expect(problem.action).toContain('Visma.net');
    expect(problem.action).toContain("'Opnieuw versturen'");
  });

  it('article-not-synced for a material without article', () => {
    const wo = workOrder({ materials: [{ articleId: null, description: 'Los materiaal', quantity: 1, price: 5, article: null }] });
    const problem = problemOf(wo, rompslomp());
    expect(problem).toMatchObject({ code: 'article-not-synced', detail: 'Los materiaal' });
    expect(problem.message).toContain("'Los materiaal'");
  });

  it('article-not-synced when a settings article is not known (only when its line is needed)', () => {
    const missingWork = { ...resolved, workTimeArticle: null };
    expect(problemOf(workOrder(), octopus(), missingWork)).toMatchObject({ code: 'article-not-synced', detail: 'UUR' });
    expect(draftOf(workOrder({ workMinutes: 0 }), octopus(), missingWork).lines).toHaveLength(4);
    const localDefault = { ...resolved, defaultArticle: { externalId: null, code: 'VOORRIJ', description: 'x' } };
    const problem = problemOf(workOrder(), octopus(), localDefault);
    expect(problem).toMatchObject({ code: 'article-not-synced', detail: 'VOORRIJ' });
    expect(problem.action).toContain('instellingen');
  });

  it('checks the customer before the work address and the articles', () => {
    const wo = workOrder({
      customer: null,
      workAddress: { name: null, street: 'x', postalCode: null, city: null, customerMatches: false },
      materials: [{ articleId: null, quantity: 1, price: null, article: null }],
    });
    expect(problemOf(wo, octopus()).code).toBe('no-customer');
  });
});

describe('filters', () => {
  it('matchesExcludeFilter is a case-insensitive substring; an empty word never matches', () => {
    expect(matchesExcludeFilter('Reparatie onder GARANTIE', 'garantie')).toBe(true);
    expect(matchesExcludeFilter('garantiewerk', 'Garantie')).toBe(true);
    expect(matchesExcludeFilter('Reparatie', 'garantie')).toBe(false);
    expect(matchesExcludeFilter('Reparatie', '')).toBe(false);
    expect(matchesExcludeFilter('Reparatie', '   ')).toBe(false);
    expect(matchesExcludeFilter('', 'x')).toBe(false);
    expect(matchesExcludeFilter(null, 'x')).toBe(false);
  });

  it('includesFilterWord: an empty word includes everything', () => {
    expect(includesFilterWord('Offerte SIMON dakgoot', 'simon')).toBe(true);
    expect(includesFilterWord('Offerte dakgoot', 'simon')).toBe(false);
    expect(includesFilterWord('Offerte dakgoot', '')).toBe(true);
    expect(includesFilterWord(null, '')).toBe(true);
  });
});

describe('helpers', () => {
  it('formatAddress', () => {
    expect(formatAddress({ name: 'Jan den Butter', street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven' })).toBe(
      'Jan den Butter, Dunantstraat 140, 2131 RT Eindhoven',
    );
    expect(formatAddress({ street: 'Dunantstraat 140', postalCode: null, city: 'Eindhoven' })).toBe('Dunantstraat 140, Eindhoven');
    expect(formatAddress({ name: ' ', street: null, postalCode: null, city: null })).toBe('');
  });

  it('composeReference', () => {
    expect(composeReference('both', '1', null)).toBe('1');
    expect(composeReference('none', '1', 'x')).toBeNull();
  });

  it('firstLine and cutToLimit', () => {
    expect(firstLine('\r\n\n  a b \nc')).toBe('a b');
    expect(firstLine(null)).toBe('');
    expect(cutToLimit('abcdef', 3)).toBe('abc');
    expect(cutToLimit('ab cd', 3)).toBe('ab');
    expect(cutToLimit('😀😀😀', 2)).toBe('😀😀');
  });

});

describe('collectDocument: every problem, for the document preview (docs/preview.md)', () => {
  const broken = workOrder({
    customer: { externalId: null, name: 'Nieuwe klant' },
    workAddress: { name: null, street: 'Markt 1', postalCode: '5611 AA', city: 'Eindhoven', customerMatches: false },
    materials: [
      { articleId: null, description: 'Los materiaal', quantity: 1, price: 5, article: null },
      { articleId: '33333333-3333-4333-8333-333333333333', quantity: 2, price: 12.5, article: { externalId: 'ext-kraan', code: 'KR01', description: 'Keukenkraan' } },
    ],
  });
  const noTravelArticle = { ...resolved, travelTimeArticle: null };

  it('lists them all in the order the export meets them; the export fails on the first', () => {
    const collected = collectDocument(broken, octopus(), noTravelArticle, opts);
    expect(collected.problems.map((p) => [p.code, p.detail])).toEqual([
      ['customer-not-synced', 'Nieuwe klant'],
      ['work-address-other-customer', 'Markt 1, 5611 AA Eindhoven'],
      ['article-not-synced', 'REIS'],
      ['article-not-synced', 'Los materiaal'],
    ]);
    expect(collected.draft).toBeNull();
    expect(problemOf(broken, octopus(), noTravelArticle)).toEqual(collected.problems[0]);
  });

  it('keeps every line that can be booked in the document', () => {
    const { document } = collectDocument(broken, octopus(), noTravelArticle, opts);
    expect(document.customer).toEqual({ externalId: null, name: 'Nieuwe klant' });
    expect(document.lines.flatMap((l) => (l.kind === 'article' ? [[l.role, l.articleCode]] : []))).toEqual([
      ['work-time', 'UUR'], ['material', 'KR01'], ['default', 'VOORRIJ'],
    ]);
  });

  it('without problems: the draft is buildDocument\'s', () => {
    const collected = collectDocument(workOrder(), octopus(), resolved, opts);
    expect(collected.problems).toEqual([]);
    expect(collected.draft).toEqual(draftOf(workOrder(), octopus()));
  });
});
