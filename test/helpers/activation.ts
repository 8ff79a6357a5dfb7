import { expect } from 'vitest';
import { DEFAULT_FS_ACCOUNT } from '../../fakes/factuursturen/server.js';
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

/** Runs the four activation steps through the API; resolves when the initial import workflows have finished. */
export async function activateFactuurSturen(stack: Stack, tenant: string, opts: { settings?: Record<string, unknown>; wipe?: string[]; waitForImport?: boolean } = {}) {
  if (!stack.tenants.includes(tenant)) stack.tenants.push(tenant);
  const start = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const wipe = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: opts.wipe ?? allTables });
  expect(wipe.status, JSON.stringify(wipe.body)).toBe(200);
  const connect = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
  expect(connect.status, JSON.stringify(connect.body)).toBe(200);
  const saved = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...fsSettings, ...opts.settings } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  if (opts.waitForImport !== false) {
    for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
  }
  return saved.body as { version: number; importWorkflowIds: string[] };
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
