import { DEFAULT_OCTOPUS_USER, seedOctopus, startFakeOctopus } from '../../../fakes/octopus/server.js';
import { activate, octopusSettings } from '../activation.js';
import type { ProviderHarness } from './types.js';

/**
 * Octopus for the fault suite: the fake with the manual's articles, a tenant activated through the API with memo
 * "Niets" (so the invoice carries nothing of ours: docs/providers/octopus.md §6), documents counted by their key.
 */
export const octopusHarness: ProviderHarness = {
  provider: 'octopus',
  async start() {
    const fake = await startFakeOctopus();
    seedOctopus(fake.state, { groups: 3, products: 20, relations: 30 });
    return {
      // The per-minute total must not depend on where the minute boundary falls (quota.test.ts tests it).
      env: { OCTOPUS_BASE_URL: fake.url, QUOTA_OCTOPUS_PER_MINUTE: '1000' },
      activate: async (stack, tenant, settings) => {
        await activate(stack, { provider: 'octopus', tenant, settings });
      },
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
