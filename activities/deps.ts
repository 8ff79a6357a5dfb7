import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { Database } from '../db/client.js';
import type { Env } from '../lib/env.js';
import type { CredentialSealer } from '../lib/crypto.js';
import type { Connector, ConnectorContext, ProviderCredentials } from '../connectors/types.js';
import type { ProviderId } from '../lib/providers.js';
import { readCredentialRow, replaceCredentials } from '../db/queries/integration.js';
import { logEntries, type LogTable, type Severity } from '../db/schema.js';
import type { LogText } from '../lib/messages.js';

export interface ActivityDeps {
  database: Database;
  env: Env;
  sealer: CredentialSealer;
  /** For activities that manage schedules. */
  temporal: Client;
  taskQueue: string;
  createConnector: (provider: ProviderId, ctx: ConnectorContext) => Connector;
  baseUrl: (provider: ProviderId) => string;
}

/** The workflow run an activity belongs to, for the log's link to the Temporal UI. */
export function currentRun(): { workflowId: string | null; runId: string | null } {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId ?? null, runId: info.workflowExecution?.runId ?? null };
  } catch {
    return { workflowId: null, runId: null };
  }
}

/**
 * Builds the tenant's connector with its decrypted credentials. Credentials are read here, inside the
 * activity, and never passed through workflow arguments or results. `pending` picks the credentials being connected.
 */
export async function connectorFor(deps: ActivityDeps, tenantId: string, provider: ProviderId, opts: { pending?: boolean } = {}): Promise<Connector> {
  const row = await readCredentialRow(deps.database, tenantId);
  const sealed = opts.pending ? row?.pendingSealed : row?.sealed;
  if (!sealed) throw new Error(`No ${opts.pending ? 'pending ' : ''}credentials stored for tenant ${tenantId}`);
  const credentials = deps.sealer.open<ProviderCredentials>(sealed);
  return deps.createConnector(provider, {
    baseUrl: deps.baseUrl(provider),
    credentials,
    onCredentialsRefreshed: async (fresh) => replaceCredentials(deps.database, tenantId, deps.sealer.seal(fresh)),
  });
}

export async function writeLog(
  deps: ActivityDeps,
  entry: { tenantId: string; severity: Severity; table: LogTable; text: LogText; simonId?: string | null; providerId?: string | null },
): Promise<void> {
  const run = currentRun();
  await deps.database.db.insert(logEntries).values({
    tenantId: entry.tenantId,
    severity: entry.severity,
    table: entry.table,
    message: entry.text.message,
    action: entry.text.action,
    simonId: entry.simonId ?? null,
    providerId: entry.providerId ?? null,
    workflowId: run.workflowId,
    runId: run.runId,
  });
}
