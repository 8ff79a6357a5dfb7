import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReplayError, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { createDataConverter } from '../../lib/codec.js';
import { payloadsIn } from '../codec/history-walk.js';
import { bundleWorkflows } from '../../activities/worker.js';
import { historyFile, replayEnv, workflowTypes } from './fixtures.js';

/**
 * Workflow code safety (issue 7): the committed histories (scripts/record-histories.ts, one completed run per
 * workflow type) must replay against the current workflow code. A failure here means a change would break
 * running workflows: make it with `patched()` or a new workflow type, and re-record only for a deliberate,
 * compatible change. The histories are encrypted, so replay decodes them with the product's data converter.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const dataConverter = createDataConverter(replayEnv());
let types: string[];
let current: WorkflowBundleWithSourceMap;

let nondeterministic: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The test-only, deliberately changed copy of the export workflow (test/replay/nondeterministic). */
const changedBundle = () => (nondeterministic ??= bundleWorkflows({ workflowsPath: path.join(here, 'nondeterministic', 'workflows.ts') }));

const load = (type: string) => ({ workflowId: type, history: JSON.parse(readFileSync(historyFile(type), 'utf8')) as unknown });

beforeAll(async () => {
  types = await workflowTypes();
  current = await bundleWorkflows();
});

describe('replay of recorded histories', () => {
  it('has a recorded history for every workflow type the worker registers', () => {
    const missing = types.filter((t) => !existsSync(historyFile(t)));
    expect(missing, 'run `npx tsx scripts/record-histories.ts` to record them').toEqual([]);
    expect(types.length).toBeGreaterThanOrEqual(7);
  });

  it('replays every history against the current workflow code without a determinism error', async () => {
    const replayed: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: current, dataConverter, replayName: 'committed-histories' }, types.filter((t) => existsSync(historyFile(t))).map(load))) {
      expect(result.error, `${result.workflowId}: ${result.error?.message}`).toBeUndefined();
      replayed.push(result.workflowId);
    }
    expect(replayed.sort()).toEqual(types.filter((t) => existsSync(historyFile(t))).sort());
  });

  it('holds encrypted payloads only, search attributes (ids) aside, so committing them shows no workflow data', () => {
    for (const type of types.filter((t) => existsSync(historyFile(t)))) {
      const text = readFileSync(historyFile(type), 'utf8');
      expect(text).not.toContain('fs-demo-api-key');
      const payloads = payloadsIn(historyFromJSON(JSON.parse(text)));
      expect(payloads.length, type).toBeGreaterThan(0);
      for (const { path: at, payload } of payloads) {
        const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8');
        if (at.includes('searchAttributes')) {
          // Ours (TenantId, Provider, WorkOrderId) and Temporal's own for scheduled runs.
          expect(at, `${type} ${at}`).toMatch(/\.(TenantId|Provider|WorkOrderId|TemporalScheduledById|TemporalScheduledStartTime)$/);
        } else {
          expect(encoding, `${type} ${at}`).toBe('binary/encrypted');
        }
      }
    }
  });
});

describe('a non-deterministic change', () => {
  it('is reported as a determinism violation when its history is replayed', async () => {
    const changed = await changedBundle();
    const err = await Worker.runReplayHistory({ workflowBundle: changed, dataConverter, replayName: 'nondeterministic' }, load('exportWorkOrderWorkflow').history, 'export').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/nondetermin/i);
  });

  it('is reported per history by runReplayHistories, the batch form the first test uses', async () => {
    const changed = await changedBundle();
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: changed, dataConverter, replayName: 'nondeterministic-batch' }, [load('exportWorkOrderWorkflow')])) results.push(r);
    expect(results).toHaveLength(1);
    expect(results[0].error).toBeInstanceOf(DeterminismViolationError);
  });
});

describe('replay and the codec', () => {
  it('cannot replay the encrypted histories without the data converter (so the passing replay above did decode them)', async () => {
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: current, replayName: 'no-codec' }, [load('exportWorkOrderWorkflow')])) results.push(r);
    expect(results[0].error).toBeInstanceOf(ReplayError);
    expect(results[0].error!.message).toMatch(/workflow task failure/);
  });
});
