import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { QuotaGuard } from '../db/queries/quota.js';
import type { Connector, ConnectorContext } from '../connectors/types.js';
import type { CredentialSealer } from '../lib/crypto.js';
import type { Env } from '../lib/env.js';
import type { ProviderId } from '../lib/providers.js';

/** What every activity is built from (createActivities(deps)); the worker hands in the real ones, tests their own. */
export interface ActivityDeps {
  database: Database;
  env: Env;
  sealer: CredentialSealer;
  /** For activities that manage schedules. */
  temporal: Client;
  taskQueue: string;
  createConnector: (provider: ProviderId, ctx: ConnectorContext) => Connector;
  baseUrl: (provider: ProviderId) => string;
  /** The per-tenant API quota guard (lib/quota.ts); built from database and env when absent. */
  quota?: QuotaGuard;
}
