import { z } from 'zod';

/** Article code as the provider knows it; null = "don't book". */
const articleCode = z.string().trim().min(1).max(100).nullable();
const reference4 = z.enum(['workOrderNumber', 'customerReference', 'both', 'none']);
const memo4 = z.enum(['workAddress', 'workAddressAndDescription', 'description', 'none']);

const common = {
  termsAccepted: z.literal(true, { message: 'De voorwaarden moeten worden geaccepteerd' }),
  /** The terms version accepted (GET /v1/providers `termsVersion`); stored with every settings version (docs/terms.md). */
  termsVersion: z.string().min(1).max(40).optional(),
  workTimeArticle: articleCode,
  travelTimeArticle: articleCode,
  defaultArticle: articleCode,
  excludeFilterWord: z.string().max(100).default(''),
};

export const octopusSettings = z.object({
  provider: z.literal('octopus'),
  ...common,
  dossierId: z.string().min(1),
  journal: z.string().min(1),
  descriptionAsFirstLine: z.boolean().default(false),
  paymentReference: reference4.default('none'),
  memo: memo4.default('none'),
});

export const factuurSturenSettings = z.object({
  provider: z.literal('factuursturen'),
  ...common,
  descriptionAsFirstLine: z.boolean().default(false),
  paymentReference: reference4.default('none'),
  invoiceDescription: z.enum(['workAddress', 'workOrderNumberAndDescription', 'description', 'none']).default('none'),
  quotes: z
    .object({
      enabled: z.boolean(),
      includeFilterWord: z.string().max(100).default(''),
      includeLines: z.boolean().default(false),
      workDescriptionFrom: z.enum(['quoteName', 'quoteReference', 'allQuoteLines', 'firstQuoteLine', 'memo']).default('quoteName'),
      customerReferenceFrom: z.enum(['quoteName', 'quoteReference', 'both', 'none']).default('none'),
    })
    .default({ enabled: false, includeFilterWord: '', includeLines: false, workDescriptionFrom: 'quoteName', customerReferenceFrom: 'none' }),
});

export const imuisSettings = z.object({
  provider: z.literal('imuis'),
  ...common,
  articleGroupFilter: z.array(z.string().min(1)).default([]),
  memo: memo4.default('none'),
  quotes: z
    .object({
      enabled: z.boolean(),
      includeFilterWord: z.string().max(100).default(''),
      includeLines: z.boolean().default(false),
      workDescriptionFrom: z.enum(['firstQuoteLine', 'memo', 'firstQuoteLineAndMemo']).default('firstQuoteLine'),
    })
    .default({ enabled: false, includeFilterWord: '', includeLines: false, workDescriptionFrom: 'firstQuoteLine' }),
});

export const rompslompSettings = z.object({
  provider: z.literal('rompslomp'),
  ...common,
  companyId: z.string().min(1),
  descriptionAsFirstLine: z.boolean().default(false),
});

export const vismaNetSettings = z.object({
  provider: z.literal('visma-net'),
  ...common,
  companyId: z.string().min(1),
  memo: memo4.default('none'),
  customerReference: reference4.default('none'),
  attachments: z.enum(['workOrderPdf', 'workOrderAndFormsPdf', 'formsPdf', 'none']).default('none'),
  documentType: z.enum(['salesOrder', 'invoice']).default('salesOrder'),
  warehouse: z
    .union([
      z.object({ perUser: z.literal(false), default: z.string().min(1) }),
      z.object({ perUser: z.literal(true), byUser: z.record(z.string(), z.string().min(1)), default: z.string().min(1).nullable() }),
    ])
    .nullable()
    .default(null),
  orders: z
    .object({ import: z.enum(['salesOrder', 'quote', 'none']), includeFilterWord: z.string().max(100).default(''), includeLines: z.boolean().default(false) })
    .default({ import: 'none', includeFilterWord: '', includeLines: false }),
});

export const settingsSchema = z.discriminatedUnion('provider', [
  octopusSettings,
  factuurSturenSettings,
  imuisSettings,
  rompslompSettings,
  vismaNetSettings,
]);

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsOf<P extends Settings['provider']> = Extract<Settings, { provider: P }>;
export type FactuurSturenSettings = SettingsOf<'factuursturen'>;

export const settingsSchemaByProvider = {
  octopus: octopusSettings,
  factuursturen: factuurSturenSettings,
  imuis: imuisSettings,
  rompslomp: rompslompSettings,
  'visma-net': vismaNetSettings,
} as const;

/**
 * "Controleer" per field while the admin fills the form (docs/check-settings.md): any subset of one package's
 * settings, the terms not yet accepted. Saving still takes the full `settingsSchema`.
 */
function partialOf(schema: z.ZodObject, provider: Settings['provider']) {
  // Defaults are left out, so the parsed object holds exactly the fields the admin gave.
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => {
    const inner: z.ZodType = v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType);
    return [k, inner.optional()];
  }));
  return z.object(shape).extend({ provider: z.literal(provider), termsAccepted: z.boolean().optional() });
}
export const partialSettingsSchema = z.discriminatedUnion('provider', [
  partialOf(octopusSettings, 'octopus'),
  partialOf(factuurSturenSettings, 'factuursturen'),
  partialOf(imuisSettings, 'imuis'),
  partialOf(rompslompSettings, 'rompslomp'),
  partialOf(vismaNetSettings, 'visma-net'),
]);
export type PartialSettings = z.infer<typeof partialSettingsSchema>;

/** Article settings left out of a partial check are "don't book" for the probe (they are not reported). */
export const probeDefaults = { workTimeArticle: null, travelTimeArticle: null, defaultArticle: null } as const;

/** The result of one "Controleer" check (docs/settings.md). */
export interface FieldCheck {
  field: string;
  ok: boolean;
  found?: Record<string, unknown>;
  error?: string;
  /** A confirmation the manuals show for a passed check ("Artikel-Groep filter gecontroleerd!"). */
  message?: string;
}

/**
 * Which administration of the package the settings point at (Octopus dossier, Rompslomp and Visma.net company);
 * null for packages where the administration comes with the connection (FactuurSturen account, iMuis environment).
 * Changing it after activation is a re-activation (docs/administration-change.md).
 */
export function administrationOf(settings: Settings): string | null {
  switch (settings.provider) {
    case 'octopus':
      return settings.dossierId;
    case 'rompslomp':
    case 'visma-net':
      return settings.companyId;
    default:
      return null;
  }
}

/**
 * Packages whose connection is bound to one administration (Visma.net: the token belongs to the company chosen at
 * sign-on). Another administration there needs a new connection, so it is a deactivation and a new activation,
 * not a settings change (docs/administration-change.md).
 */
export const administrationBoundToConnection: ReadonlySet<Settings['provider']> = new Set(['visma-net']);

/** Whether an administration id the settings name is one of the ids the connection's administration goes by. */
export function sameAdministration(settingsId: string, connectedIds: readonly string[]): boolean {
  const wanted = settingsId.trim().toLowerCase();
  return connectedIds.some((id) => id.trim().toLowerCase() === wanted);
}

/** The field that holds the administration, for a 409's explanation. */
export const administrationField: Partial<Record<Settings['provider'], string>> = { octopus: 'dossierId', rompslomp: 'companyId', 'visma-net': 'companyId' };
