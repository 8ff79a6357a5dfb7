import type { ProviderId } from '../../lib/providers.js';
import { randomUUID } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import type { Sql } from '../client.js';
import type { ArticleLookup, KnownArticle, QuoteWorkOrder } from '../../lib/quote.js';
import { chooseWorkAddress, hasAddress, type KnownWorkAddress } from '../../lib/address.js';
import type { ExternalAddress } from '../../lib/records.js';
import type { LogText } from '../../lib/messages.js';
import type { RunRef } from './sync.js';
import { emitEvent } from './events.js';

/**
 * Writes of the quote import (docs/quotes.md). A quote becomes a work order exactly once: the `imported_quotes`
 * row (unique per tenant, provider and quote id) is inserted in the same transaction as the work order, its
 * materials and its log entries, so a crash or a concurrent run either sees all of it or none of it.
 */

/** The quotes of a page that already became a work order. */
export async function importedQuoteIds(sql: Sql, tenantId: string, provider: ProviderId, quoteIds: readonly string[]): Promise<Set<string>> {
  if (quoteIds.length === 0) return new Set();
  const rows = await sql<{ quote_id: string }[]>`
    select quote_id from integration.imported_quotes
    where tenant_id = ${tenantId} and provider = ${provider} and quote_id = any(${quoteIds as string[]}::text[])`;
  return new Set(rows.map((r) => r.quote_id));
}

/**
 * The quote import's baseline (docs/quotes.md): the highest quote id that existed when the import was switched on.
 * Only newer quotes become work orders, so enabling the import never floods Simon with years of old quotes. It lives
 * with the integration's state, not in Simon's tables, so no wipe brings old quotes back.
 */
const BASELINE = 'quote_baseline';

/** undefined = never taken; '' = taken when the package had no quotes at all. */
export async function quoteBaseline(sql: Sql, tenantId: string): Promise<string | undefined> {
  const [row] = await sql<{ cursor: string | null }[]>`select cursor from integration.sync_state where tenant_id = ${tenantId} and entity = ${BASELINE}`;
  return row ? row.cursor ?? '' : undefined;
}

export async function setQuoteBaseline(sql: Sql, tenantId: string, highestId: string | null): Promise<void> {
  await sql`
    insert into integration.sync_state (tenant_id, entity, cursor, phase, last_success_at, updated_at)
    values (${tenantId}, ${BASELINE}, ${highestId ?? ''}, 'incremental', now(), now())
    on conflict (tenant_id, entity) do update set cursor = excluded.cursor, last_success_at = now(), updated_at = now()`;
}

export async function clearQuoteBaseline(sql: Sql, tenantId: string): Promise<void> {
  await sql`delete from integration.sync_state where tenant_id = ${tenantId} and entity = ${BASELINE}`;
}

export interface QuoteImportRequest {
  tenantId: string;
  provider: ProviderId;
  quoteId: string;
  /** A quote, or an order that already is a document (it is then never sent back as one). */
  kind: 'quote' | 'salesOrder';
  /** The number the firm knows the quote or order by. */
  number: string | null;
  customerExternalId: string | null;
  /** The address the quote/order gives for the work (Visma.net shipping address), or null: the work order's work address. */
  workAddress: ExternalAddress | null;
  /** Product ids and codes the quote lines name; only these articles are looked up. */
  articleKeys: { externalIds: string[]; codes: string[] };
  /** The pure rules (lib/quote.ts), given the articles known in Simon. */
  build: (articles: ArticleLookup) => QuoteWorkOrder;
  texts: {
    imported: (workOrderNumber: string) => LogText;
    lineWithoutArticle: (line: string) => LogText;
    customerUnknown: LogText;
    /** The entry of a work address made from the quote's address (table Werkadres). */
    workAddressAdded: LogText;
  };
  run: RunRef;
}

export type QuoteImportOutcome =
  | { kind: 'created'; workOrderId: string; number: string; linesWithoutArticle: number; workAddress: 'existing' | 'new' | 'none' }
  | { kind: 'already-imported'; workOrderId: string }
  /** Not imported: retried on the next run. `logged` is false when this quote's error entry already exists. */
  | { kind: 'customer-unknown'; logged: boolean };

