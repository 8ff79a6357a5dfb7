import { z } from 'zod';
import { providerIds, providers, termsText, type ProviderId } from '../../lib/providers.js';
import { settingsSchemaByProvider } from '../../lib/settings.js';
import { cadenceLabels } from '../../db/queries/labels.js';
import type { AppRouteHandler } from '../types.js';
import type { ListRoute } from './providers.routes.js';

let settingsJsonSchemas: Record<ProviderId, Record<string, unknown>> | undefined;

/** Computed once: the settings schemas are static. `io: 'input'` documents defaults as optional, as a client sends them. */
function settingsJsonSchema(provider: ProviderId): Record<string, unknown> {
  settingsJsonSchemas ??= Object.fromEntries(
    providerIds.map((p) => [p, z.toJSONSchema(settingsSchemaByProvider[p], { io: 'input' }) as Record<string, unknown>]),
  ) as Record<ProviderId, Record<string, unknown>>;
  return settingsJsonSchemas[provider];
}

export const list: AppRouteHandler<ListRoute> = (c) => {
  return c.json(
    {
      providers: providerIds.map((id) => {
        const p = providers[id];
        return {
          id: p.id,
          name: p.name,
          document: p.document,
          cadence: p.cadence,
          cadenceLabel: cadenceLabels[p.cadence],
          connectWith: p.connectWith,
          capabilities: p.capabilities,
          available: p.available,
          terms: termsText,
          settingsSchema: settingsJsonSchema(id),
        };
      }),
    },
    200,
  );
};
