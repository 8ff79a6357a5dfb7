import { DEFAULT_FS_ACCOUNT, seedFactuurSturen, startFakeFactuurSturen, type FakeFsFault } from '../../../fakes/factuursturen/server.js';
import { activate, fsSettings } from '../activation.js';
import type { ProviderHarness } from './types.js';

/** A short wait after the hourly limit, instead of "the next full hour" (docs/providers/factuursturen.md §4). */
export const FS_TEST_RATE_LIMIT_WAIT = '1s';

export const factuurSturenHarness: ProviderHarness = {
  provider: 'factuursturen',
  async start() {
    const fake = await startFakeFactuurSturen();
    seedFactuurSturen(fake.state, { groups: 2, products: 20, clients: 30 });
    return {
      env: { FACTUURSTUREN_BASE_URL: fake.url, FACTUURSTUREN_RATE_LIMIT_WAIT: FS_TEST_RATE_LIMIT_WAIT },
      async activate(stack, tenant, settings) {
        await activate(stack, { provider: 'factuursturen', tenant, settings });
      },
      controlOrigin: new URL(fake.url).origin,
      receivedCreates: () => fake.state.receivedCreates ?? [],
      documents: () => fake.state.savedInvoices.map((i) => ({ id: String(i.id), customer: String(i.clientnr) })),
      faults: fake.faults,
      createCall: { method: 'POST', path: 'invoices' },
      // FactuurSturen never answers 429: its limit is a 403 with X-RateLimit-Remaining 0 and no Retry-After.
      failCreate: (status): FakeFsFault =>
        status === 429
          ? { method: 'POST', path: 'invoices', status: 403, rateLimitRemaining: 0, body: 'API limit reached for this hour' }
          : { method: 'POST', path: 'invoices', status },
      check: () => Promise.resolve({ credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey }, settings: fsSettings }),
      stop: () => fake.stop(),
    };
  },
};
