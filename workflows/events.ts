import {
  ActivityFailure, ApplicationFailure, condition, continueAsNew, defineSignal, proxyActivities, setCurrentDetails, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { bookkeeping, sweeping } from './shared.js';
import { EVENT_KICK_SIGNAL } from '../lib/runs.js';

/** Each HTTP attempt is one activity attempt (visible in the UI); backoff up to 10 minutes, for a day. */
const send = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** "There is something new": sent after every commit that wrote events, and by the sweep. */
export const kickSignal = defineSignal(EVENT_KICK_SIGNAL);

const BATCH = 20;
/** Deliveries per run before continue-as-new (Temporal may suggest it earlier). */
const PER_RUN = 200;

export interface EventDeliveryResult {
  delivered: number;
  failed: number;
}

/**
 * The tenant's deliverer, id `events/{tenant}` (docs/events.md): for each endpoint one loop that delivers the
 * pending deliveries in `seq` order, one at a time, so an endpoint sees a tenant's events in the order they were
 * committed; endpoints do not wait for each other. A kick that arrives while a loop is busy makes it look again before
 * it ends, so the run only ends when nothing is pending; then the next kick starts a new run.
 */
export async function eventDeliveryWorkflow(input: { tenantId: string }): Promise<EventDeliveryResult> {
  const { tenantId } = input;
  let kicked = true;
  const running = new Set<string>();
  const lookAgain = new Set<string>();
  setHandler(kickSignal, () => {
    kicked = true;
    for (const endpointId of running) lookAgain.add(endpointId);
  });
  const result: EventDeliveryResult = { delivered: 0, failed: 0 };
  let handled = 0;
  const restartDue = () => handled >= PER_RUN || workflowInfo().continueAsNewSuggested;

  async function drain(endpointId: string): Promise<void> {
    try {
      for (;;) {
        if (restartDue()) return;
        const batch = await bookkeeping.pendingDeliveries({ tenantId, endpointId, limit: BATCH });
        if (batch.length === 0) {
          if (lookAgain.delete(endpointId)) continue;
          return;
        }
        for (const d of batch) {
          setCurrentDetails(`Event **${d.type}** (#${d.seq}) naar endpoint ${endpointId}`);
          try {
            const outcome = await send.deliverEvent({ deliveryId: d.deliveryId });
            if (outcome.status === 'delivered') result.delivered++;
          } catch (err) {
            // A day of retries: the delivery is failed with the last error, and the next event follows.
            const reason = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : String((err as Error).message ?? err);
            await bookkeeping.markDeliveryFailed({ deliveryId: d.deliveryId, message: reason });
            result.failed++;
          }
          handled++;
        }
      }
    } finally {
      running.delete(endpointId);
      lookAgain.delete(endpointId);
    }
  }

  for (;;) {
    if (kicked && !restartDue()) {
      kicked = false;
      for (const endpointId of await bookkeeping.pendingEventEndpoints({ tenantId })) {
        if (running.has(endpointId)) continue;
        running.add(endpointId);
        void drain(endpointId);
      }
    }
    await condition(() => kicked || running.size === 0);
    if (running.size > 0) continue;
    if (restartDue()) await continueAsNew<typeof eventDeliveryWorkflow>(input);
    if (!kicked) break;
  }
  setCurrentDetails(`Afgeleverd: **${result.delivered}**, mislukt: ${result.failed}`);
  return result;
}

/** The per-minute sweep (schedule `events-sweep/{taskQueue}`): kicks deliverers nobody kicked. */
export async function eventSweepWorkflow(): Promise<{ tenants: number }> {
  const result = await sweeping.resumeStrandedEvents();
  if (result.tenants > 0) setCurrentDetails(`Alsnog gestart voor **${result.tenants}** tenants`);
  return result;
}
