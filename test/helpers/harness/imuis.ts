import { DEFAULT_ENVIRONMENT_CODE, seedImuis, startFakeImuis } from '../../../fakes/imuis/server.js';
import { activate, imuisSettings } from '../activation.js';
import type { ProviderHarness } from './types.js';

/** iMuis Online: the fake cloudswitch; a document is a sales order (ORDKOP), created with ACTIE=CREATEVERKOOPORDER. */
export const imuisHarness: ProviderHarness = {
  provider: 'imuis',
  async start() {
    const fake = await startFakeImuis();
    seedImuis(fake.state, { articles: 20, debtors: 30 });
    return {
      env: { IMUIS_BASE_URL: fake.url },
      async activate(stack, tenant, settings) {
        await activate(stack, { provider: 'imuis', tenant, settings });
      },
      controlOrigin: new URL(fake.url).origin,
      receivedCreates: () => fake.state.receivedCreates ?? [],
      documents: () => fake.state.orders.map((o) => ({ id: String(o.NR), customer: String(o.DEB) })),
      faults: fake.faults,
      createCall: { method: 'POST', path: 'CREATEVERKOOPORDER' },
      failCreate: (status, retryAfterSeconds) => ({ action: 'CREATEVERKOOPORDER', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
      check: () => Promise.resolve({ credentials: { environmentCode: DEFAULT_ENVIRONMENT_CODE }, settings: imuisSettings }),
      stop: () => fake.stop(),
    };
  },
};
