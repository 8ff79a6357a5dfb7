import { createRoute, z } from '@hono/zod-openapi';
import { providerIds } from '../../lib/providers.js';
import { access } from '../auth.js';
import { authErrors, jsonContent } from '../schemas.js';

export const providerSchema = z
  .object({
    id: z.enum(providerIds),
    name: z.string().openapi({ example: 'FactuurSturen' }),
    /** What an archived work order becomes, in Dutch. */
    document: z.string().openapi({ example: 'conceptfactuur' }),
    cadence: z.enum(['five-minutes', 'daily']),
    cadenceLabel: z.string(),
    connectWith: z.enum(['username+apiKey', 'username+password', 'environmentCode', 'oauth2']),
    capabilities: z.record(z.string(), z.boolean()),
    /** Whether the connector is implemented in this build. */
    available: z.boolean(),
    /** The terms of use the admin must accept (settings field `termsAccepted`). */
    terms: z.string(),
    termsVersion: z.string().openapi({ description: 'Send it back as settings.termsVersion when accepting (docs/terms.md)', example: '2025-1' }),
    termsLinkText: z.string(),
    termsUrl: z.string().openapi({ description: 'The terms as a page of this API', example: '/v1/terms' }),
    /** The activation card of the manuals: title, "Werking:" steps, details link, and the availability badge. */
    card: z.object({
      title: z.string().openapi({ example: 'Integratie: Octopus' }),
      steps: z.array(z.string()),
      detailsLinkText: z.string(),
      badge: z.enum(['INZETBAAR', 'NIET BESCHIKBAAR']),
    }),
    /** JSON Schema (draft 2020-12) of the settings body for this provider, as accepted on input. */
    settingsSchema: z.record(z.string(), z.unknown()),
  })
  .openapi('Provider');

export const list = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['Providers'],
  summary: 'Accounting packages with capabilities, cadence, terms and settings schema',
  middleware: access('read', { tenant: 'none' }),
  responses: {
    200: jsonContent(z.object({ providers: z.array(providerSchema) }), 'The accounting packages'),
    ...authErrors,
  },
});

export type ListRoute = typeof list;

export const terms = createRoute({
  method: 'get',
  path: '/terms',
  tags: ['Providers'],
  summary: 'The terms of use of the integrations, with their version, as a page',
  middleware: access('read', { tenant: 'none' }),
  responses: {
    200: { content: { 'text/html': { schema: z.string() } }, description: 'The terms page' },
    ...authErrors,
  },
});
export type TermsRoute = typeof terms;
