import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
// The SDK's own protobuf classes (a dependency of @temporalio/common): the plaintext payload is serialised the way
// every Temporal SDK's encryption codec does it, so other tools that know the key can read it.
import proto from '@temporalio/proto';
import type { Env, PayloadKey } from './env.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = proto.temporal.api.common.v1.Payload;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * AES-256-GCM payload codec: every payload Temporal stores (workflow and activity inputs and results, memos,
 * heartbeat details, failure details) becomes `iv(12) ‖ ciphertext ‖ tag(16)` of the whole serialised payload,
 * with metadata `encoding: binary/encrypted` and `encryption-key-id`. The first key encrypts; any configured key
 * decrypts, so keys rotate by putting a new key first and keeping the old ones until their histories are gone.
 * Payloads that are not encrypted pass through on decode (histories written before the codec was switched on).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new ValueError('EncryptionCodec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new ValueError(`Payload key '${k.id}' must be 32 bytes`);
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    // A rejected promise, not a throw, when a payload cannot be encrypted (callers await it).
    return Promise.resolve().then(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    const plain = ProtoPayload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.current.id) },
      data: new Uint8Array(data),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new ValueError('Encrypted payload without an encryption-key-id');
    const key = this.byId.get(keyId);
    if (!key) throw new ValueError(`Payload was encrypted with key '${keyId}', which is not configured in PAYLOAD_KEYS`);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('Encrypted payload is too short');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(`Payload could not be decrypted with key '${keyId}' (wrong key or altered data)`);
    }
    try {
      const decoded = ProtoPayload.decode(plain);
      return { metadata: decoded.metadata, data: decoded.data };
    } catch {
      throw new ValueError(`Decrypted payload (key '${keyId}') is not a serialised Payload`);
    }
  }
}

export function createPayloadCodec(env: Pick<Env, 'PAYLOAD_KEYS'>): EncryptionCodec {
  return new EncryptionCodec(env.PAYLOAD_KEYS);
}

/**
 * Module with the `failureConverter` named export that puts failure messages and stack traces into an (encrypted)
 * payload. A path, not an instance, because the SDK loads it with `require()` in the worker and client and bundles
 * it into the workflow code; CommonJS so that works under plain Node, tsx and webpack alike.
 */
export const failureConverterPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'failure-converter.cjs');

/**
 * The data converter for every Temporal client and worker of the product (and replay): payloads encrypted by
 * the codec, failure messages (which may hold a provider's text about a customer) moved into payloads first.
 * Search attributes and workflow ids stay plaintext by design; they hold ids only (workflows/meta.ts).
 */
export function createDataConverter(env: Pick<Env, 'PAYLOAD_KEYS'>): DataConverter {
  return { payloadCodecs: [createPayloadCodec(env)], failureConverterPath };
}
