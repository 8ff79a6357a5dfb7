import { expect } from 'vitest';
import { SEED_COMPANY_ID, startFakeRompslomp } from '../../../fakes/rompslomp/server.js';
import { allTables } from '../activation.js';
import type { Stack } from '../stack.js';
import type { ProviderHarness } from './types.js';
import { oauthTokens } from './oauth-tokens.js';

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

/**
 * The whole Rompslomp activation through the API: start, wipe, the OAuth round trip (our authorize URL, the fake's
 * consent answered at once, our callback with code and state) and the settings; resolves when the import finished.
 */
export async function activateRompslomp(stack: Stack, tenant: string, settings: Record<string, unknown> = {}): Promise<void> {
  if (!stack.tenants.includes(tenant)) stack.tenants.push(tenant);
  const start = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'rompslomp' });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const wipe = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables });
  expect(wipe.status, JSON.stringify(wipe.body)).toBe(200);
  const url = await stack.api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
  expect(url.status, JSON.stringify(url.body)).toBe(200);
  const consent = await fetch(url.body.url as string, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  const callback = await stack.api('GET', `${back.pathname}${back.search}`, undefined, null);
  expect(callback.status, JSON.stringify(callback.body)).toBe(200);
  const saved = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...rompslompSettings, ...settings } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
}

export const rompslompHarness: ProviderHarness = {
  provider: 'rompslomp',
  async start() {
    const fake = await startFakeRompslomp({ seed: { customers: 30, suppliers: 2, products: 20 } });
    return {
      // Our own quota guard must not be what the suite measures; the stored 429 hold still applies.
      env: { ROMPSLOMP_BASE_URL: fake.url, QUOTA_ROMPSLOMP_PER_DAY: '100000', QUOTA_ROMPSLOMP_PER_MINUTE: '100000' },
      activate: (stack, tenant, settings) => activateRompslomp(stack, tenant, settings),
      controlOrigin: fake.origin,
      receivedCreates: () => Object.values(fake.state.data).flatMap((d) => d.receivedCreates ?? []),
      documents: () => Object.values(fake.state.data).flatMap((d) => d.salesInvoices.map((i) => ({ id: String(i.id), customer: String(i.contact_id) }))),
      faults: fake.faults,
      createCall: { method: 'POST', path: 'sales_invoices' },
      failCreate: (status, retryAfterSeconds) => ({ method: 'POST', path: 'sales_invoices', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
      check: async () => ({ credentials: await oauthTokens('rompslomp', { ROMPSLOMP_BASE_URL: fake.url }), settings: rompslompSettings }),
      stop: () => fake.stop(),
    };
  },
};
