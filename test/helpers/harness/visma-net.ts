import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeVismaNet } from '../../../fakes/visma-net/server.js';
import { activate, vismaSettings } from '../activation.js';
import type { ProviderHarness } from './types.js';
import { oauthTokens } from './oauth-tokens.js';

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
      activate: async (stack, tenant, settings) => {
        await activate(stack, { provider: 'visma-net', tenant, settings });
      },
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
