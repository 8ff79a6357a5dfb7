import { and, asc, count, desc, eq, ilike, inArray, isNull, max, or, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { ProviderId } from '../../lib/providers.js';
import {
  articleGroups, articles, customers, importedQuotes, wipeableTableNames, wipeableTables, workAddresses, workOrderMaterials, workOrders,
  type WipeableTable, type WorkAddressOrigin, type WorkOrderStatus,
} from '../schema.js';

/** Reads (and the one write, adding a work address) on the Simon data for the Simon backend. */

export interface PageOptions {
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  /** Offset of the next page, null on the last page. */
  nextOffset: number | null;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

function pageBounds(opts: PageOptions): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
  const offset = Math.max(Math.trunc(opts.offset ?? 0), 0);
  return { limit, offset };
}

/** Fetches limit + 1 rows to know whether there is a next page. */
function toPage<T>(rows: T[], limit: number, offset: number): Page<T> {
  return { items: rows.slice(0, limit), nextOffset: rows.length > limit ? offset + limit : null };
}

/** `%term%` for ILIKE, with the pattern characters in the user's term taken literally. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export type Customer = typeof customers.$inferSelect;
export type WorkAddress = typeof workAddresses.$inferSelect;
export type ArticleGroup = typeof articleGroups.$inferSelect;
export type Article = typeof articles.$inferSelect & { group: Pick<ArticleGroup, 'id' | 'code' | 'description'> | null };
export type WorkOrderMaterial = typeof workOrderMaterials.$inferSelect;
/** The quote or order a work order was made from (`integration.imported_quotes`, docs/quotes.md). */
export interface WorkOrderOrigin {
  provider: ProviderId;
  kind: 'quote' | 'salesOrder';
  quoteId: string;
  quoteNumber: string | null;
  importedAt: Date;
}

/** The work order's work address, as the office needs it to plan the work. */
export type WorkOrderAddress = Pick<WorkAddress, 'id' | 'name' | 'street' | 'postalCode' | 'city' | 'country' | 'origin' | 'active'>;

export type WorkOrder = typeof workOrders.$inferSelect & {
  materials: WorkOrderMaterial[];
  /** null for a work order made in Simon (or one whose import record is gone). */
  origin: WorkOrderOrigin | null;
  /** null when it has none (or it no longer exists). */
  workAddress: WorkOrderAddress | null;
};

export async function listCustomers(
  database: Database,
  tenantId: string,
  opts: PageOptions & { active?: boolean; q?: string } = {},
): Promise<Page<Customer>> {
  const { limit, offset } = pageBounds(opts);
  const where: SQL[] = [eq(customers.tenantId, tenantId)];
  if (opts.active !== undefined) where.push(eq(customers.active, opts.active));
  const q = opts.q?.trim();
  if (q) {
    const pattern = containsPattern(q);
    where.push(or(ilike(customers.name, pattern), ilike(customers.number, pattern))!);
  }
  const rows = await database.db
    .select()
    .from(customers)
    .where(and(...where))
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(limit + 1)
    .offset(offset);
  return toPage(rows, limit, offset);
}

export async function customerExists(database: Database, tenantId: string, customerId: string): Promise<boolean> {
  const rows = await database.db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), eq(customers.id, customerId)))
    .limit(1);
  return rows.length > 0;
}

export async function listWorkAddresses(
  database: Database,
  tenantId: string,
  opts: PageOptions & { customerId?: string; active?: boolean; origin?: WorkAddressOrigin } = {},
): Promise<Page<WorkAddress>> {
  const { limit, offset } = pageBounds(opts);
  const where: SQL[] = [eq(workAddresses.tenantId, tenantId)];
  if (opts.customerId) where.push(eq(workAddresses.customerId, opts.customerId));
  if (opts.active !== undefined) where.push(eq(workAddresses.active, opts.active));
  if (opts.origin) where.push(eq(workAddresses.origin, opts.origin));
  const rows = await database.db
    .select()
    .from(workAddresses)
    .where(and(...where))
    .orderBy(asc(workAddresses.customerId), asc(workAddresses.createdAt), asc(workAddresses.id))
    .limit(limit + 1)
    .offset(offset);
  return toPage(rows, limit, offset);
}

