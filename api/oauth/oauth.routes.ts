import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema, jsonContent, tenantErrors, tenantParams } from '../schemas.js';
import { access } from '../auth.js';
import { providerIds } from '../../lib/providers.js';

const tags = ['Activation'];
const stepsSchema = z.object({ wiped: z.boolean(), connected: z.boolean(), settingsChecked: z.boolean(), saved: z.boolean() });

export const oauthUrl = createRoute({
  method: 'get', path: '/tenants/{tenant}/integration/activation/oauth-url', tags,
  middleware: access('admin', { tenant: 'scope' }),
  summary: "Step 2 'Koppel' for OAuth providers (Rompslomp, Visma.net): the provider's authorize URL to send the admin's browser to",
  description:
    'Valid once the wipe is done (or, to connect again, while the integration is paused). The URL carries a random `state` bound to ' +
    'this tenant, valid for 10 minutes and usable once; the provider sends the browser back to `/v1/oauth/{provider}/callback`.',
  request: { params: tenantParams },
  responses: {
    200: jsonContent(z.object({ url: z.string().url(), expiresAt: z.string() }).openapi('OAuthUrl'), 'Send the browser here'),
    ...tenantErrors,
    409: jsonContent(errorSchema, 'Not waiting for a connection (wipe first), or the provider does not connect with OAuth'),
  },
});

const callbackResult = z.object({
  connected: z.literal(true),
  tenant: z.string(),
  provider: z.enum(providerIds),
  label: z.string().nullable(),
  steps: stepsSchema,
  message: z.string(),
}).openapi('OAuthCallbackResult');

const callbackError = z.object({
  error: z.string(), reason: z.string().optional(), message: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).openapi('OAuthCallbackError');
const htmlPage = { 'text/html': { schema: z.string() } };

export const callback = createRoute({
  method: 'get', path: '/oauth/{provider}/callback', tags,
  summary: 'Where the provider sends the browser back after the admin gave (or refused) access; authenticated by the state, not a token',
  description: 'Answers a small Dutch HTML page to a browser (Accept: text/html) and JSON otherwise. The authorization code is exchanged by the worker, never here.',
  security: [],
  request: {
    params: z.object({ provider: z.enum(providerIds).openapi({ param: { name: 'provider', in: 'path' }, example: 'rompslomp' }) }),
    query: z.object({
      code: z.string().max(2000).optional(),
      state: z.string().max(200).optional(),
      error: z.string().max(200).optional(),
      error_description: z.string().max(2000).optional(),
    }),
  },
  responses: {
    200: { content: { 'application/json': { schema: callbackResult }, ...htmlPage }, description: 'Connected' },
    400: { content: { 'application/json': { schema: callbackError }, ...htmlPage }, description: 'Unknown, expired, used or foreign state; access refused; the provider rejected the code' },
    409: { content: { 'application/json': { schema: callbackError }, ...htmlPage }, description: 'The integration no longer waits for this connection' },
    503: { content: { 'application/json': { schema: callbackError }, ...htmlPage }, description: 'The provider could not be reached' },
  },
});
