import { expect } from 'vitest';
import { DEFAULT_FS_ACCOUNT } from '../../fakes/factuursturen/server.js';
import { DEFAULT_ENVIRONMENT_CODE } from '../../fakes/imuis/server.js';
import { DEFAULT_OCTOPUS_USER } from '../../fakes/octopus/server.js';
import { SEED_COMPANY_ID } from '../../fakes/rompslomp/server.js';
import type { ProviderId } from '../../lib/providers.js';
import type { Stack } from './stack.js';

export const allTables = ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'];

export const fsSettings = {
  provider: 'factuursturen',
  termsAccepted: true,
  workTimeArticle: '0002',
  travelTimeArticle: '0001',
  defaultArticle: '0003',
  excludeFilterWord: '',
  descriptionAsFirstLine: false,
  paymentReference: 'workOrderNumber',
  invoiceDescription: 'none',
};

/** Memo "Niets", so the invoice carries nothing of ours (docs/providers/octopus.md §6). */
export const octopusSettings = {
  provider: 'octopus', termsAccepted: true, dossierId: '101', journal: 'V1', workTimeArticle: 'Werktijd', travelTimeArticle: 'Reistijd',
  defaultArticle: 'Voorrijkosten', excludeFilterWord: '', descriptionAsFirstLine: true, paymentReference: 'workOrderNumber', memo: 'none',
};

export const imuisSettings = {
  provider: 'imuis',
  termsAccepted: true,
  workTimeArticle: 'WERKTIJD',
  travelTimeArticle: 'REISTIJD',
  defaultArticle: 'VOORRIJKOSTEN',
  excludeFilterWord: '',
  articleGroupFilter: [],
  memo: 'workAddressAndDescription',
};

export const rompslompSettings = {
  provider: 'rompslomp',
  termsAccepted: true,
  workTimeArticle: 'P00008',
  travelTimeArticle: 'P00007',
  defaultArticle: 'P00006',
  excludeFilterWord: '',
  companyId: String(SEED_COMPANY_ID),
  descriptionAsFirstLine: true,
};

/** The connected company: the Visma Connect tenant of the fake's first company (docs/providers/visma-net.md §2). */
export const VISMA_COMPANY = 'b4c1d6a0-5f0e-4f6e-9c52-0a2f6e1d7c11';

export const vismaSettings = {
  provider: 'visma-net',
  termsAccepted: true,
  workTimeArticle: 'SIMONWERK',
  travelTimeArticle: 'SIMONREIS',
  defaultArticle: 'SIMONVOORR',
  excludeFilterWord: '',
  companyId: VISMA_COMPANY,
  memo: 'none',
  customerReference: 'workOrderNumber',
  attachments: 'workOrderPdf',
  documentType: 'salesOrder',
  warehouse: { perUser: false, default: 'HOOFD' },
  orders: { import: 'none', includeFilterWord: '', includeLines: false },
};

/** Each package's settings for a tenant of the tests, against its seeded fake (the articles they name exist there). */
export const testSettings: Record<ProviderId, Record<string, unknown>> = {
  factuursturen: fsSettings,
  octopus: octopusSettings,
  imuis: imuisSettings,
  rompslomp: rompslompSettings,
  'visma-net': vismaSettings,
};

/** How each package connects: the fake's own account, or OAuth (the fake's consent screen answers at once). */
const connection: Record<ProviderId, { credentials: Record<string, string> } | 'oauth'> = {
  factuursturen: { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } },
  octopus: { credentials: { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password } },
  imuis: { credentials: { environmentCode: DEFAULT_ENVIRONMENT_CODE } },
  rompslomp: 'oauth',
  'visma-net': 'oauth',
};

export interface Activation {
  provider: ProviderId;
  tenant: string;
  /** The connect step's credentials (packages that connect with a form); default: the fake's own account. */
  credentials?: Record<string, string>;
  /** Saved over `baseSettings`. */
  settings?: Record<string, unknown>;
  /** Default: the package's `testSettings`. */
  baseSettings?: Record<string, unknown>;
  /** The tables the wipe step clears; default all of them. */
  wipe?: string[];
  /** false: resolve once the settings are saved, the caller waits for `importWorkflowIds` itself. */
  waitForImport?: boolean;
}

/** The answer of the first settings save (docs/api.md). */
export type SavedSettings = { version: number; importWorkflowIds: string[] } & Record<string, unknown>;

/**
 * The activation of a tenant through the API, for any package (docs/activation.md): start, wipe, connect (the
 * credentials form, or the OAuth round trip a browser makes: our authorize URL, the fake's consent, our callback),
 * the first settings save; resolves when the initial import workflows have finished. Every step must answer 200.
 */
export async function activate(stack: Stack, a: Activation): Promise<SavedSettings> {
  const base = `/v1/tenants/${a.tenant}/integration`;
  if (!stack.tenants.includes(a.tenant)) stack.tenants.push(a.tenant);
  const start = await stack.api('POST', `${base}/activation`, { provider: a.provider });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const wipe = await stack.api('POST', `${base}/activation/wipe`, { tables: a.wipe ?? allTables });
  expect(wipe.status, JSON.stringify(wipe.body)).toBe(200);
  const connect = connection[a.provider];
  if (connect === 'oauth') {
    const link = await stack.api('GET', `${base}/activation/oauth-url`);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const consent = await fetch(link.body.url as string, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    const callback = await stack.api('GET', `${back.pathname}${back.search}`, undefined, null);
    expect(callback.status, JSON.stringify(callback.body)).toBe(200);
  } else {
    const connected = await stack.api('POST', `${base}/activation/connect`, { credentials: a.credentials ?? connect.credentials });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
  }
  const saved = await stack.api('PUT', `${base}/settings`, { settings: { ...(a.baseSettings ?? testSettings[a.provider]), ...a.settings } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  if (a.waitForImport !== false) {
    for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
  }
  return saved.body as SavedSettings;
}

/** A completed work order snapshot for the first active customer, with two materials. */
export async function completedWorkOrder(stack: Stack, tenant: string, number: string, overrides: Record<string, unknown> = {}) {
  const [c] = await stack.database.sql`select id from simon.customers where tenant_id = ${tenant} and active order by number limit 1`;
  const articles = await stack.database.sql`select id from simon.articles where tenant_id = ${tenant} and code not in ('0001','0002','0003') order by code limit 2`;
  return {
    number,
    status: 'completed',
    customerId: c.id as string,
    workAddressId: null,
    description: 'Onderhoud',
    customerReference: 'REF-1',
    assignedUserId: null,
    workMinutes: 60,
    travelMinutes: 30,
    materials: articles.map((a) => ({ articleId: a.id as string, quantity: 1, price: 10 })),
    ...overrides,
  };
}

export async function exportState(stack: Stack, tenant: string, workOrderId: string) {
  const res = await stack.api('GET', `/v1/tenants/${tenant}/work-orders/${workOrderId}/export`);
  return res.body as { state: string; documentId: string | null; reference: string; settingsVersionId: number | null };
}
