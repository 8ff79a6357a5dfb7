import { expect } from 'vitest';
import { DEFAULT_ENVIRONMENT_CODE, seedImuis, startFakeImuis } from '../../../fakes/imuis/server.js';
import { allTables } from '../activation.js';
import type { ProviderHarness } from './types.js';

const imuisSettings = {
  provider: 'imuis',
  termsAccepted: true,
  workTimeArticle: 'WERKTIJD',
  travelTimeArticle: 'REISTIJD',
  defaultArticle: 'VOORRIJKOSTEN',
  excludeFilterWord: '',
  articleGroupFilter: [],
  memo: 'workAddressAndDescription',
};

/** iMuis Online: the fake cloudswitch; a document is a sales order (ORDKOP), created with ACTIE=CREATEVERKOOPORDER. */
export const imuisHarness: ProviderHarness = {
  provider: 'imuis',
  async start() {
    const fake = await startFakeImuis();
    seedImuis(fake.state, { articles: 20, debtors: 30 });
    return {
      env: { IMUIS_BASE_URL: fake.url },
      async activate(stack, tenant, settings) {
        if (!stack.tenants.includes(tenant)) stack.tenants.push(tenant);
        const start = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'imuis' });
        expect(start.status, JSON.stringify(start.body)).toBe(200);
        const wipe = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables });
        expect(wipe.status, JSON.stringify(wipe.body)).toBe(200);
        const connect = await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/connect`, { credentials: { environmentCode: DEFAULT_ENVIRONMENT_CODE } });
        expect(connect.status, JSON.stringify(connect.body)).toBe(200);
        const saved = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...imuisSettings, ...settings } });
        expect(saved.status, JSON.stringify(saved.body)).toBe(200);
        for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
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
