import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { startFakeVismaNet } from '../../../fakes/visma-net/server.js';
import { allTables } from '../activation.js';
import type { Stack } from '../stack.js';
import type { ProviderHarness } from './types.js';
import { oauthTokens } from './oauth-tokens.js';

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

/** The four activation steps through the API, with the Visma Connect sign-on the admin's browser would do. */
export async function activateVismaNet(stack: Stack, tenant: string, settings: Record<string, unknown> = {}) {
  if (!stack.tenants.includes(tenant)) stack.tenants.push(tenant);
  expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/activation`, { provider: 'visma-net' })).status).toBe(200);
  expect((await stack.api('POST', `/v1/tenants/${tenant}/integration/activation/wipe`, { tables: allTables })).status).toBe(200);
  const link = await stack.api('GET', `/v1/tenants/${tenant}/integration/activation/oauth-url`);
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  const consent = await fetch(link.body.url as string, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  const callback = await stack.api('GET', back.pathname + back.search, undefined, null);
  expect(callback.status, JSON.stringify(callback.body)).toBe(200);
  const saved = await stack.api('PUT', `/v1/tenants/${tenant}/integration/settings`, { settings: { ...vismaSettings, ...settings } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  for (const id of saved.body.importWorkflowIds as string[]) await stack.client.workflow.getHandle(id).result();
}

/**
 * Visma.net: sales orders through SalesOrders V3, with the work order PDF attached through the ERP API. The first
 * uploads are stored and then answered 504, so every case of the fault suite also retries an attachment: posting a
 * name again would make a new revision, which `attachments` reports as the name twice.
 */
export const vismaNetHarness: ProviderHarness = {
  provider: 'visma-net',
  async start() {
    const fake = await startFakeVismaNet({ seed: { customers: 30, nonStockItems: 20, otherItems: 4 } });
    fake.faults.moreTimeoutsAfterCommit.push({ method: 'POST', path: 'salesorder/orderType', count: 3 });
    // Simon's PDF storage: every work order has its PDF.
    const pdfs = http.createServer((req, res) => {
      const body = Buffer.from(`%PDF-1.4\n% ${req.url ?? ''}\n%%EOF\n`);
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(body.length) }).end(body);
    });
    await new Promise<void>((resolve) => pdfs.listen(0, '127.0.0.1', resolve));
    const pdfBase = `http://127.0.0.1:${(pdfs.address() as AddressInfo).port}`;
    const documentId = (o: { type: string; orderId: string }) => `salesorder/${o.type}/${o.orderId}`;
    return {
      env: { VISMA_NET_BASE_URL: fake.url, VISMA_NET_SALESORDER_BASE_URL: fake.salesOrderUrl, VISMA_CONNECT_BASE_URL: fake.connectUrl },
      activate: (stack, tenant, settings) => activateVismaNet(stack, tenant, settings),
      deactivateWarehouse: (id) => {
        for (const w of fake.data.warehouses) if (w.warehouseID === id) w.active = false;
      },
      controlOrigin: new URL(fake.url).origin,
      receivedCreates: () => fake.data.receivedCreates ?? [],
      documents: () => [
        ...fake.data.salesOrders.map((o) => ({ id: documentId(o), customer: o.customer.id })),
        ...fake.data.invoices.map((i) => ({ id: `customerinvoice/${i.referenceNumber}`, customer: i.customer.number })),
      ],
      attachments: (id) => {
        const doc = fake.data.salesOrders.find((o) => documentId(o) === id) ?? fake.data.invoices.find((i) => `customerinvoice/${i.referenceNumber}` === id);
        return (doc?.attachments ?? []).flatMap((a) => Array.from({ length: a.revision }, () => a.name));
      },
      pdfUrl: (workOrderId) => `${pdfBase}/werkbon/${encodeURIComponent(workOrderId)}.pdf`,
      faults: fake.faults,
      createCall: { method: 'POST', path: 'SalesOrders' },
      failCreate: (status, retryAfterSeconds) => ({ method: 'POST', path: 'SalesOrders', status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
      check: async () => ({ credentials: await oauthTokens('visma-net', { VISMA_CONNECT_BASE_URL: fake.connectUrl }), settings: vismaSettings }),
      stop: async () => {
        await fake.stop();
        await new Promise((r) => pdfs.close(r));
      },
    };
  },
};