export async function importQuote(sql: Sql, req: QuoteImportRequest): Promise<QuoteImportOutcome> {
  const { tenantId, provider, quoteId, run } = req;
  return sql.begin(async (tx) => {
    // One transaction per quote at a time, so two runs neither both import it nor both log the same error.
    await tx`select pg_advisory_xact_lock(hashtext(${`quote:${tenantId}:${provider}:${quoteId}`}))`;
    const [done] = await tx<{ work_order_id: string }[]>`
      select work_order_id from integration.imported_quotes where tenant_id = ${tenantId} and provider = ${provider} and quote_id = ${quoteId}`;
    if (done) return { kind: 'already-imported', workOrderId: done.work_order_id } as const;

    // Share locks keep a concurrent cleanup from deleting the customer or an article this work order is about to use.
    const [customer] = req.customerExternalId
      ? await tx<{ id: string; name: string }[]>`
          select id, name from simon.customers where tenant_id = ${tenantId} and external_id = ${req.customerExternalId} for share`
      : [];
    if (!customer) {
      // Logged once per quote: the retry every few minutes must not flood the log with the same error.
      const text = req.texts.customerUnknown;
      const [seen] = await tx`
        select 1 from integration.log_entries
        where tenant_id = ${tenantId} and table_name = 'Offerte' and severity = 'error' and provider_id = ${quoteId} and message = ${text.message}
        limit 1`;
      if (!seen) {
        await tx`
          insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
          values (${tenantId}, 'error', 'Offerte', ${text.message}, ${text.action}, null, ${quoteId}, ${run.workflowId}, ${run.runId})`;
      }
      return { kind: 'customer-unknown', logged: !seen } as const;
    }

    const { externalIds, codes } = req.articleKeys;
    // Only articles that came from the provider and are active: a local or inactive article cannot be booked later.
    const articleRows = externalIds.length + codes.length === 0 ? [] : await tx<{ id: string; code: string; external_id: string }[]>`
      select id, code, external_id from simon.articles
      where tenant_id = ${tenantId} and active and external_id is not null
        and (external_id = any(${externalIds}::text[]) or code = any(${codes}::text[]))
      order by code, external_id
      for share`;
    const byExternalId = new Map<string, KnownArticle>();
    const byCode = new Map<string, KnownArticle>();
    for (const a of articleRows) {
      byExternalId.set(a.external_id, { id: a.id, code: a.code });
      if (!byCode.has(a.code)) byCode.set(a.code, { id: a.id, code: a.code });
    }
    const wo = req.build({ byExternalId, byCode });

    const workOrderId = randomUUID();
    const address = await workAddressFor(tx, tenantId, customer, req.workAddress);
    if (address.added) {
      await tx`
        insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
        values (${tenantId}, 'info', 'Werkadres', ${req.texts.workAddressAdded.message}, ${req.texts.workAddressAdded.action}, ${address.id}, ${quoteId},
                ${run.workflowId}, ${run.runId})`;
    }
    await tx`
      insert into integration.imported_quotes (tenant_id, provider, quote_id, work_order_id, kind, number)
      values (${tenantId}, ${provider}, ${quoteId}, ${workOrderId}, ${req.kind}, ${req.number})`;
    await tx`
      insert into simon.work_orders (tenant_id, id, number, customer_id, work_address_id, description, customer_reference, status, source, source_quote_id,
                                     notes, simon_mutated_at, integration_updated_at)
      values (${tenantId}, ${workOrderId}, ${wo.number}, ${customer.id}, ${address.id}, ${wo.description}, ${wo.customerReference}, 'open', 'quote', ${quoteId},
              ${wo.notes}, now(), now())`;
    if (wo.materials.length > 0) {
      const materials = JSON.stringify(wo.materials.map((m, i) => ({ position: i + 1, article_id: m.articleId, description: m.description, quantity: m.quantity, price: m.price })));
      await tx`
        insert into simon.work_order_materials (tenant_id, work_order_id, position, article_id, description, quantity, price)
        select ${tenantId}, ${workOrderId}, position, article_id, description, quantity, price
        from json_to_recordset(${materials}::text::json) as x(position int, article_id uuid, description text, quantity numeric, price numeric)`;
    }
    const logs = [
      { severity: 'info', text: req.texts.imported(wo.number) },
      ...wo.linesWithoutArticle.map((line) => ({ severity: 'warning', text: req.texts.lineWithoutArticle(line) })),
    ];
    const entries = JSON.stringify(logs.map((l) => ({ severity: l.severity, message: l.text.message, action: l.text.action })));
    await tx`
      insert into integration.log_entries (tenant_id, severity, table_name, message, action, simon_id, provider_id, workflow_id, run_id)
      select ${tenantId}, severity, 'Offerte', message, action, ${workOrderId}, ${quoteId}, ${run.workflowId}, ${run.runId}
      from json_to_recordset(${entries}::text::json) as x(severity text, message text, action text)`;
    await emitEvent(tx, { tenantId, type: 'workorder.created', data: {
      workOrderId, workOrderNumber: wo.number, provider, source: req.kind, quoteId, quoteNumber: req.number, linesWithoutArticle: wo.linesWithoutArticle.length,
      workAddressId: address.id,
    } });
    return {
      kind: 'created', workOrderId, number: wo.number, linesWithoutArticle: wo.linesWithoutArticle.length,
      workAddress: address.id === null ? 'none' : address.added ? 'new' : 'existing',
    } as const;
  });
}

/**
 * The work address of the new work order (docs/quotes.md, rules in lib/address.ts): the customer's active work address
 * at the quote's address, else a new one of that customer (origin `quote-address`, no external id: like an address
 * added in Simon, the cleanup leaves it alone), else none. A lock per customer keeps two imports of orders to the
 * same new address from adding it twice.
 */
async function workAddressFor(
  tx: TransactionSql, tenantId: string, customer: { id: string; name: string }, address: ExternalAddress | null,
): Promise<{ id: string | null; added: boolean }> {
  if (!hasAddress(address)) return { id: null, added: false };
  await tx`select pg_advisory_xact_lock(hashtext(${`work-address:${tenantId}:${customer.id}`}))`;
  const known = await tx<KnownWorkAddress[]>`
    select id::text as id, street, postal_code as "postalCode", city, active from simon.work_addresses
    where tenant_id = ${tenantId} and customer_id = ${customer.id}
    order by created_at, id
    for share`;
  const choice = chooseWorkAddress(address, known);
  if (choice.kind === 'none') return { id: null, added: false };
  if (choice.kind === 'existing') return { id: choice.id, added: false };
  const a = choice.address;
  const [row] = await tx<{ id: string }[]>`
    insert into simon.work_addresses (tenant_id, customer_id, name, street, postal_code, city, country, external_id, origin, integration_updated_at)
    values (${tenantId}, ${customer.id}, ${a.name ?? customer.name}, ${a.street}, ${a.postalCode}, ${a.city}, ${a.country ?? null}, null, 'quote-address', now())
    returning id::text as id`;
  return { id: row.id, added: true };
}