export interface NewWorkAddress {
  customerId: string;
  name?: string | null;
  street: string;
  postalCode: string;
  city: string;
  country?: string | null;
}

/**
 * Adds a work address made in Simon (origin `simon`, never written back to the accounting package).
 * Returns null when the customer does not exist for this tenant. The customer row is share-locked so a
 * concurrent cleanup cannot delete it between the check and the insert.
 */
export async function addWorkAddress(database: Database, tenantId: string, input: NewWorkAddress): Promise<WorkAddress | null> {
  return database.db.transaction(async (tx) => {
    const [customer] = await tx
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.tenantId, tenantId), eq(customers.id, input.customerId)))
      .for('share');
    if (!customer) return null;
    const now = new Date();
    const [row] = await tx
      .insert(workAddresses)
      .values({
        tenantId,
        customerId: customer.id,
        name: input.name ?? null,
        street: input.street,
        postalCode: input.postalCode,
        city: input.city,
        country: input.country ?? null,
        origin: 'simon',
        createdAt: now,
        updatedAt: now,
        simonMutatedAt: now,
      })
      .returning();
    return row ?? null;
  });
}

export async function listArticleGroups(
  database: Database,
  tenantId: string,
  opts: PageOptions & { active?: boolean } = {},
): Promise<Page<ArticleGroup>> {
  const { limit, offset } = pageBounds(opts);
  const where: SQL[] = [eq(articleGroups.tenantId, tenantId)];
  if (opts.active !== undefined) where.push(eq(articleGroups.active, opts.active));
  const rows = await database.db
    .select()
    .from(articleGroups)
    .where(and(...where))
    .orderBy(asc(articleGroups.code), asc(articleGroups.id))
    .limit(limit + 1)
    .offset(offset);
  return toPage(rows, limit, offset);
}

export async function listArticles(
  database: Database,
  tenantId: string,
  opts: PageOptions & { active?: boolean; q?: string; groupId?: string } = {},
): Promise<Page<Article>> {
  const { limit, offset } = pageBounds(opts);
  const where: SQL[] = [eq(articles.tenantId, tenantId)];
  if (opts.active !== undefined) where.push(eq(articles.active, opts.active));
  if (opts.groupId) where.push(eq(articles.groupId, opts.groupId));
  const q = opts.q?.trim();
  if (q) {
    const pattern = containsPattern(q);
    where.push(or(ilike(articles.code, pattern), ilike(articles.description, pattern))!);
  }
  // The group is found by its id or, when a sync only stored the provider's group id, by that external id.
  const groupJoin = or(
    eq(articles.groupId, articleGroups.id),
    and(isNull(articles.groupId), eq(articleGroups.tenantId, articles.tenantId), eq(articleGroups.externalId, articles.groupExternalId)),
  );
  const rows = await database.db
    .select({ article: articles, group: { id: articleGroups.id, code: articleGroups.code, description: articleGroups.description } })
    .from(articles)
    .leftJoin(articleGroups, groupJoin)
    .where(and(...where))
    .orderBy(asc(articles.code), asc(articles.id))
    .limit(limit + 1)
    .offset(offset);
  return toPage(rows.map((r) => ({ ...r.article, group: r.group })), limit, offset);
}

