/**
 * `npm run db:migrate`: applies the migrations in db/migrations to DATABASE_URL and exits
 * (the one-shot `migrate` service of docker-compose.yml runs this before the API and workers start).
 */
import { runMigrations } from '../db/client.js';
import { loadEnvOrExit } from '../lib/env.js';
import { createLogger } from '../lib/logger.js';

const env = loadEnvOrExit();
const logger = createLogger(env, { service: 'migrate' });

if (!env.DATABASE_URL) {
  logger.fatal({ field: 'DATABASE_URL' }, 'DATABASE_URL is required for migrations');
  process.exit(1);
}

runMigrations(env.DATABASE_URL).then(
  () => {
    logger.info('migrations applied');
    process.exit(0);
  },
  (err: unknown) => {
    logger.fatal({ err }, 'migrations failed');
    process.exit(1);
  },
);
