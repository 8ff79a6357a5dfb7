import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, errorSchema, jsonBody, jsonContent, validationErrorSchema } from '../schemas.js';

/** Proto3 JSON bytes: standard or URL-safe base64. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const codecPayloadSchema = z
  .object({
    metadata: z.record(z.string(), base64).nullish().openapi({ description: 'Metadata values, base64', example: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' } }),
    data: base64.nullish().openapi({ description: 'Payload bytes, base64' }),
  })
  .openapi('CodecPayload');

export const codecPayloadsSchema = z
  .object({ payloads: z.array(codecPayloadSchema).max(10_000) })
  .openapi('CodecPayloads', { description: 'temporal.api.common.v1.Payloads in proto3 JSON' });

const codecResponses = {
  200: jsonContent(codecPayloadsSchema, 'The payloads, in the same order'),
  400: jsonContent(z.union([validationErrorSchema, errorSchema]), 'Malformed body, or a payload that cannot be decrypted (unknown key id, altered data)'),
  ...authErrors,
  503: jsonContent(errorSchema, 'An access token could not be checked: the identity provider keys (CODEC_JWT_JWKS_URL) cannot be fetched'),
} as const;

const description =
  'Remote codec for the Temporal Web UI and CLI (Temporal codec server protocol). Workflow payloads are AES-256-GCM ' +
  'encrypted in Temporal; only `support` and `admin` API tokens that are not tenant-scoped may use this, or, when ' +
  'CODEC_JWT_ISSUER is configured, the OIDC access token the Temporal UI forwards, with the support or admin value in ' +
  'CODEC_JWT_ROLE_CLAIM. Outside /v1; ' +
  'answers CORS preflights from TEMPORAL_UI_ORIGIN without a token. The UI sends `X-Namespace`; keys are the same for every namespace.';

export const decode = createRoute({
  method: 'post',
  path: '/codec/decode',
  tags: ['Temporal codec'],
  summary: 'Decrypt Temporal payloads for display',
  description,
  request: { body: jsonBody(codecPayloadsSchema) },
  responses: codecResponses,
});

export const encode = createRoute({
  method: 'post',
  path: '/codec/encode',
  tags: ['Temporal codec'],
  summary: 'Encrypt Temporal payloads (e.g. a signal input typed in the UI)',
  description,
  request: { body: jsonBody(codecPayloadsSchema) },
  responses: codecResponses,
});
