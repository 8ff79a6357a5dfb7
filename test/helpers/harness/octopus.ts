import { expect } from 'vitest';
import { DEFAULT_OCTOPUS_USER, seedOctopus, startFakeOctopus } from '../../../fakes/octopus/server.js';
import { allTables } from '../activation.js';
import type { Stack } from '../stack.js';
import type { ProviderHarness } from './types.js';

/**
 * Octopus for the fault suite: the fake with the manual's articles, a tenant activated through the API with memo
 * "Niets" (so the invoice carries nothing of ours: docs/providers/octopus.md §6), documents counted by their key.
 */
export const octopusSettings = {
  provider: 'octopus', termsAccepted: true, dossierId: '101', journal: 'V1', workTimeArticle: 'Werktijd', travelTimeArticle: 'Reistijd',
  defaultArticle: 'Voorrijkosten', excludeFilterWord: '', descriptionAsFirstLine: true, paymentReference: 'workOrderNumber', memo: 'none',
};

export async function activateOctopus(stack: Stack, tenant: string, settings: Record<string, unknown> = {}): Promise<void> {
  if (!stack.tenants.includes(tenant)) stack.tenants.push(tenant);
  const base = `/v1/tenants/${tenant}/integration`;
  const start = await stack.api('POST', `${base}/activation`, { provider: 'octopus' });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const wipe = await stack.api('POST', `${base}/activation/wipe`, { tables: allTables });
  expect(wipe.status, JSON.stringify(wipe.body)).toBe(200);
  const connect = await stack.api('POST', `${base}/activation/connect`, { credentials: { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password } });
  expect(connect.status, JSON.stringify(connect.body)).toBe(200);
  const saved = await stack.api('PUT', `${base}/settings`, { settings: { ...octopusSettings, ...settings } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
}

export const octopusHarness: ProviderHarness = {
  provider: 'octopus',
  async start() {
    const fake = await startFakeOctopus();
    seedOctopus(fake.state, { groups: 3, products: 20, relations: 30 });
    return {
      // The per-minute total must not depend on where the minute boundary falls (quota.test.ts tests it).
      env: { OCTOPUS_BASE_URL: fake.url, QUOTA_OCTOPUS_PER_MINUTE: '1000' },
      activate: (stack, tenant, settings) => activateOctopus(stack, tenant, settings),
      controlOrigin: new URL(fake.url).origin,
      receivedCreates: () => fake.dossier().receivedCreates ?? [],
      documents: () => fake.dossier().invoices.map((i) => ({
        id: `${i.bookyearKey.id}/${i.journalKey}/${i.documentSequenceNr}`,
        customer: String(i.relationIdentificationServiceData.relationKey.id),
      })),
      faults: fake.faults,
      createCall: { method: 'POST', path: 'invoices' },
      failCreate: (status, retryAfterSeconds) => ({ method: 'POST', path: 'invoices', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
      check: () => Promise.resolve({ credentials: { username: DEFAULT_OCTOPUS_USER.user, password: DEFAULT_OCTOPUS_USER.password }, settings: octopusSettings }),
      stop: () => fake.stop(),
    };
  },
};
