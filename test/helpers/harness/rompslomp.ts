import { startFakeRompslomp } from '../../../fakes/rompslomp/server.js';
import { activate, rompslompSettings } from '../activation.js';
import type { ProviderHarness } from './types.js';
import { oauthTokens } from './oauth-tokens.js';

export const rompslompHarness: ProviderHarness = {
  provider: 'rompslomp',
  async start() {
    const fake = await startFakeRompslomp({ seed: { customers: 30, suppliers: 2, products: 20 } });
    return {
      // Our own quota guard must not be what the suite measures; the stored 429 hold still applies.
      env: { ROMPSLOMP_BASE_URL: fake.url, QUOTA_ROMPSLOMP_PER_DAY: '100000', QUOTA_ROMPSLOMP_PER_MINUTE: '100000' },
      activate: async (stack, tenant, settings) => {
        await activate(stack, { provider: 'rompslomp', tenant, settings });
      },
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
