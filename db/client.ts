import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export interface Database {
  /** drizzle, for ordinary queries. */
  db: Db;
  /**
   * A separate raw postgres.js client for bulk upserts: drizzle replaces its own client's date
   * serializers, and its insert builder is CPU-bound (~13k rows/s vs ~50k, perf-baselines §1).
   */
  sql: Sql;
  close(): Promise<void>;
}

export function connectDatabase(url: string, opts: { max?: number } = {}): Database {
  const max = opts.max ?? 10;
  // A database that does not answer fails a request within seconds (the API answers 503), not after postgres.js's 30 s.
  const options = { max, onnotice: () => {}, connect_timeout: 5 };
  const drizzleClient = postgres(url, options);
  const sql = postgres(url, options);
  const db = drizzle(drizzleClient, { schema });
  return {
    db,
    sql,
    async close() {
      await Promise.all([drizzleClient.end({ timeout: 5 }), sql.end({ timeout: 5 })]);
    },
  };
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function runMigrations(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}
