import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Role } from '../../lib/env.js';
import { forbidden, unauthorized } from '../errors.js';
import { codecJwtVerifier } from './codec.jwt.js';
import type { AppBindings } from '../types.js';

/** Who may see decrypted payloads. Not `backend`: the service that archives work orders has no need to read Temporal. */
export const codecRoles: readonly Role[] = ['support', 'admin'];

/** The Temporal UI batches every payload of a page into one request; Temporal's own limit is 2 MB a payload. */
export const codecMaxBodyBytes = 16 * 1024 * 1024;

/**
 * The request headers the Temporal Web UI sends to a codec (docs/production-stack.md, "The Temporal UI and the
 * codec"): `Content-Type` and `X-Namespace` always; with `TEMPORAL_CODEC_PASS_ACCESS_TOKEN` also `Authorization`
 * (the user's access token) and `Authorization-Extras` (the ID token, ignored here).
 */
export const codecRequestHeaders = ['authorization', 'authorization-extras', 'content-type', 'x-namespace'] as const;

/**
 * CORS for the Temporal Web UI, which calls the codec from the browser: only the configured UI origins, with the
 * headers the UI sends, credentials allowed (`TEMPORAL_CODEC_INCLUDE_CREDENTIALS`). A preflight (OPTIONS) is answered
 * here, before any token check: browsers send it without one.
 */
export function codecCors(): MiddlewareHandler<AppBindings> {
  return cors({
    origin: (origin, c: Context<AppBindings>) => (origin && c.get('deps').env.TEMPORAL_UI_ORIGIN.includes(origin) ? origin : null),
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: [...codecRequestHeaders],
    credentials: true,
    maxAge: 600,
  });
}

export function codecBodyLimit(): MiddlewareHandler<AppBindings> {
  return bodyLimit({
    maxSize: codecMaxBodyBytes,
    onError: (c) => c.json({ error: 'payload_too_large', message: `Request body larger than ${codecMaxBodyBytes} bytes` }, 413),
  });
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer check for the codec. Not api/auth.ts `authenticate`: that one makes `support` read-only by HTTP method,
 * and decoding is a POST that only reads. Same constant-time comparison and the same actor labels (`support#3`).
 * Tenant-scoped tokens are refused: a payload does not say which tenant it belongs to.
 * A bearer that is none of the API tokens is, when CODEC_JWT_ISSUER is configured, verified as the access token the
 * Temporal UI forwards after an OIDC login (api/codec/codec.jwt.ts); its role comes from the configured claim.
 */
export function codecAccess(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw unauthorized();
    const presented = digest(match[1]);
    const env = c.get('deps').env;
    let found: { role: Role; tenant?: string; label: string } | undefined;
    env.API_TOKENS.forEach((t, i) => {
      if (timingSafeEqual(digest(t.token), presented) && !found) found = { role: t.role, tenant: t.tenant, label: `${t.role}#${i + 1}` };
    });
    if (!found) {
      const verifyJwt = codecJwtVerifier(env);
      if (!verifyJwt) throw unauthorized();
      try {
        const caller = await verifyJwt(match[1]);
        found = { role: caller.role, label: caller.actor };
      } catch (err) {
        // Audit of refused logins without the token: the reason only.
        c.get('logger').warn({ reason: (err as Error).message }, 'codec access token refused');
        throw err;
      }
    }
    c.set('auth', { role: found.role, ...(found.tenant ? { tenant: found.tenant } : {}), actor: found.label });
    if (!codecRoles.includes(found.role)) throw forbidden(`Requires role ${codecRoles.join(' or ')}`);
    if (found.tenant !== undefined) throw forbidden('Tenant-scoped tokens may not use the codec');
    await next();
  };
}
