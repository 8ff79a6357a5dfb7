import type { Context } from 'hono';
import type { AppBindings } from '../types.js';
import { hasPendingDeliveries } from '../../db/queries/events.js';
import { startEventDelivery } from '../../lib/events.js';

/**
 * After a handler's commit wrote events: wake the tenant's deliverer (docs/events.md). Never fails the request, whose
 * state change is committed: a kick that does not happen is made up by the per-minute sweep.
 */
export async function kickEvents(c: Context<AppBindings>, tenantId: string): Promise<void> {
  const { database, temporal } = c.get('deps');
  if (!temporal) return;
  try {
    if (await hasPendingDeliveries(database, tenantId)) await startEventDelivery(temporal.client, temporal.taskQueue, tenantId);
  } catch (err) {
    c.get('logger')?.warn({ tenantId, err: String((err as Error)?.message ?? err) }, 'event delivery not kicked; the sweep will start it');
  }
}
