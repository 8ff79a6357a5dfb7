import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { createDataConverter, EncryptionCodec, ENCRYPTED_ENCODING, failureConverterPath, KEY_ID_METADATA } from '../../lib/codec.js';
import { ConfigError, parseEnv } from '../../lib/env.js';

const b64key = () => randomBytes(32).toString('base64');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const codecOf = (keys: string) => new EncryptionCodec(parseEnv({ PAYLOAD_KEYS: keys }).PAYLOAD_KEYS);

const customer = { name: 'Installatiebedrijf De Vries B.V.', street: 'Dunantstraat 140', amount: 1234.56 };

describe('EncryptionCodec', () => {
  it('encrypts a payload with AES-256-GCM, the key id in the metadata, and decodes it back', async () => {
    const codec = codecOf(`k1:${b64key()}`);
    const plain = defaultPayloadConverter.toPayload(customer);
    const [enc] = await codec.encode([plain]);
    expect(text(enc.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(enc.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(enc.metadata!).sort()).toEqual([KEY_ID_METADATA, METADATA_ENCODING_KEY].sort());
    // Neither the value nor the inner encoding is readable.
    expect(text(enc.data)).not.toContain('De Vries');
    expect(text(enc.data)).not.toContain('json/plain');
    const [dec] = await codec.decode([enc]);
    expect(text(dec.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(dec)).toEqual(customer);
  });

  it('uses a fresh 12-byte IV for every payload, so equal values give different ciphertexts', async () => {
    const codec = codecOf(`k1:${b64key()}`);
    const plain = defaultPayloadConverter.toPayload('zelfde waarde');
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
    // iv(12) + serialised payload + tag(16)
    expect(a.data!.length).toBeGreaterThan(12 + 16);
  });

  it('round-trips undefined, binary and empty payloads', async () => {
    const codec = codecOf(`k1:${b64key()}`);
    const values = [undefined, new Uint8Array([0, 1, 2, 255]), '', { nested: [1, null, 'x'] }];
    const encoded = await codec.encode(values.map((v) => defaultPayloadConverter.toPayload(v)));
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(values);
  });

  it('passes payloads that are not encrypted through on decode (histories from before the codec)', async () => {
    const codec = codecOf(`k1:${b64key()}`);
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    const [dec] = await codec.decode([plain]);
    expect(dec).toEqual(plain);
  });

  it('refuses altered ciphertext and an unknown key id, naming the key id only', async () => {
    const key = b64key();
    const codec = codecOf(`k1:${key}`);
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload('geheim')]);
    const altered: Payload = { ...enc, data: Uint8Array.from(enc.data!, (byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    await expect(codec.decode([altered])).rejects.toThrow(/could not be decrypted with key 'k1'/);

    const other = codecOf(`k2:${b64key()}`);
    const err = await other.decode([enc]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("key 'k1'");
    expect((err as Error).message).not.toContain(key);

    // Same key id, different key material: authentication fails instead of returning garbage.
    await expect(codecOf(`k1:${b64key()}`).decode([enc])).rejects.toThrow(/could not be decrypted/);
  });
});

describe('key rotation', () => {
  it('decodes data encoded with the old key after a new key is put first, and encodes new data with the new key', async () => {
    const oldKey = b64key();
    const before = codecOf(`2024-01:${oldKey}`);
    const [old] = await before.encode([defaultPayloadConverter.toPayload(customer)]);

    const after = codecOf(`2025-06:${b64key()}, 2024-01:${oldKey}`);
    expect(after.currentKeyId).toBe('2025-06');
    const [dec] = await after.decode([old]);
    expect(defaultPayloadConverter.fromPayload(dec)).toEqual(customer);

    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('nieuw')]);
    expect(text(fresh.metadata![KEY_ID_METADATA])).toBe('2025-06');
    // Once the old key is dropped, its data no longer decodes, and the error says which key is missing.
    await expect(codecOf(`2025-06:${b64key()}`).decode([old])).rejects.toThrow(/key '2024-01'.*not configured in PAYLOAD_KEYS/);
  });
});

describe('PAYLOAD_KEYS and TEMPORAL_UI_ORIGIN configuration', () => {
  const fieldError = (source: Record<string, string>) => {
    try {
      parseEnv(source);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('has a development default key and origins for the local Temporal UI', () => {
    const env = parseEnv({});
    expect(env.PAYLOAD_KEYS).toHaveLength(1);
    expect(env.PAYLOAD_KEYS[0].key).toHaveLength(32);
    expect(env.TEMPORAL_UI_ORIGIN).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
  });

  it('parses several keys in order, first one current', () => {
    const env = parseEnv({ PAYLOAD_KEYS: `new:${b64key()},old:${b64key()}`, TEMPORAL_UI_ORIGIN: 'https://temporal.example.nl' });
    expect(env.PAYLOAD_KEYS.map((k) => k.id)).toEqual(['new', 'old']);
    expect(env.TEMPORAL_UI_ORIGIN).toEqual(['https://temporal.example.nl']);
  });

  it('names the field on a bad value and never prints the key', () => {
    const short = Buffer.from('te kort').toString('base64');
    for (const [value, pattern] of [
      [`k1:${short}`, /key 'k1': must be base64 of exactly 32 bytes/],
      [b64key(), /expected keyId:base64key/],
      [`k1:${b64key()},k1:${b64key()}`, /appears twice/],
      [' , ', /at least one/],
      [`k1:${b64key().replace(/=$/, '!')}`, /must be base64/],
    ] as const) {
      const err = fieldError({ PAYLOAD_KEYS: value });
      expect(err.fields.map((f) => f.field)).toEqual(['PAYLOAD_KEYS']);
      expect(err.message).toMatch(pattern);
      for (const part of value.split(/[:,]/)) if (part.length > 8) expect(err.message).not.toContain(part);
    }
    const origin = fieldError({ TEMPORAL_UI_ORIGIN: 'http://localhost:8233/namespaces' });
    expect(origin.fields.map((f) => f.field)).toEqual(['TEMPORAL_UI_ORIGIN']);
  });

  it('gives a data converter with the codec and the failure converter module that encodes messages', async () => {
    const converter = createDataConverter(parseEnv({}));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.failureConverterPath).toBe(failureConverterPath);
    const { failureConverter } = (await import(failureConverterPath)) as { failureConverter: { options: { encodeCommonAttributes: boolean } } };
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
  });
});
