import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/errors.js';
import type { Connector, DocumentDraft, DocumentLookup, ListRequest, Page } from '../../connectors/types.js';
import { documentReference } from '../../lib/references.js';

/**
 * What every connector must do against its fake, whatever the provider (ARCHITECTURE.md "Connectors"; midday-style contract
 * tests). Provider-specific behaviour (fault shapes, field mapping) is tested next to each connector.
 */
export interface ContractFixture {
  connector: Connector;
  /** Same provider, wrong secret. */
  badCredentials: Connector;
  expected: { customers: number; articles: number; articleGroups: number };
  /** A draft for an existing customer and articles, with this unique reference. */
  draft(reference: string): DocumentDraft;
  stop(): Promise<void>;
}

export async function listAll<T>(list: (req: ListRequest) => Promise<Page<T>>, pageSize: number) {
  const records: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let total: number | undefined;
  do {
    const page: Page<T> = await list({ cursor, since: null, pageSize });
    records.push(...page.records);
    total = page.total ?? total;
    cursor = page.nextCursor;
    pages++;
    if (pages > 10_000) throw new Error('listing never ends');
  } while (cursor !== null);
  return { records, pages, total };
}

/** A look-up by our reference alone, as the connector tests ask it. */
export function lookupOf(reference: string): DocumentLookup {
  return { reference, customerExternalId: '', createdAfter: null, plan: null };
}

export function connectorContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`${name} connector contract`, () => {
    let f: ContractFixture;
    beforeAll(async () => {
      f = await setup();
    });
    afterAll(async () => {
      await f?.stop();
    });

    it.each([
      ['customers', 'listCustomers', 97],
      ['articles', 'listArticles', 40],
      ['articleGroups', 'listArticleGroups', 2],
    ] as const)('pages through all %s: every record exactly once', async (entity, method, pageSize) => {
      const { records, pages, total } = await listAll<{ externalId: string }>((req) => f.connector[method](req), pageSize);
      const ids = records.map((r) => r.externalId);
      expect(ids.length).toBe(f.expected[entity]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(pages).toBe(Math.max(1, Math.ceil(f.expected[entity] / pageSize)));
      if (total !== undefined) expect(total).toBe(f.expected[entity]);
    });

    it('refuses wrong credentials with a non-retryable auth error', async () => {
      const err = await f.badCredentials.verifyConnection().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', retryable: false });
    });

    it('creates a document once and finds it again by our reference', async () => {
      const workOrderId = `contract-${Date.now()}`;
      const reference = documentReference(f.connector.provider, 'contract-tenant', workOrderId, '9001');
      const draft = f.draft(reference);
      const plan = f.connector.planDocument ? await f.connector.planDocument(draft) : null;
      const lookup = { reference, customerExternalId: draft.customer.externalId, createdAfter: new Date(Date.now() - 60_000), plan };
      expect(await f.connector.findDocument(lookup)).toBeNull();
      const created = await f.connector.createDocument(draft, plan);
      expect(created.documentId).toBeTruthy();
      expect(await f.connector.findDocument(lookup)).toEqual(created);
    });
  });
}
