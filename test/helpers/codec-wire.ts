import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';

/**
 * The codec endpoint's JSON form of a Temporal payload (metadata values and data in base64), as the Temporal UI
 * sends and reads it.
 */
export interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}

export function toWire(p: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export function fromWire(p: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data, 'base64'),
  };
}

/** The value a decoded wire payload holds. */
export const wireValue = (p: WirePayload): unknown => defaultPayloadConverter.fromPayload(fromWire(p));
