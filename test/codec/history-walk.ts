import type { temporal } from '@temporalio/proto';
import type { Payload } from '@temporalio/common';

export type History = temporal.api.history.v1.IHistory;
type Failure = temporal.api.failure.v1.IFailure;

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/**
 * Everything a reader of the raw history could see, as one string: strings as they are, bytes decoded as UTF-8
 * (JSON.stringify would print bytes as numbers and hide plaintext from a naive search).
 */
export function plaintextOf(history: History): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (isBytes(v)) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { parts.push(k); walk(x); }
  };
  walk(history);
  return parts.join('\n');
}

/** Every Payload in the history (an object with bytes `data` and a `metadata` map), with its path. */
export function payloadsIn(history: History): { path: string; payload: Payload }[] {
  const out: { path: string; payload: Payload }[] = [];
  const walk = (v: unknown, path: string) => {
    if (!v || typeof v !== 'object' || isBytes(v)) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && (isBytes(o.data) || Object.values(o.metadata).some(isBytes))) {
      out.push({ path, payload: o });
      return;
    }
    for (const [k, x] of Object.entries(o)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(history, '');
  return out;
}

/** Every Failure in the history (top level and causes), with its path. */
export function failuresIn(history: History): { path: string; failure: Failure }[] {
  const out: { path: string; failure: Failure }[] = [];
  const walk = (v: unknown, path: string) => {
    if (!v || typeof v !== 'object' || isBytes(v)) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if (typeof o.message === 'string' && Object.keys(o).some((k) => k.endsWith('FailureInfo') || k === 'encodedAttributes')) out.push({ path, failure: o });
    for (const [k, x] of Object.entries(o)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(history, '');
  return out;
}
