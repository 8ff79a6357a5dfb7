import { z } from 'zod';
import { providerCards, providerIds, providers, termsLinkText, termsText, type ProviderId } from '../../lib/providers.js';
import { settingsSchemaByProvider } from '../../lib/settings.js';
import { apiTexts } from '../../lib/messages.js';
import { cadenceLabels } from '../../db/queries/labels.js';
import type { AppRouteHandler } from '../types.js';
import type { ListRoute, TermsRoute } from './providers.routes.js';

let settingsJsonSchemas: Record<ProviderId, Record<string, unknown>> | undefined;

/** Computed once: the settings schemas are static. `io: 'input'` documents defaults as optional, as a client sends them. */
function settingsJsonSchema(provider: ProviderId): Record<string, unknown> {
  settingsJsonSchemas ??= Object.fromEntries(
    providerIds.map((p) => [p, z.toJSONSchema(settingsSchemaByProvider[p], { io: 'input' }) as Record<string, unknown>]),
  ) as Record<ProviderId, Record<string, unknown>>;
  return settingsJsonSchemas[provider];
}

export const list: AppRouteHandler<ListRoute> = (c) => {
  const termsVersion = c.get('deps').env.TERMS_VERSION;
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
          termsVersion,
          termsLinkText,
          termsUrl: '/v1/terms',
          card: { ...providerCards[id], badge: p.available ? ('INZETBAAR' as const) : ('NIET BESCHIKBAAR' as const) },
          settingsSchema: settingsJsonSchema(id),
        };
      }),
    },
    200,
  );
};

const escapeHtml = (t: string) => t.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);

export const terms: AppRouteHandler<TermsRoute> = (c) => {
  const version = escapeHtml(c.get('deps').env.TERMS_VERSION);
  return c.html(`<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${apiTexts.termsPage.title(version)}</title></head>` +
    `<body><h1>${apiTexts.termsPage.heading}</h1><p>${apiTexts.termsPage.version(version)}</p><p>${escapeHtml(termsText)}</p></body></html>`, 200);
};
