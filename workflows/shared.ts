import { ActivityFailure, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/**
 * What several workflows share (docs/workflows.md). Only activity proxies and plain control flow: a proxy issues no
 * command until one of its activities is called, so a workflow using these issues the commands it issued before.
 */

/** Database-only steps (mark an export failed, record a delivery): quick, retried up to 30 seconds apart. */
export const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** The per-minute sweeps: a failed sweep is tried three times, then the next minute's sweep takes over. */
export const sweeping = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } });

/** Retries of a tenant run; tests shorten them, in production attempts are minutes apart (the run is not urgent). */
export interface TenantRunRetry {
  initialInterval?: string;
  maximumAttempts?: number;
}

/** The one long, heartbeating activity of a tenant run (cleanup, reconciliation), with its time per attempt. */
export function tenantRunActivities(startToCloseTimeout: `${number} hour` | `${number} hours`, retry: TenantRunRetry | undefined) {
  return proxyActivities<Activities>({
    startToCloseTimeout,
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: retry?.initialInterval ?? '1 minute',
      backoffCoefficient: 2,
      maximumInterval: '30 minutes',
      maximumAttempts: retry?.maximumAttempts ?? 5,
    },
  });
}

/** The log entry of a tenant run that gave up: a few seconds apart, ten times. */
export const failureLog = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 10 },
});

/**
 * A tenant run (cleanup, reconciliation): `details` while it runs, its summary when done; a run that gives up (not
 * one cancelled) writes one error entry with the activity's last failure (`onGiveUp`) and ends failed, so it is red
 * in the UI.
 */
export async function tenantRun<R>(run: {
  details: string;
  work: () => Promise<R>;
  summary: (result: R) => string;
  onGiveUp: (cause: Error | undefined) => Promise<unknown>;
}): Promise<R> {
  setCurrentDetails(run.details);
  try {
    const result = await run.work();
    setCurrentDetails(run.summary(result));
    return result;
  } catch (err) {
    if (isCancellation(err)) throw err;
    await run.onGiveUp(err instanceof ActivityFailure ? err.cause : undefined);
    throw err;
  }
}
