import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Context } from 'hono';
import { apiTexts } from '../lib/messages.js';
import { HttpError, conflict } from './errors.js';
import type { AppBindings, AppDeps } from './types.js';

/** The Temporal side of AppDeps, required by the routes that start workflows. */
export function temporalOf(c: Context<AppBindings>): NonNullable<AppDeps['temporal']> & { client: Client } {
  const t = c.get('deps').temporal;
  if (!t) throw new HttpError(503, 'unavailable', 'Temporal is not configured for this API');
  return t;
}

/**
 * Runs a short step workflow and waits for its result, mapping Temporal's failures to HTTP:
 * the same step already running → 409; the workflow failing (e.g. the provider unreachable after retries) → 503 `provider_unavailable`.
 */
export async function runStep<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(apiTexts.activation.stepRunning, 'conflict');
    if (err instanceof WorkflowFailedError) {
      const cause = (err.cause?.cause ?? err.cause) as Error | undefined;
      throw new HttpError(503, 'provider_unavailable', apiTexts.activation.stepFailed(cause?.message ?? err.message));
    }
    throw err;
  }
}

export function temporalRunUrl(uiUrl: string | undefined, namespace: string, workflowId: string, runId?: string | null): string | null {
  if (!uiUrl) return null;
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
