import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import type { ActivityDeps } from './types.js';
import { currentRun } from './log.js';
import {
  endDelivery, hasPendingDeliveries, loadDelivery, nextPendingDeliveries, pendingEndpointIds, recordAttempt, tenantsWithStrandedDeliveries,
} from '../db/queries/events.js';
import { eventEnvelope, startEventDelivery } from '../lib/events.js';
import { activityLogger } from '../lib/logger.js';

/** Failure type of an attempt the endpoint did not accept (Temporal retries it with backoff for up to a day). */
export const WEBHOOK_REJECTED = 'WebhookDeliveryFailed';
const DELIVERY_TIMEOUT_MS = 10_000;
/** A receiver's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
const SWEEP_BATCH = 500;

/**
 * After a commit that wrote events: wake the tenant's deliverer (docs/events.md). Never fails the caller, whose
 * state change is committed already: a kick that does not happen is made up by the sweep.
 */
export async function kickEvents(deps: Pick<ActivityDeps, 'database' | 'temporal' | 'taskQueue'>, tenantId: string): Promise<void> {
  try {
    if (await hasPendingDeliveries(deps.database, tenantId)) await startEventDelivery(deps.temporal, deps.taskQueue, tenantId);
  } catch (err) {
    activityLogger().warn({ tenantId, err: String((err as Error)?.message ?? err) }, 'event delivery not kicked; the sweep will start it');
  }
}

export interface DeliveryOutcome {
  status: 'delivered' | 'failed' | 'cancelled' | 'pending' | 'gone';
  statusCode: number | null;
}

/** Signs the body with every secret in force (Standard Webhooks: space-separated `v1,<base64>` signatures). */
function sign(secrets: string[], id: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

export function eventActivities(deps: ActivityDeps) {
  return {
    async pendingEventEndpoints(input: { tenantId: string }): Promise<string[]> {
      return pendingEndpointIds(deps.database, input.tenantId);
    },

    async pendingDeliveries(input: { tenantId: string; endpointId: string; limit: number }) {
      return nextPendingDeliveries(deps.database, input.tenantId, input.endpointId, input.limit);
    },

    /**
     * One HTTP attempt of one delivery; each attempt is an activity attempt in the Temporal UI and a row of the
     * delivery log. Anything but a 2xx throws, and Temporal tries again with backoff (the receiver's Retry-After honoured).
     */
    async deliverEvent(input: { deliveryId: number }): Promise<DeliveryOutcome> {
      const delivery = await loadDelivery(deps.database, input.deliveryId);
      if (!delivery) return { status: 'gone', statusCode: null };
      if (delivery.status !== 'pending') return { status: delivery.status, statusCode: null };
      if (!delivery.endpoint.enabled) {
        await endDelivery(deps.database, delivery.id, 'cancelled', 'endpoint uitgeschakeld');
        return { status: 'cancelled', statusCode: null };
      }
      const secrets = delivery.sealedSecrets.map((sealed) => deps.sealer.open<string>(sealed));
      const body = JSON.stringify(eventEnvelope(delivery.event));
      const at = new Date();
      const started = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      let wait: number | undefined;
      try {
        const res = await fetch(delivery.endpoint.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'simon-integrations-events/1',
            'webhook-id': delivery.event.id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': sign(secrets, delivery.event.id, at, body),
          },
          body,
        });
        statusCode = res.status;
        // What the receiver said, briefly, for the delivery log (its body is its own text, never ours).
        const said = (await res.text().catch(() => '')).slice(0, 200).trim();
        if (res.status < 200 || res.status >= 300) {
          error = `HTTP ${res.status}${said ? `: ${said}` : ''}`;
          wait = retryAfterMs(res.headers.get('retry-after'));
        }
      } catch (err) {
        error = (err as Error)?.name === 'TimeoutError' ? `geen antwoord binnen ${DELIVERY_TIMEOUT_MS / 1000} s` : String((err as Error)?.message ?? err);
      }
      const durationMs = Math.round(performance.now() - started);
      await recordAttempt(deps.database, {
        deliveryId: delivery.id, attempt: Context.current().info.attempt, durationMs, statusCode, error, delivered: error === null, run: currentRun(),
      });
      if (error !== null) {
        throw ApplicationFailure.create({ type: WEBHOOK_REJECTED, message: error, ...(wait !== undefined ? { nextRetryDelay: wait } : {}) });
      }
      return { status: 'delivered', statusCode };
    },

    /** Retries ran out (a day): the delivery is failed, with the last error; the next events follow. Redeliver sends it again. */
    async markDeliveryFailed(input: { deliveryId: number; message: string }): Promise<void> {
      await endDelivery(deps.database, input.deliveryId, 'failed', input.message);
    },

    /** The per-minute sweep: kicks the deliverer of every tenant with a delivery nobody started (docs/events.md). */
    async resumeStrandedEvents(): Promise<{ tenants: number }> {
      const olderThanMs = Math.max(2_000, Math.min(deps.env.EVENT_SWEEP_INTERVAL, 30_000));
      const tenants = await tenantsWithStrandedDeliveries(deps.database, { olderThanMs, limit: SWEEP_BATCH });
      for (const tenantId of tenants) await startEventDelivery(deps.temporal, deps.taskQueue, tenantId);
      return { tenants: tenants.length };
    },
  };
}
