import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { integrations } from '../schema.js';

/** A tenant is known to the integration once it has a row in integration.integrations. */
export async function tenantExists(database: Database, tenantId: string): Promise<boolean> {
  const rows = await database.db
    .select({ one: sql<number>`1` })
    .from(integrations)
    .where(eq(integrations.tenantId, tenantId))
    .limit(1);
  return rows.length > 0;
}