export async function listWorkOrders(
  database: Database,
  tenantId: string,
  opts: PageOptions & { source?: 'simon' | 'quote'; status?: WorkOrderStatus } = {},
): Promise<Page<WorkOrder>> {
  const { limit, offset } = pageBounds(opts);
  const where: SQL[] = [eq(workOrders.tenantId, tenantId)];
  if (opts.source) where.push(eq(workOrders.source, opts.source));
  if (opts.status) where.push(eq(workOrders.status, opts.status));
  const rows = await database.db
    .select()
    .from(workOrders)
    .where(and(...where))
    .orderBy(desc(workOrders.createdAt), asc(workOrders.id))
    .limit(limit + 1)
    .offset(offset);
  const page = toPage(rows, limit, offset);
  const ids = page.items.map((w) => w.id);
  const materials = ids.length
    ? await database.db
        .select()
        .from(workOrderMaterials)
        .where(and(eq(workOrderMaterials.tenantId, tenantId), inArray(workOrderMaterials.workOrderId, ids)))
        .orderBy(asc(workOrderMaterials.workOrderId), asc(workOrderMaterials.position), asc(workOrderMaterials.id))
    : [];
  const byOrder = new Map<string, WorkOrderMaterial[]>();
  for (const m of materials) {
    const list = byOrder.get(m.workOrderId) ?? [];
    list.push(m);
    byOrder.set(m.workOrderId, list);
  }
  const fromQuotes = page.items.filter((w) => w.source === 'quote').map((w) => w.id);
  const origins = fromQuotes.length
    ? await database.db
        .select({
          workOrderId: importedQuotes.workOrderId, provider: importedQuotes.provider, kind: importedQuotes.kind, quoteId: importedQuotes.quoteId,
          quoteNumber: importedQuotes.number, importedAt: importedQuotes.createdAt,
        })
        .from(importedQuotes)
        .where(and(eq(importedQuotes.tenantId, tenantId), inArray(importedQuotes.workOrderId, fromQuotes)))
    : [];
  const originOf = new Map(origins.map(({ workOrderId, ...o }) => [workOrderId, o]));
  const addressIds = [...new Set(page.items.map((w) => w.workAddressId).filter((id): id is string => id !== null))];
  const addresses = addressIds.length
    ? await database.db
        .select({
          id: workAddresses.id, name: workAddresses.name, street: workAddresses.street, postalCode: workAddresses.postalCode, city: workAddresses.city,
          country: workAddresses.country, origin: workAddresses.origin, active: workAddresses.active,
        })
        .from(workAddresses)
        .where(and(eq(workAddresses.tenantId, tenantId), inArray(workAddresses.id, addressIds)))
    : [];
  const addressOf = new Map(addresses.map((a) => [a.id, a]));
  return {
    ...page,
    items: page.items.map((w) => ({
      ...w,
      materials: byOrder.get(w.id) ?? [],
      origin: originOf.get(w.id) ?? null,
      workAddress: (w.workAddressId && addressOf.get(w.workAddressId)) || null,
    })),
  };
}

export interface TableActivity {
  /** Dutch name of the wipe screen. */
  table: WipeableTable;
  rowCount: number;
  /** "Simon Mutatie": newest simon_mutated_at. */
  lastSimonMutation: Date | null;
  /** "Integratie Update": newest integration_updated_at. */
  lastIntegrationUpdate: Date | null;
}

/** Row count and newest Simon/integration change of the given wipeable tables for one tenant, in the given order. */
export async function tableActivity(
  database: Database,
  tenantId: string,
  tables: readonly WipeableTable[] = wipeableTableNames,
): Promise<TableActivity[]> {
  return Promise.all(
    tables.map(async (name) => {
      const t = wipeableTables[name];
      const [row] = await database.db
        .select({ rowCount: count(), lastSimonMutation: max(t.simonMutatedAt), lastIntegrationUpdate: max(t.integrationUpdatedAt) })
        .from(t)
        .where(eq(t.tenantId, tenantId));
      return {
        table: name,
        rowCount: row?.rowCount ?? 0,
        lastSimonMutation: row?.lastSimonMutation ?? null,
        lastIntegrationUpdate: row?.lastIntegrationUpdate ?? null,
      };
    }),
  );
}

/** The wipe screen (docs/activation.md): per wipeable table the row count, last Simon mutation and last integration update. */
export function simonTables(database: Database, tenantId: string): Promise<TableActivity[]> {
  return tableActivity(database, tenantId, wipeableTableNames);
}
