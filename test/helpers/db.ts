import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectDatabase, runMigrations, type Database } from '../../db/client.js';
import { createScratchDatabase } from '../../scripts/local/postgres-server.js';

/** A fresh, migrated database for one test file. */
export async function freshDatabase(label = 'test'): Promise<{ url: string; database: Database }> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = await createScratchDatabase(inject('pgServerUrl'), name);
  await runMigrations(url);
  return { url, database: connectDatabase(url, { max: 5 }) };
}
