import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { parseEnv, type Env } from '../../lib/env.js';
import { bundleWorkflows, createWorker } from '../../activities/worker.js';
import { createDataConverter } from '../../lib/codec.js';
import { deleteTenantSchedules } from '../../lib/schedules.js';
import { startFakeFactuurSturen, type FakeFactuurSturen } from '../../fakes/factuursturen/server.js';
import { freshDatabase } from './db.js';

export const tokens = {
  admin: 'test-admin-token',
  backend: 'test-backend-token',
  support: 'test-support-token',
} as const;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file (webpack takes about a second). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export interface Stack {
  env: Env;
  database: Database;
  fake: FakeFactuurSturen;
  client: Client;
  taskQueue: string;
  app: ReturnType<typeof createApp>;
  /** Calls the API in-process with a bearer token (admin unless given). */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  tenants: string[];
  stop(): Promise<void>;
}

/**
 * The real parts for an end-to-end test: a fresh migrated database, the fake FactuurSturen over real HTTP,
 * the shared Temporal dev server with a task queue of this stack's own, an in-process worker and the API.
 */
/**
 * The SDK's own logger prints every worker state change at INFO; tests keep warnings and errors only. A test file
 * that routes Temporal's logs itself (test/deploy/logs.test.ts) installs its runtime first, and that one stays.
 */
let runtimeChosen = false;
function quietTemporalRuntime(): void {
  if (runtimeChosen) return;
  runtimeChosen = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by the test file.
  }
}

export async function startStack(label: string, opts: { extraTokens?: string[]; env?: Record<string, string>; temporalAddress?: string } = {}): Promise<Stack> {
  quietTemporalRuntime();
  const { url, database } = await freshDatabase(label);
  const fake = await startFakeFactuurSturen();
  const address = opts.temporalAddress ?? inject('temporalAddress');
  const taskQueue = `test-${label}-${randomBytes(3).toString('hex')}`;
  const env = parseEnv({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_TOKENS: [`${tokens.admin}:admin`, `${tokens.backend}:backend`, `${tokens.support}:support`, ...(opts.extraTokens ?? [])].join(','),
    FACTUURSTUREN_BASE_URL: fake.url,
    LOG_LEVEL: 'silent',
    // A create in doubt is looked up again after this window (docs/exactly-once.md); tests that need the
    // production length pass their own.
    EXPORT_IN_DOUBT_WINDOW: '2s',
    // The sweep of stranded exports has its own test (test/e2e/stranded.test.ts); elsewhere it would only add load.
    EXPORT_SWEEP_INTERVAL: '0',
    // Likewise the event sweep (test/e2e/events.test.ts sets its own).
    EVENT_SWEEP_INTERVAL: '0',
    // Other providers' fakes: a test starts its own and passes e.g. { OCTOPUS_BASE_URL: fake.url }.
    ...(opts.env ?? {}),
  });
  const connection = await Connection.connect({ address });
  // The product's data converter (payload encryption), as every Temporal client of the product uses.
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
  const app = createApp({ database, env, temporal: { client, namespace: env.TEMPORAL_NAMESPACE, taskQueue, uiUrl: 'http://temporal-ui.test' } });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const stack: Stack = {
    env, database, fake, client, taskQueue, app, tenants: [],
    async api(method, path, body, token = tokens.admin) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.request(path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, body: parsed };
    },
    async startWorker() {
      nativeConnection ??= await NativeConnection.connect({ address });
      worker = await createWorker({
        connection: nativeConnection, client, database, env, taskQueue, namespace: env.TEMPORAL_NAMESPACE,
        workflowBundle: await workflowBundle(), shutdownGraceTime: '1 second',
      });
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    async stop() {
      for (const t of stack.tenants) await deleteTenantSchedules(client, t).catch(() => {});
      await stack.stopWorker();
      await nativeConnection?.close();
      await connection.close();
      await fake.stop();
      await database.close();
    },
  };
  await stack.startWorker();
  return stack;
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms${last ? `: ${String((last as Error).message ?? last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function uniqueTenant(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Triggers a schedule and returns the run it started. A trigger in the same second as the schedule's previous
 * action can be dropped by Temporal's scheduler (the action's workflow id carries the second), so it is repeated
 * until a new action shows, with generous deadlines for a busy machine.
 */
export async function runScheduleOnce(client: Client, scheduleId: string): Promise<{ workflowId: string; firstExecutionRunId: string }> {
  const schedule = client.schedule.getHandle(scheduleId);
  const before = (await schedule.describe()).info.numActionsTaken;
  for (let attempt = 1; ; attempt++) {
    await schedule.trigger();
    try {
      const action = await eventually(async () => {
        const d = await schedule.describe();
        return d.info.numActionsTaken > before ? d.info.recentActions.at(-1)!.action : undefined;
      }, 15_000, 200);
      return action.workflow;
    } catch (err) {
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 1100));
    }
  }
}
