import type { MiddlewareHandler } from 'hono';
import { HttpError } from './errors.js';
import type { AppBindings } from './types.js';

/**
 * PostgreSQL text and jsonb cannot hold NUL (U+0000). Rather than strip it silently here and there, every request
 * whose query or JSON body carries one is refused with 400 naming the field (docs/api.md, "Errors"), before any
 * handler or database sees it.
 */
export function rejectNulCharacters(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    for (const [name, values] of Object.entries(c.req.queries())) {
      if (name.includes('\u0000') || values.some((v) => v.includes('\u0000'))) throw nulError(`query.${name.split('\u0000').join('')}`);
    }
    let decodedPath = c.req.path;
    try { decodedPath = decodeURIComponent(c.req.path); } catch { /* the router answers a malformed path */ }
    if (decodedPath.includes('\u0000')) throw nulError('path');
    if (['POST', 'PUT', 'PATCH'].includes(c.req.method) && (c.req.header('content-type') ?? '').includes('json')) {
      const text = await c.req.text();
      if (text.includes('\\u0000') || text.includes('\u0000')) {
        let body: unknown;
        try { body = JSON.parse(text); } catch { return next(); /* malformed JSON: the validator answers it */ }
        const at = nulPath(body, '');
        if (at !== null) throw nulError(at);
      }
    }
    await next();
  };
}

function nulError(path: string): HttpError {
  const message = 'contains a NUL character (\\u0000), which cannot be stored';
  return new HttpError(400, 'validation', `${path || 'body'} ${message}`, { issues: [{ path, message }] });
}

/** The dotted path of the first string (or key) holding U+0000, or null. */
function nulPath(value: unknown, at: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulPath(v, at ? `${at}.${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const key = k.split('\u0000').join('');
      const here = at ? `${at}.${key}` : key;
      if (k.includes('\u0000')) return here;
      const found = nulPath(v, here);
      if (found !== null) return found;
    }
  }
  return null;
}
