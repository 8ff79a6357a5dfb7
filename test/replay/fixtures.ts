import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, type Env } from '../../lib/env.js';

/**
 * Shared by scripts/record-histories.ts and replay.test.ts. The recorded histories are encrypted with this key,
 * committed on purpose: they hold fake data only (the fake FactuurSturen), and replay must decode them with the
 * same codec the product uses.
 */
export const REPLAY_PAYLOAD_KEYS = 'replay-1:NaRsMIApMGc19ANqvjLk2RcU3iJH0j5DBMdxcxz2In8=';

export const replayEnv = (extra: Record<string, string> = {}): Env => parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PAYLOAD_KEYS: REPLAY_PAYLOAD_KEYS, ...extra });

export const historiesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories');
export const historyFile = (workflowType: string) => path.join(historiesDir, `${workflowType}.json`);

/** Tenant and task queue of the recording: fixed, so re-recording gives small diffs. */
export const recordedTenant = 'replay-tenant';
export const recordedTaskQueue = 'record-histories';

/** Every workflow type the worker registers: the functions exported by workflows/index.ts. */
export async function workflowTypes(): Promise<string[]> {
  const mod: Record<string, unknown> = await import('../../workflows/index.js');
  return Object.entries(mod)
    .filter(([, v]) => typeof v === 'function')
    .map(([name]) => name)
    .sort();
}
