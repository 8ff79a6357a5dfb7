import { createRoute, z } from '@hono/zod-openapi';
import { providerIds } from '../../lib/providers.js';
import { rolePolicy, requireRole } from '../auth.js';
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
    /** JSON Schema (draft 2020-12) of the settings body for this provider, as accepted on input. */
    settingsSchema: z.record(z.string(), z.unknown()),
  })
  .openapi('Provider');

export const list = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['Providers'],
  summary: 'Accounting packages with capabilities, cadence, terms and settings schema',
  middleware: [requireRole(...rolePolicy.read)],
  responses: {
    200: jsonContent(z.object({ providers: z.array(providerSchema) }), 'The accounting packages'),
    ...authErrors,
  },
});

export type ListRoute = typeof list;
