import type { Payload } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import type { z } from '@hono/zod-openapi';
import { createPayloadCodec, type EncryptionCodec } from '../../lib/codec.js';
import type { Env } from '../../lib/env.js';
import { badRequest, forbidden } from '../errors.js';
import type { AppRouteHandler } from '../types.js';
import type * as routes from './codec.routes.js';

type JsonPayload = z.infer<typeof routes.codecPayloadSchema>;

const codecs = new WeakMap<Env, EncryptionCodec>();
/** One codec per configuration (the app's env object), not one per request. */
function codecFor(env: Env): EncryptionCodec {
  let codec = codecs.get(env);
  if (!codec) {
    codec = createPayloadCodec(env);
    codecs.set(env, codec);
  }
  return codec;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function run(op: (payloads: Payload[]) => Promise<Payload[]>, payloads: JsonPayload[]): Promise<JsonPayload[]> {
  try {
    return (await op(payloads.map(fromJson))).map(toJson);
  } catch (err) {
    // Unknown key id, altered ciphertext: the caller's input, not a server fault. The message names the key id only.
    if (err instanceof ValueError) throw badRequest(err.message, 'codec_error');
    throw err;
  }
}

export const decode: AppRouteHandler<typeof routes.decode> = async (c) => {
  const { payloads } = c.req.valid('json');
  const codec = codecFor(c.get('deps').env);
  const out = await run((p) => codec.decode(p), payloads);
  // Audit: who looked at decrypted workflow data (never the data itself).
  c.get('logger').info({ actor: c.get('auth').actor, namespace: c.req.header('x-namespace'), payloads: payloads.length }, 'codec decode');
  return c.json({ payloads: out }, 200);
};

export const encode: AppRouteHandler<typeof routes.encode> = async (c) => {
  // Support is read-only: encrypting lets a caller inject payloads (a signal typed in the UI), so admins only.
  if (c.get('auth').role !== 'admin') throw forbidden('Encoding payloads requires role admin; support may decode');
  const { payloads } = c.req.valid('json');
  const codec = codecFor(c.get('deps').env);
  const out = await run((p) => codec.encode(p), payloads);
  c.get('logger').info({ actor: c.get('auth').actor, namespace: c.req.header('x-namespace'), payloads: payloads.length }, 'codec encode');
  return c.json({ payloads: out }, 200);
};
