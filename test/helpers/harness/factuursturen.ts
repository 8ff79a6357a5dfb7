import { seedFactuurSturen, startFakeFactuurSturen } from '../../../fakes/factuursturen/server.js';
import { activateFactuurSturen } from '../activation.js';
import type { ProviderHarness } from './types.js';

export const factuurSturenHarness: ProviderHarness = {
  provider: 'factuursturen',
  async start() {
    const fake = await startFakeFactuurSturen();
    seedFactuurSturen(fake.state, { groups: 2, products: 20, clients: 30 });
    return {
      env: { FACTUURSTUREN_BASE_URL: fake.url },
      async activate(stack, tenant, settings) {
        await activateFactuurSturen(stack, tenant, settings ? { settings } : {});
      },
      documents: () => fake.state.savedInvoices.map((i) => ({ id: String(i.id), customer: String(i.clientnr) })),
      faults: fake.faults,
      createCall: { method: 'POST', path: 'invoices' },
      failCreate: (status, retryAfterSeconds) => ({ method: 'POST', path: 'invoices', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
      stop: () => fake.stop(),
    };
  },
};
