import type { Database } from '../client.js';

/** A tenant is known to the integration once it has a row in integration.integrations. */
export async function tenantExists(database: Database, tenantId: string): Promise<boolean> {
  // Every request under /v1/tenants/{tenant} asks this first: the raw client, without a query builder.
  const rows = await database.sql`select 1 from integration.integrations where tenant_id = ${tenantId} limit 1`;
  return rows.length > 0;
}
