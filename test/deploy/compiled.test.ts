import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { connectDatabase } from '../../db/client.js';
import { createDataConverter } from '../../lib/codec.js';
import { parseEnv } from '../../lib/env.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { syncWorkflow } from '../../workflows/index.js';
import { createScratchDatabase } from '../../scripts/local/postgres-server.js';
import { freePort, projectRoot } from '../../scripts/local/temporal-server.js';
import { eventually } from '../helpers/stack.js';
import { exitWithin, startCompiledService, type ServiceProcess } from './process.js';

/**
 * The compiled production build (issue 14, ARCHITECTURE.md "Build and deploy"): `npm run build` writes dist/, and
 * its entry points run under plain Node (no tsx), as the Docker image runs them.
 */

const distDir = path.join(projectRoot, 'dist');
const started: ServiceProcess[] = [];
let connection: Connection | undefined;

function npmRunBuild(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: projectRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  const build = await npmRunBuild();
  expect(build.code, build.output).toBe(0);
}, 600_000);

afterAll(async () => {
  for (const s of started) s.kill();
  await connection?.close();
});

describe('npm run build', () => {
  it('writes the compiled entry points, the migrations and the workflow bundle, and no test doubles', () => {
    for (const file of ['scripts/worker.js', 'scripts/api.js', 'scripts/migrate.js', 'workflow-bundle.js', 'lib/failure-converter.cjs', 'db/migrations/meta/_journal.json']) {
      expect(existsSync(path.join(distDir, file)), file).toBe(true);
    }
    const top = readdirSync(distDir);
    for (const folder of ['fakes', 'test', 'bench']) expect(top).not.toContain(folder);
    expect(readdirSync(path.join(distDir, 'scripts'))).not.toContain('local');
    expect(readdirSync(path.join(distDir, 'scripts'))).not.toContain('start.js');
  });

  it('node dist/scripts/migrate.js applies the migrations to an empty database', async () => {
    const url = await createScratchDatabase(inject('pgServerUrl'), `t_compiled_migrate_${randomBytes(4).toString('hex')}`);
    const migrate = startCompiledService('migrate.js', { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: url });
    started.push(migrate);
    expect(await exitWithin(migrate, 60_000), migrate.stderr.join('')).toBe(0);
    expect(migrate.lines.join('\n')).toContain('migrations applied');
    const database = connectDatabase(url, { max: 1 });
    try {
      const [row] = await database.sql<{ exports: string | null }[]>`select to_regclass('integration.document_exports')::text as exports`;
      expect(row.exports).toBe('integration.document_exports');
    } finally {
      await database.close();
    }
  });

  it('node dist/scripts/api.js answers /v1/health, the API reference and /metrics, and exits 0 on SIGTERM', async () => {
    const url = await createScratchDatabase(inject('pgServerUrl'), `t_compiled_api_${randomBytes(4).toString('hex')}`);
    const migrate = startCompiledService('migrate.js', { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: url });
    started.push(migrate);
    expect(await exitWithin(migrate, 60_000)).toBe(0);
    const port = await freePort();
    const api = startCompiledService('api.js', { NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: String(port), DATABASE_URL: url, TEMPORAL_ADDRESS: inject('temporalAddress') });
    started.push(api);
    await api.waitForLine((e) => e.msg === 'API listening');
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/v1/health`)).json()).toEqual({ status: 'ok' });
    const docs = await fetch(`${base}/v1/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/v1/openapi.json');
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('simon_exports{provider="factuursturen",state="sent"} 0');
    api.child.kill('SIGTERM');
    expect(await exitWithin(api, 30_000), api.stderr.join('')).toBe(0);
  });

  it('node dist/scripts/worker.js loads the prebuilt bundle, polls its task queue, counts a failed activity in its SDK metrics, and exits 0 on SIGTERM', async () => {
    const url = await createScratchDatabase(inject('pgServerUrl'), `t_compiled_worker_${randomBytes(4).toString('hex')}`);
    const metricsPort = await freePort();
    const taskQueue = `test-compiled-${randomBytes(3).toString('hex')}`;
    const address = inject('temporalAddress');
    const worker = startCompiledService('worker.js', {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      EXPORT_SWEEP_INTERVAL: '0',
      WORKER_SHUTDOWN_GRACE: '2s',
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    });
    started.push(worker);
    const bundle = await worker.waitForLine((e) => e.msg === 'workflow bundle', 120_000);
    expect(bundle.workflowBundle).toBe(path.join(distDir, 'workflow-bundle.js'));
    await worker.waitForLine((e) => e.msg === 'worker started', 120_000);

    // Temporal itself sees the compiled worker polling for workflow tasks on its queue.
    connection = await Connection.connect({ address });
    await eventually(async () => {
      const queue = await connection!.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (queue.pollers?.length ?? 0) > 0;
    }, 30_000);

    // A sync for a tenant that was never activated: its first activity fails, and the SDK's metrics count it.
    const client = new Client({ connection, namespace: 'default', dataConverter: createDataConverter(parseEnv({ LOG_LEVEL: 'silent' })) });
    const tenant = `compiled-${randomBytes(3).toString('hex')}`;
    const handle = await client.workflow.start(syncWorkflow, {
      workflowId: workflowIds.sync(tenant, 'customers'),
      taskQueue,
      args: [{ tenantId: tenant, provider: 'factuursturen', scope: 'customers', initial: true }],
      ...runMeta({ tenantId: tenant, provider: 'factuursturen', kind: 'sync', detail: 'compiled worker test' }),
    });
    // The SDK's Prometheus exporter (WORKER_METRICS_ADDRESS) names the activity and workflow type (docs/metrics.md).
    const failed = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /^temporal_activity_execution_failed_total\{[^}]*\} [1-9]/m.test(text) ? text : undefined;
    }, 60_000, 250);
    const line = failed.split('\n').find((l) => l.startsWith('temporal_activity_execution_failed_total{'))!;
    expect(line).toContain('activity_type="importPages"');
    expect(line).toContain(`task_queue="${taskQueue}"`);
    expect(line).toContain('workflow_type="syncWorkflow"');
    expect(failed).toMatch(/^# TYPE temporal_activity_execution_latency histogram$/m);
    await handle.terminate('test done').catch(() => {});

    worker.child.kill('SIGTERM');
    expect(await exitWithin(worker, 30_000), worker.stderr.join('')).toBe(0);
    expect(worker.lines.join('\n')).toContain('worker stopped');
  }, 180_000);
});
