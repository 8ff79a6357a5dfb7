import type { ActivityDeps } from './types.js';
import { activationActivities } from './activation.js';
import { syncActivities } from './sync.js';
import { exportActivities } from './export.js';
import { quoteActivities } from './quotes.js';
import { cleanupActivities } from './cleanup.js';
import { sweepActivities } from './sweep.js';
import { previewActivities } from './preview.js';
import { reconcileActivities } from './reconcile.js';
import { eventActivities } from './events.js';

export type { ActivityDeps } from './deps.js';

/** All activities, built from their dependencies (samples-typescript `activities-dependency-injection`). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...activationActivities(deps),
    ...syncActivities(deps),
    ...exportActivities(deps),
    ...quoteActivities(deps),
    ...cleanupActivities(deps),
    ...sweepActivities(deps),
    ...previewActivities(deps),
    ...reconcileActivities(deps),
    ...eventActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
